from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from agencies.demo.builder import DemoBuilder, clear_demo_data
from agencies.models import Organization, Person
from analytics import rollup
from core import bulk
from forums import demo_region
from forums.demo import ForumDemoBuilder
from forums.models import ForumSession
from lessons.demo import build_demo_notes
from lessons.models import LessonNote


class Command(BaseCommand):
    help = "Builds a deterministic demo dataset and one demo account per portal role (development only)."

    def add_arguments(self, parser):
        parser.add_argument("--seed", type=int, default=2549, help="Random seed (default 2549).")
        parser.add_argument(
            "--scale",
            choices=["pilot", "province", "region"],
            default="pilot",
            help=(
                "pilot: the three pilot tambons; province: every tambon of the province, 20,000+ people; region: "
                f"the province and {demo_region.REGION_COPIES} copies of it standing for the neighbouring provinces, "
                "about 10,000,000 attendance rows (multiplied in the database, see forums/demo_region.py)."
            ),
        )
        parser.add_argument(
            "--copies",
            type=int,
            help=(
                "How many copies of the built data to add, each standing for a neighbouring province "
                f"(default {demo_region.REGION_COPIES} with --scale region, none otherwise)."
            ),
        )
        parser.add_argument("--force", action="store_true", help="Run even when DEBUG is off.")
        parser.add_argument("--reset", action="store_true", help="Remove earlier demo data first.")
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="Do nothing when the database already holds people (make demo keeps what you entered).",
        )

    def handle(self, *args, seed, scale, copies, force, reset, if_empty, **options):
        if copies is None:
            copies = demo_region.REGION_COPIES if scale == "region" else 0
        if not 0 <= copies <= 99:
            raise CommandError("จำนวนสำเนาต้องอยู่ระหว่าง 0 ถึง 99 / --copies must be between 0 and 99.")
        # The region is the province built as usual, then multiplied.
        base_scale = "province" if scale == "region" else scale
        if not settings.DEBUG and not force:
            raise CommandError(
                "seed_demo writes made-up people and demo accounts with known passwords; it refuses to run "
                "when DEBUG is off. Add --force if this really is a demo server. / "
                "คำสั่งนี้สร้างข้อมูลสาธิต จะไม่ทำงานเมื่อปิด DEBUG เว้นแต่ระบุ --force"
            )
        if if_empty and not reset and Person.objects.exists():
            self.stdout.write(
                "The database already holds people: kept as it is (make demo-reset rebuilds the demo data and "
                "prints the demo logins). / ฐานข้อมูลมีข้อมูลอยู่แล้ว จึงคงไว้ตามเดิม"
            )
            return
        with transaction.atomic():
            if Person.objects.exists():
                if not reset:
                    raise CommandError(
                        "The database already holds people; add --reset to replace them with demo data. / "
                        "ฐานข้อมูลมีรายชื่อบุคคลอยู่แล้ว ใช้ --reset เพื่อแทนที่ด้วยข้อมูลสาธิต"
                    )
                self.stdout.write("Removing earlier demo data…")
                LessonNote.objects.all().delete()
                ForumSession.objects.all().delete()
                clear_demo_data()
            builder = DemoBuilder(seed=seed, scale=base_scale, progress=self.stdout.write)
            result = builder.build()
            self.stdout.write("Forum sessions and attendance…")
            forums = ForumDemoBuilder(builder.rng, base_scale, progress=self.stdout.write).build()
            notes = build_demo_notes()
            totals = {"people": result["people"], **forums}
            if copies:
                self.stdout.write(
                    f"ภูมิภาค: เพิ่มสำเนา {copies} ชุดแทนจังหวัดใกล้เคียง / Region: {copies} copies of the "
                    f"{base_scale} standing for the neighbouring provinces, written in the database…"
                )
                totals = demo_region.multiply(copies, progress=self.stdout.write)
        if copies:
            self.stdout.write("  planner statistics…")
            demo_region.analyze()
        # The people and organizations were written in bulk: vacuumed, their lists count them from an index (at
        # region scale the people list's count 40 ms to 17 ms) rather than when autovacuum gets to them.
        bulk.vacuum((Person, Organization))
        # The monthly figures of the dashboard, counted once for every month rather than on the first visit.
        self.stdout.write("  monthly figures…")
        rollup.rebuild()
        region = f" (the {base_scale} and {copies} {'copy' if copies == 1 else 'copies'})" if copies else ""
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo data ready{region}: {totals['people']:,} people in {result['tambons']} tambons, "
                f"{totals['sessions']:,} forum sessions, {totals['attendance']:,} attendance rows, "
                f"{notes} lesson notes."
            )
        )
        self.stdout.write("Demo logins (username / password):")
        for label, username, password in result["accounts"]:
            self.stdout.write(f"  {label:<30} {username:<16} {password}")
