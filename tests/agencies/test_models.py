import unicodedata

import pytest
from django.db import IntegrityError, transaction

from agencies.models import Organization, Person, Tambon
from tests.factories import make_community_organization, make_person

pytestmark = pytest.mark.django_db


def test_thai_names_are_stored_nfc_normalized_and_trimmed():
    tone_then_vowel = "\u0e1a\u0e48\u0e38\u0e0d"  # tone mark typed before the vowel below
    person = make_person(first_name="  " + tone_then_vowel + "   มา ", last_name=" ศรี  สุข ")
    person.refresh_from_db()
    assert person.first_name == "บ\u0e38\u0e48ญ มา" == unicodedata.normalize("NFC", tone_then_vowel) + " มา"
    assert person.first_name != tone_then_vowel + " มา"
    assert person.last_name == "ศรี สุข"


def test_possible_duplicates_are_same_name_in_same_organization_only():
    first = make_person("CDD", first_name="สมชาย", last_name="ใจดี")
    same_org = make_person("CDD", first_name=" สมชาย", last_name="ใจดี ")
    other_org = make_person("WU", first_name="สมชาย", last_name="ใจดี")
    assert list(first.possible_duplicates()) == [same_org]
    assert list(other_org.possible_duplicates()) == []


def test_unsaved_person_can_be_checked_for_duplicates_before_saving():
    make_person("CDD", first_name="มาลี", last_name="ทองคำ")
    candidate = Person(
        first_name="มาลี ", last_name="ทองคำ", organization=Organization.objects.get(code="CDD")
    )
    assert candidate.possible_duplicates().count() == 1


def test_portal_code_is_unique():
    make_person(code="P1")
    with pytest.raises(IntegrityError), transaction.atomic():
        make_person(code="P1")


def test_community_organization_needs_a_tambon():
    with pytest.raises(IntegrityError), transaction.atomic():
        Organization.objects.create(code="X1", kind=Organization.Kind.VILLAGE_FUND, name_th="กองทุน")
    assert make_community_organization().tambon_id == "800119"


def test_tambon_in_program_needs_a_join_date():
    tambon = Tambon.objects.get(code="800106")
    tambon.joined_on = None
    with pytest.raises(IntegrityError), transaction.atomic():
        tambon.save()


def test_person_search_matches_thai_name_parts_and_agency():
    wanted = make_person("BAAC", first_name="กาญจนา", last_name="แก้วมณี")
    make_person("CDD", first_name="กาญจนา", last_name="บุญมา")
    assert list(Person.objects.search("กาญ แก้ว")) == [wanted]
    assert list(Person.objects.search("กาญจนา BAAC")) == [wanted]
    assert Person.objects.search("").count() == 2
