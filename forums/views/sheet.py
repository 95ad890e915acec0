from django.contrib import messages
from django.core import signing
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from forums import qrcodes, sheet_import
from forums.access import can_change_attendance, session_for_user
from forums.codes import invitation_code
from forums.forms import SheetUploadForm
from forums.tabular import Row, TableError, read_upload

BLANK_ROWS = 10  # at least this many numbered blank rows for walk-ins
# Rows of the A4 sheet (sign-in-sheet.css: 13 mm rows): on the first page, below the heading, and on the next.
FIRST_PAGE_ROWS = 16
PAGE_ROWS = 18
SIGNING_SALT = "forums.sheet-import"
PREVIEW_MAX_AGE = 60 * 60  # a checked sheet must be confirmed within an hour


def _signing_salt(session) -> str:
    # Bound to the session, so that a sheet checked for one session cannot be confirmed into another.
    return f"{SIGNING_SALT}:{session.pk}"


def blank_rows(invited: int) -> int:
    """Blank rows for walk-ins: at least BLANK_ROWS, then up to the end of the last page, so that the sheet
    never ends on a page with one or two lines on it."""
    needed = invited + BLANK_ROWS
    capacity = FIRST_PAGE_ROWS
    while capacity < needed:
        capacity += PAGE_ROWS
    return capacity - invited


@require_safe
def sign_in_sheet(request, code):
    """The printable A4 sign-in sheet (แบบลงทะเบียน) with blank rows for walk-ins. Each invitee's row carries
    their personal code as a QR code for the check-in scanner, shown only to those who may record attendance
    (a code lets its holder check in)."""
    session = session_for_user(request.user, code)
    rows = list(
        session.attendances.filter(invited=True)
        .select_related("person", "organization")
        .order_by("organization__sort_order", "organization__code", "person__first_name", "person__last_name")
    )
    with_codes = can_change_attendance(request.user, session)
    for row in rows:
        row.qr = qrcodes.qr_svg(invitation_code(row), "qr") if with_codes else None
    return render(
        request,
        "forums/sign_in_sheet.html",
        {"session": session, "rows": rows, "blank": range(blank_rows(len(rows))), "with_codes": with_codes},
    )


@require_http_methods(["GET", "POST"])
def import_sheet(request, code):
    """Upload → preview with every row's problem → confirm. The preview travels signed in the page, so any
    app server can take the confirmation; the rows are checked again against the database before writing."""
    session = session_for_user(request.user, code, change=True)
    form = SheetUploadForm()
    context = {"session": session, "form": form}
    if request.method == "POST" and "confirm" in request.POST:
        try:
            raw_rows = signing.loads(
                request.POST.get("payload", ""), salt=_signing_salt(session), max_age=PREVIEW_MAX_AGE
            )
            rows, seen_versions = [], []
            for line, values, version in raw_rows:
                rows.append(Row(line, dict(zip(sheet_import.COLUMNS, values, strict=True))))
                seen_versions.append(int(version))
        except (signing.BadSignature, ValueError, TypeError):
            messages.error(request, _("The checked sheet expired or was altered. Upload the file again."))
            return redirect("forums:import_sheet", code=code)
        checked = sheet_import.check_rows(session, rows)
        for row, version in zip(checked, seen_versions, strict=True):
            row.seen_version = version
        try:
            counts = sheet_import.apply_rows(session, checked, user=request.user)
        except sheet_import.SheetRejected as exc:
            messages.error(request, str(exc))
            context.update(checked=checked, payload=None)
            return render(request, "forums/import_sheet.html", context, status=400)
        messages.success(
            request,
            _("Sign-in sheet saved: %(marked)s marks, %(walk_ins)s walk-ins, %(unchanged)s already as typed.")
            % counts,
        )
        return redirect("forums:session_detail", code=code)
    if request.method == "POST":
        form = SheetUploadForm(request.POST, request.FILES)
        context["form"] = form
        if form.is_valid():
            try:
                rows = read_upload(form.cleaned_data["file"], sheet_import.COLUMNS)
            except TableError as exc:
                form.add_error("file", str(exc))
                return render(request, "forums/import_sheet.html", context, status=400)
            checked = sheet_import.check_rows(session, rows)
            valid = bool(checked) and not any(r.problems for r in checked)
            if not checked:
                form.add_error("file", _("The file has a header row but no people."))
            payload = (
                signing.dumps(
                    [
                        [r.line, [r.values.get(c, "") for c in sheet_import.COLUMNS], row.current_version]
                        for r, row in zip(rows, checked, strict=True)
                    ],
                    salt=_signing_salt(session),
                )
                if valid
                else None
            )
            context.update(
                checked=checked, payload=payload, problem_count=sum(bool(r.problems) for r in checked)
            )
            return render(request, "forums/import_sheet.html", context, status=200 if valid else 400)
        return render(request, "forums/import_sheet.html", context, status=400)
    return render(request, "forums/import_sheet.html", context)
