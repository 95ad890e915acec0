import io

import pytest
from django.contrib.auth import authenticate
from django.core.management import CommandError, call_command
from django.test import RequestFactory

from agencies.models import KmRole, Organization, Person

pytestmark = pytest.mark.django_db


def seed(*args):
    out = io.StringIO()
    call_command("seed_demo", *args, "--force", stdout=out)
    return out.getvalue()


def logins(output):
    rows = [line.split() for line in output.splitlines() if line.strip().split()[-1:][0].startswith("demo-")]
    return {row[-2]: row[-1] for row in rows}


def test_seed_demo_refuses_when_debug_is_off():
    with pytest.raises(CommandError, match="--force"):
        call_command("seed_demo")


def test_seed_demo_builds_people_in_all_roles_across_every_agency():
    output = seed()
    partners = Organization.objects.partners()
    for role in (KmRole.EUA, KmRole.AMNUAY):
        assert set(Person.objects.filter(role=role).values_list("organization__code", flat=True)) >= set(
            partners.values_list("code", flat=True)
        )
    chair = Person.objects.get(is_chair=True)
    assert chair.organization.code == "PROV" and chair.role == KmRole.EUA
    for tambon in ("800106", "800114", "800119"):
        assert Person.objects.filter(role=KmRole.KIT, tambon_id=tambon).count() >= 15
        assert Organization.objects.community().filter(tambon_id=tambon).count() >= 3
    assert "Demo data ready" in output


def test_every_demo_login_works_and_has_its_group():
    accounts = logins(seed())
    assert set(accounts) == {"coordinator", "facilitator", "governor_office", "admin"}
    for username, password in accounts.items():
        user = authenticate(RequestFactory().post("/accounts/login/"), username=username, password=password)
        assert user is not None, username
        assert user.groups.count() == 1
    assert Person.objects.get(user__username="coordinator").organization.code == "CDD"


def test_seed_demo_is_deterministic_for_a_seed():
    first = seed("--seed", "7")
    names = list(
        Person.objects.order_by("code").values_list("code", "first_name", "last_name", "organization__code")
    )
    second = seed("--seed", "7", "--reset")
    assert (
        list(
            Person.objects.order_by("code").values_list(
                "code", "first_name", "last_name", "organization__code"
            )
        )
        == names
    )
    assert logins(first) == logins(second)


def test_seed_demo_will_not_mix_into_existing_people_without_reset():
    seed()
    with pytest.raises(CommandError, match="--reset"):
        seed()
