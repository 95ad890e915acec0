from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from reports.brief import MonthError, parse_month, render_pdf


class Command(BaseCommand):
    help = "Writes the governor's monthly brief (A4 PDF, Thai) of a month: --month 2569-11 (Buddhist era) or 2026-11."

    def add_arguments(self, parser):
        parser.add_argument("--month", required=True, help="YYYY-MM, Buddhist-era or Gregorian year")
        parser.add_argument("--output", required=True, help="PDF file to write")

    def handle(self, *args, month: str, output: str, **options):
        try:
            year, number = parse_month(month)
        except MonthError as exc:
            raise CommandError(str(exc)) from None
        path = Path(output)
        if not path.parent.is_dir():
            raise CommandError(f"{path.parent} is not a directory")
        path.write_bytes(render_pdf(year, number))
        self.stdout.write(f"Wrote {path} ({year}-{number:02d}).")
