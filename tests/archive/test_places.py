"""Province names that mean two territories (archive.places), and what the province pages say."""

import html
import re

import pytest
from django.utils import translation
from vietnamadminunits import convert_address
from vietnamadminunits.database import get_data

from archive import places
from archive.models import Article, ArticleLocality, Locality

pytestmark = pytest.mark.django_db


def province(era, name):
    return Locality.objects.get(era=era, kind=Locality.Kind.PROVINCE, short_name=name)


def legacy(name):
    return province(Locality.Era.LEGACY, name)


def current(name):
    return province(Locality.Era.CURRENT, name)


def text_of(response):
    """The page's words, as a reader sees them (tags dropped, entities read)."""
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", response.content.decode())))


def in_province(unit, n):
    articles = [Article.objects.create(title=f"Tin {unit.short_name} {i}", body="Nội dung.") for i in range(n)]
    for article in articles:
        ArticleLocality.objects.create(article=article, locality=unit)
    return articles


def test_the_names_are_those_the_gazetteer_gives_both_eras_with_more_than_one_province_merged():
    """Read straight from the package: a legacy province's successor, and the names the 2025
    provinces share with a legacy one."""
    legacy_names = {
        r["provinceShort"]: r["province"] for r in get_data(["provinceShort", "province"], "admin_units_legacy")
    }
    current_codes = {r["provinceShort"]: r["provinceCode"] for r in get_data(["provinceShort", "provinceCode"])}
    merged: dict[str, set[str]] = {}
    for name, full in legacy_names.items():
        merged.setdefault(convert_address(full).province_code, set()).add(name)
    expected = {n for n in legacy_names if n in current_codes and len(merged[current_codes[n]]) > 1}
    found = {
        unit.short_name
        for unit in Locality.objects.filter(era=Locality.Era.LEGACY, kind=Locality.Kind.PROVINCE)
        if places.namesake(unit)
    }
    assert found == expected
    assert {"Vĩnh Long", "An Giang", "Cà Mau", "Đồng Tháp", "Lâm Đồng", "Tây Ninh"} <= found
    assert not {"Cao Bằng", "Hà Nội", "Nghệ An"} & found  # left whole: one land, one name


def test_a_pair_knows_both_units_and_the_provinces_taken_in_namesake_first():
    pair = places.namesake(legacy("Vĩnh Long"))
    assert pair == places.namesake(current("Vĩnh Long"))
    assert (pair.legacy, pair.current) == (legacy("Vĩnh Long"), current("Vĩnh Long"))
    assert pair.members == ("Vĩnh Long", "Bến Tre", "Trà Vinh")
    assert places.namesake(current("Lâm Đồng")).members == ("Lâm Đồng", "Bình Thuận", "Đắk Nông")


@pytest.mark.parametrize("kind", [None, "Bến Tre", "Cao Bằng", "district", "commune"])
def test_units_without_a_namesake(kind):
    """A legacy province merged into another, one left whole, a district, a commune, nothing."""
    unit: Locality | None
    if kind == "district":
        unit = Locality.objects.get(kind=Locality.Kind.DISTRICT, short_name="Mỏ Cày Bắc")
    elif kind == "commune":
        unit = Locality.objects.filter(kind=Locality.Kind.COMMUNE, province=legacy("Vĩnh Long")).first()
    else:
        unit = kind and legacy(kind)
    assert places.namesake(unit) is None
    if unit is not None:
        assert places.page_notice(unit) is None


def test_the_labels_name_the_province_or_city():
    pair = places.namesake(legacy("Vĩnh Long"))
    assert pair.short_label(pair.legacy) == "tỉnh Vĩnh Long cũ (trước 01/7/2025)"
    assert pair.short_label(pair.current) == "tỉnh Vĩnh Long mới (gồm Vĩnh Long, Bến Tre, Trà Vinh cũ)"
    assert pair.described(pair.current) == "tỉnh Vĩnh Long mới (từ 01/7/2025, gồm Vĩnh Long, Bến Tre, Trà Vinh cũ)"
    assert pair.link_label(pair.legacy, 3) == "tỉnh Vĩnh Long mới (gồm Vĩnh Long, Bến Tre, Trà Vinh cũ): 3 bài"
    city = places.namesake(legacy("Cần Thơ"))
    assert city.short_label(city.legacy) == "thành phố Cần Thơ cũ (trước 01/7/2025)"


