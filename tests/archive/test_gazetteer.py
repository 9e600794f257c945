import pytest

from archive import gazetteer
from archive.models import Locality

pytestmark = pytest.mark.django_db


def legacy(kind):
    return Locality.objects.filter(era=Locality.Era.LEGACY, kind=kind)


def test_all_63_legacy_provinces_and_34_current_ones():
    assert legacy(Locality.Kind.PROVINCE).count() == 63
    assert Locality.objects.filter(era=Locality.Era.CURRENT, kind=Locality.Kind.PROVINCE).count() == 34


def test_every_legacy_unit_is_mapped_to_a_current_province():
    assert not Locality.objects.filter(era=Locality.Era.LEGACY, current_province=None).exists()
    assert set(legacy(Locality.Kind.PROVINCE).values_list("current_province__era", flat=True)) == {"2025"}
    # Every current province took in at least one legacy province.
    assert legacy(Locality.Kind.PROVINCE).values("current_province").distinct().count() == 34


@pytest.mark.parametrize(
    "old, new",
    [
        ("Bến Tre", "Vĩnh Long"),
        ("Trà Vinh", "Vĩnh Long"),
        ("Phú Thọ", "Phú Thọ"),
        ("Hòa Bình", "Phú Thọ"),
        ("An Giang", "An Giang"),
        ("Kiên Giang", "An Giang"),
        ("Sơn La", "Sơn La"),
        ("Thanh Hóa", "Thanh Hóa"),
        ("Bình Dương", "Hồ Chí Minh"),
    ],
)
def test_known_2025_mergers(old, new):
    assert legacy(Locality.Kind.PROVINCE).get(short_name=old).current_province.short_name == new


def test_districts_and_communes_sit_in_their_province():
    assert legacy(Locality.Kind.DISTRICT).count() == 696
    mo_cay_bac = legacy(Locality.Kind.DISTRICT).get(short_name="Mỏ Cày Bắc")
    assert (mo_cay_bac.province.short_name, mo_cay_bac.current_province.short_name) == ("Bến Tre", "Vĩnh Long")
    assert mo_cay_bac.district == mo_cay_bac
    phu_my = legacy(Locality.Kind.COMMUNE).get(short_name="Phú Mỹ", parent=mo_cay_bac)
    assert (phu_my.type_name, phu_my.district, phu_my.province.short_name) == ("Xã", mo_cay_bac, "Bến Tre")
    tri_ton = legacy(Locality.Kind.DISTRICT).get(short_name="Tri Tôn")
    assert tri_ton.children.filter(short_name="Ba Chúc", type_name="Thị trấn").exists()


def test_every_province_and_district_has_a_unique_address():
    for kind in (Locality.Kind.PROVINCE, Locality.Kind.DISTRICT):
        keys = list(legacy(kind).values_list("parent", "slug"))
        assert len(keys) == len(set(keys))
    assert legacy(Locality.Kind.PROVINCE).get(short_name="Bà Rịa - Vũng Tàu").slug == "ba-ria-vung-tau"


def test_loading_again_changes_nothing():
    before = list(Locality.objects.order_by("pk").values_list("pk", "code", "parent", "current_province"))
    gazetteer.load()
    assert list(Locality.objects.order_by("pk").values_list("pk", "code", "parent", "current_province")) == before
