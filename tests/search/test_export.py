"""Every match of a search as a file, the API's cursor paging and the search's Atom feed, on a
real Whoosh index in a temporary folder."""

import csv
import io
import json
from datetime import datetime
from urllib.parse import parse_qs, urlsplit
from zoneinfo import ZoneInfo

import bibtexparser
import feedparser
import pytest
import rispy

from archive.models import Article, ArticleLocality, ArticleOfficial, ArticleTerm, Locality, Official, Term
from search import export

pytestmark = pytest.mark.django_db
VN = ZoneInfo("Asia/Ho_Chi_Minh")
MO_CAY_BAC = "Mỏ Cày Bắc cụ thể hóa thực hiện Nghị quyết Đại hội Đảng bộ huyện lần thứ XII"
TRI_TON = "Tri Tôn quan tâm công tác xây dựng Đảng"
COLUMNS = [
    *["id", "permalink", "title", "date", "source", "byline"],
    *["provinces", "provinces_2025", "districts", "officials", "terms", "lead"],
]


@pytest.fixture
def archive(seed_articles, indexed):
    """The seeds, Mỏ Cày Bắc linked to its district, an official and a term, then indexed."""
    article = seed_articles[MO_CAY_BAC]
    ArticleLocality.objects.create(
        article=article, locality=Locality.objects.get(kind="district", short_name="Mỏ Cày Bắc")
    )
    ArticleOfficial.objects.create(article=article, official=Official.objects.create(name="Trần Thị Sol"))
    ArticleTerm.objects.create(article=article, term=Term.objects.create(start_year=2020, end_year=2025))
    indexed()
    return seed_articles


def download(client, extension, **params):
    response = client.get(f"/api/search/export.{extension}", params)
    assert response.status_code == 200, response.content
    assert response.streaming
    return response, b"".join(response.streaming_content).decode("utf-8")


def api_ids(client, **params):
    """The ids of every match, through the API's pages."""
    ids, page = [], 1
    while True:
        data = client.get("/api/search/", {**params, "page": page}).json()
        ids += [r["id"] for r in data["results"]]
        if page >= data["pages"]:
            return ids
        page += 1


def test_csv_has_the_columns_and_the_vietnamese_intact(client, archive):
    response, text = download(client, "csv", q="Đảng bộ")
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert 'filename="tim-kiem-dang-bo.csv"' in response["Content-Disposition"]
    assert text.startswith("\ufeff")  # Excel reads UTF-8 by its byte-order mark
    rows = list(csv.DictReader(io.StringIO(text.removeprefix("\ufeff"))))
    assert list(rows[0]) == COLUMNS
    assert [int(r["id"]) for r in rows] == api_ids(client, q="Đảng bộ")  # every match, in the search's order
    assert response["X-Result-Count"] == str(len(rows))
    mo_cay = next(r for r in rows if r["title"] == MO_CAY_BAC)
    article = archive[MO_CAY_BAC]
    assert mo_cay["permalink"] == f"http://testserver/articles/{article.pk}/"
    assert mo_cay["date"] == "2020-11-13 07:03"  # Vietnam's time
    assert mo_cay["byline"] == "Hương Thu" and mo_cay["source"] == "Báo Đồng Khởi"
    assert mo_cay["provinces"] == "Tỉnh Bến Tre" and mo_cay["provinces_2025"] == "Tỉnh Vĩnh Long"
    assert mo_cay["districts"] == "Huyện Mỏ Cày Bắc, Bến Tre"
    assert mo_cay["officials"] == "Trần Thị Sol" and mo_cay["terms"] == "2020-2025"
    assert mo_cay["lead"] == article.lead


def test_json_lines_parse_with_the_same_fields(client, archive):
    response, text = download(client, "jsonl", q="Mỏ Cày Bắc")
    lines = [json.loads(line) for line in text.splitlines()]
    assert response["Content-Type"] == "application/x-ndjson; charset=utf-8"
    assert [line["title"] for line in lines] == [MO_CAY_BAC]
    line = lines[0]
    assert list(line) == COLUMNS
    assert line["date"] == "2020-11-13T07:03:00+07:00"
    assert line["districts"] == ["Huyện Mỏ Cày Bắc, Bến Tre"] and line["terms"] == ["2020-2025"]
    assert "Tỉnh Bến Tre" in text  # UTF-8 as it is, not \\u escapes


def test_filters_and_sort_apply_to_the_export(client, archive):
    _response, text = download(client, "jsonl", province="ben-tre")
    assert [json.loads(line)["title"] for line in text.splitlines()] == [MO_CAY_BAC]
    _response, text = download(client, "jsonl", sort="oldest")
    ids = [json.loads(line)["id"] for line in text.splitlines()]
    assert ids == api_ids(client, sort="oldest") and len(ids) == 5


