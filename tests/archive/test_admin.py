import pytest
from django.contrib.auth.models import User

from archive.models import Article, ArticleLocality, Locality

pytestmark = pytest.mark.django_db

MO_CAY_BAC = "Mỏ Cày Bắc cụ thể hóa thực hiện Nghị quyết Đại hội Đảng bộ huyện lần thứ XII"


@pytest.fixture
def editor_client(client):
    User.objects.create_superuser("bientap", "bt@example.vn", "mat-khau-dai-2025")
    client.login(username="bientap", password="mat-khau-dai-2025")
    return client


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
    ArticleLocality.objects.create(article=article, locality=Locality.objects.get(kind="district", short_name="Mỏ Cày Bắc"))
    for province in (Locality.objects.get(era="legacy", kind="province", short_name="Bến Tre"),
                     Locality.objects.get(era="2025", kind="province", short_name="Vĩnh Long")):
        page = text_of(editor_client.get(f"/admin/archive/article/?province={province.pk}"))
        assert MO_CAY_BAC in page and "Tri Tôn quan tâm" not in page
    assert MO_CAY_BAC not in text_of(editor_client.get("/admin/archive/article/?province=999999"))


def test_editor_corrects_an_article(editor_client, seed_articles):
    article = seed_articles[MO_CAY_BAC]
    form = text_of(editor_client.get(f"/admin/archive/article/{article.pk}/change/"))
    assert "Địa phương được nhắc" in form or "địa phương được nhắc" in form
    response = editor_client.post(f"/admin/archive/article/{article.pk}/change/", {
        "title": "Tiêu đề đã sửa", "status": "published", "published_at_0": "13/11/2020", "published_at_1": "07:03",
        "source": article.source_id, "author": "Hương Thu", "lead": article.lead, "body": article.body,
        "captions": article.captions, "original_url": "",
        **{f"{prefix}-{key}": value for prefix in ("articlelocality_set", "articleofficial_set", "articleterm_set")
           for key, value in {"TOTAL_FORMS": "0", "INITIAL_FORMS": "0"}.items()},
    })
    assert response.status_code == 302, [str(e) for e in response.context["errors"]] + [str(response.context["inline_admin_formsets"][0].formset.non_form_errors())]
    article.refresh_from_db()
    assert (article.title, article.slug) == ("Tiêu đề đã sửa", "tieu-de-da-sua")


def test_locality_autocomplete_understands_names_without_diacritics(editor_client):
    response = editor_client.get("/admin/autocomplete/", {
        "term": "mo cay bac", "app_label": "archive", "model_name": "articlelocality", "field_name": "locality"})
    names = [r["text"] for r in response.json()["results"]]
    assert "Huyện Mỏ Cày Bắc, Bến Tre" in names


@pytest.mark.parametrize("url", ["/admin/archive/locality/?q=Tri+Tôn", "/admin/archive/official/add/",
                                 "/admin/archive/term/", "/admin/archive/source/", "/admin/archive/article/add/"])
def test_other_admin_pages_open(editor_client, url):
    text_of(editor_client.get(url))


def test_article_search_without_diacritics(editor_client, seed_articles):
    page = text_of(editor_client.get("/admin/archive/article/?q=tri+ton"))
    assert "Tri Tôn quan tâm" in page and MO_CAY_BAC not in page


def test_province_filter_lists_current_provinces_first_in_vietnamese_order(editor_client, seed_articles):
    page = text_of(editor_client.get("/admin/archive/article/"))
    assert page.index("Cà Mau (từ") < page.index("Cao Bằng (từ") < page.index("Đà Nẵng (từ") < page.index("An Giang (trước")


def test_a_link_row_the_editor_changes_becomes_the_editors(editor_client, seed_articles):
    from archive.extract import link_articles
    from archive.models import ArticleLink

    article = seed_articles[MO_CAY_BAC]
    link_articles([article])
    link = ArticleLocality.objects.get(article=article, locality__kind="district")
    tri_ton = Locality.objects.get(kind="district", short_name="Tri Tôn")
    rows = list(ArticleLocality.objects.filter(article=article).order_by("pk"))
    data = {"title": article.title, "status": "published", "published_at_0": "13/11/2020", "published_at_1": "07:03",
            "source": article.source_id, "author": article.author, "lead": article.lead, "body": article.body,
            "captions": article.captions, "original_url": "",
            "articlelocality_set-TOTAL_FORMS": str(len(rows)), "articlelocality_set-INITIAL_FORMS": str(len(rows)),
            **{f"{p}-{k}": "0" for p in ("articleofficial_set", "articleterm_set") for k in ("TOTAL_FORMS", "INITIAL_FORMS")}}
    for i, row in enumerate(rows):
        data[f"articlelocality_set-{i}-id"] = row.pk
        data[f"articlelocality_set-{i}-article"] = article.pk
        data[f"articlelocality_set-{i}-locality"] = tri_ton.pk if row.pk == link.pk else row.locality_id
    data["articleterm_set-TOTAL_FORMS"] = data["articleterm_set-INITIAL_FORMS"] = "0"
    ArticleTerm = article.terms.through
    ArticleTerm.objects.filter(article=article).delete()
    response = editor_client.post(f"/admin/archive/article/{article.pk}/change/", data)
    assert response.status_code == 302
    link.refresh_from_db()
    assert (link.locality, link.origin) == (tri_ton, ArticleLink.Origin.EDITOR)
    link_articles([article])
    assert ArticleLocality.objects.filter(article=article, locality=tri_ton, origin="editor").exists()
