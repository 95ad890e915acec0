from pathlib import Path

from django.core.management.base import BaseCommand

from forums.interchange import export_directory


class Command(BaseCommand):
    help = (
        "Exports community organizations, people, sessions and attendance as the program's interchange files, "
        "version 2 (every column, exact values: files for machines, not for spreadsheets)."
    )

    def add_arguments(self, parser):
        parser.add_argument("directory", type=Path)

    def handle(self, *args, directory: Path, **options):
        counts = export_directory(directory)
        self.stdout.write(
            self.style.SUCCESS(
                ", ".join(f"{name}: {count:,}" for name, count in counts.items()) + f" → {directory}"
            )
        )
