"""The consistency_report command: the JSON and CSV of DOMAIN.md for a scope given on the command line."""

import csv
import datetime as dt
import io
import json
from itertools import combinations
from types import SimpleNamespace

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from agencies.models import KmRole
from analytics.management.commands.consistency_report import Command
from tests.factories import make_attendance, make_person, make_session

AGENCIES = ["CDD", "WU", "BAAC", "NFE", "DOAE", "CPD", "GHB", "NSTRU", "CODI"]
EUA, AMNUAY, KIT = KmRole.EUA, KmRole.AMNUAY, KmRole.KIT


def report(*args):
    out = io.StringIO()
    call_command("consistency_report", *args, stdout=out)
    return out.getvalue()


def report_json(*args):
    return json.loads(report("--format", "json", *args))


@pytest.fixture
def forums(db):
    """Three held sessions and a planned one, worked out by hand below.

    F-2548-01 (eua, provincial): CDD eua present, WU eua absent, the chair present.
    F-2548-02 (all, Tha Rai): CDD amnuay present, WU eua represented, NFE kit absent.
    F-2548-03 (eua_amnuay, Bang Chak): CDD eua absent, WU amnuay late.
    """
    chair = make_person("PROV", EUA, is_chair=True)
    cdd_eua, cdd_amnuay = make_person("CDD", EUA), make_person("CDD", AMNUAY)
    wu_eua, wu_amnuay = make_person("WU", EUA), make_person("WU", AMNUAY)
    nfe_kit = make_person("NFE", KIT)

    s1 = make_session(code="F-2548-01", circle="eua", date=dt.date(2005, 8, 12), status="held")
    make_attendance(s1, chair, status="present")
    make_attendance(s1, cdd_eua, status="present")
    make_attendance(s1, wu_eua, status="absent")
    s2 = make_session(
        code="F-2548-02", circle="all", date=dt.date(2005, 9, 9), status="held", tambon="800106"
    )
    make_attendance(s2, cdd_amnuay, status="present")
    make_attendance(s2, wu_eua, status="represented", representative=wu_amnuay)
    make_attendance(s2, nfe_kit, status="absent")
    s3 = make_session(
        code="F-2548-03", circle="eua_amnuay", date=dt.date(2005, 10, 14), status="held", tambon="800119"
    )
    make_attendance(s3, cdd_eua, status="absent")
    make_attendance(s3, wu_amnuay, status="late")
    planned = make_session(code="F-2548-04", circle="eua", date=dt.date(2005, 11, 1), status="planned")
    make_attendance(planned, cdd_eua)


def never_invited(code):
    return {
        "code": code, "invited_sessions": 0, "represented_sessions": 0, "attendance_rate": None,
        "in_person_rate": None, "representative_share": None, "longest_streak": 0, "current_miss_streak": 0,
        "dropped_out": False, "rate_with_chair": None, "rate_without_chair": None, "chair_effect_pp": None,
    }  # fmt: skip


