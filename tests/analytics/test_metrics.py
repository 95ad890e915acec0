"""The attendance-consistency metrics against their definitions (docs/metrics.md), on small datasets whose figures are worked out by hand.

Every expectation carries its arithmetic in a comment: InvOrg(s) is the set of partner agencies with an invitee at
s, Rep(s) those that came (an invitee or walk-in present or late, or an invitee who sent a representative).
"""

import datetime as dt
import json
from itertools import combinations

import pytest

from agencies.models import KmRole, Organization, Tambon
from analytics import rollup
from analytics.metrics import Scope, compute, tambon_phases
from tests.factories import make_attendance, make_community_organization, make_person, make_session

pytestmark = pytest.mark.django_db

AGENCIES = ["CDD", "WU", "BAAC", "NFE", "DOAE", "CPD", "GHB", "NSTRU", "CODI"]
EUA, AMNUAY, KIT = KmRole.EUA, KmRole.AMNUAY, KmRole.KIT
AGENCY_KEYS = [
    "code", "invited_sessions", "represented_sessions", "attendance_rate", "in_person_rate",
    "representative_share", "longest_streak", "current_miss_streak", "dropped_out", "rate_with_chair",
    "rate_without_chair", "chair_effect_pp",
]  # fmt: skip


def day(month, number, year=2005):
    return dt.date(year, month, number)


def held(code, date, circle="all", tambon=None):
    return make_session(code=code, date=date, circle=circle, status="held", tambon=tambon)


def invite(session, person, status="", **fields):
    return make_attendance(session, person, status=status, **fields)


def walk_in(session, person, status="present"):
    return make_attendance(session, person, invited=False, status=status)


def agencies(report):
    return {a.code: a for a in report.agencies}


def session_codes(scope):
    return [s.code for s in compute(scope).sessions]


def never_invited(code):
    """An agency entry with no invitation in scope: counts 0, every rate null."""
    return {
        "code": code, "invited_sessions": 0, "represented_sessions": 0, "attendance_rate": None,
        "in_person_rate": None, "representative_share": None, "longest_streak": 0, "current_miss_streak": 0,
        "dropped_out": False, "rate_with_chair": None, "rate_without_chair": None, "chair_effect_pp": None,
    }  # fmt: skip


# Scope -----------------------------------------------------------------------------------------------------


def test_only_held_sessions_count_and_the_period_includes_both_ends():
    cdd = make_person("CDD")
    invite(held("F-00", day(7, 31)), cdd, "present")
    invite(held("F-01", day(8, 1)), cdd, "present")
    invite(held("F-02", day(8, 31)), cdd, "absent")
    invite(held("F-03", day(9, 1)), cdd, "present")
    invite(make_session(code="F-P", date=day(8, 10), status="planned"), cdd, "present")
    invite(make_session(code="F-C", date=day(8, 15), status="cancelled"), cdd, "absent")

    august = compute(Scope(start=day(8, 1), end=day(8, 31)))
    assert [s.code for s in august.sessions] == ["F-01", "F-02"]
    assert august.sessions_held == 2
    figures = agencies(august)["CDD"]
    # F-01 represented, F-02 not: 1 / 2
    assert (figures.invited_sessions, figures.represented_sessions) == (2, 1)
    assert figures.attendance_rate == 0.5

    everything = compute(Scope())
    assert [s.code for s in everything.sessions] == ["F-00", "F-01", "F-02", "F-03"]
    # held only: F-00, F-01, F-03 represented of 4; the planned and cancelled sessions are not there
    assert agencies(everything)["CDD"].attendance_rate == 3 / 4


def test_circle_and_tambon_filters():
    cdd = make_person("CDD")
    invite(held("F-E1", day(8, 1), circle="eua"), cdd, "present")
    invite(held("F-A1", day(8, 2), circle="all", tambon="800106"), cdd, "present")
    invite(held("F-A2", day(8, 3), circle="all", tambon="800119"), cdd, "absent")
    invite(held("F-E2", day(8, 4), circle="eua", tambon="800119"), cdd, "present")

    assert session_codes(Scope(circle="all")) == ["F-A1", "F-A2"]
    assert session_codes(Scope(tambon="800119")) == ["F-A2", "F-E2"]
    assert session_codes(Scope(circle="eua", tambon="800119")) == ["F-E2"]
    # circle all, tambon 800119: F-A2 only, CDD absent: 0 / 1
    assert agencies(compute(Scope(circle="all", tambon="800119")))["CDD"].attendance_rate == 0.0


