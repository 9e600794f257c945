import re
from html.parser import HTMLParser

import pytest
from django.contrib.auth.models import User

from archive.models import Article, ArticleLocality, Locality
from tests.factories import make_superuser, signed_in
from tests.forms import form_data

pytestmark = pytest.mark.django_db

MO_CAY_BAC = "Mỏ Cày Bắc cụ thể hóa thực hiện Nghị quyết Đại hội Đảng bộ huyện lần thứ XII"


@pytest.fixture
def editor_client(client):
    return signed_in(make_superuser(), client)


def text_of(response):
    assert response.status_code == 200
    return response.content.decode()


def test_admin_needs_login(client):
    response = client.get("/admin/archive/article/")
    assert response.status_code == 302 and "/admin/login/" in response["Location"]


def test_article_list_has_readable_columns_and_filters(editor_client, seed_articles):
    page = text_of(editor_client.get("/admin/archive/article/"))
    assert MO_CAY_BAC in page and "Báo Đồng Khởi" in page and "Hương Thu" in page
    for label in ("tỉnh, thành", "năm đăng", "Bến Tre (trước 01/7/2025)", "Vĩnh Long (từ 01/7/2025)"):
        assert label in page


def test_article_search_filters_and_date_hierarchy(editor_client, seed_articles):
    assert "Tri Tôn quan tâm" not in text_of(editor_client.get("/admin/archive/article/?q=Mỏ+Cày"))
    by_year = text_of(editor_client.get("/admin/archive/article/?year=2021"))
    assert "Tri Tôn quan tâm" in by_year and MO_CAY_BAC not in by_year
    undated = text_of(editor_client.get("/admin/archive/article/?year=none"))
    assert "Năng lực lãnh đạo" in undated and MO_CAY_BAC not in undated
    assert "Tri Tôn quan tâm" in text_of(editor_client.get("/admin/archive/article/?published_at__year=2021"))


def test_province_filter_takes_old_and_current_province(editor_client, seed_articles):
    article = seed_articles[MO_CAY_BAC]
    ArticleLocality.objects.create(
        article=article, locality=Locality.objects.get(kind="district", short_name="Mỏ Cày Bắc")
    )
    for province in (
        Locality.objects.get(era="legacy", kind="province", short_name="Bến Tre"),
        Locality.objects.get(era="2025", kind="province", short_name="Vĩnh Long"),
    ):
        page = text_of(editor_client.get(f"/admin/archive/article/?province={province.pk}"))
        assert MO_CAY_BAC in page and "Tri Tôn quan tâm" not in page
    assert MO_CAY_BAC not in text_of(editor_client.get("/admin/archive/article/?province=999999"))


def change_form(client, article):
    return client.get(f"/admin/archive/article/{article.pk}/change/")


def rows(data, prefix, field):
    """{row index: value of `field`} for the inline rows of `prefix` in posted form data."""
    return {
        key.split("-")[1]: value
        for key, value in data.items()
        if key.startswith(f"{prefix}-") and key.endswith(f"-{field}") and key.split("-")[1].isdigit()
    }


def test_editor_corrects_an_article(editor_client, seed_articles):
    article = seed_articles[MO_CAY_BAC]
    response = change_form(editor_client, article)
    assert "địa phương được nhắc" in text_of(response).lower()
    data = form_data(response, "article_form", title="Tiêu đề đã sửa")
    assert editor_client.post(f"/admin/archive/article/{article.pk}/change/", data).status_code == 302
    article.refresh_from_db()
    assert (article.title, article.slug, article.body) == (
        "Tiêu đề đã sửa",
        "tieu-de-da-sua",
        seed_articles[MO_CAY_BAC].body,
    )


def test_saving_finds_what_the_text_names_and_says_so(editor_client, db):
    response = editor_client.get("/admin/archive/article/add/")
    data = form_data(
        response,
        "article_form",
        title="Huyện ủy Tri Tôn họp",
        status="published",
        body="Đồng chí Cao Quang Liêm, Bí thư Huyện ủy Tri Tôn, chủ trì (nhiệm kỳ 2020 - 2025).",
    )
    response = editor_client.post("/admin/archive/article/add/", data, follow=True)
    article = Article.objects.get(title="Huyện ủy Tri Tôn họp")
    assert [str(u) for u in article.localities.all()] == ["Huyện Tri Tôn, An Giang"]
    assert [o.name for o in article.officials.all()] == ["Cao Quang Liêm"]
    assert [str(t) for t in article.terms.all()] == ["2020–2025"]
    assert "1 địa phương, 1 cán bộ, 1 nhiệm kỳ" in text_of(response)


