"""Editors' workflow in the admin: roles, drafts, history, bulk import, validation, concurrent edits."""

import datetime
import gzip
import json

import pytest
from django.contrib.admin.models import LogEntry
from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from archive.models import Article
from tests.conftest import SEEDS
from tests.factories import make_editor, make_superuser, signed_in
from tests.forms import form_data

pytestmark = pytest.mark.django_db
TRI_TON = "Tri Tôn quan tâm công tác xây dựng Đảng"


@pytest.fixture
def editor(client):
    """A member of the editors' group, logged in: not a superuser."""
    return signed_in(make_editor(), client)


def add_form(client, **fields):
    return form_data(client.get("/admin/archive/article/add/"), "article_form", **fields)


def errors_of(response):
    assert response.status_code == 200  # the form again, with what was typed
    return response.content.decode()


# --- roles and access --------------------------------------------------------------------------
@pytest.mark.parametrize(
    "url", ["/admin/", "/admin/archive/article/", "/admin/archive/article/import/", "/admin/auth/user/"]
)
def test_every_admin_page_needs_login(client, url):
    response = client.get(url)
    assert response.status_code == 302 and response["Location"].startswith("/admin/login/")


def test_editors_edit_content_but_not_accounts(editor):
    for url in [
        "/admin/archive/article/add/",
        "/admin/archive/locality/",
        "/admin/archive/official/add/",
        "/admin/admin/logentry/",
        "/admin/archive/article/import/",
    ]:
        assert editor.get(url).status_code == 200, url
    for url in ["/admin/auth/user/", "/admin/auth/user/add/", "/admin/auth/group/"]:
        assert editor.get(url).status_code == 403, url
    assert "/admin/auth/" not in editor.get("/admin/").content.decode()


def test_saving_needs_the_csrf_token(db):
    client = signed_in(make_superuser("quantri"), Client(enforce_csrf_checks=True))
    data = add_form(client, title="Không có mã CSRF", body="Nội dung.", status="published")
    data.pop("csrfmiddlewaretoken")
    assert client.post("/admin/archive/article/add/", data).status_code == 403
    assert not Article.objects.filter(title="Không có mã CSRF").exists()


def test_weak_passwords_are_refused(db):
    from django.contrib.auth.password_validation import validate_password
    from django.core.exceptions import ValidationError

    for weak in ["12345678", "password", "bientap1"]:
        with pytest.raises(ValidationError):
            validate_password(weak, User(username="bientap"))


# --- drafts --------------------------------------------------------------------------------------
def test_a_draft_is_previewed_by_editors_and_hidden_from_everyone_else(editor, seed_articles, index_worker):
    article = seed_articles[TRI_TON]
    article.status = Article.Status.DRAFT
    article.save()
    index_worker()
    preview = editor.get(article.get_absolute_url())
    assert preview.status_code == 200 and "Bản nháp: bạn đọc chưa thấy bài này" in preview.content.decode()
    assert "no-store" in preview["Cache-Control"]

    reader = Client()
    assert reader.get(article.get_absolute_url()).status_code == 404
    assert TRI_TON not in reader.get("/").content.decode()
    assert TRI_TON not in reader.get("/articles/").content.decode()
    assert TRI_TON not in reader.get("/feed/").content.decode()
    assert TRI_TON not in reader.get("/provinces/an-giang/").content.decode()
    assert TRI_TON not in reader.get("/search/", {"q": "Tri Tôn"}).content.decode()
    assert all(r["title"] != TRI_TON for r in reader.get("/api/search/", {"q": "Tri Tôn"}).json()["results"])


def test_the_feed_lists_the_newest_published_articles(client, seed_articles):
    feed = client.get("/feed/")
    assert feed["Content-Type"].startswith("application/rss+xml")
    text = feed.content.decode()
    assert text.index(TRI_TON) < text.index("Mỏ Cày Bắc cụ thể hóa")  # 2021 before 2020


# --- history -------------------------------------------------------------------------------------
def test_history_says_who_changed_which_article_when(editor, seed_articles):
    article = seed_articles[TRI_TON]
    change = f"/admin/archive/article/{article.pk}/change/"
    assert (
        editor.post(change, form_data(editor.get(change), "article_form", title="Tri Tôn: tiêu đề mới")).status_code
        == 302
    )
    entry = LogEntry.objects.get(object_id=str(article.pk))
    assert (entry.user.username, entry.object_repr) == ("bientap", "Tri Tôn: tiêu đề mới")
    assert "Tiêu đề" in entry.get_change_message() or "tiêu đề" in entry.get_change_message()
    history = editor.get(f"{change.removesuffix('change/')}history/").content.decode()
    assert "bientap" in history
    assert "Tri Tôn: tiêu đề mới" in editor.get("/admin/admin/logentry/").content.decode()


# --- validation ----------------------------------------------------------------------------------
def test_an_article_needs_a_title_and_a_body(editor):
    page = errors_of(
        editor.post("/admin/archive/article/add/", add_form(editor, title="  ", body="", status="published"))
    )
    assert "Bài viết cần có tiêu đề." in page and "Bài viết cần có nội dung." in page
    assert not Article.objects.exists()


