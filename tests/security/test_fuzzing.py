"""Property-based fuzzing of what people type and upload: dates, the session form, check-in, invitations, the
sign-in sheet import, the interchange import, lesson notes and the filter forms.

Whatever comes in, the portal answers with a form error (or a message) or does the work: never an exception, which
a real server turns into a 500, and a refused input writes nothing. Django's test client re-raises a view's
exception instead of answering 500, so an exception escaping a request here is the crash being looked for.

Each example runs in a savepoint rolled back at its end, so that examples start from the same database.
PostgreSQL refuses NUL characters and over-long values where SQLite keeps them: run this module on both.
"""

import contextlib
import csv
import datetime as dt
import html
import io
import tempfile
import zipfile
from pathlib import Path

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook
from openpyxl.utils.exceptions import IllegalCharacterError

from agencies.models import KmRole, Organization
from core import thaidates
from core.fields import BuddhistDateFormField
from forums import interchange
from forums.models import Attendance, Circle, ForumSession
from lessons.models import LessonNote
from tests.factories import make_attendance, make_person, make_session, make_user

pytestmark = pytest.mark.django_db

fuzz = settings(
    max_examples=40,
    deadline=None,
    # The database fixtures are set up once per test, not per example: each example rolls back what it wrote.
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
quick = settings(max_examples=60, deadline=None)

# Strategies ---------------------------------------------------------------------------------------------------

THAI = st.characters(min_codepoint=0x0E00, max_codepoint=0x0E7F)
THAI_MARKS = (
    "\u0e31\u0e34\u0e35\u0e36\u0e37\u0e38\u0e39\u0e3a\u0e47\u0e48\u0e49\u0e4a\u0e4b\u0e4c\u0e4d\u0e4e"
)
thai_text = st.text(THAI, max_size=20)
# Vowels and tone marks stacked on one consonant in any order and number, as a slip of the keyboard types them.
stacked_marks = st.lists(st.sampled_from(THAI_MARKS), max_size=6).map(lambda marks: "ก" + "".join(marks))
emoji = st.text(
    st.characters(min_codepoint=0x1F300, max_codepoint=0x1FAFF), min_size=1, max_size=3
) | st.sampled_from(["👍🏽", "👨‍👩‍👧", "🇹🇭", "\ufe0f"])
# NUL, tabs and line breaks, the byte-order mark, zero-width and right-to-left marks, line separators.
controls = st.text(st.characters(categories=["Cc", "Cf", "Zl", "Zp"]), min_size=1, max_size=3)
numbers = st.one_of(
    st.integers(-1000, 1000),
    st.integers(-(2**80), 2**80),
    st.sampled_from([2**31, 2**63, -(2**63) - 1, 10**100]),
    st.floats(),
)
THAI_DIGITS = str.maketrans("0123456789", "๐๑๒๓๔๕๖๗๘๙")


@st.composite
def date_strings(draw):
    """Dates as people type them: Buddhist era and Gregorian, valid and not, far past and far future."""
    if draw(st.booleans()):
        day = draw(st.dates())  # years 1 to 9999
        year = day.year + draw(st.sampled_from([0, 543]))
        text = draw(
            st.sampled_from(
                [
                    f"{day.day:02d}/{day.month:02d}/{year}",
                    f"{day.day}-{day.month}-{year}",
                    f"{year}-{day.month:02d}-{day.day:02d}",
                    f"{day.day}.{day.month}.{year}",
                ]
            )
        )
    else:
        day, month = draw(st.integers(-3, 40)), draw(st.integers(-3, 15))
        year = draw(
            st.one_of(
                st.integers(2400, 2800),
                st.integers(1850, 2250),
                st.integers(0, 99_999),
                st.integers(-(10**6), 10**30),
            )
        )
        separator = draw(st.sampled_from(["/", "-", ".", " / ", "", "//", "/\u200b"]))
        text = draw(st.sampled_from([f"{day}{separator}{month}{separator}{year}", f"{year}-{month}-{day}"]))
    if draw(st.booleans()):
        text = text.translate(THAI_DIGITS)
    return (
        draw(st.sampled_from(["", " ", "\t", "\x00"])) + text + draw(st.sampled_from(["", " ", "\n", "\x00"]))
    )


dates = date_strings()
pieces = st.one_of(
    thai_text, stacked_marks, emoji, controls, st.just("\x00"), st.text(max_size=10), numbers.map(str)
)
short_text = st.lists(pieces, max_size=4).map("".join)
long_text = st.text(st.one_of(THAI, st.characters(codec="utf-8")), min_size=1, max_size=4).map(
    lambda s: (s * 10_000)[:10_000]
)
field_values = st.one_of(short_text, short_text, dates, numbers.map(str), long_text, st.just(""))


def with_fuzz(plausible):
    """Mostly plausible values, so that the examples reach the code behind the form, with fuzz among them."""
    return st.one_of(plausible, plausible, plausible, field_values)


# Helpers ------------------------------------------------------------------------------------------------------


class _Rollback(Exception):
    pass


@contextlib.contextmanager
def rolled_back():
    """The block in a savepoint that is rolled back when it ends, whatever it wrote."""
    with contextlib.suppress(_Rollback), transaction.atomic():
        yield
        raise _Rollback


def domain_counts() -> dict[str, int]:
    """Rows of every model of the portal's apps, their history included."""
    return {
        model._meta.label: model._base_manager.count()
        for app in ("agencies", "forums", "lessons", "analytics")
        for model in apps.get_app_config(app).get_models()
        if model._meta.managed and not model._meta.proxy
    }


def changes(before, after) -> dict[str, int]:
    return {label: after[label] - before[label] for label in before if after[label] != before[label]}


def shows_a_problem(response) -> bool:
    """The page answers with a form error, a problem on a row of the sheet, or a message."""
    context = response.context
    keys = context.keys() if hasattr(context, "keys") else context.flatten().keys()
    forms = [context[key] for key in keys if key.endswith("form") and context[key] is not None]
    form_errors = any(getattr(form, "errors", None) for form in forms)
    checked = context["checked"] if "checked" in keys else None
    row_problems = any(row.problems for row in checked or [])
    messages = list(context["messages"]) if "messages" in keys else []
    return form_errors or row_problems or bool(messages)


@pytest.fixture
def facilitator_client(client):
    client.force_login(make_user("facilitator"))
    return client


@pytest.fixture
def session():
    return make_session(code="F-FUZZ-01", circle="all")


@pytest.fixture
def people(session):
    """Three people invited to the session, one of them marked, and one not invited."""
    invited = [
        make_person("CDD", KmRole.EUA),
        make_person("WU", KmRole.AMNUAY),
        make_person("BAAC", KmRole.KIT),
    ]
    for person in invited:
        make_attendance(session, person)
    session.attendances.filter(person=invited[0]).update(status=Attendance.Status.PRESENT)
    return [*invited, make_person("GHB", KmRole.KIT)]


# Dates --------------------------------------------------------------------------------------------------------


@quick
@given(text=st.one_of(dates, short_text, long_text))
def test_parse_date_reads_a_date_in_range_or_refuses_it_with_a_message(text):
    try:
        value = thaidates.parse_date(text)
    except thaidates.DateParseError as exc:
        assert str(exc)
    else:
        assert thaidates.EARLIEST <= value <= thaidates.LATEST


@quick
@given(day=st.dates(min_value=thaidates.EARLIEST, max_value=thaidates.LATEST))
def test_a_date_shown_in_the_buddhist_era_reads_back_as_itself(day):
    assert thaidates.parse_date(thaidates.format_date(day, "numeric")) == day
    assert thaidates.parse_date(day.isoformat()) == day


@quick
@given(value=st.one_of(dates, short_text, long_text, numbers, st.none(), st.dates(), st.datetimes()))
def test_the_buddhist_date_form_field_gives_a_date_or_a_validation_error(value):
    field = BuddhistDateFormField(required=False)
    try:
        cleaned = field.clean(value)
    except ValidationError as exc:
        assert exc.messages
    else:
        assert cleaned is None or isinstance(cleaned, dt.date)


# Sessions -----------------------------------------------------------------------------------------------------

SESSION_FIELDS = [
    "code", "title", "circle", "tambon", "date", "start", "end", "venue", "format", "organizer", "status", "agenda",
    "minutes", "note_taker", "version",
]  # fmt: skip


@fuzz
@given(
    overrides=st.dictionaries(st.sampled_from(SESSION_FIELDS), field_values, max_size=5),
    dropped=st.sets(st.sampled_from(SESSION_FIELDS), max_size=2),
)
def test_the_session_form_saves_or_shows_errors_and_never_half_writes(coordinator_client, overrides, dropped):
    data = {
        "code": "F-2569-99", "title": "เวทีคุณเอื้อ", "circle": "eua", "tambon": "", "date": "25/10/2569",
        "start": "09:30", "end": "12:00", "venue": "ศาลากลาง", "format": "formal",
        "organizer": str(Organization.objects.get(code="CDD").pk), "status": "planned", "agenda": "", "minutes": "",
        "note_taker": "", "version": "",
        **overrides,
    }  # fmt: skip
    for name in dropped:
        data.pop(name)
    with rolled_back():
        before = domain_counts()
        response = coordinator_client.post("/forums/new/", data)
        written = changes(before, domain_counts())
    assert response.status_code in (200, 302)
    if response.status_code == 200:
        assert response.context["form"].errors
        assert written == {}
    else:
        assert written["forums.ForumSession"] == 1


# Check-in -----------------------------------------------------------------------------------------------------

NEW_PERSON_FIELDS = [
    "new-title",
    "new-first_name",
    "new-last_name",
    "new-role",
    "new-organization",
    "new-position",
]


def new_person_values():
    return st.fixed_dictionaries(
        {
            "new-title": with_fuzz(st.sampled_from(["นาย", "นาง", "นางสาว", ""])),
            "new-first_name": with_fuzz(thai_text),
            "new-last_name": with_fuzz(thai_text),
            "new-role": with_fuzz(st.sampled_from(KmRole.values)),
            "new-organization": with_fuzz(st.sampled_from(["CDD", "WU", "PROV"])),
            "new-position": field_values,
            "new-phone": with_fuzz(st.from_regex(r"0[0-9]{8,9}", fullmatch=True)),
        }
    )


def organization_keys(data):
    """Organization codes in the strategies stand for their primary keys, which differ from run to run."""
    keys = dict(Organization.objects.filter(code__in=["CDD", "WU", "PROV"]).values_list("code", "pk"))
    if data.get("new-organization") in keys:
        data["new-organization"] = str(keys[data["new-organization"]])
    return data


@fuzz
@given(
    person=with_fuzz(st.sampled_from(["0", "1", "2", "3", ""])),
    status=with_fuzz(st.sampled_from(["present", "late", "absent"])),
    new_person=st.sampled_from(["", "on", "off", "\x00"]),
    token=st.one_of(st.just(""), st.text(max_size=80), long_text),
    new=new_person_values(),
)
def test_a_walk_in_is_added_whole_or_refused_with_a_message(
    coordinator_client, session, people, person, status, new_person, token, new
):
    if person in ("0", "1", "2", "3"):
        person = people[int(person)].code
    data = organization_keys(
        {"person": person, "status": status, "new_person": new_person, "token": token, **new}
    )
    with rolled_back():
        before = domain_counts()
        response = coordinator_client.post(f"/forums/{session.code}/checkin/walk-in/", data)
        written = changes(before, domain_counts())
    assert response.status_code in (302, 400)
    if response.status_code == 400:
        assert shows_a_problem(response)
        assert written == {}
    else:
        assert written.get("forums.Attendance", 0) <= 1
        # A person created at the venue always comes with their attendance.
        assert written.get("agencies.Person", 0) <= written.get("forums.Attendance", 0)


@fuzz
@given(
    representative=with_fuzz(st.sampled_from(["1", "2", "3", ""])),
    version=with_fuzz(st.sampled_from(["1", "2"])),
    new_person=st.sampled_from(["", "on"]),
    new=new_person_values(),
)
def test_a_representative_is_recorded_or_refused_with_a_message(
    coordinator_client, session, people, representative, version, new_person, new
):
    row = session.attendances.get(person=people[1])
    if representative in ("1", "2", "3"):
        representative = people[int(representative)].code
    data = organization_keys(
        {"representative": representative, "version": version, "new_person": new_person, **new}
    )
    with rolled_back():
        before = domain_counts()
        response = coordinator_client.post(f"/forums/{session.code}/checkin/{row.pk}/representative/", data)
        written = changes(before, domain_counts())
    assert response.status_code in (200, 302)
    if response.status_code == 200:
        assert shows_a_problem(response)
        assert written == {}


@fuzz
@given(
    codes=st.lists(with_fuzz(st.sampled_from(["0", "1", "2", "3", "t-nobody"])), max_size=5),
    separator=st.sampled_from([" ", ",", "\n", ", ", "\x00", "\u3000", "\u200b"]),
)
def test_the_invite_form_invites_known_codes_or_names_the_unknown(
    coordinator_client, session, people, codes, separator
):
    codes = [people[int(code)].code if code in ("0", "1", "2", "3") else code for code in codes]
    with rolled_back():
        before = domain_counts()
        response = coordinator_client.post(
            f"/forums/{session.code}/invitations/", {"people": separator.join(codes)}
        )
        written = changes(before, domain_counts())
    assert response.status_code in (200, 302)
    if response.status_code == 200:
        assert response.context["form"].errors
        assert written == {}


# Sign-in sheet import -----------------------------------------------------------------------------------------

SHEET_HEADER = ["person", "status", "representative"]
STATUS_WORDS = ["มา", "มาสาย", "ไม่มา", "ลา", "ส่งผู้แทน", "present", "late", "absent", "✓", "PRESENT"]


XLSX_PARTS = [
    "xl/worksheets/sheet1.xml",
    "xl/workbook.xml",
    "xl/_rels/workbook.xml.rels",
    "[Content_Types].xml",
]
SPREADSHEET_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"


def with_member(xlsx: bytes, member: str, content: bytes | None) -> bytes:
    """The workbook with one part replaced (or left out, for None)."""
    source, buffer = zipfile.ZipFile(io.BytesIO(xlsx)), io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for info in source.infolist():
            if info.filename != member:
                archive.writestr(info, source.read(info.filename))
            elif content is not None:
                archive.writestr(member, content)
    return buffer.getvalue()


@st.composite
def sheet_xml(draw):
    """A worksheet part as a damaged or hand-made file has it: cells whose type and value disagree, references
    out of range, a declared size far larger than the rows."""
    cells = draw(
        st.lists(
            st.tuples(
                st.sampled_from(["n", "s", "str", "b", "e", "d", "inlineStr"]),
                st.one_of(
                    st.sampled_from(
                        ["person", "abc", "nan", "1e400", "99", "-1", "2549-10-25", "#REF!", "T1"]
                    ),
                    short_text,
                ),
            ),
            max_size=4,
        )
    )
    row_number = draw(st.sampled_from(["1", "2", "0", "-3", "1048576", "x"]))
    dimension = draw(
        st.sampled_from(["", '<dimension ref="A1:C2"/>', '<dimension ref="A1:XFD1048576"/>', "<dimension/>"])
    )
    row = "".join(
        f'<c r="{"ABCD"[i]}{row_number}" t="{kind}"><v>{html.escape(value)}</v></c>'
        for i, (kind, value) in enumerate(cells)
    )
    return f'<worksheet xmlns="{SPREADSHEET_NS}">{dimension}<sheetData><row r="{row_number}">{row}</row></sheetData></worksheet>'.encode(
        errors="replace"
    )


@st.composite
def sheet_uploads(draw, codes):
    kind = draw(st.sampled_from(["bytes", "csv", "csv", "zip-prefix", "zip", "xlsx", "xlsx-damaged"]))
    cell = with_fuzz(st.sampled_from([*codes, *STATUS_WORDS, ""]))
    header = draw(st.one_of(st.just(SHEET_HEADER), st.permutations(SHEET_HEADER), st.lists(cell, max_size=4)))
    rows = draw(st.lists(st.lists(cell, max_size=4), max_size=6))
    if kind == "bytes":
        data = draw(st.binary(max_size=2000))
    elif kind == "csv":
        buffer = io.StringIO()
        csv.writer(buffer).writerows([header, *rows])
        encoding = draw(
            st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "utf-32", "cp874", "tis-620", "latin-1"])
        )
        data = buffer.getvalue().encode(encoding, errors="replace")
    elif kind == "zip-prefix":
        data = b"PK\x03\x04" + draw(st.binary(max_size=2000))
    elif kind == "zip":
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w") as archive:
            for member in draw(
                st.lists(
                    st.sampled_from(
                        ["[Content_Types].xml", "xl/workbook.xml", "xl/worksheets/sheet1.xml", "_rels/.rels"]
                    ),
                    max_size=4,
                    unique=True,
                )
            ):
                archive.writestr(member, draw(st.one_of(st.binary(max_size=300), short_text.map(str.encode))))
        data = buffer.getvalue()
    else:
        workbook = Workbook()
        sheet = workbook.active
        try:
            for line in [header, *rows]:
                sheet.append(line)
        except IllegalCharacterError:  # openpyxl refuses control characters in cells
            assume(False)
        buffer = io.BytesIO()
        workbook.save(buffer)
        data = buffer.getvalue()
        if kind == "xlsx-damaged":
            member = draw(st.sampled_from(XLSX_PARTS))
            data = with_member(data, member, draw(st.one_of(st.none(), st.binary(max_size=300), sheet_xml())))
    name = draw(
        st.sampled_from(
            ["sheet.csv", "sheet.xlsx", "sheet.xls", "sheet", "แบบลงทะเบียน.CSV", "x" * 250 + ".csv"]
        )
    )
    return name, data


