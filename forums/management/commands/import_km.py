from functools import partial
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from forums.interchange import ImportRejected, import_directory


class Command(BaseCommand):
    help = (
        "Imports organizations.csv, people.csv, sessions.csv and attendance.csv (any of them; interchange format "
        "version 1 or 2) from a folder. All or nothing: any bad row writes nothing and is reported with its file "
        "and line number. Shows a progress bar on a terminal."
    )

    def add_arguments(self, parser):
        parser.add_argument("directory", type=Path)
        parser.add_argument(
            "--progress",
            choices=["auto", "always", "never"],
            default="auto",
            help="progress bar: on a terminal only (auto), always or never",
        )

    def handle(self, *args, directory: Path, progress: str, **options):
        if not directory.is_dir():
            raise CommandError(f"{directory} is not a folder / ไม่พบโฟลเดอร์ {directory}")
        # The bar goes to stderr, as tqdm's always does, so that the summary on stdout stays one clean line;
        # a log file or cron mail gets no bar at all.
        stream = self.stderr._out
        shown = progress == "always" or (progress == "auto" and getattr(stream, "isatty", lambda: False)())
        bar = partial(tqdm, file=stream, disable=not shown, leave=True, dynamic_ncols=True)
        try:
            counts = import_directory(directory, progress=bar)
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
