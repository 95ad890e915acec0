"""Small factories for test data. Reference data (agencies, PROV, pilot tambons, groups) comes from migrations."""

import itertools

from django.contrib.auth.models import Group, User

from agencies.models import KmRole, Organization, Person, Tambon

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


def make_user(role: str | None = None, **fields) -> User:
    number = next(_numbers)
    user = User.objects.create_user(
        username=fields.pop("username", f"user{number}"), password=PASSWORD, **fields
    )
    if role:
        user.groups.add(Group.objects.get(name=role))
    return user
