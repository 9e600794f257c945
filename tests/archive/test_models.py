"""Text is stored in one normal form whoever saves it: the admin (a browser posts "\r\n"), the
importer's bulk_create, update(), the shell; and rows stored before that are migrated to it."""

import importlib

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import connection

from archive.models import Article, Official, Source, Term
from search.models import PendingChange
from tests.factories import make_superuser, signed_in
from tests.forms import form_data

pytestmark = pytest.mark.django_db

TYPED = "Ðảng bộ xã họp.  \r\n\r\n\r\n  Chi bộ ấp \u00a0bàn việc.\r\nCả ấp đồng tình. \r\n"
STORED = "Đảng bộ xã họp.\n\nChi bộ ấp bàn việc.\nCả ấp đồng tình."


def test_the_shell_stores_text_normalised_and_the_instance_follows():
    article = Article.objects.create(title="  Ðại hội\u00a0 chi bộ ", body=TYPED, captions="Ảnh 1\r\nẢnh 2\r\n")
    assert (article.title, article.body, article.captions) == ("Đại hội chi bộ", STORED, "Ảnh 1\nẢnh 2")
    article.refresh_from_db()
    assert (article.title, article.body) == ("Đại hội chi bộ", STORED)
    assert [text for _, text in article.blocks] == ["Đảng bộ xã họp.", "Chi bộ ấp bàn việc.\nCả ấp đồng tình."]


def test_bulk_create_and_update_store_it_too():
    [article] = Article.objects.bulk_create([Article(title="Tin", body=TYPED)])
    assert Article.objects.get(pk=article.pk).body == STORED
    Article.objects.filter(pk=article.pk).update(lead="Sa pô\r\n\r\nhai đoạn", author="ÐÀO LAN ")
    article.refresh_from_db()
    assert (article.lead, article.author) == ("Sa pô\n\nhai đoạn", "ĐÀO LAN")


def test_uniqueness_is_checked_on_the_normal_form():
    Source.objects.create(name="Báo Đồng Khởi")
    duplicate = Source(name="Báo Ðồng Khởi ")
    with pytest.raises(ValidationError) as refused:
        duplicate.full_clean()
    assert list(refused.value.message_dict) == ["name"]


def test_two_paragraphs_typed_in_the_admin_are_two_paragraphs_on_the_page(client):
    signed_in(make_superuser(), client)
    data = form_data(client.get("/admin/archive/article/add/"), "article_form", title="Chi bộ họp", body=TYPED)
    assert client.post("/admin/archive/article/add/", data).status_code == 302
    article = Article.objects.get(title="Chi bộ họp")
    assert article.body == STORED
    page = client.get(article.get_absolute_url()).content.decode()
    assert "<p>Đảng bộ xã họp.</p>" in page and "<p>Chi bộ ấp bàn việc.\nCả ấp đồng tình.</p>" in page


def test_the_migration_normalises_rows_stored_before_and_tells_the_index():
    article = Article.objects.create(title="Tin cũ", body="x")
    official = Official.objects.create(name="Trần Văn A")
    Article.objects.create(title="Tin đã chuẩn", body="Một đoạn.")  # already in the normal form: left alone
    with connection.cursor() as cursor:  # as an old admin save left them, bypassing today's fields
        old: list[str | int] = [TYPED, "Tin cũ ", article.pk]
        cursor.execute("UPDATE archive_article SET body = %s, title = %s WHERE id = %s", old)
        cursor.execute("UPDATE archive_official SET name = %s WHERE id = %s", ["Trần Văn Ð ", official.pk])
    PendingChange.objects.all().delete()

    migration = importlib.import_module("archive.migrations.0007_normalise_stored_text")
    migration.normalise_stored_text(apps, connection.schema_editor())

    article.refresh_from_db()
    official.refresh_from_db()
    assert (article.title, article.body, official.name) == ("Tin cũ", STORED, "Trần Văn Đ")
    assert list(PendingChange.objects.values_list("article_id", flat=True)) == [article.pk]


def test_the_searchable_text_is_one_part_a_line_title_first_byline_for_the_index():
    article = Article(title="Tiêu đề", lead="Sa pô.", body="Đoạn 1.\n\nĐoạn 2.", captions="Ảnh 1", author="Hữu Chí")
    assert article.search_text() == "Tiêu đề\nSa pô.\nĐoạn 1.\n\nĐoạn 2.\nẢnh 1"
    assert article.search_text(byline=True) == "Tiêu đề\nSa pô.\nĐoạn 1.\n\nĐoạn 2.\nẢnh 1\nHữu Chí"


def test_a_terms_key_has_a_hyphen_where_its_name_has_a_dash():
    term = Term(start_year=2020, end_year=2025)
    assert (term.key, str(term)) == ("2020-2025", "2020–2025")
