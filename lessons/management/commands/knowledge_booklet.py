from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import translation

from agencies.models import Tambon
from core.thaidates import parse_date
from lessons import booklet


class Command(BaseCommand):
    help = "Writes the knowledge-asset booklet (PDF): the same file as the Download PDF link of /lessons/assets/."

    def add_arguments(self, parser):
        parser.add_argument("--output", required=True, help="the PDF file to write")
        parser.add_argument("--from", dest="start", help="published from (25/10/2569 or 2026-10-25)")
        parser.add_argument("--to", dest="end", help="published to")
        parser.add_argument("--tambon", help="tambon code, e.g. 800119")
        parser.add_argument(
            "--base-url", default="http://localhost:8000/", help="the portal's address, for the note links"
        )

    def handle(self, *args, output, start, end, tambon, base_url, **options):
        try:
            start = parse_date(start) if start else None
            end = parse_date(end) if end else None
        except ValueError as error:
            raise CommandError(str(error)) from error
        place = None
        if tambon:
            place = Tambon.objects.filter(code=tambon).first()
            if place is None:
                raise CommandError(f"unknown tambon code: {tambon}")
        with translation.override(settings.LANGUAGE_CODE):
            pdf = booklet.booklet_pdf(booklet.booklet(start=start, end=end, tambon=place), base_url=base_url)
        Path(output).write_bytes(pdf)
        self.stdout.write(f"{output}: {len(pdf)} bytes")
