"""Builds the deterministic demo dataset: people in all three KM roles across the nine agencies, the provincial
administration with the governor (chair), community finance organizations of the program's tambons and their
practitioners, and one portal account per role."""

import datetime as dt
import random
from collections.abc import Callable

from django.contrib.auth.models import Group, User
from django.db import transaction

from accounts import roles
from accounts.models import CoordinatorScope
from agencies import cache as agency_cache
from agencies.demo import names
from agencies.models import KmRole, Organization, Person, Tambon

BATCH = 2000

# Positions of executives and field staff per agency, written for the demo.
EUA_POSITIONS = ("หัวหน้าสำนักงาน", "รองหัวหน้าสำนักงาน", "ผู้อำนวยการ", "ผู้จัดการสาขา")
AMNUAY_POSITIONS = ("นักวิชาการ", "เจ้าหน้าที่ส่งเสริม", "พัฒนากรประจำตำบล", "ผู้ประสานงานโครงการ")
KIT_POSITIONS = ("ประธานกลุ่ม", "เลขานุการกลุ่ม", "เหรัญญิก", "กรรมการ", "สมาชิก", "สมาชิก", "สมาชิก")

COMMUNITY_KINDS = [
    (Organization.Kind.SAVINGS_GROUP, "กลุ่มออมทรัพย์เพื่อการผลิตบ้าน"),
    (Organization.Kind.VILLAGE_FUND, "กองทุนหมู่บ้านบ้าน"),
    (Organization.Kind.WELFARE_FUND, "กองทุนสวัสดิการชุมชนตำบล"),
    (Organization.Kind.COOPERATIVE, "สหกรณ์การเกษตรบ้าน"),
    (Organization.Kind.FINANCIAL_INSTITUTION, "สถาบันการเงินชุมชนบ้าน"),
]
VILLAGES = (
    "ทุ่งใหญ่", "ควนเกย", "ท่าซัก", "บ้านนา", "หัวถนน", "คลองขุด", "นาเคียน", "ปากนคร", "บางปู", "ดอนตรอ",
    "ในเมือง", "ท่าแพ", "หนองดี", "โคกแย้ม", "ควนหนอง", "บ่อล้อ",
)  # fmt: skip


