"""The citation on an article's page (meta tags, the "Trích dẫn" box) and its downloads."""

import json
from html.parser import HTMLParser

import bibtexparser
import pytest
import rispy
from django.test import Client

from archive.models import Article
from tests.archive.test_citation import MO_CAY_BAC, mo_cay_bac_meta_tags
from tests.factories import make_editor, signed_in

pytestmark = pytest.mark.django_db

UNSIGNED = "Đưa Nghị quyết vào cuộc sống bằng nhiều giải pháp thiết thực"  # no author, date or source


class Head(HTMLParser):
    """The page's <meta name=… content=…> tags, in order, and its <link rel=…> targets."""

    def __init__(self, page):
        super().__init__()
        self.meta, self.links = [], {}
        self.feed(page)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "meta" and "name" in attrs:
            self.meta.append((attrs["name"], attrs["content"]))
        if tag == "link":
            self.links[attrs["rel"]] = attrs["href"]


def page_of(client, article):
    response = client.get(article.get_absolute_url())
    assert response.status_code == 200
    return response.content.decode()


@pytest.fixture
def editor():
    return signed_in(make_editor())


def test_an_article_page_carries_highwire_and_dublin_core_tags(client, seed_articles):
    article = seed_articles[MO_CAY_BAC]
    head = Head(page_of(client, article))
    permalink = f"http://testserver/articles/{article.pk}/"
    assert head.links["schema.DC"] == "http://purl.org/dc/elements/1.1/"
    assert head.meta == [
        ("viewport", "width=device-width, initial-scale=1"),
        *mo_cay_bac_meta_tags(permalink),
    ]
    # The permalink is the address that outlives a change of title: it leads to the article.
    assert client.get(permalink, follow=True).redirect_chain == [(article.get_absolute_url(), 301)]


def test_the_permalink_takes_the_readers_scheme_and_host(client, seed_articles, settings):
    settings.ALLOWED_HOSTS = ["luutru.example.vn"]
    article = seed_articles[MO_CAY_BAC]
    page = client.get(article.get_absolute_url(), headers={"host": "luutru.example.vn"}, secure=True)
    assert ("DC.identifier", f"https://luutru.example.vn/articles/{article.pk}/") in Head(page.content.decode()).meta


def test_the_citation_box_shows_both_styles_and_the_downloads(client, seed_articles):
    article = seed_articles[MO_CAY_BAC]
    page = page_of(client, article)
    permalink = f"http://testserver/articles/{article.pk}/"
    assert '<h2 id="citation-heading">Trích dẫn</h2>' in page
    assert f'<dd lang="vi">Hương Thu (13/11/2020), “{MO_CAY_BAC}”, <i>Báo Đồng Khởi</i>, truy cập ngày ' in page
    assert f"&lt;{permalink}&gt;." in page
    assert f"Hương Thu. (2020, November 13). {MO_CAY_BAC}. <i>Báo Đồng Khởi</i>. {permalink}" in page
    for extension, label in (("ris", "RIS"), ("bib", "BibTeX"), ("json", "CSL-JSON")):
        assert f'<a href="/articles/{article.pk}/cite.{extension}" download>{label}</a>' in page
    assert "/static/css/citation." in page and " style=" not in page  # the page's CSP allows no inline style


def test_an_article_without_author_date_or_source_is_cited_without_them(client, seed_articles):
    article = seed_articles[UNSIGNED]
    page = page_of(client, article)
    names = {name for name, _ in Head(page).meta}
    assert {"citation_title", "DC.title", "DC.identifier", "citation_public_url"} <= names
    assert not {"citation_author", "citation_date", "citation_journal_title", "DC.creator", "DC.date"} & names
    assert f"“{UNSIGNED}” (không rõ ngày), truy cập ngày" in page
    assert f"<i>{UNSIGNED}.</i> (n.d.). http://testserver/articles/{article.pk}/" in page


def test_each_download_has_its_type_file_name_and_reads_back(client, seed_articles):
    article = seed_articles[MO_CAY_BAC]
    key = f"huongthu2020mocay-{article.pk}"
    expected = {
        "ris": "application/x-research-info-systems; charset=utf-8",
        "bib": "application/x-bibtex; charset=utf-8",
        "json": "application/vnd.citationstyles.csl+json; charset=utf-8",
    }
    downloads = {}
    for extension, content_type in expected.items():
        response = client.get(f"/articles/{article.pk}/cite.{extension}")
        assert response.status_code == 200 and response["Content-Type"] == content_type
        assert response["Content-Disposition"] == f'attachment; filename="{key}.{extension}"'
        downloads[extension] = response.content.decode("utf-8")
    (ris,) = rispy.loads(downloads["ris"])
    assert (ris["type_of_reference"], ris["title"], ris["urls"]) == (
        "NEWS",
        MO_CAY_BAC,
        [f"http://testserver/articles/{article.pk}/"],
    )
    (entry,) = bibtexparser.parse_string(downloads["bib"]).entries
    assert (entry.entry_type, entry.key, entry["journal"]) == ("article", key, "Báo Đồng Khởi")
    (item,) = json.loads(downloads["json"])
    assert (item["type"], item["title"], item["container-title"]) == ("article-newspaper", MO_CAY_BAC, "Báo Đồng Khởi")


@pytest.mark.parametrize("extension", ["pdf", "RIS", "bibtex", "json.gz", "ris%00"])
def test_an_unknown_format_is_a_vietnamese_404(client, seed_articles, extension):
    response = client.get(f"/articles/{seed_articles[MO_CAY_BAC].pk}/cite.{extension}")
    assert response.status_code == 404
    assert "Không có định dạng trích dẫn này" in response.content.decode()


def test_a_missing_article_has_no_citation(client, seed_articles):
    assert client.get("/articles/999999/cite.ris").status_code == 404


def test_a_draft_is_previewed_without_a_citation_and_cannot_be_downloaded(editor, seed_articles):
    article = seed_articles[MO_CAY_BAC]
    Article.objects.filter(pk=article.pk).update(status=Article.Status.DRAFT)
    page = page_of(editor, article)
    head = Head(page)
    assert ("robots", "noindex") in head.meta and "schema.DC" not in head.links
    assert not [name for name, _ in head.meta if name.startswith(("citation_", "DC."))]
    assert "Trích dẫn" not in page and "cite.ris" not in page and f'/articles/{article.pk}/"' not in page
    assert "Bài được đăng rồi mới có trích dẫn" in page
    for extension in ("ris", "bib", "json"):
        assert editor.get(f"/articles/{article.pk}/cite.{extension}").status_code == 404
        assert Client().get(f"/articles/{article.pk}/cite.{extension}").status_code == 404


def test_the_box_is_in_english_for_an_english_reader(client, seed_articles):
    article = seed_articles[MO_CAY_BAC]
    client.cookies["django_language"] = "en"  # chosen with the language switch
    page = client.get(article.get_absolute_url()).content.decode()
    assert '<h2 id="citation-heading">Citation</h2>' in page and "Vietnamese style" in page
    # A style is written in its own language, whatever the page's.
    assert '<dd lang="vi">Hương Thu (13/11/2020)' in page and "(2020, November 13)" in page
