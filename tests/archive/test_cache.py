"""The browse pages: what they keep is dropped by every change, in this process or another, and
the SQL queries of a page do not grow with the archive."""

import datetime
import os
import subprocess
import sys
import threading
from pathlib import Path
from unittest import mock

import pytest
from django.conf import settings
from django.core.cache.backends.filebased import FileBasedCache
from django.db import connection
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from archive import cache
from archive.models import Article, ArticleLocality, ArticleOfficial, ArticleTerm, Locality, Official, Term
from tests.factories import make_editor, signed_in

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]


def text_of(response):
    return response.content.decode()


@pytest.fixture
def place(db):
    """A district of Bến Tre, a term and an official, each named by two articles (one undated)."""
    district = Locality.objects.get(kind="district", short_name="Mỏ Cày Bắc")
    term = Term.objects.create(start_year=2020, end_year=2025)
    official = Official.objects.create(name="Trần Thị Sol")
    add_articles(2, district, term, official)
    return district, term, official


def add_articles(count, district, term, official):
    """`count` published articles naming `district`, a commune of it, `term` and `official`."""
    communes = list(Locality.objects.filter(kind="commune", district=district)[:5])
    start = Article.objects.count()
    for i in range(start, start + count):
        article = Article.objects.create(
            title=f"Bài số {i}",
            body="x",
            published_at=None if i % 2 else f"20{10 + i % 15}-03-0{1 + i % 9}T08:00:00Z",
        )
        ArticleLocality.objects.create(article=article, locality=district)
        ArticleLocality.objects.create(article=article, locality=communes[i % len(communes)])
        ArticleTerm.objects.create(article=article, term=term)
        ArticleOfficial.objects.create(article=article, official=official)


def pages(district, term, official):
    return [
        "/",
        "/articles/",
        "/provinces/",
        "/provinces/ben-tre/",
        "/provinces/2025/vinh-long/",
        district.get_absolute_url(),
        f"{district.get_absolute_url()}?year=undated",
        "/years/",
        "/years/undated/",
        "/years/2012/",
        "/terms/",
        term.get_absolute_url(),
        "/officials/",
        official.get_absolute_url(),
        Article.objects.first().get_absolute_url(),
    ]


def queries_of(client, url):
    """(queries of the first request after a change, of the same page at another address, which is
    rendered again from the counts kept). The same address again is sent whole: no query at all."""
    counts = []
    for address in (url, f"{url}{'&' if '?' in url else '?'}utm_source=x", url):
        with CaptureQueriesContext(connection) as queries:
            assert client.get(address).status_code == 200, address
        counts.append(len(queries))
    assert counts[2] == 0, url
    return tuple(counts[:2])


def test_a_page_makes_as_many_queries_with_50_articles_as_with_5(client, place, whoosh_index):
    add_articles(3, *place)
    urls = pages(*place)
    with_5 = {url: queries_of(client, url) for url in urls}
    add_articles(45, *place)
    Article.objects.first().save()  # the pages start again from nothing kept
    with_50 = {url: queries_of(client, url) for url in urls}
    assert with_50 == with_5
    for url, (first, kept) in with_50.items():
        assert first <= 10 and kept <= 6, (url, first, kept)


def test_counts_kept_by_the_pages_follow_every_change(client, place):
    district, term, official = place

    def counts():
        years = text_of(client.get("/years/"))
        provinces = text_of(client.get("/provinces/"))
        return (
            years.count('class="n"'),
            '<a href="/years/undated/">Không rõ ngày</a> <span class="n">1</span>' in years,
            '">Tỉnh Bến Tre</a> <span class="n">2</span>' in provinces,
            f'">Nhiệm kỳ {term}</a> <span class="n">2</span>' in text_of(client.get("/terms/")),
            f'">{official.name}</a> <span class="n">2</span>' in text_of(client.get("/officials/")),
        )

    assert counts() == (2, True, True, True, True)
    article = Article.objects.filter(published_at=None).first()
    article.status = Article.Status.DRAFT
    article.save()  # as the admin saves it
    assert counts() == (1, False, False, False, False)

    article.status = Article.Status.PUBLISHED
    article.save()
    ArticleLocality.objects.filter(article=article).delete()  # a link removed in bulk
    provinces = text_of(client.get("/provinces/"))
    assert '">Tỉnh Bến Tre</a> <span class="n">1</span>' in provinces
    article.localities.add(district)  # a link added without saving a link row
    assert '">Tỉnh Bến Tre</a> <span class="n">2</span>' in text_of(client.get("/provinces/"))

    official.name = "Trần Thị Sol Mới"
    official.save()
    assert "Trần Thị Sol Mới" in text_of(client.get("/officials/"))
    Article.objects.get(pk=article.pk).delete()
    assert '<span class="n">1</span>' in text_of(client.get("/terms/"))