class DemoBuilder:
    def __init__(self, seed: int, scale: str, progress: Callable[[str], None]):
        self.rng = random.Random(seed)
        self.seed = seed
        self.scale = scale
        self.progress = progress
        self.person_number = 0
        self.pending: list[Person] = []
        self.people_created = 0

    # names and codes --------------------------------------------------------------------------------------
    def _name(self, male=False):
        if male or self.rng.random() < 0.5:
            return names.MALE_TITLE, self.rng.choice(names.MALE_FIRST), self.rng.choice(names.LAST)
        return (
            self.rng.choice(names.FEMALE_TITLES),
            self.rng.choice(names.FEMALE_FIRST),
            self.rng.choice(names.LAST),
        )

    def _phone(self):
        return f"08{self.rng.randint(0, 9)}-{self.rng.randint(0, 999):03d}-{self.rng.randint(0, 9999):04d}"

    def person(self, role, organization, position, tambon=None, male=False, **extra) -> Person:
        self.person_number += 1
        title, first, last = self._name(male)
        person = Person(
            code=f"P{self.person_number:06d}",
            title=title,
            first_name=first,
            last_name=last,
            role=role,
            organization=organization,
            tambon=tambon,
            position=position,
            phone=self._phone() if self.rng.random() < 0.8 else "",
            # Reserved example domain, from the code: draws nothing from rng, so the rest of the data stays the same.
            email=f"p{self.person_number:06d}@example.go.th",
            **extra,
        )
        person.normalize()
        self.pending.append(person)
        if len(self.pending) >= BATCH:
            self.flush()
        return person

    def flush(self):
        if self.pending:
            Person.objects.bulk_create(self.pending, batch_size=BATCH)
            self.people_created += len(self.pending)
            self.pending = []
            self.progress(f"  {self.people_created:,} people")

    # the dataset ----------------------------------------------------------------------------------------
    @transaction.atomic
    def build(self) -> dict:
        agencies = list(Organization.objects.partners())
        province_office = Organization.objects.get(code="PROV")
        tambons = self._tambons()

        self.person(KmRole.EUA, province_office, "ผู้ว่าราชการจังหวัดนครศรีธรรมราช", is_chair=True, male=True)
        self.person(KmRole.EUA, province_office, "รองผู้ว่าราชการจังหวัด")
        self.person(KmRole.AMNUAY, province_office, "เจ้าหน้าที่สำนักงานจังหวัด")
        for agency in agencies:
            for index in range(self.rng.randint(2, 3)):
                self.person(KmRole.EUA, agency, EUA_POSITIONS[index % len(EUA_POSITIONS)])
            for _index in range(self.rng.randint(3, 5)):
                self.person(KmRole.AMNUAY, agency, self.rng.choice(AMNUAY_POSITIONS))
        self.progress(f"Agencies: {len(agencies)} with executives and facilitators")

        field_agencies = [a for a in agencies if a.code in ("CDD", "NFE", "DOAE", "CPD", "BAAC")]
        for number, tambon in enumerate(tambons, start=1):
            for agency in self.rng.sample(field_agencies, 2):
                self.person(KmRole.AMNUAY, agency, "พัฒนากรประจำตำบล", tambon=tambon)
            for organization in self._community_organizations(tambon):
                members = self.rng.randint(4, 7) if self.scale == "pilot" else self.rng.randint(16, 22)
                for index in range(members):
                    position = KIT_POSITIONS[index] if index < len(KIT_POSITIONS) else "สมาชิก"
                    self.person(KmRole.KIT, organization, position, tambon=tambon)
            if self.scale == "province" and number % 10 == 0:
                self.progress(f"Tambons: {number}/{len(tambons)}")
        self.flush()
        # A few people move on: they stay in the records but are no longer invited.
        leavers = list(
            Person.objects.filter(role=KmRole.KIT).order_by("code")[: max(3, self.people_created // 200)]
        )
        Person.objects.filter(pk__in=[p.pk for p in leavers[::7]]).update(is_active=False)
        accounts = self._accounts()
        agency_cache.changed()  # bulk writes: no model signal reported them
        return {"people": self.people_created, "tambons": len(tambons), "accounts": accounts}

    def _tambons(self) -> list[Tambon]:
        if self.scale == "province":
            from django.core.management import call_command

            call_command("load_geography", province="80", stdout=_Quiet())
            joined = dt.date(2006, 6, 1)
            expansion = Tambon.objects.filter(code__startswith="80", phase="")
            expansion.update(phase=Tambon.Phase.EXPANSION, joined_on=joined)
        return list(Tambon.objects.in_program().order_by("code"))

    def _community_organizations(self, tambon: Tambon) -> list[Organization]:
        count = len(COMMUNITY_KINDS) if self.scale == "pilot" else self.rng.randint(6, 9)
        organizations = []
        for index in range(count):
            kind, prefix = COMMUNITY_KINDS[index % len(COMMUNITY_KINDS)]
            if kind == Organization.Kind.WELFARE_FUND:
                name = f"{prefix}{tambon.name_th}"
            else:
                name = f"{prefix}{self.rng.choice(VILLAGES)}"
            organizations.append(
                Organization(
                    code=f"CFO-{tambon.code}-{index + 1:02d}", kind=kind, name_th=name, tambon=tambon
                )
            )
        return Organization.objects.bulk_create(organizations)

    def _accounts(self) -> list[tuple[str, str, str]]:
        """One account per portal role, linked to a demo person where the role is a person's."""
        password_rng = random.Random(self.seed * 7919)
        linked_people = {
            roles.COORDINATOR: Person.objects.filter(
                organization__code="CDD", role=KmRole.AMNUAY, tambon=None
            ),
            roles.FACILITATOR: Person.objects.filter(organization__code="WU", role=KmRole.AMNUAY),
            roles.GOVERNOR_OFFICE: Person.objects.filter(organization__code="PROV", role=KmRole.AMNUAY),
            roles.ADMINISTRATOR: Person.objects.none(),
        }
        usernames = {
            roles.COORDINATOR: "coordinator",
            roles.FACILITATOR: "facilitator",
            roles.GOVERNOR_OFFICE: "governor_office",
            roles.ADMINISTRATOR: "admin",
        }
        created = []
        for role, username in usernames.items():
            password = "demo-" + "".join(
                password_rng.choice("abcdefghjkmnpqrstuvwxyz23456789") for _ in range(10)
            )
            user, _ = User.objects.update_or_create(
                username=username,
                defaults={"is_staff": role == roles.ADMINISTRATOR, "is_active": True, "is_superuser": False},
            )
            user.set_password(password)
            person = linked_people[role].order_by("code").first()
            if person:
                user.first_name, user.last_name = person.first_name, person.last_name
                person.user = user
                person.save(update_fields=["user"])
            user.save()
            user.groups.set([Group.objects.get(name=role)])
            if role == roles.COORDINATOR:
                scope, _ = CoordinatorScope.objects.get_or_create(user=user)
                scope.agencies.set(Organization.objects.filter(code="CDD"))
                scope.tambons.set(Tambon.objects.pilot())
            created.append((str(roles.ROLE_LABELS[role]), username, password))
        return created


class _Quiet:
    def write(self, *args, **kwargs):
        pass

    def flush(self):
        pass


def clear_demo_data():
    """Removes what the demo builder makes; reference data (agencies, PROV, geography) stays."""
    Person.objects.all().delete()
    Organization.objects.community().delete()
    Tambon.objects.filter(phase=Tambon.Phase.EXPANSION).update(phase="", joined_on=None)
    agency_cache.changed()
    User.objects.filter(username__in=["coordinator", "facilitator", "governor_office", "admin"]).delete()