def test_ris_and_bibtex_read_back(client, archive):
    _response, text = download(client, "ris", q="Đảng")
    entries = rispy.loads(text)
    assert len(entries) == len(api_ids(client, q="Đảng")) >= 3
    assert {e["title"] for e in entries} >= {MO_CAY_BAC, TRI_TON}
    response, text = download(client, "bib", q="Đảng")
    assert response["Content-Type"] == "application/x-bibtex; charset=utf-8"
    library = bibtexparser.parse_string(text)
    assert not library.failed_blocks
    assert len(library.entries) == len(entries)
    assert any(e["author"] == "{Hương Thu}" for e in library.entries)


def test_drafts_are_never_exported(client, archive):
    draft = archive[TRI_TON]
    draft.status = Article.Status.DRAFT
    draft.save()  # the index still has it until the worker runs: the database decides
    for extension in ["csv", "jsonl", "ris", "bib", "json"]:
        _response, text = download(client, extension, q="xây dựng Đảng")
        assert TRI_TON not in text and f"/articles/{draft.pk}/" not in text


def test_past_the_cap_the_export_is_refused_saying_how_to_narrow(client, archive, settings):
    settings.EXPORT_LIMIT = 2
    response = client.get("/api/search/export.csv", {"q": "Đảng"})
    assert response.status_code == 400
    data = response.json()
    assert data["limit"] == 2 and data["count"] > 2
    assert "quá 2 bài" in data["errors"]["export"] and "thu hẹp" in data["error"]
    page = client.get("/search/", {"q": "Đảng"}).content.decode()
    assert "quá 2 bài cho một lần tải về" in page and "/api/search/export.csv" not in page
    download(client, "csv", q="Mỏ Cày Bắc")  # a narrower search still downloads


def test_bad_format_or_parameters_are_not_a_crash(client, archive):
    response = client.get("/api/search/export.xlsx", {"q": "Đảng"})
    assert response.status_code == 404
    assert ".csv (CSV)" in response.json()["errors"]["format"]
    response = client.get("/api/search/export.csv", {"from": "13/11/2020"})
    assert response.status_code == 400 and "from" in response.json()["errors"]
    response = client.get("/search/feed/", {"province": "atlantis"})
    assert response.status_code == 400 and "province" in response.json()["errors"]


def test_results_page_links_the_downloads_and_the_feed(client, archive):
    page = client.get("/search/", {"q": "Đảng", "province": "ben-tre", "page": 1}).content.decode()
    assert 'href="/api/search/export.csv?q=%C4%90%E1%BA%A3ng&amp;province=ben-tre"' in page
    for label in ["CSV", "JSON lines", "RIS", "BibTeX", "CSL-JSON"]:
        assert f"download>{label}</a>" in page
    feed = "/search/feed/?q=%C4%90%E1%BA%A3ng&amp;province=ben-tre"
    assert f'<link rel="alternate" type="application/atom+xml" href="{feed}"' in page
    assert f'<a href="{feed}" type="application/atom+xml">' in page
    assert "export.csv" not in client.get("/search/", {"q": "zzqxw"}).content.decode()  # nothing to download


