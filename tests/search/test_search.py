"""The search page and API on a real Whoosh index in a temporary folder."""

import time
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.core.cache.backends import filebased
from django.db import connection
from django.test.utils import CaptureQueriesContext

from archive.models import Article, ArticleLocality, ArticleOfficial, ArticleTerm, Locality, Official, Term
from search import query, whoosh_search
from tests.factories import make_superuser, signed_in
from tests.forms import form_data

pytestmark = pytest.mark.django_db
VN = ZoneInfo("Asia/Ho_Chi_Minh")
MO_CAY_BAC = "Mỏ Cày Bắc cụ thể hóa thực hiện Nghị quyết Đại hội Đảng bộ huyện lần thứ XII"
TRI_TON = "Tri Tôn quan tâm công tác xây dựng Đảng"


def api(client, **params):
    response = client.get("/api/search/", params)
    assert response.status_code == 200, response.content
    return response.json()


def titles(client, **params):
    return [r["title"] for r in api(client, **params)["results"]]


@pytest.fixture
def archive(seed_articles, indexed):
    """The seeds, with Mỏ Cày Bắc linked to its district, an official and a term, then indexed."""
    article = seed_articles[MO_CAY_BAC]
    ArticleLocality.objects.create(
        article=article, locality=Locality.objects.get(kind="district", short_name="Mỏ Cày Bắc")
    )
    ArticleLocality.objects.create(
        article=seed_articles[TRI_TON], locality=Locality.objects.get(kind="district", short_name="Tri Tôn")
    )
    sol = Official.objects.create(name="Trần Thị Sol")
    ArticleOfficial.objects.create(article=article, official=sol)
    ArticleTerm.objects.create(article=article, term=Term.objects.create(start_year=2020, end_year=2025))
    indexed()
    return seed_articles


@pytest.mark.parametrize(
    "typed",
    [
        "xây dựng Đảng",
        "xay dung dang",
        "XÂY DỰNG ĐẢNG",
        "xây dựng Ðảng",
        "x\u00e2\u0302y du\u031b\u0323ng \u0110a\u0309ng",
    ],
)
def test_every_way_of_typing_finds_the_articles(client, archive, typed):
    assert TRI_TON in titles(client, q=typed)


def test_old_and_new_tone_placement_find_the_same_articles(client, archive):
    assert titles(client, q="Thanh Hoá") == titles(client, q="Thanh Hóa") != []


def test_phrase_and_names(client, archive):
    assert titles(client, q='"Trần Thị Sol"') == [MO_CAY_BAC]
    assert titles(client, q="Ngô Công Thức")[0] == "An Phú tập trung chuẩn bị tốt Đại hội Đảng bộ các cấp"
    assert titles(client, q='"ngo cong thuc"') == ["An Phú tập trung chuẩn bị tốt Đại hội Đảng bộ các cấp"]


def test_operators_and_fields(client, archive):
    assert TRI_TON not in titles(client, q="Đảng -Tôn")
    assert TRI_TON not in titles(client, q="Đảng NOT Tôn")
    assert set(titles(client, q="Sol OR Liêm")) == {MO_CAY_BAC, TRI_TON}
    assert titles(client, q="title:tri") == [TRI_TON]
    assert titles(client, q="author:ngo chuan") == [TRI_TON]
    assert titles(client, q="author:huu") == ["An Phú tập trung chuẩn bị tốt Đại hội Đảng bộ các cấp"]


@pytest.mark.parametrize(
    "typed",
    [
        '"unbalanced',
        "AND",
        "OR OR",
        "NOT",
        "-",
        "title:",
        "author:",
        "(((",
        "^~*?:",
        "*",
        "a" * 5000,
        "từ " * 3000,
        "\x00\x1b\x7f",
        "Đảng \u0000 NOT",
        '"" "" ""',
        "title:(",
        "[1 TO 2]",
        "{}",
        "ANDMAYBE",
        "\\",
        "'",
        "'Đảng'",
    ],
)
def test_malformed_queries_answer_without_error(client, archive, typed):
    assert client.get("/api/search/", {"q": typed}).status_code == 200
    page = client.get("/search/", {"q": typed})
    assert page.status_code == 200 and "<h1>" in page.content.decode()


