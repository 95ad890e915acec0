"""Reference data of the program (not demo data): the nine partner agencies, the provincial administration,
province 80, district 8001 and the three pilot tambons. Codes and names as in the program's domain reference."""

import datetime

from django.db import migrations

AGENCIES = [
    # code, Thai abbreviation, Thai name, English name
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
PROVINCIAL_ADMINISTRATION = (
    "PROV", "ศาลากลางจังหวัด", "ศาลากลางจังหวัดนครศรีธรรมราช", "Nakhon Si Thammarat Provincial Administration"
)  # fmt: skip

PILOT_TAMBONS = [
    ("800106", "ท่าไร่", "Tha Rai"),
    ("800114", "มะม่วงสองต้น", "Mamuang Song Ton"),
    ("800119", "บางจาก", "Bang Chak"),
]
# The pilot phase began with the program's first forums in the 2548 BE fiscal year.
PILOT_JOINED_ON = datetime.date(2005, 8, 1)


def load(apps, schema_editor):
    db = schema_editor.connection.alias
    Organization = apps.get_model("agencies", "Organization")
    Province = apps.get_model("agencies", "Province")
    District = apps.get_model("agencies", "District")
    Tambon = apps.get_model("agencies", "Tambon")

    for order, (code, abbr, name_th, name_en) in enumerate(AGENCIES, start=1):
        Organization.objects.using(db).update_or_create(
            code=code,
            defaults={"kind": "agency", "abbr_th": abbr, "name_th": name_th, "name_en": name_en, "sort_order": order},
        )
    code, abbr, name_th, name_en = PROVINCIAL_ADMINISTRATION
    Organization.objects.using(db).update_or_create(
        code=code,
        defaults={"kind": "province", "abbr_th": abbr, "name_th": name_th, "name_en": name_en, "sort_order": 50},
    )

    province, _ = Province.objects.using(db).update_or_create(
        code="80", defaults={"name_th": "นครศรีธรรมราช", "name_en": "Nakhon Si Thammarat"}
    )
    district, _ = District.objects.using(db).update_or_create(
        code="8001",
        defaults={
            "province": province,
            "name_th": "เมืองนครศรีธรรมราช",
            "name_en": "Mueang Nakhon Si Thammarat",
        },
    )
    for code, name_th, name_en in PILOT_TAMBONS:
        Tambon.objects.using(db).update_or_create(
            code=code,
            defaults={
                "district": district,
                "name_th": name_th,
                "name_en": name_en,
                "phase": "pilot",
                "joined_on": PILOT_JOINED_ON,
            },
        )


class Migration(migrations.Migration):
    dependencies = [("agencies", "0001_initial")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