def test_a_link_the_editor_removes_stays_removed(editor_client, seed_articles):
    from archive.extraction import link_articles

    article = seed_articles[MO_CAY_BAC]
    link_articles([article])
    response = change_form(editor_client, article)
    data = form_data(response, "article_form")
    commune = Locality.objects.get(kind="commune", short_name="Phú Mỹ", province__short_name="Bến Tre")
    row = next(i for i, value in rows(data, "articlelocality_set", "locality").items() if value == str(commune.pk))
    data[f"articlelocality_set-{row}-DELETE"] = "on"
    assert editor_client.post(f"/admin/archive/article/{article.pk}/change/", data).status_code == 302
    assert not article.localities.filter(pk=commune.pk).exists()  # the save re-extracted, and left it out
    link_articles([article])
    assert not article.localities.filter(pk=commune.pk).exists()
    assert "Xã Phú Mỹ, Bến Tre" in text_of(change_form(editor_client, article))  # listed as removed

    # Deleting the "removed" row lets extraction find the commune again.
    data = form_data(change_form(editor_client, article), "article_form", **{"dismissed_links-0-DELETE": "on"})
    assert editor_client.post(f"/admin/archive/article/{article.pk}/change/", data).status_code == 302
    assert article.localities.filter(pk=commune.pk, articlelocality__origin="extracted").exists()


def test_positions_the_editor_corrects_are_kept(editor_client, seed_articles):
    from archive.extraction import link_articles
    from archive.models import Official, Position

    article = seed_articles[MO_CAY_BAC]
    link_articles([article])
    sol = Official.objects.get(name="Trần Thị Sol")
    url = f"/admin/archive/official/{sol.pk}/change/"
    data = form_data(
        editor_client.get(url), "official_form", **{"positions-0-title": "Phó Bí thư Thường trực Huyện ủy"}
    )
    assert editor_client.post(url, data).status_code == 302
    link_articles([article])
    assert [(p.title, p.origin) for p in sol.positions.all()] == [("Phó Bí thư Thường trực Huyện ủy", "editor")]

    data = form_data(editor_client.get(url), "official_form", **{"positions-0-DELETE": "on"})
    assert editor_client.post(url, data).status_code == 302
    link_articles([article])
    assert not Position.objects.filter(official=sol).exists()


def test_locality_autocomplete_understands_names_without_diacritics(editor_client):
    response = editor_client.get(
        "/admin/autocomplete/",
        {"term": "mo cay bac", "app_label": "archive", "model_name": "articlelocality", "field_name": "locality"},
    )
    names = [r["text"] for r in response.json()["results"]]
    assert "Huyện Mỏ Cày Bắc, Bến Tre" in names


@pytest.mark.parametrize(
    "url",
    [
        "/admin/archive/locality/?q=Tri+Tôn",
        "/admin/archive/official/add/",
        "/admin/archive/term/",
        "/admin/archive/source/",
        "/admin/archive/article/add/",
    ],
)
def test_other_admin_pages_open(editor_client, url):
    text_of(editor_client.get(url))


def test_article_search_without_diacritics(editor_client, seed_articles):
    page = text_of(editor_client.get("/admin/archive/article/?q=tri+ton"))
    assert "Tri Tôn quan tâm" in page and MO_CAY_BAC not in page


def test_province_filter_lists_current_provinces_first_in_vietnamese_order(editor_client, seed_articles):
    page = text_of(editor_client.get("/admin/archive/article/"))
    assert (
        page.index("Cà Mau (từ")
        < page.index("Cao Bằng (từ")
        < page.index("Đà Nẵng (từ")
        < page.index("An Giang (trước")
    )