@pytest.mark.filterwarnings("ignore::UserWarning")  # openpyxl warns about the damaged parts it skips
@fuzz
@given(data=st.data())
def test_a_sign_in_sheet_upload_is_previewed_or_refused_and_writes_nothing(
    coordinator_client, session, people, data
):
    name, content = data.draw(sheet_uploads([p.code for p in people]))
    with rolled_back():
        before = domain_counts()
        response = coordinator_client.post(
            f"/forums/{session.code}/sheet/import/", {"file": SimpleUploadedFile(name, content)}
        )
        written = changes(before, domain_counts())
    assert response.status_code in (200, 400)
    assert written == {}
    if response.status_code == 400:
        assert shows_a_problem(response)


@fuzz
@given(payload=st.one_of(short_text, long_text, st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789:_-.")))
def test_a_damaged_confirmation_of_a_sheet_is_refused(coordinator_client, session, people, payload):
    with rolled_back():
        before = domain_counts()
        response = coordinator_client.post(
            f"/forums/{session.code}/sheet/import/", {"confirm": "1", "payload": payload}
        )
        written = changes(before, domain_counts())
    assert response.status_code == 302 and written == {}


# Interchange import -------------------------------------------------------------------------------------------


def interchange_columns(people):
    # Codes with inner blanks too: the import stores them folded ("P  1" as "P 1").
    codes = st.one_of(
        st.sampled_from([p.code for p in people]),
        st.from_regex(r"[A-Z]{1,3}[- \u00a0]{1,2}[0-9]{1,4}", fullmatch=True),
    )
    return {
        "code": codes,
        "name": thai_text,
        "title": st.sampled_from(["นาย", "นาง", ""]),
        "first_name": thai_text,
        "last_name": thai_text,
        "kind": st.sampled_from(interchange.COMMUNITY_KINDS),
        "tambon": st.sampled_from(["800119", "800104", "", "999999"]),
        "role": st.sampled_from(KmRole.values),
        "organization": st.sampled_from(["CDD", "WU", "PROV", "CFO-NONE"]),
        "position": thai_text,
        "is_chair": st.sampled_from(["0", "1"]),
        "phone": st.from_regex(r"0[0-9]{8,9}", fullmatch=True),
        "date": st.one_of(st.dates().map(dt.date.isoformat), dates),
        "start": st.sampled_from(["09:30", "24:00", "9:5", ""]),
        "circle": st.sampled_from(Circle.values),
        "format": st.sampled_from(ForumSession.Format.values),
        "status": st.sampled_from([*ForumSession.Status.values, *Attendance.Status.values]),
        "organizer": st.sampled_from(["CDD", "WU", ""]),
        "venue": thai_text,
        "session": st.sampled_from(["F-FUZZ-01", "F-NONE"]),
        "person": st.sampled_from([p.code for p in people]),
        "invited": st.sampled_from(["0", "1"]),
        "representative": st.sampled_from(["", people[3].code]),
    }


@st.composite
def interchange_directories(draw, people):
    columns_values = interchange_columns(people)
    files = {}
    for name in draw(st.sets(st.sampled_from(sorted(interchange.FILES)), max_size=4)):
        columns = interchange.FILES[name]
        header = draw(
            st.one_of(
                st.just(columns), st.just(columns), st.permutations(columns), st.lists(short_text, max_size=4)
            )
        )
        rows = draw(
            st.lists(
                st.lists(with_fuzz(st.one_of(*columns_values.values())), max_size=len(columns) + 1),
                max_size=4,
            )
            | st.lists(
                st.tuples(*[with_fuzz(columns_values.get(column, short_text)) for column in header]).map(
                    list
                ),
                max_size=4,
            )
        )
        if draw(st.integers(0, 9)) == 0:
            content = draw(st.binary(max_size=500))
        else:
            buffer = io.StringIO()
            csv.writer(buffer).writerows([header, *rows])
            encoding = draw(st.sampled_from(["utf-8", "utf-8", "utf-8-sig", "utf-16", "cp874"]))
            content = buffer.getvalue().encode(encoding, errors="replace")
        files[name] = content
    return files


@fuzz
@given(data=st.data())
def test_the_interchange_import_writes_everything_or_nothing(session, people, data):
    files = data.draw(interchange_directories(people))
    with rolled_back(), tempfile.TemporaryDirectory() as directory:
        for name, content in files.items():
            (Path(directory) / name).write_bytes(content)
        before = domain_counts()
        try:
            counts = interchange.import_directory(Path(directory))
        except interchange.ImportRejected as exc:
            assert exc.errors
            assert domain_counts() == before
        else:
            written = changes(before, domain_counts())
            assert written.get("forums.ForumSession", 0) == counts["sessions"]
            assert written.get("forums.Attendance", 0) == counts["attendance"]
            assert written.get("agencies.Person", 0) == counts["people"]


# Lesson notes -------------------------------------------------------------------------------------------------

HTML_PIECES = [
    "<p>", "</p>", "<div>", "</div>", "<br>", "<h1>", "</h1>", "<ul><li>", "</li></ul>", "<table><tr><td>", "</td>",
    "<script>alert(1)</script>", "<img src=x onerror=alert(1)>", '<a href="javascript:alert(1)">', "</a>",
    '<a href="//evil.example">', "<svg><script>x</script></svg>", "<!--", "-->", "<![CDATA[", "]]>", "&nbsp;",
    "&#0;", "&#xD800;", "&#x110000;", "&", "<o:p>", "</o:p>", "<style>p{}</style>", "<p class=MsoNormal>", "- ",
    "\n\n", "<",
]  # fmt: skip
bodies = st.lists(st.one_of(st.sampled_from(HTML_PIECES), short_text), max_size=12).map("".join) | long_text
NOTE_FIELDS = {
    "title": with_fuzz(thai_text.filter(str.strip)),
    "summary": field_values,
    "body": bodies,
    "session_codes": with_fuzz(st.sampled_from(["F-FUZZ-01", "f-fuzz-01, F-NONE", ""])),
    "report_start": with_fuzz(dates),
    "report_end": with_fuzz(dates),
    "report_circle": with_fuzz(st.sampled_from(["", *Circle.values])),
    "report_roles": with_fuzz(st.sampled_from(KmRole.values)),
    "include_report": st.sampled_from(["", "on"]),
    "lessons-TOTAL_FORMS": with_fuzz(st.sampled_from(["0", "1", "2"])),
    "lessons-INITIAL_FORMS": with_fuzz(st.just("0")),
    "lessons-0-text": with_fuzz(thai_text),
    "lessons-0-role": with_fuzz(st.sampled_from(KmRole.values)),
    "lessons-0-evidence": field_values,
    "lessons-1-text": field_values,
    "lessons-1-role": field_values,
}


@fuzz
@given(data=st.fixed_dictionaries({}, optional=NOTE_FIELDS), preview=st.booleans())
def test_a_lesson_note_is_saved_sanitized_or_shown_with_errors(facilitator_client, session, data, preview):
    if preview:
        data["preview"] = "1"
    with rolled_back():
        before = domain_counts()
        response = facilitator_client.post("/lessons/new/", data)
        written = changes(before, domain_counts())
        note = LessonNote.objects.order_by("-pk").first() if response.status_code == 302 else None
    assert response.status_code in (200, 302)
    if response.status_code == 200:
        assert written == {}
    else:
        assert written["lessons.LessonNote"] == 1
        body = note.body.lower()
        assert "<script" not in body and "onerror" not in body and "javascript:" not in body


# Filter forms -------------------------------------------------------------------------------------------------


def query(fields: dict):
    return st.fixed_dictionaries({}, optional={name: with_fuzz(values) for name, values in fields.items()})


def expected_status(params: dict) -> int:
    """200, or 400 for a query holding a NUL: core.middleware.RefuseNulMiddleware refuses it first."""
    values = [
        value for values in params.values() for value in (values if isinstance(values, list) else [values])
    ]
    return 400 if any("\x00" in text for text in [*params, *values]) else 200


@fuzz
@given(
    params=query(
        {
            "q": thai_text,
            "role": st.sampled_from(KmRole.values),
            "organization": st.sampled_from(["CDD", "PROV", "WU"]),
            "tambon": st.sampled_from(["800119", "800104"]),
            "active": st.sampled_from(["", "all"]),
            "page": st.sampled_from(["1", "2", "0", "-1", "last", "99999999999999999999"]),
        }
    )
)
def test_the_person_filter_answers_any_query(coordinator_client, people, params):
    response = coordinator_client.get("/people/", params)
    assert response.status_code == expected_status(params)


@fuzz
@given(
    params=query(
        {
            "start": dates,
            "end": dates,
            "tambon": st.sampled_from(["800119", "800104"]),
            "circle": st.sampled_from(Circle.values),
            "organizer": st.sampled_from(["CDD", "PROV"]),
            "status": st.sampled_from(ForumSession.Status.values),
            "page": st.sampled_from(["1", "2", "-1", "last", "1e400"]),
        }
    )
)
def test_the_session_filter_answers_any_query(coordinator_client, session, params):
    response = coordinator_client.get("/forums/", params)
    assert response.status_code == expected_status(params)


@fuzz
@given(
    params=query(
        {
            "start": dates,
            "end": dates,
            "circle": st.sampled_from(["", *Circle.values]),
            "tambon": st.sampled_from(["800119", "800104"]),
            "roles": st.lists(st.sampled_from(KmRole.values), max_size=3),
        }
    )
)
def test_the_dashboard_answers_any_scope(client, governor_office, session, people, params):
    client.force_login(governor_office)
    response = client.get("/dashboard/", params)
    assert response.status_code == expected_status(params)


# What the fuzzing found, pinned --------------------------------------------------------------------------------


def test_a_pasted_page_in_the_person_lookup_answers_instead_of_failing(coordinator_client, session, people):
    """Thousands of words made a query deeper than SQLite allows, one long word a LIKE pattern longer than it
    allows (representative)."""
    row = session.attendances.get(person=people[1])
    for pasted in ("สมชาย ใจดี " * 2000, "ก" * 20_000):
        response = coordinator_client.post(
            f"/forums/{session.code}/checkin/{row.pk}/representative/",
            {"representative": pasted, "version": "1"},
        )
        assert response.status_code == 200 and response.context["form"].errors


def write_csv(path: Path, rows):
    buffer = io.StringIO()
    csv.writer(buffer).writerows(rows)
    path.write_text(buffer.getvalue(), encoding="utf-8")


PEOPLE_HEADER = interchange.FILES["people.csv"]


@pytest.mark.parametrize(
    ("name", "rows", "problem"),
    [
        ("people.csv", [["P-1", "นาย", "สม\x00ชาย", "", "kit", "CDD", "", "", "0", ""]], "NUL"),
        ("attendance.csv", [["F-FUZZ-01\x00", "P-1", "1", "present", ""]], "NUL"),
        (
            "people.csv",
            [["P-" + "1" * 30, "นาย", "สมชาย", "", "kit", "CDD", "", "", "0", ""]],
            "code is longer",
        ),
        (
            "people.csv",
            [["P-1", "นาย", "ส" * 101, "", "kit", "CDD", "", "", "0", "0" * 31]],
            "first_name is longer",
        ),
        (
            "sessions.csv",
            [["F-2", "เวที", "2006-01-01", "", "eua", "", "formal", "held", "", "ศาลา" * 70]],
            "venue is longer",
        ),
        ("organizations.csv", [["CFO-" + "9" * 20, "กลุ่ม", "savings_group", "800119"]], "code is longer"),
        # A code is part of a page address: with a slash, every list linking the row failed.
        (
            "sessions.csv",
            [["F/2549/07", "เวที", "2006-01-01", "", "eua", "", "formal", "held", "", ""]],
            "'/'",
        ),
    ],
)
def test_the_interchange_import_rejects_nul_overlong_values_and_slashed_codes_by_line(
    tmp_path, session, name, rows, problem
):
    """These passed the checks: PostgreSQL then failed the whole import with a database error and no line to
    point at, SQLite kept them, and a slashed code broke every page that links the row."""
    write_csv(tmp_path / name, [interchange.FILES[name], *rows])
    before = domain_counts()
    with pytest.raises(interchange.ImportRejected) as rejected:
        interchange.import_directory(tmp_path)
    assert problem in "\n".join(rejected.value.errors)
    assert domain_counts() == before


def test_a_person_code_with_inner_blanks_is_stored_folded_and_not_found_unfolded(tmp_path, session):
    write_csv(
        tmp_path / "people.csv", [PEOPLE_HEADER, ["P  1", "นาย", "สมชาย", "", "kit", "CDD", "", "", "0", ""]]
    )
    write_csv(
        tmp_path / "attendance.csv",
        [interchange.FILES["attendance.csv"], [session.code, "P  1", "1", "", ""]],
    )
    with pytest.raises(interchange.ImportRejected, match="unknown person 'P  1'"):
        interchange.import_directory(tmp_path)


def upload(client, session, name, content):
    return client.post(f"/forums/{session.code}/sheet/import/", {"file": SimpleUploadedFile(name, content)})


def problem_of(response) -> str:
    return " ".join(response.context["form"].errors.get("file", []))


def test_a_sheet_with_a_nul_past_its_first_4_kb_is_refused(coordinator_client, session, people):
    lines = [f"{people[0].code},มา," for _ in range(300)] + ["T\x00X,มา,"]
    response = upload(
        coordinator_client, session, "sheet.csv", "\n".join(["person,status,representative", *lines]).encode()
    )
    assert response.status_code == 400 and "NUL" in problem_of(response)


def test_a_sheet_of_more_than_5000_rows_is_refused(coordinator_client, session, people):
    content = ("person,status,representative\n" + f"{people[0].code},มา,\n" * 5001).encode()
    response = upload(coordinator_client, session, "sheet.csv", content)
    assert response.status_code == 400 and "5,000" in problem_of(response)


def sheet_workbook() -> bytes:
    workbook = Workbook()
    workbook.active.append(SHEET_HEADER)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def test_an_xlsx_that_unpacks_to_more_than_10_mb_is_refused_before_reading(coordinator_client, session):
    """700 KB of XLSX unpacked to 2,000,000 rows: minutes and gigabytes in one request."""
    row = '<row><c t="inlineStr"><is><t>T00001</t></is></c><c t="inlineStr"><is><t>present</t></is></c></row>'
    sheet = f'<worksheet xmlns="{SPREADSHEET_NS}"><sheetData>{row * 120_000}</sheetData></worksheet>'
    content = with_member(sheet_workbook(), "xl/worksheets/sheet1.xml", sheet.encode())
    assert len(content) < 1024 * 1024
    response = upload(coordinator_client, session, "sheet.xlsx", content)
    assert response.status_code == 400 and "10 MB" in problem_of(response)


def test_an_xlsx_declaring_a_million_rows_of_16384_cells_is_refused(coordinator_client, session):
    sheet = (
        f'<worksheet xmlns="{SPREADSHEET_NS}"><dimension ref="A1:XFD1048576"/><sheetData>'
        '<row r="1"><c r="A1" t="inlineStr"><is><t>person</t></is></c></row>'
        '<row r="1048576"><c r="A1048576" t="inlineStr"><is><t>T1</t></is></c></row></sheetData></worksheet>'
    )
    content = with_member(sheet_workbook(), "xl/worksheets/sheet1.xml", sheet.encode())
    response = upload(coordinator_client, session, "sheet.xlsx", content)
    assert response.status_code == 400 and "5,000" in problem_of(response)


@pytest.mark.parametrize(
    ("member", "content"),
    [
        ("xl/worksheets/sheet1.xml", None),
        (
            "xl/worksheets/sheet1.xml",
            f'<worksheet xmlns="{SPREADSHEET_NS}"><sheetData><row r="1"><c r="A1" t="n"><v>abc</v></c></row></sheetData></worksheet>'.encode(),
        ),
        (
            "xl/worksheets/sheet1.xml",
            f'<worksheet xmlns="{SPREADSHEET_NS}"><sheetData><row r="1"><c r="A1" t="s"><v>7</v></c></row></sheetData></worksheet>'.encode(),
        ),
        ("xl/workbook.xml", f'<workbook xmlns="{SPREADSHEET_NS}"><sheets/></workbook>'.encode()),
    ],
    ids=["sheet-missing", "text-in-a-number-cell", "unknown-shared-string", "no-sheets"],
)
def test_a_damaged_xlsx_is_refused_as_unreadable(coordinator_client, session, member, content):
    """openpyxl reads a sheet lazily: these failed while the rows were read, after the file had opened."""
    response = upload(
        coordinator_client, session, "sheet.xlsx", with_member(sheet_workbook(), member, content)
    )
    assert response.status_code == 400 and "XLSX" in problem_of(response)


def test_a_huge_posted_count_of_key_lessons_builds_no_more_than_20_forms(facilitator_client):
    response = facilitator_client.post(
        "/lessons/new/",
        {"title": "บท", "body": "ย่อหน้า", "lessons-TOTAL_FORMS": "9" * 30, "lessons-INITIAL_FORMS": "0"},
    )
    lessons = response.context["lessons"]
    assert response.status_code == 200 and len(lessons.forms) == 20 and lessons.non_form_errors()


# PostgreSQL refuses NUL in a query parameter, and these views pass an address part or a GET parameter to a
# query: core.middleware.RefuseNulMiddleware answers 400 before they run.
@pytest.mark.parametrize(
    ("url", "params"),
    [
        ("/lessons/", {"tag": "a\x00"}),
        ("/lessons/", {"author": "a\x00"}),
        ("/lessons/assets/", {"tambon": "\x00"}),
        ("/lessons/%00/", {}),
        ("/forums/%00/", {}),
        ("/people/%00/", {}),
        ("/dashboard/agencies/%00/", {}),
        ("/forums/F-FUZZ-01/checkin/search/", {"q": "ab\x00"}),
    ],
)
def test_a_nul_in_the_address_is_refused_or_not_found(admin_client_portal, session, url, params):
    response = admin_client_portal.get(url, params)
    assert response.status_code in (200, 400, 404)