def test_an_empty_scope_has_null_rates_everywhere():
    invite(held("F-01", day(8, 1), circle="eua"), make_person("CDD"), "present")

    report = compute(Scope(circle="eua_amnuay"))
    assert report.sessions == []
    data = report.as_json()
    assert data["sessions_held"] == 0
    # no session with a defined unison: 0 / 0
    assert data["mean_unison"] is None
    assert data["full_house_rate"] is None
    assert data["agencies"] == [never_invited(code) for code in AGENCIES]
    assert {entry["jaccard"] for entry in data["co_attendance"]} == {None}


@pytest.mark.parametrize(
    "fields",
    [
        {"circle": "nope"},
        {"roles": ("boss",)},
        {"roles": ()},
        {"start": day(9, 1), "end": day(8, 31)},
    ],
)
def test_a_bad_scope_is_refused(fields):
    with pytest.raises(ValueError):
        Scope(**fields)


def test_role_filter_uses_the_role_and_agency_recorded_at_the_session():
    session = held("F-01", day(8, 1))
    cdd_eua = make_person("CDD", EUA)
    wu_amnuay = make_person("WU", AMNUAY)
    baac_eua = make_person("BAAC", EUA)
    invite(session, cdd_eua, "present")
    invite(session, wu_amnuay, "present")
    invite(session, baac_eua, "absent")
    # Later changes to the people do not rewrite the session...
    wu_amnuay.role = EUA
    wu_amnuay.save()
    baac_eua.role = AMNUAY
    baac_eua.save()
    cdd_eua.organization = Organization.objects.get(code="NFE")
    cdd_eua.save()
    # ...not even when a later write to the session recomputes its turnout.
    walk_in(session, make_person("GHB", KIT))

    executives = compute(Scope(roles=("eua",)))
    (figures,) = executives.sessions
    # InvOrg = {CDD, BAAC}, Rep = {CDD}: 1 / 2 (the GHB walk-in is a คุณกิจ, filtered out)
    assert figures.invited == {Organization.objects.get(code=c).pk for c in ("CDD", "BAAC")}
    assert figures.unison == 0.5
    by_code = agencies(executives)
    assert by_code["WU"].invited_sessions == 0
    assert by_code["WU"].attendance_rate is None
    assert by_code["NFE"].invited_sessions == 0
    # BAAC: 0 represented / 1 invited
    assert by_code["BAAC"].attendance_rate == 0.0
    assert by_code["CDD"].attendance_rate == 1.0

    # InvOrg = {WU}, Rep = {WU}: 1 / 1
    assert compute(Scope(roles=("amnuay",))).sessions[0].unison == 1.0
    # no filter: InvOrg = {CDD, WU, BAAC}, Rep ∩ InvOrg = {CDD, WU} (GHB walked in uninvited): 2 / 3
    assert compute(Scope()).sessions[0].unison == pytest.approx(2 / 3)


# InvOrg and Rep --------------------------------------------------------------------------------------------