def test_a_link_row_the_editor_changes_becomes_the_editors(editor_client, seed_articles):
    from archive.extraction import link_articles
    from archive.models import ArticleLink

    article = seed_articles[MO_CAY_BAC]
    link_articles([article])
    link = ArticleLocality.objects.get(article=article, locality__kind="district")
    tri_ton = Locality.objects.get(kind="district", short_name="Tri Tôn")
    data = form_data(change_form(editor_client, article), "article_form")
    row = next(i for i, value in rows(data, "articlelocality_set", "id").items() if value == str(link.pk))
    data[f"articlelocality_set-{row}-locality"] = tri_ton.pk
    assert editor_client.post(f"/admin/archive/article/{article.pk}/change/", data).status_code == 302
    link.refresh_from_db()
    assert (link.locality, link.origin) == (tri_ton, ArticleLink.Origin.EDITOR)
    link_articles([article])
    assert {(str(link.locality), link.origin) for link in ArticleLocality.objects.filter(article=article)} == {
        ("Huyện Tri Tôn, An Giang", "editor"),
        ("Xã Phú Mỹ, Bến Tre", "extracted"),
    }  # Mỏ Cày Bắc was replaced


class _Titles(HTMLParser):
    """The text of every column title (a table head's cells, <th scope="col">) and field label on a page."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.titles, self._open, self._in_head = [], 0, False

    def handle_starttag(self, tag, attrs):
        self._in_head = self._in_head or tag == "thead"
        if (tag == "th" and (self._in_head or ("scope", "col") in attrs)) or tag == "label":
            self._open += 1
            self.titles.append("")

    def handle_endtag(self, tag):
        self._in_head = self._in_head and tag != "thead"
        if tag in ("th", "label") and self._open:
            self._open -= 1

    def handle_data(self, data):
        if self._open:
            self.titles[-1] += data


def titles_of(html):
    reader = _Titles()
    reader.feed(html)
    return [" ".join(t.split()) for t in reader.titles]


def test_every_admin_page_names_things_and_titles_columns_in_both_languages(editor_client, seed_articles):
    """Every change list and change form of every model in the admin, with rows to show (an
    article's links, a removed link, positions, a history entry): no "… object (N)", and no
    column title or label left as Django derives it from the code (the same in English)."""
    from django.contrib import admin
    from django.contrib.admin.models import CHANGE, LogEntry
    from django.urls import reverse

    from archive.extraction import link_articles
    from archive.models import DismissedLink

    article = seed_articles[MO_CAY_BAC]
    link_articles([article])
    DismissedLink.objects.create(article=article, kind=DismissedLink.Kind.TERM, target_id=article.terms.first().pk)
    LogEntry.objects.log_actions(User.objects.get().pk, [article], CHANGE, change_message="Sửa tiêu đề")

    pages = 0
    for model in admin.site._registry:
        meta = model._meta
        urls = [reverse(f"admin:{meta.app_label}_{meta.model_name}_changelist")]
        shown = article if model is Article else model.objects.order_by("pk").first()  # type: ignore[attr-defined]
        assert shown is not None, f"nothing to show for {meta.label}"
        urls.append(reverse(f"admin:{meta.app_label}_{meta.model_name}_change", args=[shown.pk]))
        for url in urls:
            editor_client.cookies["django_language"] = "vi"  # the language switch's choice
            vietnamese = text_of(editor_client.get(url))
            editor_client.cookies["django_language"] = "en"
            english = text_of(editor_client.get(url))
            assert not re.search(r"object \(\d+\)", vietnamese + english), url
            vi_titles, en_titles = titles_of(vietnamese), titles_of(english)
            assert len(vi_titles) > 1, url
            pairs = zip(vi_titles, en_titles, strict=True)
            untranslated = [vi for vi, en in pairs if vi == en and re.search(r"[^\W\d_]", vi)]
            assert not untranslated, f"{url}: {untranslated}"
            pages += 1
    assert pages == 2 * len(admin.site._registry)
    del editor_client.cookies["django_language"]  # back to the default, Vietnamese
    removed = f"Nhiệm kỳ: {article.terms.first()}"
    assert removed in text_of(change_form(editor_client, article))  # the removed link, by what it was


@pytest.mark.parametrize(
    ("language", "said"),
    [("vi", "JSON không hợp lệ ở cột 15, gần “"), ("en", "invalid JSON at column 15, near “")],
)
def test_a_bad_json_line_in_a_bulk_import_is_reported_in_the_editors_language(editor_client, language, said):
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile("loat-bai.jsonl", b'{"title": "A" "body": "x"}\n')
    editor_client.cookies["django_language"] = language  # the language switch's choice
    response = editor_client.post("/admin/archive/article/import/", {"files": [upload]})
    page = text_of(response)
    assert "loat-bai.jsonl:1" in page and said in page
    assert "Expecting" not in page
