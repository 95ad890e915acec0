from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from forums.interchange import ImportRejected, import_directory


class Command(BaseCommand):
    help = (
        "Imports organizations.csv, people.csv, sessions.csv and attendance.csv (any of them) from a folder. "
        "All or nothing: any bad row writes nothing and is reported with its file and line number."
    )

    def add_arguments(self, parser):
        parser.add_argument("directory", type=Path)

    def handle(self, *args, directory: Path, **options):
        if not directory.is_dir():
            raise CommandError(f"{directory} is not a folder / ไม่พบโฟลเดอร์ {directory}")
        try:
            counts = import_directory(directory)
        except ImportRejected as exc:
            for error in exc.errors:
                self.stderr.write(error)
            raise CommandError(
                f"{len(exc.errors)} problem(s); nothing was imported / พบปัญหา {len(exc.errors)} รายการ ไม่ได้นำเข้าข้อมูลใด"
            ) from None
        self.stdout.write(
            self.style.SUCCESS(
                ", ".join(f"{name}: {count:,}" for name, count in counts.items()) + " imported."
            )
        )
