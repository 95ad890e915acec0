"""Small factories for test data. Reference data (agencies, PROV, pilot tambons, groups) comes from migrations."""

import datetime as dt
import itertools
import uuid

from django.contrib.auth.models import Group, User
from django.utils import timezone

from accounts.models import CoordinatorScope
from agencies.models import KmRole, Organization, Person, Tambon
from forums import services
from forums.models import Attendance, ForumSession

_numbers = itertools.count(1)

PASSWORD = "a-long-test-password-2549"


def make_person(organization="CDD", role=KmRole.EUA, **fields) -> Person:
    if isinstance(organization, str):
        organization = Organization.objects.get(code=organization)
    number = next(_numbers)
    defaults = {
        "code": f"T{number:05d}",
        "title": "นาย",
        "first_name": f"ทดสอบ{number}",
        "last_name": "ใจดี",
        "role": role,
        "organization": organization,
    }
    return Person.objects.create(**{**defaults, **fields})


def make_community_organization(tambon="800119", **fields) -> Organization:
    number = next(_numbers)
    defaults = {
        "code": f"CFO-T{number:04d}",
        "kind": Organization.Kind.SAVINGS_GROUP,
        "name_th": f"กลุ่มออมทรัพย์ทดสอบ {number}",
        "tambon": Tambon.objects.get(code=tambon),
    }
    return Organization.objects.create(**{**defaults, **fields})


def make_user(role: str | None = None, scope_agencies=("CDD",), scope_tambons=(), **fields) -> User:
    number = next(_numbers)
    user = User.objects.create_user(
        username=fields.pop("username", f"user{number}"), password=PASSWORD, **fields
    )
    if role:
        user.groups.add(Group.objects.get(name=role))
    if role == "coordinator":
        # Coordinators change the sessions of their scope; by default CDD's, the organizer make_session uses.
        scope = CoordinatorScope.objects.create(user=user)
        scope.agencies.set(Organization.objects.filter(code__in=scope_agencies))
        scope.tambons.set(Tambon.objects.filter(code__in=scope_tambons))
    return user


def make_session(code=None, circle="eua", date=None, status="planned", tambon=None, **fields):
    """A forum session; invite people with forums.services.invite or make_attendance."""
    number = next(_numbers)
    defaults = {
        "code": code or f"F-TEST-{number:04d}",
        "title": f"เวทีทดสอบ {number}",
        "circle": circle,
        "date": date or timezone.localdate() + dt.timedelta(days=7),
        "status": status,
        "tambon": Tambon.objects.get(code=tambon) if isinstance(tambon, str) else tambon,
        "start": dt.time(9, 30),
        "organizer": Organization.objects.get(code="CDD"),
    }
    return ForumSession.objects.create(**{**defaults, **fields})


def make_attendance(session, person, invited=True, status="", **fields):
    """One attendance row, written through the import service so that the session's turnout follows."""
    row = Attendance(
        session=session,
        person=person,
        invited=invited,
        status=status,
        role=person.role,
        organization_id=person.organization_id,
        **fields,
    )
    services.import_attendance_rows([row])
    return Attendance.objects.get(session=session, person=person)


def rest_absent(session, user=None):
    """ "Mark everyone not yet marked absent" as the check-in page sends it (one queued change)."""
    op = services.CheckinOp(uuid.uuid4(), services.CheckinOpKind.REST_ABSENT, timezone.now())
    (outcome,) = services.apply_checkin_ops(session, [op], user=user)
    return len(outcome.rows) if outcome.result == "saved" else 0


def change_in_admin(client, obj, **changes):
    """Saves `changes` to `obj` through the admin's change form, as a person would (the client logged in as
    staff): the form's values as the page shows them, with these changed. Returns the response, 302 when saved.
    For models whose admin page has no inline forms."""
    opts = obj._meta
    address = f"/admin/{opts.app_label}/{opts.model_name}/{obj.pk}/change/"
    form = client.get(address).context["adminform"].form
    data = {name: form[name].value() for name in form.fields if form[name].value() is not None}
    data.update(changes)
    return client.post(address, data)