def test_a_change_in_another_process_is_seen_at_once(client, place, data_folder):
    """gunicorn's workers are processes: what one keeps, a save in another drops."""
    assert '">Tỉnh Bến Tre</a> <span class="n">2</span>' in text_of(client.get("/provinces/"))
    Article.objects.update(status=Article.Status.DRAFT)  # sends no signal: the counts kept here are stale
    assert '">Tỉnh Bến Tre</a> <span class="n">2</span>' in text_of(client.get("/provinces/"))

    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings", "ARCHIVE_DATA_DIR": str(data_folder)}
    other = "import django; django.setup(); from archive import cache; cache.invalidate()"
    subprocess.run([sys.executable, "-c", other], cwd=ROOT, env=env, check=True, timeout=60)
    assert '">Tỉnh Bến Tre</a> <span class="n">0</span>' in text_of(client.get("/provinces/"))


def test_an_article_page_makes_as_many_queries_whatever_units_it_names(client, db, whoosh_index):
    plain = Article.objects.create(title="Bài không nêu địa phương", body="x")
    named = Article.objects.create(title="Bài nêu năm xã", body="x")
    for commune in Locality.objects.filter(kind="commune", district__short_name="Mỏ Cày Bắc")[:5]:
        ArticleLocality.objects.create(article=named, locality=commune)
    assert queries_of(client, named.get_absolute_url()) == queries_of(client, plain.get_absolute_url())
    assert 'href="/provinces/ben-tre/mo-cay-bac/"' in text_of(client.get(named.get_absolute_url()))  # its district


