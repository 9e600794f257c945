"""Searching under load (config/limits.py): past a reader's rate HTTP 429, past the searches the
machine runs at once HTTP 503, both at once, with Retry-After and a reason; browse pages never."""

import multiprocessing
import os
import subprocess
import sys
import threading
import time

import pytest
from django.conf import settings

from config.limits import LockedFileCache, search_slot
from config.settings import env_rate

OTHER_READER = "203.0.113.7"  # a documentation address: no traffic goes anywhere, it is a test client


@pytest.fixture
def limits(settings, tmp_path, seed_articles, indexed):
    """The seed archive, indexed, with small limits kept in a temporary folder."""
    indexed()
    settings.CACHES = {
        **settings.CACHES,
        "limits": {"BACKEND": "config.limits.LockedFileCache", "LOCATION": str(tmp_path / "ratelimit")},
    }
    settings.SEARCH_SLOTS_DIR = tmp_path / "slots"
    settings.SEARCH_RATE = "3/h"  # windows of an hour: a slow machine does not cross into the next
    settings.SEARCH_CONCURRENCY = 2
    settings.SEARCH_WAIT = 0.2
    return settings


def test_a_reader_past_the_rate_is_refused_with_429_and_when_to_come_back(client, limits):
    for url in ("/search/?q=đại+hội", "/api/search/?q=đại+hội", "/search/?q=bí+thư"):  # page and API share one count
        assert client.get(url).status_code == 200

    page = client.get("/search/?q=nghị+quyết")
    assert page.status_code == 429
    assert page["Content-Type"].startswith("text/html")
    assert 1 <= int(page["Retry-After"]) <= 3600
    assert "no-store" in page["Cache-Control"]
    text = page.content.decode()
    assert "Quá nhiều lượt tìm kiếm" in text and f"Xin thử lại sau {page['Retry-After']} giây" in text
    assert "default-src 'self'" in page["Content-Security-Policy"]  # a page like any other

    api = client.get("/api/search/?q=nghị+quyết")
    assert api.status_code == 429
    body = api.json()
    assert body["retry_after"] == int(api["Retry-After"])
    assert body["error"].startswith("Bạn đã tìm kiếm quá nhiều lần")


def test_the_rate_is_per_reader_and_only_for_searches(client, limits):
    for _ in range(4):
        client.get("/search/?q=đảng")
    assert client.get("/search/?q=đảng").status_code == 429
    assert client.get("/search/?q=đảng", REMOTE_ADDR=OTHER_READER).status_code == 200
    assert client.get("/").status_code == 200  # browsing goes on
    assert client.get("/articles/").status_code == 200


def test_the_refusal_is_in_english_for_an_english_reader(client, limits):
    for _ in range(3):
        client.get("/api/search/?q=đảng")
    client.cookies["django_language"] = "en"  # chosen with the language switch
    page = client.get("/search/?q=đảng")
    assert page.status_code == 429
    assert "Too many searches" in page.content.decode()
    wait = int(page["Retry-After"])
    assert f"Try again in {wait} second" in page.content.decode()


def test_behind_a_proxy_readers_are_told_apart_by_the_header_it_sets(client, limits):
    limits.CLIENT_IP_HEADER = "X-Real-IP"
    for _ in range(3):
        assert client.get("/search/?q=đảng", HTTP_X_REAL_IP="198.51.100.1").status_code == 200
    assert client.get("/search/?q=đảng", HTTP_X_REAL_IP="198.51.100.1").status_code == 429
    assert client.get("/search/?q=đảng", HTTP_X_REAL_IP="198.51.100.2").status_code == 200
    # A header that is no address counts as the proxy's own address, not as a new reader each time.
    for _ in range(3):
        client.get("/search/?q=đảng", HTTP_X_REAL_IP="not an address")
    assert client.get("/search/?q=đảng", HTTP_X_REAL_IP="garbage").status_code == 429


def test_an_unusable_limits_cache_does_not_stop_searching(client, limits, tmp_path):
    (tmp_path / "a-file").write_text("")
    limits.CACHES = {
        **limits.CACHES,
        "limits": {"BACKEND": "config.limits.LockedFileCache", "LOCATION": str(tmp_path / "a-file" / "cache")},
    }
    for _ in range(5):
        assert client.get("/search/?q=đảng").status_code == 200


def count_in(folder, times):
    cache = LockedFileCache(folder, {})
    for _ in range(times):
        if not cache.add("reader", 1):
            cache.incr("reader")