def test_too_long_query_says_it_was_cut(client, archive):
    assert api(client, q="Đảng " * 600)["notices"]


def test_filters(client, archive):
    assert titles(client, province="ben tre") == [MO_CAY_BAC]
    assert titles(client, province="Bến Tre") == [MO_CAY_BAC]
    assert titles(client, province="2025:vinh-long") == [MO_CAY_BAC]
    assert titles(client, province="an-giang") == [TRI_TON]
    assert titles(client, district="ben-tre/mo-cay-bac") == [MO_CAY_BAC]
    assert titles(client, district="Tri Tôn") == [TRI_TON]
    assert titles(client, official="Tran Thi Sol") == [MO_CAY_BAC]
    assert titles(client, term="2020 - 2025") == [MO_CAY_BAC]
    assert titles(client, source="BDK") == [MO_CAY_BAC]
    assert titles(client, **{"from": "2021-01-01"}) == [TRI_TON]
    assert set(titles(client, **{"from": "2019-01-01", "to": "2020-12-31"})) == {
        MO_CAY_BAC,
        "An Phú tập trung chuẩn bị tốt Đại hội Đảng bộ các cấp",
    }
    assert titles(client, q="dang", province="an giang", **{"from": "2021-07-23", "to": "2021-07-23"}) == [TRI_TON]


def test_sort_by_date_puts_undated_articles_last(client, archive):
    dated = [TRI_TON, MO_CAY_BAC, "An Phú tập trung chuẩn bị tốt Đại hội Đảng bộ các cấp"]
    assert titles(client, q="dang", sort="newest")[:3] == dated
    assert titles(client, q="dang", sort="oldest")[:3] == dated[::-1]
    assert titles(client, sort="newest")[:3] == dated


@pytest.mark.parametrize(
    "params, parameter",
    [
        ({"from": "2020-13-01"}, "from"),
        ({"to": "hôm qua"}, "to"),
        ({"from": "2021-01-02", "to": "2021-01-01"}, "to"),
        ({"page": "abc"}, "page"),
        ({"page": "0"}, "page"),
        ({"page": "99999999999"}, "page"),
        ({"sort": "best"}, "sort"),
        ({"province": "Atlantis"}, "province"),
        ({"district": "khong-co"}, "district"),
        ({"term": "2020"}, "term"),
        ({"official": "Không Ai"}, "official"),
        ({"source": "XYZ"}, "source"),
        ({"page": "999"}, "page"),
    ],
)
def test_bad_parameters_are_a_400_naming_the_parameter(client, archive, params, parameter):
    response = client.get("/api/search/", params)
    assert response.status_code == 400
    assert parameter in response.json()["errors"]
    page = client.get("/search/", params)
    assert page.status_code == 400 and 'class="notice error"' in page.content.decode()


def test_pagination(client, archive):
    Article.objects.bulk_create(
        [Article(title=f"Tin Đảng bộ số {i}", body="Đảng bộ xã họp.", slug=f"t{i}") for i in range(30)]
    )
    archive  # noqa: B018 - the index below includes the new articles
    from django.core.management import call_command

    call_command("update_index", verbosity=0)
    first, second = api(client, q="Đảng bộ"), api(client, q="Đảng bộ", page=2)
    assert first["count"] == 35 and first["pages"] == 2 and len(first["results"]) == 20
    assert len(second["results"]) == 15
    assert not {r["id"] for r in first["results"]} & {r["id"] for r in second["results"]}


def test_api_result_shape(client, archive):
    result = api(client, q="Trần Thị Sol")["results"][0]
    assert result["title"] == MO_CAY_BAC
    assert result["published"] == "2020-11-13T07:03:00+07:00"
    assert result["source"] == "Báo Đồng Khởi"
    assert result["provinces"] == ["Tỉnh Bến Tre"] and result["provinces_2025"] == ["Tỉnh Vĩnh Long"]
    assert result["districts"] == ["Huyện Mỏ Cày Bắc, Bến Tre"]
    assert result["officials"] == ["Trần Thị Sol"] and result["terms"] == ["2020-2025"]
    assert "<mark>Trần</mark> <mark>Thị</mark> <mark>Sol</mark>" in result["snippet"]
    assert result["url"].endswith(archive[MO_CAY_BAC].get_absolute_url())