def test_the_feed_is_valid_atom_newest_first_without_drafts(client, archive):
    draft = archive[MO_CAY_BAC]
    draft.status = Article.Status.DRAFT
    draft.save()
    response = client.get("/search/feed/", {"q": "Đảng", "sort": "oldest"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/atom+xml")
    feed = feedparser.parse(response.content)
    assert not feed.bozo, feed.bozo_exception
    assert feed.version == "atom10"
    assert feed.feed.title == "Tìm “Đảng” – Lưu trữ tin xây dựng Đảng"
    titles = [e.title for e in feed.entries]
    assert MO_CAY_BAC not in titles and TRI_TON in titles
    assert titles == [a.title for a in export.newest(_form(q="Đảng", sort="newest"), 50)]  # newest first
    tri_ton = next(e for e in feed.entries if e.title == TRI_TON)
    assert tri_ton.link == f"http://testserver/articles/{archive[TRI_TON].pk}/"
    assert tri_ton.published_parsed[:3] == (2021, 7, 22)  # 05:35 on the 23rd in Vietnam
    assert tri_ton.summary == archive[TRI_TON].lead
    for entry in feed.entries:
        assert entry.updated_parsed  # undated articles too: by their arrival in the archive


def test_feed_summary_is_the_lead_as_text(client, archive):
    article = archive[TRI_TON]
    article.lead = "Huyện ủy <b>Tri Tôn</b> & các xã"
    article.save()
    feed = feedparser.parse(client.get("/search/feed/", {"q": "Tri Tôn"}).content)
    assert not feed.bozo
    # shown as typed, not as markup
    assert feed.entries[0].summary == "Huyện ủy &lt;b&gt;Tri Tôn&lt;/b&gt; &amp; các xã"


def _form(**params):
    from search.forms import SearchForm

    form = SearchForm(params)
    assert form.is_valid()
    return form


@pytest.fixture
def many(seed_articles, indexed, settings):
    """45 more articles that match "Zơkhuê" (and one draft that does not count)."""
    for n in range(45):
        Article.objects.create(
            title=f"Chỉnh đốn Đảng ở xã số {n}",
            body="Xây dựng, chỉnh đốn Đảng và hệ thống chính trị ở xã Zơkhuê.",
            published_at=datetime(2023, 1, 1 + n % 28, 8, n, tzinfo=VN),
        )
    Article.objects.create(
        title="Chỉnh đốn Đảng (bản nháp)", body="Zơkhuê.", status=Article.Status.DRAFT, published_at=None
    )
    indexed()
    return set(Article.objects.filter(title__startswith="Chỉnh đốn Đảng ở").values_list("pk", flat=True))


def test_the_cursor_reaches_every_match_once(client, many):
    data = client.get("/api/search/", {"q": "Zơkhuê", "sort": "newest"}).json()
    assert data["count"] == 45 and data["pages"] == 3
    ids, pages = [], 0
    while True:
        ids += [r["id"] for r in data["results"]]
        pages += 1
        if not data["next"]:
            break
        assert data["next"].startswith("http://testserver/api/search/?")
        response = client.get(data["next"])
        assert response.status_code == 200, response.content
        data = response.json()
    assert pages == 3 and len(ids) == len(set(ids)) == 45
    assert set(ids) == many
    assert [a.pk for a in export.newest(_form(q="Zơkhuê", sort="newest"), 100)] == ids  # in the search's order


def test_page_still_works_and_offers_next(client, many):
    data = client.get("/api/search/", {"q": "Zơkhuê", "page": 2}).json()
    assert data["page"] == 2
    following = client.get(data["next"]).json()
    assert following["page"] == 3 and following["next"] is None
    assert not {r["id"] for r in following["results"]} & {r["id"] for r in data["results"]}


def _cursor_of(url):
    return parse_qs(urlsplit(url).query)["cursor"][0]


def test_an_edited_or_misused_cursor_is_a_400_naming_it(client, many):
    token = _cursor_of(client.get("/api/search/", {"q": "Zơkhuê"}).json()["next"])
    for params in [
        {"q": "Zơkhuê", "cursor": token[:-2] + ("AA" if not token.endswith("AA") else "BB")},  # edited
        {"q": "Zơkhuê", "cursor": "page-3"},
        {"q": "Zơkhuê", "cursor": ""},
        {"q": "xây dựng", "cursor": token},  # another search
        {"q": "Zơkhuê", "sort": "oldest", "cursor": token},
        {"q": "Zơkhuê", "page": "3", "cursor": token},
    ]:
        response = client.get("/api/search/", params)
        assert response.status_code == 400, params
        assert list(response.json()["errors"]) == ["cursor"], params
    assert client.get("/api/search/", {"q": "Zơkhuê", "cursor": token}).status_code == 200


def test_an_old_cursor_has_expired(client, many, monkeypatch):
    token = _cursor_of(client.get("/api/search/", {"q": "Zơkhuê"}).json()["next"])
    monkeypatch.setattr(export, "CURSOR_MAX_AGE", -1)
    response = client.get("/api/search/", {"q": "Zơkhuê", "cursor": token})
    assert response.status_code == 400 and "hết hạn" in response.json()["errors"]["cursor"]


def test_an_export_reads_every_slice(client, many, monkeypatch):
    monkeypatch.setattr(export, "SLICE", 7)  # 45 matches in 7 slices
    _response, text = download(client, "jsonl", q="Zơkhuê")
    ids = [json.loads(line)["id"] for line in text.splitlines()]
    assert len(ids) == len(set(ids)) == 45 and set(ids) == many


def test_the_downloads_box_in_english(client, archive, settings):
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    page = client.get("/search/", {"q": "Mỏ Cày Bắc"}).content.decode()
    assert "Download the 1 result:" in page and "Follow this search (Atom)" in page
    settings.EXPORT_LIMIT = 2
    page = client.get("/search/", {"q": "Đảng"}).content.decode()
    assert "more than the 2 one download holds" in page


def test_the_queries_do_not_grow_with_the_rows(client, many):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def queries(**params):
        with CaptureQueriesContext(connection) as captured:
            download(client, "csv", **params)
        return len(captured)

    assert queries(q="Mỏ Cày Bắc") == queries(q="Zơkhuê")  # 1 row and 45, one slice: the same reads