def test_the_labels_in_english():
    pair = places.namesake(legacy("Vĩnh Long"))
    with translation.override("en"):
        assert pair.link_label(pair.legacy, 1) == (
            "the new Vĩnh Long province (formerly Vĩnh Long, Bến Tre, Trà Vinh): 1 article"
        )
        assert pair.link_label(pair.current, 2) == "the former Vĩnh Long province (before 1 July 2025): 2 articles"


def test_a_district_says_its_2025_province():
    district = Locality.objects.select_related("province", "current_province").get(
        kind=Locality.Kind.DISTRICT, short_name="Mỏ Cày Bắc"
    )
    assert places.district_label(district) == "Huyện Mỏ Cày Bắc, Bến Tre (nay thuộc tỉnh Vĩnh Long)"
    with translation.override("en"):
        assert places.district_label(district) == "Huyện Mỏ Cày Bắc, Bến Tre (now in Vĩnh Long province)"


def test_the_legacy_province_page_links_the_new_one_with_its_count(client):
    in_province(legacy("Vĩnh Long"), 1)
    in_province(legacy("Bến Tre"), 2)
    page = client.get("/provinces/vinh-long/")
    assert page.status_code == 200
    words = text_of(page)
    assert "Trang này là tỉnh Vĩnh Long cũ (trước 01/7/2025). Xem tỉnh Vĩnh Long mới" in words
    assert "tỉnh Vĩnh Long mới (gồm Vĩnh Long, Bến Tre, Trà Vinh cũ): 3 bài" in words
    assert '<a href="/provinces/2025/vinh-long/">tỉnh Vĩnh Long mới' in page.content.decode()


def test_the_new_province_page_links_the_old_one_with_its_count(client):
    in_province(legacy("Vĩnh Long"), 1)
    in_province(legacy("Trà Vinh"), 2)
    page = client.get("/provinces/2025/vinh-long/")
    words = text_of(page)
    assert "Trang này là tỉnh Vĩnh Long mới (từ 01/7/2025, gồm Vĩnh Long, Bến Tre, Trà Vinh cũ)." in words
    assert "Xem tỉnh Vĩnh Long cũ (trước 01/7/2025): 1 bài" in words
    assert '<a href="/provinces/vinh-long/">tỉnh Vĩnh Long cũ' in page.content.decode()


def test_a_page_of_one_year_keeps_the_notice_and_pages_without_a_namesake_have_none(client):
    assert "Trang này là" in text_of(client.get("/provinces/an-giang/?year=2020"))
    for url in ("/provinces/ben-tre/", "/provinces/2025/cao-bang/", "/provinces/ben-tre/mo-cay-bac/"):
        page = client.get(url)
        assert page.status_code == 200 and "place-notice" not in page.content.decode(), url


def test_the_province_page_notice_in_english(client):
    client.cookies["django_language"] = "en"  # the language switch's choice
    words = text_of(client.get("/provinces/2025/ca-mau/"))
    assert "This page is about the new Cà Mau province (since 1 July 2025; formerly Cà Mau, Bạc Liêu)." in words
    assert "See the former Cà Mau province (before 1 July 2025): 0 articles" in words


def test_the_counts_follow_a_save(client):
    in_province(legacy("Đồng Tháp"), 1)
    assert "Đồng Tháp, Tiền Giang cũ): 1 bài" in text_of(client.get("/provinces/dong-thap/"))
    in_province(legacy("Tiền Giang"), 1)
    assert "Đồng Tháp, Tiền Giang cũ): 2 bài" in text_of(client.get("/provinces/dong-thap/"))


def test_every_namesake_page_says_so(client):
    for name in ("An Giang", "Tây Ninh", "Cần Thơ", "Hồ Chí Minh", "Gia Lai"):
        pair = places.namesake(legacy(name))
        for unit in (pair.legacy, pair.current):
            page = client.get(unit.get_absolute_url())
            assert page.status_code == 200 and "Trang này là" in text_of(page), unit.get_absolute_url()