def test_who_counts_as_represented():
    chair = make_person("PROV", EUA, is_chair=True)
    community = make_person(make_community_organization("800119"), KIT)
    main = held("F-01", day(8, 1))
    invite(main, make_person("CDD"), "present")
    invite(main, make_person("WU"), "late")
    invite(main, make_person("BAAC"), "absent")
    walk_in(main, make_person("BAAC", AMNUAY), "late")
    invite(main, make_person("NFE"), "represented")
    invite(main, make_person("DOAE"), "absent")
    invite(main, make_person("CPD"), "excused")
    walk_in(main, make_person("GHB"), "present")
    invite(main, make_person("NSTRU"), "")  # never marked
    invite(main, chair, "present")
    invite(main, community, "present")
    second = held("F-02", day(8, 2))
    invite(second, make_person("GHB"), "absent")

    report = compute(Scope())
    assert [a.code for a in report.agencies] == AGENCIES  # never PROV nor a community organization
    first = report.sessions[0]
    pk = dict(Organization.objects.values_list("code", "pk"))
    assert first.invited == {pk[c] for c in ("CDD", "WU", "BAAC", "NFE", "DOAE", "CPD", "NSTRU")}
    assert first.represented == {pk[c] for c in ("CDD", "WU", "BAAC", "NFE", "GHB")}
    # |InvOrg ∩ Rep| = |{CDD, WU, BAAC, NFE}| = 4 of |InvOrg| = 7
    assert first.unison == pytest.approx(4 / 7)
    # F-02: InvOrg = {GHB}, Rep = {}: 0 / 1
    assert report.sessions[1].unison == 0.0

    by_code = agencies(report)
    rates = {code: by_code[code].attendance_rate for code in AGENCIES}
    assert rates == {
        "CDD": 1.0, "WU": 1.0, "BAAC": 1.0, "NFE": 1.0, "DOAE": 0.0, "CPD": 0.0,
        "GHB": 0.0,  # the F-01 walk-in was not invited: 0 represented / 1 invited session (F-02)
        "NSTRU": 0.0, "CODI": None,
    }  # fmt: skip
    # in-person: CDD 1/1, WU 1/1, BAAC 0/1 (its walk-in is no invitation), NFE 0/1, GHB 0/1 (F-02 only)
    assert by_code["BAAC"].in_person_rate == 0.0
    assert by_code["WU"].in_person_rate == 1.0
    assert by_code["GHB"].in_person_rate == 0.0
    assert by_code["CODI"].in_person_rate is None
    # representative share: NFE 1 / (0 + 1); CDD 0 / (1 + 0); BAAC and DOAE 0 / 0
    assert by_code["NFE"].representative_share == 1.0
    assert by_code["CDD"].representative_share == 0.0
    assert by_code["BAAC"].representative_share is None
    assert by_code["DOAE"].representative_share is None

    data = report.as_json()
    assert data["sessions"][0] == {
        "code": "F-01", "date": "2005-08-01", "invited_agencies": 7, "represented_agencies": 4,
        "unison": 0.5714,  # 4 / 7 = 0.571428…
    }  # fmt: skip
    # mean unison (4/7 + 0) / 2 = 0.285714…; full house 0 of 2
    assert data["mean_unison"] == 0.2857
    assert data["full_house_rate"] == 0.0


# Rates -----------------------------------------------------------------------------------------------------


def test_attendance_in_person_and_representative_rates_and_unison():
    cdd1, cdd2 = make_person("CDD"), make_person("CDD", AMNUAY)
    wu, baac = make_person("WU"), make_person("BAAC")
    s1, s2, s3, s4 = (held(f"F-0{n}", day(8, n)) for n in range(1, 5))
    invite(s1, cdd1, "present")
    invite(s1, cdd2, "absent")
    invite(s1, wu, "present")
    invite(s2, cdd1, "represented")
    invite(s2, wu, "late")
    invite(s3, cdd1, "late")
    invite(s3, cdd2, "represented")
    invite(s4, cdd1, "excused")
    invite(s4, wu, "present")
    invite(s4, baac, "absent")

    report = compute(Scope())
    cdd = agencies(report)["CDD"]
    # represented at s1, s2, s3, not s4: 3 / 4
    assert (cdd.invited_sessions, cdd.represented_sessions, cdd.attendance_rate) == (4, 3, 0.75)
    # invitations: s1 ×2, s2, s3 ×2, s4 = 6; present or late: s1 cdd1, s3 cdd1 = 2 → 2 / 6
    assert cdd.in_person_rate == pytest.approx(1 / 3)
    # represented 2 (s2, s3) / (present or late 2 + represented 2)
    assert cdd.representative_share == 0.5
    # unison: s1 {CDD, WU} 2/2, s2 {CDD, WU} 2/2, s3 {CDD} 1/1, s4 {CDD, WU, BAAC} → {WU} 1/3
    assert [s.unison for s in report.sessions] == pytest.approx([1, 1, 1, 1 / 3])
    # mean (1 + 1 + 1 + 1/3) / 4 = 10/12; full house 3 of 4
    assert report.mean_unison == pytest.approx(10 / 12)
    assert report.full_house_rate == 0.75

    data = report.as_json()
    assert data["mean_unison"] == 0.8333
    assert data["full_house_rate"] == 0.75
    assert data["agencies"][0]["in_person_rate"] == 0.3333
    assert data["sessions"][3]["unison"] == 0.3333


