import datetime as dt

import pytest
from django.core.cache import cache

from api.models import ApiToken
from forums import services
from tests.factories import make_attendance, make_person, make_session


@pytest.fixture(autouse=True)
def empty_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def program(db):
    """Two months of held sessions organized by CDD and WU, with people whose details must never leak."""
    from agencies.models import Organization

    people = {
        code: make_person(code, first_name=f"ชื่อลับ{code}", last_name="นามสกุลลับ", phone=f"08{i}-555-0{i}00",
                          email=f"secret.{code.lower()}@example.go.th")
        for i, code in enumerate(["CDD", "WU", "BAAC"])
    }  # fmt: skip
    chair = make_person("PROV", is_chair=True, first_name="ผู้ว่าลับ", phone="081-999-9999")
    wu = Organization.objects.get(code="WU")
    sessions = []
    for n, (day, organizer) in enumerate(
        [(dt.date(2026, 10, 5), None), (dt.date(2026, 10, 20), wu), (dt.date(2026, 11, 3), None)]
    ):
        session = make_session(
            code=f"F-API-{n}", date=day, status="planned", tambon="800119" if n == 1 else None,
            **({"organizer": organizer} if organizer else {}),
        )  # fmt: skip
        services.invite(session, [*people.values(), chair])
        marks = []
        for row in session.attendances.all():
            status = "present" if (row.person_id != people["BAAC"].pk or n == 2) else "absent"
            marks.append(services.Mark(row.pk, status, row.version))
        services.save_marks(session, marks)
        session.refresh_from_db()
        type(session).objects.filter(pk=session.pk).update(status="held")
        sessions.append(session)
    planned = make_session(code="F-API-NEXT", date=dt.date(2026, 12, 15))
    services.invite(planned, list(people.values()))
    make_attendance(sessions[0], make_person("CDD", first_name="วอล์กอินลับ"), invited=False, status="present")
    return {"people": [*people.values(), chair], "sessions": [*sessions, planned]}


@pytest.fixture
def cdd_token(db):
    from agencies.models import Organization

    token, raw = ApiToken.issue(Organization.objects.get(code="CDD"), "CDD attendance app")
    return token, raw
