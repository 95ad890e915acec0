from django.core.management.base import BaseCommand

from forums import summaries


class Command(BaseCommand):
    help = "Recomputes the per-session agency turnout that the dashboard reads, from the attendance rows."

    def handle(self, *args, **options):
        count = summaries.rebuild(progress=self.stdout.write)
        self.stdout.write(self.style.SUCCESS(f"Turnout rebuilt for {count:,} sessions."))