def test_a_session_without_invited_agencies_has_no_unison_and_is_left_out_of_the_mean():
    executives_met = held("F-01", day(8, 1))
    invite(executives_met, make_person("CDD", EUA), "present")
    facilitators_only = held("F-02", day(8, 2))
    invite(facilitators_only, make_person("CDD", AMNUAY), "present")
    outsiders_only = held("F-03", day(8, 3))
    invite(outsiders_only, make_person("PROV", EUA, is_chair=True), "present")
    invite(outsiders_only, make_person(make_community_organization("800106"), EUA), "absent")

    report = compute(Scope(roles=("eua",)))
    # F-01 1/1; F-02 has no คุณเอื้อ invitee and F-03 no partner agency: InvOrg empty, unison null
    assert [s.unison for s in report.sessions] == [1.0, None, None]
    assert report.sessions_held == 3
    # mean over F-01 only: 1 / 1; full house 1 of 1
    assert report.mean_unison == 1.0
    assert report.full_house_rate == 1.0
    assert report.as_json()["sessions"][1] == {
        "code": "F-02", "date": "2005-08-02", "invited_agencies": 0, "represented_agencies": 0, "unison": None
    }  # fmt: skip


# Streaks ---------------------------------------------------------------------------------------------------


def test_streaks_follow_the_agency_own_invited_sessions_and_drop_out_at_three_misses():
    cdd, wu = make_person("CDD"), make_person("WU")
    marks = [
        (day(8, 1), "present"),
        (day(8, 8), "late"),
        (day(8, 15), None),  # CDD not invited: does not break its run
        (day(8, 22), "represented"),
        (day(8, 29), "absent"),
        (day(9, 5), "present"),
        (day(9, 12), "excused"),
        (day(9, 19), "absent"),
        (day(9, 26), ""),
    ]
    for number, (date, status) in enumerate(marks, start=1):
        session = held(f"F-{number:02d}", date)
        invite(session, wu, "present")
        if status is not None:
            invite(session, cdd, status)

    # CDD: R R · R M R M M | M
    two_misses = agencies(compute(Scope(end=day(9, 19))))["CDD"]
    # runs R R R (3), then R (1); misses at the end: 9-12, 9-19
    assert (two_misses.longest_streak, two_misses.current_miss_streak) == (3, 2)
    assert two_misses.dropped_out is False

    report = compute(Scope())
    three_misses = agencies(report)["CDD"]
    # + 9-26 unmarked: 3 misses at the end
    assert (three_misses.longest_streak, three_misses.current_miss_streak) == (3, 3)
    assert three_misses.dropped_out is True
    # represented 4 of 8 invited sessions
    assert three_misses.attendance_rate == 0.5
    wu_figures = agencies(report)["WU"]
    assert (wu_figures.longest_streak, wu_figures.current_miss_streak, wu_figures.dropped_out) == (
        9,
        0,
        False,
    )
    assert report.as_json()["agencies"][0]["dropped_out"] is True


