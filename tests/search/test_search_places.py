"""The search's word on a province name that means two (search.places), on a real Whoosh index:
which province the results are for, and the same search in the other with its count."""

import html
import re
from urllib.parse import parse_qsl

import pytest

from archive.models import Article, ArticleLocality, Locality
from search import places, query
from search.forms import SearchForm

pytestmark = pytest.mark.django_db
MO_CAY_BAC = "Mỏ Cày Bắc cụ thể hóa thực hiện Nghị quyết Đại hội Đảng bộ huyện lần thứ XII"
NEW_VINH_LONG = "tỉnh Vĩnh Long mới (gồm Vĩnh Long, Bến Tre, Trà Vinh cũ)"
OLD_VINH_LONG = "tỉnh Vĩnh Long cũ (trước 01/7/2025)"


def province(era, name):
    return Locality.objects.get(era=era, kind=Locality.Kind.PROVINCE, short_name=name)


def api(client, **params):
    response = client.get("/api/search/", params)
    assert response.status_code == 200, response.content
    return response.json()


def words_of(response):
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", response.content.decode())))


@pytest.fixture
def vinh_long(seed_articles, indexed):
    """Two articles in the legacy Vĩnh Long, one in Trà Vinh and Mỏ Cày Bắc's in Bến Tre: all four
    in the 2025 Vĩnh Long."""
    legacy = province(Locality.Era.LEGACY, "Vĩnh Long")
    made = [
        (Article.objects.create(title="Vĩnh Long xây dựng Đảng", body="Xây dựng Đảng ở cơ sở."), legacy),
        (Article.objects.create(title="Vĩnh Long họp", body="Đại hội chi bộ xây dựng Đảng."), legacy),
        (
            Article.objects.create(title="Trà Vinh nông thôn mới", body="Nông thôn mới."),
            province("legacy", "Trà Vinh"),
        ),
        (seed_articles[MO_CAY_BAC], Locality.objects.get(kind="district", short_name="Mỏ Cày Bắc")),
    ]
    for article, unit in made:
        ArticleLocality.objects.create(article=article, locality=unit)
    indexed()
    return made


def test_the_old_province_says_so_and_links_the_new_one_with_its_count(client, vinh_long):
    data = api(client, province="Vĩnh Long")
    assert data["count"] == 2
    place = data["place"]
    assert place["text"] == f"Kết quả cho {OLD_VINH_LONG}."
    assert place["other"]["label"] == f"{NEW_VINH_LONG}: 4 bài"
    assert place["other"]["count"] == 4 and place["other"]["era"] == "2025"
    assert place["other"]["page"] == "/provinces/2025/vinh-long/"
    followed = api(client, **dict(parse_qsl(place["other"]["url"].lstrip("?"))))
    assert followed["count"] == 4 and MO_CAY_BAC in [r["title"] for r in followed["results"]]


def test_the_new_province_says_so_and_links_the_old_one_with_its_count(client, vinh_long):
    place = api(client, province="2025:vinh-long")["place"]
    assert place["text"] == "Kết quả cho tỉnh Vĩnh Long mới (từ 01/7/2025, gồm Vĩnh Long, Bến Tre, Trà Vinh cũ)."
    assert place["other"]["label"] == f"{OLD_VINH_LONG}: 2 bài"
    assert dict(parse_qsl(place["other"]["url"].lstrip("?"))) == {"province": "vinh-long"}
    assert api(client, province="vinh-long")["count"] == 2


def test_the_count_is_of_the_same_search_in_the_other_province(client, vinh_long):
    """The words, dates and other filters stay; only the province changes."""
    place = api(client, q="xay dung dang", province="vinh long", sort="newest")["place"]
    assert place["other"]["count"] == 3  # Trà Vinh's article has none of the words
    url = dict(parse_qsl(place["other"]["url"].lstrip("?")))
    assert url == {"q": "xay dung dang", "province": "2025:vinh-long", "sort": "newest"}
    assert api(client, **url)["count"] == 3
    assert api(client, q="title:trà", province="Vĩnh Long")["place"]["other"]["count"] == 1


def test_the_page_shows_the_notice_with_its_link(client, vinh_long):
    page = client.get("/search/", {"province": "Vĩnh Long", "q": "đảng"})
    assert page.status_code == 200
    words = words_of(page)
    assert f"Kết quả cho {OLD_VINH_LONG}. Xem {NEW_VINH_LONG}: 3 bài" in words
    assert 'href="?province=2025%3Avinh-long&amp;q=%C4%91%E1%BA%A3ng"' in page.content.decode()
    back = words_of(client.get("/search/", {"province": "2025:vinh-long", "q": "đảng"}))
    assert f"Xem {OLD_VINH_LONG}: 2 bài" in back


def chosen_filters(client, **params):
    return client.get("/search/", params).content.decode().split('class="chips chosen"')[1].split("</ul>")[0]


