import pytest
from django.core.management import CommandError, call_command

from agencies.models import District, Tambon

pytestmark = pytest.mark.django_db


def test_load_geography_loads_every_district_and_tambon_of_the_province():
    call_command("load_geography", "--province", "80", verbosity=0)
    assert District.objects.filter(province_id="80").count() == 23
    tambons = Tambon.objects.filter(district__province_id="80")
    assert tambons.count() == 170  # the package's current DOPA list; the program's documents say "about 165"
    khao_kaeo = Tambon.objects.get(code="800101")
    assert khao_kaeo.name_en and khao_kaeo.district_id == "8001"


def test_load_geography_is_idempotent_and_keeps_the_program_phase():
    call_command("load_geography", "--province", "80", verbosity=0)
    Tambon.objects.filter(code="800101").update(phase="expansion", joined_on="2006-06-01")
    Tambon.objects.filter(code="800102").update(name_th="ชื่อผิด")
    call_command("load_geography", "--province", "80", verbosity=0)
    assert Tambon.objects.filter(district__province_id="80").count() == 170
    assert Tambon.objects.get(code="800101").phase == "expansion"
    assert Tambon.objects.get(code="800102").name_th != "ชื่อผิด"
    assert list(Tambon.objects.pilot().values_list("code", flat=True)) == ["800106", "800114", "800119"]


def test_unknown_province_is_an_error():
    with pytest.raises(CommandError, match="99"):
        call_command("load_geography", "--province", "99")