def test_sessions_on_the_same_date_are_ordered_by_code():
    cdd = make_person("CDD")
    invite(held("F-2548-01", day(8, 1)), cdd, "present")
    # Made in the opposite order of their codes, so that the creation order cannot stand in for the code.
    invite(held("F-2548-03", day(8, 8)), cdd, "absent")
    invite(held("F-2548-02", day(8, 8)), cdd, "present")

    report = compute(Scope())
    assert [s.code for s in report.sessions] == ["F-2548-01", "F-2548-02", "F-2548-03"]
    assert [s["code"] for s in report.as_json()["sessions"]] == ["F-2548-01", "F-2548-02", "F-2548-03"]
    figures = agencies(report)["CDD"]
    # by code: R R M → longest 2, one miss at the end (by creation it would be R M R → 1 and 0)
    assert (figures.longest_streak, figures.current_miss_streak) == (2, 1)


# Co-attendance ---------------------------------------------------------------------------------------------


def test_co_attendance_of_pairs():
    cdd, wu, baac, nfe = (make_person(code) for code in ("CDD", "WU", "BAAC", "NFE"))
    s1, s2, s3, s4, s5 = (held(f"F-0{n}", day(8, n)) for n in range(1, 6))
    invite(s1, cdd, "present")
    invite(s1, wu, "present")
    invite(s1, baac, "absent")
    invite(s2, cdd, "present")
    invite(s2, wu, "absent")
    invite(s3, cdd, "absent")
    invite(s3, wu, "excused")
    invite(s3, nfe, "absent")
    invite(s4, cdd, "present")
    walk_in(s4, wu)  # WU not invited at s4: the pair is not both invited there
    invite(s5, cdd, "absent")
    invite(s5, wu, "represented")

    report = compute(Scope())
    assert [(a, b) for a, b, _ in report.co_attendance] == list(combinations(AGENCIES, 2))
    assert len(report.co_attendance) == 36
    jaccard = {(a, b): value for a, b, value in report.co_attendance}
    # both invited s1, s2, s3, s5; both represented: s1; at least one: s1, s2, s5 → 1 / 3
    assert jaccard["CDD", "WU"] == pytest.approx(1 / 3)
    # both invited s1; CDD came, BAAC not → 0 / 1
    assert jaccard["CDD", "BAAC"] == 0.0
    # both invited s3, neither came → 0 / 0
    assert jaccard["CDD", "NFE"] is None
    # never both invited
    assert jaccard["BAAC", "NFE"] is None
    assert jaccard["CDD", "GHB"] is None
    assert report.as_json()["co_attendance"][0] == {"a": "CDD", "b": "WU", "jaccard": 0.3333}


# Chair effect ----------------------------------------------------------------------------------------------


def test_chair_effect_counts_the_chair_in_person_whatever_the_role_filter():
    chair = make_person("PROV", EUA, is_chair=True)
    deputy = make_person("PROV", EUA)  # not the chair: his presence changes nothing
    cdd, wu, baac = make_person("CDD", AMNUAY), make_person("WU", AMNUAY), make_person("BAAC", AMNUAY)
    s1, s2, s3, s4, s5, s6 = (held(f"F-0{n}", day(8, n), circle="eua_amnuay") for n in range(1, 7))
    invite(s1, chair, "present")
    invite(s1, cdd, "present")
    invite(s1, wu, "absent")
    invite(s2, chair, "late")
    invite(s2, cdd, "absent")
    invite(s2, wu, "present")
    invite(s3, chair, "absent")
    invite(s3, deputy, "present")
    invite(s3, cdd, "present")
    invite(s3, baac, "present")
    invite(s4, chair, "excused")
    invite(s4, deputy, "present")
    invite(s4, cdd, "absent")
    walk_in(s5, chair)  # came without an invitation: in person all the same
    invite(s5, cdd, "present")
    invite(s6, chair, "represented", representative=deputy)
    invite(s6, cdd, "absent")

    for scope in (Scope(roles=("amnuay",)), Scope()):
        report = compute(scope)
        assert [s.chair_attended for s in report.sessions] == [True, True, False, False, True, False]
        by_code = agencies(report)
        # CDD with the chair (s1, s2, s5): s1, s5 → 2/3; without (s3, s4, s6): s3 → 1/3
        assert by_code["CDD"].rate_with_chair == pytest.approx(2 / 3)
        assert by_code["CDD"].rate_without_chair == pytest.approx(1 / 3)
        # (2/3 − 1/3) × 100
        assert by_code["CDD"].chair_effect_pp == pytest.approx(100 / 3)
        # WU with (s1, s2): s2 → 1/2; without: no invited session → null, so no effect
        assert by_code["WU"].rate_with_chair == 0.5
        assert by_code["WU"].rate_without_chair is None
        assert by_code["WU"].chair_effect_pp is None
        # BAAC with: none → null; without (s3): 1/1
        assert (by_code["BAAC"].rate_with_chair, by_code["BAAC"].rate_without_chair) == (None, 1.0)
        assert by_code["BAAC"].chair_effect_pp is None
        cdd_json = report.as_json()["agencies"][0]
        assert (cdd_json["rate_with_chair"], cdd_json["rate_without_chair"]) == (0.6667, 0.3333)
        assert cdd_json["chair_effect_pp"] == 33.33  # 33.333… to 2 decimals


