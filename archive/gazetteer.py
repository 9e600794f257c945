"""Administrative units from the maintained `vietnamadminunits` package.

load() writes into Locality: the 34 provinces in force since 2025-07-01, and the 63 legacy
provinces with their districts and communes, each legacy unit pointing at the 2025 province
it now belongs to. Provinces were merged whole in 2025, so a legacy province's successor is
its districts' and communes' successor too. Running load() again updates rows in place.
"""

from dataclasses import dataclass

from django.db import transaction
from django.db.models import F
from vietnamadminunits import convert_address
from vietnamadminunits.database import get_data

from archive.models import Locality
from archive.text import slug_for

LEGACY_TABLE = "admin_units_legacy"
CURRENT_TABLE = "admin_units"


@dataclass
class LoadReport:
    current_provinces: int
    provinces: int
    districts: int
    communes: int


def successor_code(legacy_province_name: str) -> str:
    """The code of the 2025 province a legacy province became part of."""
    return convert_address(legacy_province_name).province_code


def _upsert(rows):
    """Insert or update `rows` (unsaved Locality objects) keyed on (era, kind, code)."""
    Locality.objects.bulk_create(
        rows,
        batch_size=500,
        update_conflicts=True,
        unique_fields=["era", "kind", "code"],
        update_fields=[
            "name",
            "short_name",
            "type_name",
            "slug",
            "parent",
            "province",
            "district",
            "current_province",
        ],
    )
    era, kind = rows[0].era, rows[0].kind
    return {loc.code: loc for loc in Locality.objects.filter(era=era, kind=kind)}


def _unique_slugs(units):
    """Slug each (parent, name) so that two units with one name under one parent stay apart."""
    seen = set()
    for unit in units:
        slug = slug_for(unit.short_name)
        if (unit.parent_id, slug) in seen:
            slug = f"{slug}-{unit.code}"
        seen.add((unit.parent_id, slug))
        unit.slug = slug
    return units


@transaction.atomic
def load() -> LoadReport:
    province_fields = ["province", "provinceShort", "provinceCode"]
    current = _level(
        [
            _unit(r, "province", Locality.Kind.PROVINCE, era=Locality.Era.CURRENT)
            for r in get_data(province_fields, table=CURRENT_TABLE)
        ],
        "current_province",
    )
    provinces = _level(
        [
            _unit(r, "province", Locality.Kind.PROVINCE, current_province=current[successor_code(r["province"])])
            for r in get_data(province_fields, table=LEGACY_TABLE)
        ],
        "province",
    )
    district_rows = get_data(
        ["provinceCode", "district", "districtShort", "districtType", "districtCode"], table=LEGACY_TABLE
    )
    districts = _level(
        [_unit(r, "district", Locality.Kind.DISTRICT, province=provinces[r["provinceCode"]]) for r in district_rows],
        "district",
    )
    commune_rows = get_data(
        ["provinceCode", "districtCode", "ward", "wardShort", "wardType", "wardCode"], table=LEGACY_TABLE
    )
    communes = _level(
        [
            _unit(
                r,
                "ward",
                Locality.Kind.COMMUNE,
                district=districts[r["districtCode"]],
                province=provinces[r["provinceCode"]],
            )
            for r in commune_rows
            if r["wardCode"]  # island districts have no communes
        ],
        None,
    )
    return LoadReport(len(current), len(provinces), len(districts), len(communes))


def _unit(row: dict, level: str, kind: str, **links) -> Locality:
    """A unit from a row of the package's table, whose columns for `level` ("province",
    "district", "ward") are named level, levelShort, levelType (not for provinces), levelCode.
    A legacy unit below a province is under its district, else its province, and in its
    province's 2025 successor."""
    name, short_name = row[level], row[f"{level}Short"]
    type_name = (row[f"{level}Type"] or "") if f"{level}Type" in row else _type_of(name, short_name)
    if "province" in links:
        links["parent"] = links.get("district", links["province"])
        links["current_province_id"] = links["province"].current_province_id
    return Locality(
        kind=kind, code=row[f"{level}Code"], name=name, short_name=short_name, type_name=type_name, **links
    )


def _level(units: list[Locality], own_field: str | None) -> dict[str, Locality]:
    """Write one level's units (slugged apart), each pointing at itself in `own_field` (a
    province is its own province); returns them by code."""
    written = _upsert(_unique_slugs(units))
    if own_field:
        _point_at_self(units[0].era, units[0].kind, own_field)
    return written


def _point_at_self(era, kind, field):
    Locality.objects.filter(era=era, kind=kind).update(**{field: F("id")})


def _type_of(full_name: str, short_name: str) -> str:
    """ "Tỉnh Bến Tre", "Bến Tre" -> "Tỉnh"."""
    return full_name.removesuffix(short_name).strip()