def test_facets_count_and_narrow(client, archive):
    data = api(client, q="dang")
    provinces = {f["label"]: f for f in data["facets"]["provinces"]}
    assert provinces["Tỉnh Bến Tre"]["count"] == 1 and provinces["Tỉnh An Giang"]["count"] == 1
    assert {f["label"] for f in data["facets"]["provinces_2025"]} == {"Tỉnh Vĩnh Long", "Tỉnh An Giang"}
    assert {f["label"]: f["count"] for f in data["facets"]["year"]} == {"2019": 1, "2020": 1, "2021": 1}
    assert data["facets"]["terms"][0]["label"] == "2020-2025"
    narrowed = client.get("/api/search/" + provinces["Tỉnh Bến Tre"]["url"]).json()
    assert [r["title"] for r in narrowed["results"]] == [MO_CAY_BAC]


def test_facets_link_to_the_archive_pages(client, archive):
    facets = api(client, q="dang")["facets"]
    pages = {name: {f["label"]: f["page"] for f in values} for name, values in facets.items()}
    assert pages["provinces"]["Tỉnh Bến Tre"] == "/provinces/ben-tre/"
    assert pages["provinces_2025"]["Tỉnh Vĩnh Long"] == "/provinces/2025/vinh-long/"
    mo_cay_bac = "Huyện Mỏ Cày Bắc, Bến Tre (nay thuộc tỉnh Vĩnh Long)"  # and which 2025 province it is in
    assert pages["districts"][mo_cay_bac] == "/provinces/ben-tre/mo-cay-bac/"
    assert pages["terms"]["2020-2025"] == "/terms/2020-2025/"
    assert pages["year"]["2020"] == "/years/2020/"
    sol = pages["officials"]["Trần Thị Sol"]
    assert "<h1>Trần Thị Sol</h1>" in client.get(sol).content.decode()
    assert f'href="{sol}"' in client.get("/search/?q=dang").content.decode()


def test_facet_values_on_the_page_narrow_count_and_link_their_page_escaped(client, archive):
    Official.objects.filter(name="Trần Thị Sol").update(name='Trần "Sol" <b>')
    sol = Official.objects.get()
    page = client.get("/search/", {"q": "dang"}).content.decode()
    label = "Trần &quot;Sol&quot; &lt;b&gt;"
    titled = f'title="Trang {label}" aria-label="Trang {label}"'
    link = f'<a class="page-link" href="/officials/{sol.pk}/{sol.slug}/" {titled}>↗</a>'
    assert f'<li><a href="?q=dang&amp;official={sol.pk}">{label}</a> <span class="n">1</span> {link}</li>' in page
    year = '<a href="?q=dang&amp;from=2020-01-01&amp;to=2020-12-31">2020</a>'
    assert f'<li>{year} <span class="n">1</span> <a class="page-link" href="/years/2020/"' in page
    assert "<b>" not in page


def test_chosen_filter_shows_and_can_be_removed(client, archive):
    page = client.get("/search/", {"q": "dang", "province": "ben-tre"}).content.decode()
    assert "Tỉnh Bến Tre" in page and 'class="remove"' in page
    assert 'href="?q=dang"' in page


def test_highlighting_on_the_page(client, archive):
    page = client.get("/search/", {"q": "hoa"}).content.decode()
    assert "<mark>Hóa</mark>" in page or "<mark>hóa</mark>" in page
    page = client.get("/search/", {"q": "Thanh Hoá"}).content.decode()
    assert "<mark>Thanh</mark> <mark>Hóa</mark>" in page


def test_markup_in_articles_and_queries_cannot_run(client, archive, indexed):
    Article.objects.create(title="Bài <script>alert('x')</script> Đảng", body="Nội dung <script>alert(2)</script>")
    indexed()
    for q in ("script alert", "<script>alert(1)</script>"):
        page = client.get("/search/", {"q": q}).content.decode()
        assert "<script>alert" not in page
    assert "&lt;<mark>script</mark>&gt;" in client.get("/search/", {"q": "script"}).content.decode()


def test_empty_result_says_what_to_do(client, archive):
    page = client.get("/search/", {"q": "zzqxw"}).content.decode()
    assert "Không tìm thấy bài nào." in page and "gõ không dấu" in page