def test_chair_effect_in_percentage_points_can_be_negative():
    chair = make_person("PROV", EUA, is_chair=True)
    cdd = make_person("CDD")
    s1, s2, s3, s4 = (held(f"F-0{n}", day(8, n)) for n in range(1, 5))
    for session in (s1, s2, s3):
        invite(session, chair, "present")
    invite(s1, cdd, "present")
    invite(s2, cdd, "absent")
    invite(s3, cdd, "absent")
    invite(s4, cdd, "present")

    figures = agencies(compute(Scope()))["CDD"]
    # with (s1, s2, s3): 1/3; without (s4): 1/1; (1/3 − 1) × 100 = −66.67
    assert figures.chair_effect_pp == pytest.approx(-200 / 3)
    assert figures.as_json()["chair_effect_pp"] == -66.67


# Monthly trend ---------------------------------------------------------------------------------------------


def test_monthly_trend_is_the_attendance_rate_per_calendar_month():
    cdd, wu = make_person("CDD"), make_person("WU")
    invite(held("F-01", day(8, 1)), cdd, "present")
    invite(held("F-02", day(8, 31)), cdd, "absent")
    invite(held("F-03", day(9, 1)), wu, "present")
    october = held("F-04", day(10, 15))
    invite(october, cdd, "represented")
    invite(october, wu, "absent")
    invite(held("F-05", day(1, 10, year=2006)), cdd, "late")

    report = compute(Scope())
    assert report.months == ["2005-08", "2005-09", "2005-10", "2006-01"]
    by_code = agencies(report)
    # CDD: August 1 of 2 (8-31 is still August); September not invited; October 1/1; January 1/1
    assert by_code["CDD"].monthly == {"2005-08": 0.5, "2005-09": None, "2005-10": 1.0, "2006-01": 1.0}
    # WU: September 1/1, October 0/1
    assert by_code["WU"].monthly == {"2005-08": None, "2005-09": 1.0, "2005-10": 0.0, "2006-01": None}


# The JSON report -------------------------------------------------------------------------------------------