def test_what_a_page_kept_before_the_save_committed_is_dropped_at_commit(
    client, place, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        Article.objects.first().save()  # an editor's save, not committed yet
        assert '">Không rõ ngày</a> <span class="n">1</span>' in text_of(client.get("/years/"))  # built meanwhile
        Article.objects.update(published_at=None)  # the database as the commit leaves it
        assert '">Không rõ ngày</a> <span class="n">1</span>' in text_of(client.get("/years/"))
    assert '">Không rõ ngày</a> <span class="n">2</span>' in text_of(client.get("/years/"))


# --- whole pages (archive.cache.WholePagesMiddleware) ------------------------------------------
def test_a_browse_page_is_sent_whole_until_the_next_save(client, place):
    official = place[2]
    url = official.get_absolute_url()
    first = client.get(url)
    with CaptureQueriesContext(connection) as queries:
        again = client.get(url)
    assert len(queries) == 0 and again.content == first.content
    assert again["Content-Type"] == first["Content-Type"] and again["Content-Language"] == "vi"
    assert again["Content-Security-Policy"] == first["Content-Security-Policy"]
    assert not first.cookies and not again.cookies  # nothing of one reader's in a page every reader gets

    Official.objects.filter(pk=official.pk).update(name="Tên đổi không qua tín hiệu")  # no save: kept as it was
    assert "Trần Thị Sol" in text_of(client.get(url))
    official.name = "Trần Thị Sol Mới"
    official.save()  # an editor's save: seen at once
    assert "Trần Thị Sol Mới" in text_of(client.get(url))


def test_a_signed_in_editor_is_never_sent_a_kept_page_nor_leaves_one(client, place):
    official = place[2]
    url = official.get_absolute_url()
    editor = signed_in(make_editor(), Client())
    signed = text_of(editor.get(url))  # first: had it been kept, readers would get the editor's menu
    assert "Đăng xuất" in signed and "csrfmiddlewaretoken" in signed
    reader = text_of(client.get(url))
    assert "Đăng xuất" not in reader and "csrfmiddlewaretoken" not in reader

    Official.objects.filter(pk=official.pk).update(name="Tên đổi không qua tín hiệu")
    assert "Tên đổi không qua tín hiệu" not in text_of(client.get(url))  # the reader: the page kept
    with CaptureQueriesContext(connection) as queries:
        assert "Tên đổi không qua tín hiệu" in text_of(editor.get(url))  # the editor: rendered afresh
    assert len(queries) > 0


def test_each_language_has_its_own_kept_page(client, place):
    english = Client()
    english.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    for _ in range(2):  # rendered, then kept
        assert '<html lang="vi">' in text_of(client.get("/provinces/"))
        page = english.get("/provinces/")
        assert '<html lang="en">' in text_of(page) and page["Content-Language"] == "en"


def test_only_browse_pages_for_everyone_are_kept(client, rf, place):
    """Searches follow the index, not the saves; a 404 is not kept either (an article published
    behind Django's back is found at once)."""
    assert cache._page_key(rf.get("/provinces/")) is not None
    assert cache._page_key(rf.get("/search/", {"q": "Bài"})) is None
    assert cache._page_key(rf.get("/accounts/login/")) is None
    assert cache._page_key(rf.post("/provinces/")) is None
    assert cache._page_key(rf.get("/nowhere/")) is None
    assert cache._page_key(rf.get("/provinces/", HTTP_COOKIE=f"{settings.SESSION_COOKIE_NAME}=x")) is None
    assert cache._page_key(rf.get("/provinces/", HTTP_COOKIE="messages=x")) is None  # a message waiting
    draft = Article.objects.create(title="Bài chưa đăng", body="x", status=Article.Status.DRAFT)
    assert client.get(draft.get_absolute_url()).status_code == 404
    Article.objects.filter(pk=draft.pk).update(status=Article.Status.PUBLISHED)
    assert client.get(draft.get_absolute_url()).status_code == 200


def test_a_page_kept_for_one_address_or_day_is_not_sent_for_another(client, place):
    """An article page names itself and the day it is read (its citation): over HTTPS, under
    another host name or on the next day, it is another page."""
    article = Article.objects.first()
    url, cited = article.get_absolute_url(), f"/articles/{article.pk}/"
    assert f"http://testserver{cited}" in text_of(client.get(url))
    assert f"https://testserver{cited}" in text_of(client.get(url, secure=True))
    with override_settings(ALLOWED_HOSTS=["testserver", "archive.example.vn"]):
        assert f"http://archive.example.vn{cited}" in text_of(client.get(url, HTTP_HOST="archive.example.vn"))
    today = timezone.localdate()
    assert f"truy cập ngày {today:%d/%m/%Y}" in text_of(client.get(url))
    tomorrow = today + datetime.timedelta(days=1)
    with mock.patch("django.utils.timezone.localdate", return_value=tomorrow):
        assert f"truy cập ngày {tomorrow:%d/%m/%Y}" in text_of(client.get(url))


@pytest.mark.parametrize("every", [None, 7])
def test_the_pages_cache_stays_bounded_though_it_looks_only_now_and_then(tmp_path, every):
    options = {"MAX_ENTRIES": 300} if every is None else {"MAX_ENTRIES": 300, "CULL_EVERY": every}
    kept = cache.PagesFileCache(str(tmp_path), {"OPTIONS": options})
    for number in range(800):
        kept.set(f"page-{number}", "x")
        with cache.CULLING:  # a look that found the folder full has dropped what it drops
            pass
        # Past MAX_ENTRIES by at most the sets between two looks (the set that looks writes after it)
        assert len(list(tmp_path.glob("*.djcache"))) <= 300 + (every or cache.CULL_EVERY) + 1
    assert len(list(tmp_path.glob("*.djcache"))) > 100
    kept.set("after", "x")  # a set that does not look (801 is no multiple of 100 nor 7); a cull may
    assert kept.get("after") == "x"  # drop the page set as it started, as it drops any other


def test_a_full_folder_is_culled_in_a_thread_while_the_page_goes_on(tmp_path, monkeypatch):
    started, done, culls = threading.Event(), threading.Event(), []

    def slow_cull(self):  # a thousand files dropped from a busy disk
        culls.append(self)
        started.set()
        done.wait(10)

    monkeypatch.setattr(FileBasedCache, "_cull", slow_cull)
    kept = cache.PagesFileCache(str(tmp_path), {"OPTIONS": {"MAX_ENTRIES": 1, "CULL_EVERY": 1}})
    kept.set("page", "x")
    assert started.wait(10) and cache.CULLING.locked()  # still culling, and the page is kept already
    assert kept.get("page") == "x"
    kept.set("other", "y")
    done.set()
    with cache.CULLING:
        pass
    assert len(culls) == 1  # none other while one ran in this process


# --- what a process keeps for itself (archive.cache.remembered_each, remembered_here) ---
def test_each_key_is_computed_once_per_generation_whatever_keys_it_comes_with(db):
    asked = []

    def labels(keys):
        asked.append(sorted(keys))
        return {key: key.upper() for key in keys if key != "unknown"}

    assert cache.remembered_each("labels", ["a", "b"], labels) == {"a": "A", "b": "B"}
    assert cache.remembered_each("labels", ["b", "c", "unknown"], labels) == {"b": "B", "c": "C"}
    assert cache.remembered_each("labels", ["unknown", "a", "c"], labels) == {"a": "A", "c": "C"}
    assert asked == [["a", "b"], ["c", "unknown"]]  # a key found nothing for is not asked again
    cache.invalidate()  # a save, here or in another process
    assert cache.remembered_each("labels", ["a"], labels) == {"a": "A"}
    assert asked[-1] == ["a"]


def test_a_value_kept_in_the_process_follows_a_save_in_another(db, data_folder):
    names = ["Trần Thị Sol"]
    assert cache.remembered_here("names", lambda: frozenset(names)) == {"Trần Thị Sol"}
    names.append("Nguyễn Văn A")
    assert cache.remembered_here("names", lambda: frozenset(names)) == {"Trần Thị Sol"}  # kept
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings", "ARCHIVE_DATA_DIR": str(data_folder)}
    other = "import django; django.setup(); from archive import cache; cache.invalidate()"
    subprocess.run([sys.executable, "-c", other], cwd=ROOT, env=env, check=True, timeout=60)
    assert cache.remembered_here("names", lambda: frozenset(names)) == {"Trần Thị Sol", "Nguyễn Văn A"}
