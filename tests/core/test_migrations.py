import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command

from accounts import roles
from agencies.models import District, Organization, Province, Tambon

PARTNERS = [
    ("CDD", "พช.", "สำนักงานพัฒนาชุมชนจังหวัดนครศรีธรรมราช (กรมการพัฒนาชุมชน)",
     "Community Development Department, provincial office"),
    ("WU", "มวล.", "มหาวิทยาลัยวลัยลักษณ์", "Walailak University"),
    ("BAAC", "ธ.ก.ส.", "ธนาคารเพื่อการเกษตรและสหกรณ์การเกษตร", "Bank for Agriculture and Agricultural Cooperatives"),
    ("NFE", "กศน.", "สำนักงาน กศน. จังหวัดนครศรีธรรมราช", "Provincial Non-Formal and Informal Education Office"),
    ("DOAE", "กษ.จ.", "สำนักงานเกษตรจังหวัดนครศรีธรรมราช", "Provincial Agricultural Extension Office"),
    ("CPD", "สหกรณ์จังหวัด", "สำนักงานสหกรณ์จังหวัดนครศรีธรรมราช", "Provincial Cooperative Office"),
    ("GHB", "ธอส.", "ธนาคารอาคารสงเคราะห์", "Government Housing Bank"),
    ("NSTRU", "มรภ.", "มหาวิทยาลัยราชภัฏนครศรีธรรมราช", "Nakhon Si Thammarat Rajabhat University"),
    ("CODI", "พอช.", "สถาบันพัฒนาองค์กรชุมชน (องค์การมหาชน)", "Community Organizations Development Institute"),
]  # fmt: skip


@pytest.mark.django_db
def test_no_model_change_lacks_a_migration():
    call_command("makemigrations", "--check", "--dry-run", verbosity=0)


@pytest.mark.django_db
def test_the_nine_partner_agencies_are_present_in_table_order():
    rows = list(Organization.objects.partners().values_list("code", "abbr_th", "name_th", "name_en"))
    assert rows == PARTNERS


@pytest.mark.django_db
def test_provincial_administration_is_present_but_not_a_partner():
    prov = Organization.objects.get(code="PROV")
    assert prov.kind == Organization.Kind.PROVINCE
    assert not prov.is_partner
    assert "PROV" not in Organization.objects.partners().values_list("code", flat=True)


@pytest.mark.django_db
def test_geography_and_pilot_tambons_are_present():
    assert Province.objects.get(code="80").name_th == "นครศรีธรรมราช"
    district = District.objects.get(code="8001")
    assert (district.name_th, district.name_en) == ("เมืองนครศรีธรรมราช", "Mueang Nakhon Si Thammarat")
    pilots = list(Tambon.objects.pilot().values_list("code", "name_th", "name_en", "district_id"))
    assert pilots == [
        ("800106", "ท่าไร่", "Tha Rai", "8001"),
        ("800114", "มะม่วงสองต้น", "Mamuang Song Ton", "8001"),
        ("800119", "บางจาก", "Bang Chak", "8001"),
    ]
    assert all(t.is_pilot and t.joined_on for t in Tambon.objects.pilot())


@pytest.mark.django_db
def test_the_four_portal_groups_hold_exactly_their_table_permissions():
    groups = {g.name: g for g in Group.objects.prefetch_related("permissions__content_type")}
    assert set(groups) >= set(roles.ROLE_PERMISSIONS)
    coordinator = {
        f"{p.content_type.app_label}.{p.codename}" for p in groups[roles.COORDINATOR].permissions.all()
    }
    assert "agencies.change_person" in coordinator
    assert "agencies.delete_person" not in coordinator
    office = {
        f"{p.content_type.app_label}.{p.codename}" for p in groups[roles.GOVERNOR_OFFICE].permissions.all()
    }
    assert office and all(codename.split(".")[1].startswith("view_") for codename in office)
    administrator = groups[roles.ADMINISTRATOR].permissions.filter(content_type__app_label="agencies")
    assert administrator.filter(codename="delete_person").exists()
