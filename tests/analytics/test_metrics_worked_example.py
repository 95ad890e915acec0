"""The worked example of docs/metrics.md, built as written there: every figure the page states is checked here."""

import datetime as dt

import pytest

from agencies.models import KmRole
from analytics.metrics import Scope, compute
from tests.factories import make_attendance, make_person, make_session

pytestmark = pytest.mark.django_db

# (code, date, chair, CDD ก, WU ข, BAAC ค or None when not invited), as in the table of docs/metrics.md.
SESSIONS = [
    ("F-1", dt.date(2006, 1, 10), "present", "present", "absent", "represented"),
    ("F-2", dt.date(2006, 2, 14), "absent", "late", "present", "absent"),
    ("F-3", dt.date(2006, 3, 14), "present", "excused", "present", None),
    ("F-4", dt.date(2006, 4, 11), "absent", "absent", "absent", "present"),
]


@pytest.fixture
def example():
    kor, khor, khaw = make_person("CDD"), make_person("WU"), make_person("BAAC")
    ngor = make_person("BAAC")
    governor = make_person("PROV", is_chair=True)
    sessions = {}
    for code, date, chair, cdd, wu, baac in SESSIONS:
        session = sessions[code] = make_session(code=code, date=date, circle="eua", status="held")
        make_attendance(session, governor, status=chair)
        make_attendance(session, kor, status=cdd)
        make_attendance(session, khor, status=wu)
        if baac == "represented":
            make_attendance(session, khaw, status=baac, representative=ngor)
        elif baac:
            make_attendance(session, khaw, status=baac)
    make_attendance(
        sessions["F-3"], ngor, invited=False, status="present"
    )  # a walk-in of an uninvited agency
    planned = make_session(code="F-5", date=dt.date(2006, 5, 9), circle="eua", status="planned")
    for person in (kor, khor, khaw):
        make_attendance(planned, person)


def figures(report):
    return {a["code"]: a for a in report["agencies"]}


def test_unison_and_sessions(example):
    report = compute(Scope(circle="eua")).as_json()
    assert report["sessions_held"] == 4
    assert [
        (s["code"], s["invited_agencies"], s["represented_agencies"], s["unison"]) for s in report["sessions"]
    ] == [
        ("F-1", 3, 2, 0.6667),
        ("F-2", 3, 2, 0.6667),
        ("F-3", 2, 1, 0.5),
        ("F-4", 3, 1, 0.3333),
    ]
    assert report["mean_unison"] == 0.5417
    assert report["full_house_rate"] == 0


def test_agency_figures(example):
    agencies = figures(compute(Scope(circle="eua")).as_json())
    expected = {
        # attendance, in person, representative share, longest streak, current miss streak, dropped out
        "CDD": (0.5, 0.5, 0.0, 2, 2, False),
        "WU": (0.5, 0.5, 0.0, 2, 1, False),
        "BAAC": (0.6667, 0.3333, 0.5, 1, 0, False),
    }
    for code, values in expected.items():
        a = agencies[code]
        assert (
            a["attendance_rate"],
            a["in_person_rate"],
            a["representative_share"],
            a["longest_streak"],
            a["current_miss_streak"],
            a["dropped_out"],
        ) == values, code
    assert agencies["NFE"]["attendance_rate"] is None


def test_chair_effect(example):
    agencies = figures(compute(Scope(circle="eua")).as_json())
    assert [
        (agencies[c]["rate_with_chair"], agencies[c]["rate_without_chair"]) for c in ("CDD", "WU", "BAAC")
    ] == [
        (0.5, 0.5),
        (0.5, 0.5),
        (1.0, 0.5),
    ]
    assert [agencies[c]["chair_effect_pp"] for c in ("CDD", "WU", "BAAC")] == [0, 0, 50]


def test_co_attendance(example):
    pairs = {(p["a"], p["b"]): p["jaccard"] for p in compute(Scope(circle="eua")).as_json()["co_attendance"]}
    assert pairs[("CDD", "WU")] == 0.3333
    assert pairs[("CDD", "BAAC")] == 0.3333
    assert pairs[("WU", "BAAC")] == 0


def test_monthly_trend(example):
    report = compute(Scope(circle="eua"))
    by_code = {a.code: a for a in report.agencies}
    months = ["2006-01", "2006-02", "2006-03", "2006-04"]
    assert [by_code["CDD"].monthly[m] for m in months] == [1, 1, 0, 0]
    assert [by_code["WU"].monthly[m] for m in months] == [0, 1, 1, 0]
    assert [by_code["BAAC"].monthly[m] for m in months] == [1, 0, None, 1]


def test_role_filters(example):
    assert (
        compute(Scope(circle="eua", roles=(KmRole.EUA,))).as_json()["agencies"]
        == (compute(Scope(circle="eua")).as_json()["agencies"])
    )
    practitioners = figures(compute(Scope(circle="eua", roles=(KmRole.KIT,))).as_json())
    assert all(a["invited_sessions"] == 0 and a["attendance_rate"] is None for a in practitioners.values())