def test_the_whole_json_report():
    chair = make_person("PROV", EUA, is_chair=True)
    cdd, wu, baac = make_person("CDD"), make_person("WU"), make_person("BAAC")
    s1 = held("F-2548-01", day(8, 12), circle="eua", tambon="800106")
    invite(s1, chair, "present")
    invite(s1, cdd, "present")
    invite(s1, wu, "represented", representative=make_person("WU", AMNUAY))
    invite(s1, baac, "absent")
    invite(s1, make_person("GHB", KIT), "present")  # filtered out by the roles
    s2 = held("F-2548-02", day(8, 26), circle="eua", tambon="800106")
    invite(s2, chair, "absent")
    invite(s2, cdd, "absent")
    invite(s2, wu, "late")
    walk_in(s2, baac)
    invite(make_session(code="F-2548-03", date=day(8, 20), circle="eua", tambon="800106"), cdd, "absent")
    invite(held("F-2548-04", day(8, 19), circle="all", tambon="800106"), cdd, "absent")

    report = compute(
        Scope(start=day(8, 1), end=day(8, 31), circle="eua", tambon="800106", roles=("eua", "amnuay"))
    )
    data = json.loads(json.dumps(report.as_json()))
    assert data == {
        "scope": {"from": "2005-08-01", "to": "2005-08-31", "circle": "eua", "tambon": "800106",
                  "roles": ["eua", "amnuay"]},
        "sessions_held": 2,
        # (2/3 + 1/2) / 2 = 7/12 = 0.58333…
        "mean_unison": 0.5833,
        "full_house_rate": 0.0,
        "agencies": [
            # 1 of 2 invited sessions (s1); in person 1 of 2 invitations; represented 0 / (1 + 0);
            # run of 1, then a miss; with the chair (s1) 1/1, without (s2) 0/1 → +100 pp
            {"code": "CDD", "invited_sessions": 2, "represented_sessions": 1, "attendance_rate": 0.5,
             "in_person_rate": 0.5, "representative_share": 0.0, "longest_streak": 1, "current_miss_streak": 1,
             "dropped_out": False, "rate_with_chair": 1.0, "rate_without_chair": 0.0, "chair_effect_pp": 100.0},
            # 2 of 2; in person 1 (s2) of 2; represented 1 / (1 + 1); with 1/1, without 1/1 → 0 pp
            {"code": "WU", "invited_sessions": 2, "represented_sessions": 2, "attendance_rate": 1.0,
             "in_person_rate": 0.5, "representative_share": 0.5, "longest_streak": 2, "current_miss_streak": 0,
             "dropped_out": False, "rate_with_chair": 1.0, "rate_without_chair": 1.0, "chair_effect_pp": 0.0},
            # invited at s1 only (its s2 walk-in is no invitation): 0 / 1; 0 / 0 share; with s1 0/1, without
            # no invited session → null
            {"code": "BAAC", "invited_sessions": 1, "represented_sessions": 0, "attendance_rate": 0.0,
             "in_person_rate": 0.0, "representative_share": None, "longest_streak": 0, "current_miss_streak": 1,
             "dropped_out": False, "rate_with_chair": 0.0, "rate_without_chair": None, "chair_effect_pp": None},
            *(never_invited(code) for code in AGENCIES[3:]),
        ],
        "sessions": [
            # InvOrg {CDD, WU, BAAC}, Rep {CDD, WU}: 2/3
            {"code": "F-2548-01", "date": "2005-08-12", "invited_agencies": 3, "represented_agencies": 2,
             "unison": 0.6667},
            # InvOrg {CDD, WU}, Rep {WU, BAAC}: |{WU}| / 2
            {"code": "F-2548-02", "date": "2005-08-26", "invited_agencies": 2, "represented_agencies": 1,
             "unison": 0.5},
        ],
        "co_attendance": [
            {"a": a, "b": b, "jaccard": {
                # both invited s1, s2; both came s1; at least one s1, s2 → 1/2
                ("CDD", "WU"): 0.5,
                # both invited s1 only; CDD came, BAAC not → 0/1
                ("CDD", "BAAC"): 0.0,
                # both invited s1 only; WU came → 0/1
                ("WU", "BAAC"): 0.0,
            }.get((a, b))}
            for a, b in combinations(AGENCIES, 2)
        ],
    }  # fmt: skip
    assert all(list(entry) == AGENCY_KEYS for entry in data["agencies"])


def test_sessions_of_the_report_are_ordered_by_date_then_code():
    cdd = make_person("CDD")
    for code, date in (("F-09", day(8, 3)), ("F-10", day(8, 1)), ("F-02", day(8, 3)), ("F-01", day(8, 2))):
        invite(held(code, date), cdd, "present")
    # 8-1 F-10; 8-2 F-01; 8-3 F-02 before F-09
    assert [s["code"] for s in compute(Scope()).as_json()["sessions"]] == ["F-10", "F-01", "F-02", "F-09"]