def test_did_you_mean(client, archive):
    data = api(client, q="xay dugn dang")
    assert data["suggestion"] == "xay dung dang"
    page = client.get("/search/", {"q": "xay dugn dang"}).content.decode()
    assert "Có phải bạn muốn tìm" in page and 'href="?q=xay+dung+dang"' in page


def test_drafts_never_appear(client, archive, index_worker):
    article = Article.objects.get(title=TRI_TON)
    article.status = Article.Status.DRAFT
    article.save()
    index_worker()
    assert TRI_TON not in titles(client, q="Tri Tôn")


def test_detail_page_shows_related_articles(client, archive):
    page = client.get(archive[MO_CAY_BAC].get_absolute_url()).content.decode()
    related = page.split('<ul class="related">')[1].split("</ul>")[0]
    assert related.count("<li>") >= 1
    assert archive[MO_CAY_BAC].get_absolute_url() not in related


@pytest.fixture
def searches(monkeypatch):
    """The searches whoosh_search runs from now on."""
    ran = []
    execute = whoosh_search.execute

    def counted(*args):
        ran.append(args)
        return execute(*args)

    monkeypatch.setattr(whoosh_search, "execute", counted)
    return ran


def test_related_articles_are_found_once_a_day_until_the_article_changes(archive, searches, monkeypatch):
    article = archive[MO_CAY_BAC]
    first = query.related(article)
    assert first and query.related(article) == first and len(searches) == 1
    other = next(a for a in archive.values() if a.pk != article.pk)
    other.save()  # a save elsewhere: the ids are kept (in every process: the shared folder)
    assert query.related(article) == first and len(searches) == 1
    article.save()  # the article itself: its version moves, so its related ones are found again
    assert query.related(article) == first and len(searches) == 2
    a_day_on = time.time() + 24 * 60 * 60 + 1
    monkeypatch.setattr(filebased.time, "time", lambda: a_day_on)  # type: ignore[attr-defined]  # expired now
    assert query.related(article) == first and len(searches) == 3


def test_kept_related_articles_show_what_is_saved_since_at_once(archive, searches):
    article = archive[MO_CAY_BAC]
    first, second, *_ = query.related(article)
    first.title = "Tiêu đề đổi sau"
    first.save()
    second.status = Article.Status.DRAFT
    second.save()
    again = query.related(article)
    assert again[0].title == "Tiêu đề đổi sau" and second.pk not in {a.pk for a in again}
    assert len(searches) == 1  # the ids kept, their titles and whether they are published read now


def test_admin_save_is_searchable_once_the_worker_applies_it(client, archive, index_worker):
    signed_in(make_superuser(), client)
    response = client.post(
        "/admin/archive/article/add/",
        form_data(
            client.get("/admin/archive/article/add/"),
            "article_form",
            title="Hội nghị hòa giải ở cơ sở",
            status="published",
            published_at_0="01/02/2021",
            published_at_1="10:00",
            body="Tổ hòa giải ấp Phú Hòa họp bàn.",
        ),
    )
    assert response.status_code == 302
    assert "Hội nghị hòa giải ở cơ sở" not in titles(client, q="to hoa giai")  # the request wrote no index
    index_worker()
    assert titles(client, q="to hoa giai")[0] == "Hội nghị hòa giải ở cơ sở"
    article = Article.objects.get(title="Hội nghị hòa giải ở cơ sở")
    assert client.post(f"/admin/archive/article/{article.pk}/delete/", {"post": "yes"}).status_code == 302
    index_worker()
    assert "Hội nghị hòa giải ở cơ sở" not in titles(client, q="to hoa giai")


def test_rolled_back_save_leaves_no_document(client, archive, index_worker):
    from django.db import transaction

    with pytest.raises(RuntimeError), transaction.atomic():
        Article.objects.create(title="Bài ma không được lưu", body="Nội dung ma.")
        raise RuntimeError("the save fails after the insert")
    index_worker()
    assert not Article.objects.filter(title="Bài ma không được lưu").exists()
    assert titles(client, q="bai ma") == []