def test_json_report_of_every_held_session(forums):
    assert report_json() == {
        "scope": {"from": None, "to": None, "circle": None, "tambon": None, "roles": None},
        "sessions_held": 3,
        # (1/2 + 2/3 + 1/2) / 3 = 5/9 = 0.5555…; no session with every invited agency
        "mean_unison": 0.5556,
        "full_house_rate": 0.0,
        "agencies": [
            # represented at 01, 02 of 01, 02, 03: 2/3; in person 2 of 3 invitations; share 0 / (2 + 0);
            # run 01–02, then 03 missed; with the chair (01) 1/1, without (02, 03) 1/2 → +50 pp
            {"code": "CDD", "invited_sessions": 3, "represented_sessions": 2, "attendance_rate": 0.6667,
             "in_person_rate": 0.6667, "representative_share": 0.0, "longest_streak": 2, "current_miss_streak": 1,
             "dropped_out": False, "rate_with_chair": 1.0, "rate_without_chair": 0.5, "chair_effect_pp": 50.0},
            # represented at 02, 03: 2/3; in person 1 (03) of 3; share 1 / (1 + 1); with (01) 0/1, without 2/2
            {"code": "WU", "invited_sessions": 3, "represented_sessions": 2, "attendance_rate": 0.6667,
             "in_person_rate": 0.3333, "representative_share": 0.5, "longest_streak": 2, "current_miss_streak": 0,
             "dropped_out": False, "rate_with_chair": 0.0, "rate_without_chair": 1.0, "chair_effect_pp": -100.0},
            never_invited("BAAC"),
            # invited at 02 only, absent; share 0 / 0; with the chair: no invited session → null
            {"code": "NFE", "invited_sessions": 1, "represented_sessions": 0, "attendance_rate": 0.0,
             "in_person_rate": 0.0, "representative_share": None, "longest_streak": 0, "current_miss_streak": 1,
             "dropped_out": False, "rate_with_chair": None, "rate_without_chair": 0.0, "chair_effect_pp": None},
            *(never_invited(code) for code in AGENCIES[4:]),
        ],
        "sessions": [
            # InvOrg {CDD, WU}, Rep {CDD}
            {"code": "F-2548-01", "date": "2005-08-12", "invited_agencies": 2, "represented_agencies": 1,
             "unison": 0.5},
            # InvOrg {CDD, WU, NFE}, Rep {CDD, WU}
            {"code": "F-2548-02", "date": "2005-09-09", "invited_agencies": 3, "represented_agencies": 2,
             "unison": 0.6667},
            # InvOrg {CDD, WU}, Rep {WU}
            {"code": "F-2548-03", "date": "2005-10-14", "invited_agencies": 2, "represented_agencies": 1,
             "unison": 0.5},
        ],
        "co_attendance": [
            {"a": a, "b": b, "jaccard": {
                # both invited 01, 02, 03; both came 02; at least one 01, 02, 03 → 1/3
                ("CDD", "WU"): 0.3333,
                # both invited 02; CDD came, NFE not → 0/1
                ("CDD", "NFE"): 0.0,
                ("WU", "NFE"): 0.0,
            }.get((a, b))}
            for a, b in combinations(AGENCIES, 2)
        ],
        "monthly_trend": [
            {"month": month, "code": code, "attendance_rate": {
                ("2005-08", "CDD"): 1.0, ("2005-08", "WU"): 0.0,
                ("2005-09", "CDD"): 1.0, ("2005-09", "WU"): 1.0, ("2005-09", "NFE"): 0.0,
                ("2005-10", "CDD"): 0.0, ("2005-10", "WU"): 1.0,
            }.get((month, code))}
            for month in ("2005-08", "2005-09", "2005-10")
            for code in AGENCIES
        ],
    }  # fmt: skip


@pytest.mark.parametrize(
    ("args", "scope", "unisons"),
    [
        # both ends inclusive
        (
            ["--from", "2005-09-09", "--to", "2005-10-14"],
            {"from": "2005-09-09", "to": "2005-10-14"},
            {"F-2548-02": 0.6667, "F-2548-03": 0.5},
        ),
        (["--circle", "eua"], {"circle": "eua"}, {"F-2548-01": 0.5}),
        (["--tambon", "800106"], {"tambon": "800106"}, {"F-2548-02": 0.6667}),
        # the NFE คุณกิจ drops out of 02: InvOrg {CDD, WU}, both came
        (
            ["--roles", "eua,amnuay"],
            {"roles": ["eua", "amnuay"]},
            {"F-2548-01": 0.5, "F-2548-02": 1.0, "F-2548-03": 0.5},
        ),
        # 02: only WU's คุณเอื้อ (represented) → 1/1; 03: only CDD's คุณเอื้อ (absent) → 0/1
        (["--roles", "eua"], {"roles": ["eua"]}, {"F-2548-01": 0.5, "F-2548-02": 1.0, "F-2548-03": 0.0}),
        # spaces after the commas are forgiven
        (
            ["--roles", "eua, amnuay"],
            {"roles": ["eua", "amnuay"]},
            {"F-2548-01": 0.5, "F-2548-02": 1.0, "F-2548-03": 0.5},
        ),
    ],
)
def test_filters(forums, args, scope, unisons):
    data = report_json(*args)
    assert data["scope"] == {"from": None, "to": None, "circle": None, "tambon": None, "roles": None, **scope}
    assert {s["code"]: s["unison"] for s in data["sessions"]} == unisons
    assert data["sessions_held"] == len(unisons)


def test_role_filter_changes_the_agency_figures(forums):
    cdd = report_json("--roles", "eua")["agencies"][0]
    # CDD's คุณเอื้อ invited at 01 (present) and 03 (absent): 1/2
    assert (cdd["invited_sessions"], cdd["represented_sessions"], cdd["attendance_rate"]) == (2, 1, 0.5)


def csv_sections(text) -> dict[str, list[dict]]:
    """The report's CSV split into its sections: each starts with a header row whose first cell is `section`."""
    sections, columns = {}, None
    for row in csv.reader(io.StringIO(text)):
        if row[0] == "section":
            columns = row[1:]
            continue
        sections.setdefault(row[0], []).append(dict(zip(columns, row[1:], strict=True)))
    return sections