def test_tambon_phases_group_the_sessions_by_where_they_were_held():
    Tambon.objects.create(
        code="800101", district_id="8001", name_th="ในเมือง", name_en="Nai Mueang", phase="expansion",
        joined_on=day(1, 1, year=2006),
    )  # fmt: skip
    cdd, wu = make_person("CDD"), make_person("WU")
    pilot_a = held("F-01", day(8, 1), tambon="800106")
    invite(pilot_a, cdd, "present")
    invite(pilot_a, wu, "absent")
    invite(held("F-02", day(8, 2), tambon="800119"), cdd, "present")
    invite(held("F-03", day(8, 3), tambon="800101"), cdd, "absent")
    invite(held("F-04", day(8, 4)), wu, "present")

    phases = {row["phase"]: row for row in tambon_phases(compute(Scope()))}
    # pilot: F-01 (1/2) and F-02 (1/1) in two tambons; mean unison (1/2 + 1) / 2; pooled 2 of 3 invited agencies
    assert phases["pilot"] == {
        "phase": "pilot", "sessions": 2, "tambons": 2, "mean_unison": 0.75, "attendance_rate": pytest.approx(2 / 3)
    }  # fmt: skip
    assert phases["expansion"] == {
        "phase": "expansion", "sessions": 1, "tambons": 1, "mean_unison": 0.0, "attendance_rate": 0.0
    }  # fmt: skip
    assert phases["provincial"] == {
        "phase": "provincial", "sessions": 1, "tambons": 0, "mean_unison": 1.0, "attendance_rate": 1.0
    }  # fmt: skip


def test_a_tambon_changing_phase_moves_its_sessions_in_the_stored_figures_at_once():
    tambon = Tambon.objects.create(
        code="800101", district_id="8001", name_th="ในเมือง", name_en="Nai Mueang", phase="expansion",
        joined_on=day(1, 1, year=2006),
    )  # fmt: skip
    cdd = make_person("CDD")
    invite(held("F-01", day(8, 1), tambon="800106"), cdd, "present")
    invite(held("F-03", day(8, 3), tambon="800101"), cdd, "absent")
    before = {row["phase"]: row["sessions"] for row in tambon_phases(compute(Scope()))}
    assert before["pilot"] == 1 and before["expansion"] == 1
    tambon.phase = Tambon.Phase.PILOT
    tambon.save()  # the admin and the shell save so
    stored = tambon_phases(compute(Scope()))
    assert {row["phase"]: row["sessions"] for row in stored}["pilot"] == 2
    assert stored == tambon_phases(compute(Scope(), from_sessions=True))


# Queries ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("n_sessions", [1, 10])
def test_compute_runs_in_a_fixed_number_of_queries_whatever_the_number_of_sessions(
    n_sessions, django_assert_num_queries
):
    chair = make_person("PROV", EUA, is_chair=True)
    people = [make_person(code, EUA) for code in AGENCIES]
    walk_ins = [make_person(code, AMNUAY) for code in AGENCIES]
    statuses = ["present", "late", "absent", "excused", "represented", ""]
    for number in range(n_sessions):
        session = held(f"F-{number:02d}", day(8, 1) + dt.timedelta(days=number))
        invite(session, chair, "present" if number % 2 else "absent")
        for index, person in enumerate(people):
            invite(session, person, statuses[(index + number) % len(statuses)])
        walk_in(session, walk_ins[number % len(walk_ins)])

    scope = Scope(start=day(8, 1), roles=("eua", "amnuay"))
    assert rollup.refresh() == 1  # the one month written
    # partners, the check for sessions written since, the stored months
    with django_assert_num_queries(3):
        report = compute(scope)
    assert report.sessions_held == n_sessions
    # the sessions one by one, when asked for
    with django_assert_num_queries(1):
        assert len(report.as_json()["sessions"]) == n_sessions
    # from the sessions themselves: partners, sessions, turnout, the tambons' phases
    with django_assert_num_queries(4):
        assert compute(scope, from_sessions=True).as_json(sessions=False) == report.as_json(sessions=False)
    # a period starting in the middle of a month: the stored months, and the days before the first whole month
    # from their sessions
    with django_assert_num_queries(3 + 3):
        assert compute(Scope(start=day(8, 2))).sessions_held == n_sessions - 1