def test_linking_a_locality_reindexes_the_article(client, archive, index_worker):
    ArticleLocality.objects.create(
        article=archive["Năng lực lãnh đạo và sức chiến đấu của tổ chức cơ sở đảng"],
        locality=Locality.objects.get(kind="district", short_name="Vân Hồ"),
    )
    index_worker()
    assert titles(client, province="son la") == ["Năng lực lãnh đạo và sức chiến đấu của tổ chức cơ sở đảng"]


def test_facets_also_when_sorted_by_date(client, archive):
    for sort in ("newest", "oldest"):
        facets = api(client, q="dang", sort=sort)["facets"]
        assert {f["label"] for f in facets["provinces"]} == {"Tỉnh Bến Tre", "Tỉnh An Giang"}


def test_year_facet_follows_vietnam_time(client, archive, indexed):
    Article.objects.create(
        title="Bài đầu năm", body="Chúc mừng năm mới Đảng bộ.", published_at=datetime(2021, 1, 1, 0, 30, tzinfo=VN)
    )
    indexed()
    years = {f["label"]: f["url"] for f in api(client, q='"chuc mung nam moi"')["facets"]["year"]}
    assert list(years) == ["2021"]
    assert titles(client, **{"from": "2021-01-01", "to": "2021-12-31", "q": "chuc mung"}) == ["Bài đầu năm"]


@pytest.mark.parametrize(
    "params, parameter",
    [
        ({"official": "²"}, "official"),
        ({"source": "①"}, "source"),
        ({"official": "9" * 5000}, "official"),
        ({"from": "0001-01-01"}, "from"),
        ({"to": "9999-12-31"}, "to"),
    ],
)
def test_odd_values_are_a_400_not_a_crash(client, archive, params, parameter):
    response = client.get("/api/search/", params)
    assert response.status_code == 400 and parameter in response.json()["errors"]


def test_page_past_the_end_says_how_many_pages_there_are(client, archive, indexed):
    Article.objects.bulk_create(
        [Article(title=f"Tin Đảng bộ số {i}", body="Đảng bộ xã họp.", slug=f"t{i}") for i in range(45)]
    )
    indexed()
    response = client.get("/api/search/", {"q": "Đảng bộ", "page": 9})
    assert response.status_code == 400 and "chỉ có 3 trang" in response.json()["errors"]["page"]


def test_suggestion_keeps_the_rest_of_the_query_and_the_filters(client, archive):
    page = client.get("/search/", {"q": "xay dugn dang -Liêm", "source": "BDK"}).content.decode()
    assert ">xay dung dang -Liêm</a>" in page
    assert 'href="?q=xay+dung+dang+-Li%C3%AAm&amp;source=BDK"' in page


def test_rebuilding_again_swaps_in_a_new_index(client, archive, indexed, whoosh_index):
    indexed()
    Article.objects.filter(title=TRI_TON).update(title="Tri Tôn đổi tiêu đề")
    indexed()
    assert titles(client, q="đổi tiêu đề")[0] == "Tri Tôn đổi tiêu đề"
    assert whoosh_index.is_symlink()

    def folders():
        return {p.name for p in whoosh_index.parent.iterdir() if p.name.startswith("whoosh.") and p.is_dir()}

    before = folders()
    assert len(before) == 2  # the one in use, and the one before it, which a search may still be reading
    indexed()
    assert len(folders()) == 2 and len(folders() & before) == 1


def test_a_page_of_results_costs_as_many_queries_as_one_result(client, archive):
    """The hits' articles with their newspaper and units, and for the API their officials and
    terms, are read in a fixed number of queries; the page reads no officials nor terms."""

    def queries(url, q):
        client.get(url, {"q": q})  # first: what is kept until the next save (facet labels)
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url, {"q": q}).status_code == 200
        return [query["sql"] for query in captured]

    assert len(api(client, q="Đảng")["results"]) >= 5 and len(api(client, q="Mỏ Cày Bắc")["results"]) == 1
    for url in ("/search/", "/api/search/"):
        assert len(queries(url, "Đảng")) == len(queries(url, "Mỏ Cày Bắc")), url
    page, json = queries("/search/", "Đảng"), queries("/api/search/", "Đảng")
    assert not any("archive_official" in sql or "archive_term" in sql for sql in page)
    assert sum("archive_official" in sql for sql in json) == sum("archive_term" in sql for sql in json) == 1
