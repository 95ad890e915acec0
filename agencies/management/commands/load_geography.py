import geothai
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from agencies import cache as agency_cache
from agencies.models import District, Province, Tambon


class Command(BaseCommand):
    help = (
        "Loads every district and tambon of a province from the geothai package (DOPA codes, Thai and English "
        "names). Safe to run again: names are updated, the program phase of a tambon is left as it is."
    )

    def add_arguments(self, parser):
        parser.add_argument("--province", default="80", help="Two-digit DOPA province code (default 80).")

    @transaction.atomic
    def handle(self, *args, province: str, **options):
        source = geothai.province(province)
        if source is None:
            raise CommandError(f"Unknown province code {province!r} / ไม่พบรหัสจังหวัด {province!r}")
        province_row, _ = Province.objects.update_or_create(
            code=source.code, defaults={"name_th": source.name_th, "name_en": source.name_en}
        )
        existing_districts = set(
            District.objects.filter(province=province_row).values_list("code", flat=True)
        )
        existing_tambons = set(
            Tambon.objects.filter(code__startswith=source.code).values_list("code", flat=True)
        )
        districts, tambons = [], []
        for district in geothai.districts(source.code):
            districts.append(
                District(
                    code=district.code,
                    province=province_row,
                    name_th=district.name_th,
                    name_en=district.name_en,
                )
            )
            tambons.extend(
                Tambon(code=s.code, district_id=district.code, name_th=s.name_th, name_en=s.name_en)
                for s in geothai.subdistricts(district.code)
            )
        District.objects.bulk_create(
            districts, update_conflicts=True, unique_fields=["code"], update_fields=["name_th", "name_en"]
        )
        Tambon.objects.bulk_create(
            tambons, update_conflicts=True, unique_fields=["code"], update_fields=["name_th", "name_en"]
        )
        agency_cache.changed()  # bulk writes: no model signal reported them
        new_districts = len({d.code for d in districts} - existing_districts)
        new_tambons = len({t.code for t in tambons} - existing_tambons)
        self.stdout.write(
            self.style.SUCCESS(
                f"{source.name_en} ({source.code}): {len(districts)} districts ({new_districts} new), "
                f"{len(tambons)} tambons ({new_tambons} new)."
            )
        )