def test_the_chosen_filter_says_which_of_the_two(client, vinh_long):
    assert "Tỉnh Vĩnh Long cũ (trước 01/7/2025)" in chosen_filters(client, province="Vĩnh Long", q="đảng")
    assert "Tỉnh Vĩnh Long mới (gồm" in chosen_filters(client, province="2025:vinh-long")
    assert "<li>Tỉnh Cao Bằng <a" in chosen_filters(client, province="Cao Bằng")  # one meaning: its name alone


def test_no_notice_for_a_name_with_one_meaning_or_no_province(client, vinh_long):
    for params in ({"province": "Bến Tre"}, {"province": "2025:cao-bang"}, {"q": "Vĩnh Long"}, {}):
        assert api(client, **params)["place"] is None, params
        assert "place-notice" not in client.get("/search/", params).content.decode(), params


def test_a_search_with_no_results_still_says_which_province(client, vinh_long):
    data = api(client, q="không có từ này zzzq", province="Cà Mau")
    assert data["count"] == 0 and data["place"]["other"]["label"].endswith(": 0 bài")
    assert data["place"]["text"] == "Kết quả cho tỉnh Cà Mau cũ (trước 01/7/2025)."


def test_the_notice_in_english(client, vinh_long):
    client.cookies["django_language"] = "en"  # chosen with the language switch
    place = api(client, province="Vĩnh Long")["place"]
    assert place["text"] == "Results for the former Vĩnh Long province (before 1 July 2025)."
    assert place["other"]["label"] == (
        "the new Vĩnh Long province (formerly Vĩnh Long, Bến Tre, Trà Vinh): 4 articles"
    )
    assert "See the new Vĩnh Long province" in words_of(client.get("/search/", {"province": "Vĩnh Long"}))


def test_the_district_facet_says_the_2025_province(client, vinh_long):
    districts = api(client, q="dang")["facets"]["districts"]
    assert [f["label"] for f in districts] == ["Huyện Mỏ Cày Bắc, Bến Tre (nay thuộc tỉnh Vĩnh Long)"]
    assert "Huyện Mỏ Cày Bắc, Bến Tre (nay thuộc tỉnh Vĩnh Long)" in words_of(client.get("/search/?q=dang"))
    client.cookies["django_language"] = "en"
    districts = api(client, q="dang")["facets"]["districts"]
    assert districts[0]["label"] == "Huyện Mỏ Cày Bắc, Bến Tre (now in Vĩnh Long province)"


def test_the_count_is_one_count_only_search_kept_until_the_next_save(client, vinh_long, monkeypatch, index_worker):
    backend, asked = query.engine(), []

    class Recording:
        def __getattr__(self, name):
            return getattr(backend, name)

        def execute(self, request):
            asked.append(request)
            return backend.execute(request)

    monkeypatch.setattr(query, "engine", Recording)
    api(client, province="Vĩnh Long")
    counting = [r for r in asked if r.limit == 0]
    assert len(counting) == 1 and counting[0].facets == ()
    assert counting[0].filters == (("provinces_2025", ("vinh-long",)),)
    asked.clear()
    assert api(client, province="Vĩnh Long", page=1)["place"]["other"]["count"] == 4
    assert [r for r in asked if r.limit == 0] == []  # asked again: kept
    article = Article.objects.create(title="Bến Tre mới", body="Tin.")
    ArticleLocality.objects.create(article=article, locality=province("legacy", "Bến Tre"))
    index_worker()
    assert api(client, province="Vĩnh Long")["place"]["other"]["count"] == 5


@pytest.mark.parametrize(
    "params",
    [
        {"province": "2025:"},
        {"province": "2025:2025:vinh-long"},
        {"province": "Vĩnh Long", "page": "99"},
        {"province": "Vĩnh Long", "page": "x"},
        {"province": "Vĩnh Long", "from": "2025-13-01"},
        {"province": "vinh long\x00"},
        {"province": "Vĩnh Long", "district": "không-có"},
        {"province": "Vĩnh Long", "cursor": "sai"},
    ],
)
def test_bad_input_is_a_400_never_an_error(client, vinh_long, params):
    assert client.get("/api/search/", params).status_code == 400
    assert client.get("/search/", params).status_code in (200, 400)


def test_the_notice_follows_the_pages_of_an_api_search(client, vinh_long):
    Article.objects.bulk_create([Article(title=f"Vĩnh Long số {i}", body="Tin.", slug=f"v{i}") for i in range(25)])
    for article in Article.objects.filter(title__startswith="Vĩnh Long số"):
        ArticleLocality.objects.create(article=article, locality=province("legacy", "Vĩnh Long"))
    from django.core.management import call_command

    call_command("update_index", verbosity=0)
    first = api(client, province="Vĩnh Long")
    assert first["count"] == 27 and first["next"]
    second = client.get(first["next"]).json()
    assert second["page"] == 2 and second["place"] == first["place"]
    assert "cursor" not in second["place"]["other"]["url"] and "page" not in second["place"]["other"]["url"]


def test_notice_is_none_without_a_search():
    assert places.notice(SearchForm({}), None, {}) is None
