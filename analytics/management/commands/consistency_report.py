import argparse
import csv
import datetime as dt
import json

from django.core.management.base import BaseCommand, CommandError

from agencies.models import KmRole, Tambon
from analytics.metrics import Scope, compute
from core.thaidates import year_to_gregorian
from forums.models import Circle


def iso_date(text):
    # An argparse error, not a CommandError: argparse runs this before the command's own error handling, so a
    # CommandError raised here would reach the terminal as a traceback.
    try:
        date = dt.date.fromisoformat(text)
        # As in the interchange files, a year of 2400 or more is a Buddhist-era year (2549-10-25 is 2006-10-25).
        return date.replace(year=year_to_gregorian(date.year))
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a date YYYY-MM-DD / วันที่ต้องอยู่ในรูป YYYY-MM-DD"
        ) from None


class Command(BaseCommand):
    help = "Prints the attendance-consistency report of a scope as JSON (the program's format) or CSV."

    def add_arguments(self, parser):
        parser.add_argument("--from", dest="start", type=iso_date)
        parser.add_argument("--to", dest="end", type=iso_date)
        parser.add_argument("--circle", choices=Circle.values)
        parser.add_argument("--tambon")
        parser.add_argument("--roles", help="Comma-separated KM roles: eua,amnuay,kit")
        parser.add_argument("--format", choices=["json", "csv"], default="json")

    def handle(self, *args, start, end, circle, tambon, roles, format, **options):
        if tambon and not Tambon.objects.filter(code=tambon).exists():
            raise CommandError(f"Unknown tambon {tambon!r} / ไม่พบรหัสตำบล")
        role_list = None
        if roles:
            role_list = tuple(r.strip() for r in roles.split(",") if r.strip())
            unknown = sorted(set(role_list) - set(KmRole.values))
            if unknown or not role_list:
                raise CommandError(f"Unknown roles {unknown} (use eua, amnuay, kit) / บทบาทไม่ถูกต้อง")
        try:
            scope = Scope(start=start, end=end, circle=circle, tambon=tambon, roles=role_list)
        except ValueError as exc:
            raise CommandError(str(exc)) from None
        report = compute(scope).as_json()
        if format == "json":
            self.stdout.write(json.dumps(report, ensure_ascii=False, indent=2))
            return
        writer = csv.writer(self.stdout, lineterminator="\n")
        columns = list(report["agencies"][0]) if report["agencies"] else []
        writer.writerow(columns)
        for row in report["agencies"]:
            writer.writerow(["" if row[c] is None else row[c] for c in columns])
