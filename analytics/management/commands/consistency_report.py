import argparse
import csv
import json

from django.core.management.base import BaseCommand, CommandError

from agencies.models import KmRole, Tambon
from analytics.metrics import Scope, compute, rounded
from core.thaidates import DateParseError, parse_date, refusal
from forums.models import Circle


def iso_date(text):
    # An argparse error, not a CommandError: argparse runs this before the command's own error handling, so a
    # CommandError raised here would reach the terminal as a traceback. The portal's one date parser: 2549-10-25
    # and 25/10/2549 are Buddhist era, 2006-10-25 Gregorian, and implausible years are refused.
    try:
        return parse_date(text)
    except DateParseError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date: {refusal(text)}") from None


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
        computed = compute(scope)
        report = computed.as_json()
        report["monthly_trend"] = [
            {"month": month, "code": agency.code, "attendance_rate": rounded(agency.monthly.get(month))}
            for month in computed.months
            for agency in computed.agencies
        ]
        if format == "json":
            self.stdout.write(json.dumps(report, ensure_ascii=False, indent=2))
            return
        write_csv(self.stdout, report)


def _csv_value(value):
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, list | tuple):
        return ",".join(value)
    return value


def write_csv(out, report: dict):
    """Every section of the report in one CSV: each row starts with its section's name, and each section starts
    with its own header row (first cell `section`), so that a spreadsheet filter on the first column shows one
    section, and a program splits the file on the header rows. Booleans are 1/0, nulls empty."""
    summary = {
        **{key: report["scope"][key] for key in ("from", "to", "circle", "tambon", "roles")},
        **{key: report[key] for key in ("sessions_held", "mean_unison", "full_house_rate")},
    }
    sections = [
        ("summary", [summary]),
        ("agencies", report["agencies"]),
        ("sessions", report["sessions"]),
        ("co_attendance", report["co_attendance"]),
        ("monthly_trend", report["monthly_trend"]),
    ]
    writer = csv.writer(out, lineterminator="\n")
    for name, rows in sections:
        columns = list(rows[0]) if rows else []
        writer.writerow(["section", *columns])
        for row in rows:
            writer.writerow([name, *(_csv_value(row[c]) for c in columns)])
