from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from agencies import pdpa

LABELS = {
    "reminders": "reminder records deleted / ลบบันทึกการแจ้งเตือน",
    "calendar_feeds": "calendar addresses deleted / ลบที่อยู่ปฏิทิน",
    "person_access_log": "person access-log entries deleted / ลบบันทึกการเปิดดูข้อมูลบุคคล",
    "login_attempts": "login attempts deleted / ลบบันทึกการพยายามเข้าสู่ระบบ",
    "login_failures": "failed logins deleted / ลบบันทึกการเข้าสู่ระบบไม่สำเร็จ",
    "login_log": "login records deleted / ลบบันทึกการเข้าสู่ระบบ",
    "people_anonymized": "people anonymized / ทำให้เป็นข้อมูลนิรนาม (คน)",
}


class Command(BaseCommand):
    help = (
        "Applies the personal-data retention (PDPA_RETENTION_YEARS, default 10): anonymizes inactive people whose "
        "last forum (or, with none, whose record) is older than the retention, and deletes reminder records, "
        "person access-log entries and login records older than it, revoked calendar addresses and old ones of "
        "inactive people. Attendance rows are never touched. Safe to run again: a second run finds nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run", action="store_true", help="Count what would be done; change nothing."
        )
        parser.add_argument(
            "--years", type=int, default=None, help="Override PDPA_RETENTION_YEARS for this run."
        )

    def handle(self, *args, dry_run: bool, years: int | None, **options):
        years = settings.PDPA_RETENTION_YEARS if years is None else years
        if years < 1:
            raise CommandError("--years must be at least 1 / ต้องไม่น้อยกว่า 1 ปี")
        counts = pdpa.apply_retention(years, dry_run=dry_run)
        heading = "Dry run, nothing changed / ทดลอง ไม่มีการเปลี่ยนแปลง" if dry_run else "Done / เสร็จแล้ว"
        self.stdout.write(f"{heading} (retention {years} years / เก็บ {years} ปี)")
        for name, count in counts.items():
            self.stdout.write(f"  {count:>6}  {LABELS.get(name, name)}")