def test_csv_has_every_section_with_booleans_as_1_and_0_and_empty_cells_for_nulls(forums):
    text = report("--format", "csv")
    sections = csv_sections(text)

    assert list(sections) == ["summary", "agencies", "sessions", "co_attendance", "monthly_trend"]
    assert text.splitlines()[2].split(",")[:3] == ["section", "code", "invited_sessions"]
    assert sections["summary"] == [
        {"from": "", "to": "", "circle": "", "tambon": "", "roles": "", "sessions_held": "3",
         "mean_unison": "0.5556", "full_house_rate": "0.0"}
    ]  # fmt: skip
    assert [row["code"] for row in sections["agencies"]] == AGENCIES
    by_code = {row["code"]: row for row in sections["agencies"]}
    assert list(by_code["CDD"].values()) == [
        "CDD", "3", "2", "0.6667", "0.6667", "0.0", "2", "1", "0", "1.0", "0.5", "50.0",
    ]  # fmt: skip
    assert list(by_code["NFE"].values()) == ["NFE", "1", "0", "0.0", "0.0", "", "0", "1", "0", "", "0.0", ""]
    assert list(by_code["GHB"].values()) == ["GHB", "0", "0", "", "", "", "0", "0", "0", "", "", ""]
    assert [(s["code"], s["date"], s["unison"]) for s in sections["sessions"]] == [
        ("F-2548-01", "2005-08-12", "0.5"),
        ("F-2548-02", "2005-09-09", "0.6667"),
        ("F-2548-03", "2005-10-14", "0.5"),
    ]
    assert len(sections["co_attendance"]) == 36
    assert {"a": "CDD", "b": "WU", "jaccard": "0.3333"} in sections["co_attendance"]
    trend = {(row["month"], row["code"]): row["attendance_rate"] for row in sections["monthly_trend"]}
    assert len(trend) == 3 * 9
    # CDD: represented in August and September, invited and absent in October; GHB never invited.
    assert [trend[m, "CDD"] for m in ("2005-08", "2005-09", "2005-10")] == ["1.0", "1.0", "0.0"]
    assert trend["2005-08", "GHB"] == ""


def test_csv_marks_a_dropped_out_agency_with_1(forums):
    make_attendance(make_session(circle="eua", date=dt.date(2005, 12, 1), status="held"), make_person("NFE", EUA),
                    status="absent")  # fmt: skip
    make_attendance(make_session(circle="eua", date=dt.date(2005, 12, 2), status="held"), make_person("NFE", EUA),
                    status="absent")  # fmt: skip

    rows = {row["code"]: row for row in csv_sections(report("--format", "csv"))["agencies"]}

    assert (rows["NFE"]["current_miss_streak"], rows["NFE"]["dropped_out"]) == ("3", "1")


def test_json_has_the_monthly_trend_of_every_agency(forums):
    trend = report_json()["monthly_trend"]

    assert trend[:2] == [
        {"month": "2005-08", "code": "CDD", "attendance_rate": 1.0},
        {"month": "2005-08", "code": "WU", "attendance_rate": 0.0},
    ]
    assert [row["month"] for row in trend] == ["2005-08"] * 9 + ["2005-09"] * 9 + ["2005-10"] * 9


BAD_INPUT = [
    (["--from", "2549-13-01"], "'2549-13-01' is not a date"),
    (["--from", "2459-10-25"], "must fall between"),
    (["--circle", "nope"], "invalid choice: 'nope'"),
    (["--roles", "boss"], "Unknown roles ['boss']"),
    (["--roles", "eua,boss"], "Unknown roles ['boss']"),
    (["--tambon", "999999"], "Unknown tambon '999999'"),
    (["--from", "2006-05-31", "--to", "2005-08-01"], "the period ends before it starts"),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("args", "message"), BAD_INPUT)
def test_bad_input_is_a_command_error(args, message):
    with pytest.raises(CommandError) as raised:
        report(*args)
    assert message in str(raised.value)


@pytest.mark.django_db
@pytest.mark.parametrize(("args", "message"), BAD_INPUT)
def test_bad_input_on_the_command_line_prints_the_message_without_a_traceback(
    args, message, capsys, monkeypatch
):
    # The command closes every connection when it ends; the test database's must stay open.
    monkeypatch.setattr("django.core.management.base.connections", SimpleNamespace(close_all=lambda: None))
    with pytest.raises(SystemExit) as exited:
        Command().run_from_argv(["manage.py", "consistency_report", *args])
    assert exited.value.code != 0
    err = capsys.readouterr().err
    assert message in err
    assert "Traceback" not in err


@pytest.mark.django_db
def test_buddhist_era_years_in_the_period_are_read_as_such():
    out = io.StringIO()
    call_command("consistency_report", "--from", "2549-01-01", "--to", "2549-12-31", stdout=out)
    assert json.loads(out.getvalue())["scope"]["from"] == "2006-01-01"