@pytest.mark.slow  # processes at once
def test_the_count_is_exact_when_worker_processes_count_at_once(tmp_path):
    processes = [
        multiprocessing.get_context("fork").Process(target=count_in, args=(str(tmp_path), 100)) for _ in range(4)
    ]
    for process in processes:
        process.start()
    for process in processes:
        process.join(60)
    assert [p.exitcode for p in processes] == [0] * 4
    assert LockedFileCache(str(tmp_path), {}).get("reader") == 400


class Holder(threading.Thread):
    """Holds one search slot, as a running search does, until released."""

    def __init__(self, folder, size):
        super().__init__(daemon=True)
        self.folder, self.size = folder, size
        self.holding, self.release = threading.Event(), threading.Event()

    def run(self):
        with search_slot(self.folder, self.size, wait=5) as held:
            assert held
            self.holding.set()
            self.release.wait(30)


def hold_in_another_process(folder, size):
    """A process holding one slot (as another gunicorn worker would) until its stdin closes."""
    code = (
        "import sys; from pathlib import Path; from config.limits import search_slot\n"
        f"with search_slot(Path({str(folder)!r}), {size}, wait=5) as held:\n"
        "    print('held' if held else 'none', flush=True); sys.stdin.read()\n"
    )
    holder = subprocess.Popen(
        [sys.executable, "-c", code],
        cwd=settings.BASE_DIR,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings"},
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert holder.stdout.readline().strip() == "held"
    return holder


def test_past_the_searches_at_once_a_search_is_refused_quickly_with_503(client, limits):
    limits.SEARCH_RATE = None  # this reader searches more than 3 times
    here = Holder(limits.SEARCH_SLOTS_DIR, limits.SEARCH_CONCURRENCY)
    here.start()
    assert here.holding.wait(10)
    elsewhere = hold_in_another_process(limits.SEARCH_SLOTS_DIR, limits.SEARCH_CONCURRENCY)
    try:
        started = time.monotonic()
        page = client.get("/search/?q=đảng")
        waited = time.monotonic() - started
        assert page.status_code == 503
        assert limits.SEARCH_WAIT <= waited < 1.5  # waited its bounded time, then answered
        assert page["Retry-After"] == "2"
        assert "Máy chủ đang bận" in page.content.decode()
        api = client.get("/api/search/?q=đảng")
        assert api.status_code == 503 and api.json()["retry_after"] == 2
        assert client.get("/").status_code == 200  # browse pages are not held back

        here.release.set()  # a search ends: its slot serves the next one
        here.join(10)
        assert client.get("/search/?q=đảng").status_code == 200
    finally:
        here.release.set()
        elsewhere.stdin.close()
        elsewhere.wait(10)
    assert client.get("/search/?q=đảng").status_code == 200


def test_a_search_that_finds_a_slot_within_the_wait_is_served(client, limits):
    limits.SEARCH_CONCURRENCY, limits.SEARCH_WAIT = 1, 5
    holder = Holder(limits.SEARCH_SLOTS_DIR, 1)
    holder.start()
    assert holder.holding.wait(10)
    threading.Timer(0.3, holder.release.set).start()
    started = time.monotonic()
    assert client.get("/search/?q=đảng").status_code == 200
    assert 0.25 < time.monotonic() - started < 5


def test_searches_waiting_in_one_worker_get_the_slot_in_the_order_they_came(tmp_path):
    holder = Holder(tmp_path, 1)
    holder.start()
    assert holder.holding.wait(10)
    served: list[int] = []

    def search(number):
        with search_slot(tmp_path, 1, wait=10) as held:
            assert held
            served.append(number)
            time.sleep(0.02)

    waiting = [threading.Thread(target=search, args=(number,)) for number in range(6)]
    for thread in waiting:
        thread.start()
        time.sleep(0.05)  # each one in the line before the next comes
    holder.release.set()
    for thread in waiting:
        thread.join(10)
    assert served == list(range(6))


def test_the_rate_setting_is_checked_when_the_site_starts(monkeypatch):
    monkeypatch.setenv("SEARCH_RATE", "300/h")
    assert env_rate("SEARCH_RATE", "30/m") == "300/h"
    monkeypatch.setenv("SEARCH_RATE", "off")
    assert env_rate("SEARCH_RATE", "30/m") is None
    monkeypatch.setenv("SEARCH_RATE", "thirty a minute")
    with pytest.raises(Exception, match="expected a rate"):
        env_rate("SEARCH_RATE", "30/m")