def test_a_date_in_the_future_is_refused(editor):
    tomorrow = timezone.localtime() + datetime.timedelta(days=1)
    page = errors_of(
        editor.post(
            "/admin/archive/article/add/",
            add_form(
                editor,
                title="Bài từ tương lai",
                body="Nội dung.",
                status="published",
                published_at_0=tomorrow.strftime("%d/%m/%Y"),
                published_at_1="08:00",
            ),
        )
    )
    assert f"Ngày đăng {tomorrow:%d/%m/%Y} 08:00 ở tương lai" in page
    assert not Article.objects.filter(title="Bài từ tương lai").exists()


def test_a_bad_date_is_explained(editor):
    page = errors_of(
        editor.post(
            "/admin/archive/article/add/",
            add_form(
                editor,
                title="Bài ngày sai",
                body="Nội dung.",
                status="published",
                published_at_0="31/02/2021",
                published_at_1="08:00",
            ),
        )
    )
    assert "Bài ngày sai" in page and "Nhập một ngày hợp lệ." in page


def test_a_duplicate_original_url_is_refused(editor, seed_articles):
    url = "https://baodongkhoi.vn/bai-da-co"
    Article.objects.create(title="Bài đã có", body="Nội dung.", original_url=url)
    page = errors_of(
        editor.post(
            "/admin/archive/article/add/",
            add_form(editor, title="Bài trùng", body="Nội dung.", status="published", original_url=url),
        )
    )
    assert "Đã có bài viết với đường dẫn gốc này." in page


def test_a_change_saved_meanwhile_is_never_overwritten(editor, seed_articles):
    article = seed_articles[TRI_TON]
    change = f"/admin/archive/article/{article.pk}/change/"
    mine = form_data(editor.get(change), "article_form", title="Bản của tôi")
    other = signed_in(make_superuser("nguoikhac"))
    assert (
        other.post(change, form_data(other.get(change), "article_form", title="Bản của người khác")).status_code == 302
    )

    page = errors_of(editor.post(change, mine))
    assert "đã được nguoikhac lưu lúc" in page and 'value="Bản của tôi"' in page  # nothing typed is lost
    article.refresh_from_db()
    assert article.title == "Bản của người khác"
    assert editor.post(change, form_data(editor.get(change), "article_form", title="Bản của tôi")).status_code == 302


# --- bulk import ---------------------------------------------------------------------------------
@pytest.mark.needs_shared
def test_bulk_import_reports_what_it_created_skipped_and_rejected(editor, db, index_worker):
    from django.core.management import call_command

    call_command("loaddata", "sources", verbosity=0)
    seeds = sorted(SEEDS.glob("*.txt"))
    lines = [
        json.dumps(
            {"id": "x-1", "title": "Hội nghị Đảng bộ xã", "body": "Đảng bộ xã Phú Mỹ họp.", "lead": ""},
            ensure_ascii=False,
        ),
        "{không phải JSON",
        json.dumps({"id": "x-2", "title": "Trống"}),
    ]
    files = [SimpleUploadedFile(p.name, p.read_bytes()) for p in seeds[:2]]
    files.append(SimpleUploadedFile("loat-bai.jsonl.gz", gzip.compress("\n".join(lines).encode())))
    files.append(SimpleUploadedFile("hong.txt", b"\xff\xfe\x00 not text"))
    response = editor.post("/admin/archive/article/import/", {"files": files})
    page = response.content.decode()
    assert "Đã tạo 3 bài, bỏ qua 0 bài đã có, 3 lỗi." in page
    assert "loat-bai.jsonl.gz:2" in page and "loat-bai.jsonl.gz:3" in page and "hong.txt" in page
    assert "/tmp/" not in page
    assert LogEntry.objects.filter(user__username="bientap", change_message="Nhập hàng loạt").count() == 3

    again = editor.post(
        "/admin/archive/article/import/", {"files": [SimpleUploadedFile(seeds[0].name, seeds[0].read_bytes())]}
    )
    assert "Đã tạo 0 bài, bỏ qua 1 bài đã có, 0 lỗi." in again.content.decode()

    index_worker()
    results = editor.get("/api/search/", {"q": "hoi nghi dang bo xa"}).json()["results"]
    assert results[0]["title"] == "Hội nghị Đảng bộ xã"


def test_bulk_import_points_big_uploads_to_the_command(editor):
    big = SimpleUploadedFile("lon.jsonl", b"{}\n" * (7 * 1024 * 1024))
    page = errors_of(editor.post("/admin/archive/article/import/", {"files": [big]}))
    assert "Các tệp quá 20 MB" in page and "manage.py import_articles" in page


def test_an_article_deleted_while_being_edited_is_not_brought_back(editor, seed_articles):
    article = seed_articles[TRI_TON]
    change = f"/admin/archive/article/{article.pk}/change/"
    mine = form_data(editor.get(change), "article_form", title="Bản của tôi")
    Article.objects.filter(pk=article.pk).delete()
    response = editor.post(change, mine)
    assert response.status_code in (200, 302)
    assert not Article.objects.filter(pk=article.pk).exists()


def test_bulk_import_without_files_says_so(editor):
    page = errors_of(editor.post("/admin/archive/article/import/", {}))
    assert "Trường này là bắt buộc." in page
