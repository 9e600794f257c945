"""/healthz (config/health.py): the database, the search index on disk and the index worker's lag,
checked for real; 200 when all pass, 503 naming what failed."""

import datetime
import os
import shutil

import pytest
from django.conf import settings
from django.utils import timezone
from haystack import connections

from search.models import PendingChange


@pytest.fixture
def archive(seed_articles, indexed, index_worker):
    indexed()
    index_worker()  # nothing left pending
    return seed_articles


def test_a_healthy_archive_answers_200_with_what_it_checked(client, archive):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert "no-store" in response["Cache-Control"] and "max-age=0" in response["Cache-Control"]
    report = response.json()
    assert report["status"] == "ok" and report["failed"] == []
    checks = report["checks"]
    assert checks["database"] == {"ok": True}
    assert checks["search_index"] == {"ok": True, "documents": len(archive)}
    assert checks["index_worker"] == {"ok": True, "pending": 0, "lag_seconds": 0.0, "max_lag_seconds": 600}


def test_it_tells_no_secrets(client, archive):
    text = client.get("/healthz").content.decode()
    db_name = str(settings.DATABASES["default"]["NAME"])
    for secret in (settings.SECRET_KEY, db_name, settings.HAYSTACK_CONNECTIONS["default"]["PATH"]):
        assert secret not in text


def test_a_change_waiting_for_the_worker_is_reported_and_a_stale_one_fails(client, archive):
    change = PendingChange.objects.create(article_id=next(iter(archive.values())).pk)
    fresh = client.get("/healthz")
    assert fresh.status_code == 200
    worker = fresh.json()["checks"]["index_worker"]
    assert worker["pending"] == 1 and 0 <= worker["lag_seconds"] < 60

    PendingChange.objects.filter(pk=change.pk).update(recorded_at=timezone.now() - datetime.timedelta(hours=2))
    stale = client.get("/healthz")
    assert stale.status_code == 503
    report = stale.json()
    assert report["status"] == "failing" and report["failed"] == ["index_worker"]
    worker = report["checks"]["index_worker"]
    assert worker["ok"] is False and worker["pending"] == 1
    assert 7200 <= worker["lag_seconds"] < 7300
    assert "index_worker" in worker["error"]
    assert report["checks"]["search_index"]["ok"] and report["checks"]["database"]["ok"]


def test_an_index_that_cannot_be_opened_fails_the_check(client, archive, whoosh_index):
    assert client.get("/healthz").status_code == 200
    shutil.rmtree(os.path.realpath(whoosh_index))  # the folder the index path points at is gone
    response = client.get("/healthz")
    assert response.status_code == 503
    report = response.json()
    assert report["failed"] == ["search_index"]
    assert report["checks"]["search_index"]["ok"] is False
    assert report["checks"]["search_index"]["error"]  # the exception's class, nothing more

    connections.reload("default")  # a worker process that opens the index for the first time
    assert client.get("/healthz").json()["failed"] == ["search_index"]


def test_it_is_never_rate_limited(client, archive, settings, tmp_path):
    settings.CACHES = {
        **settings.CACHES,
        "limits": {"BACKEND": "config.limits.LockedFileCache", "LOCATION": str(tmp_path / "ratelimit")},
    }
    settings.SEARCH_RATE = "1/h"  # a window of an hour: a slow machine does not cross into the next
    assert client.get("/search/?q=đảng").status_code == 200
    assert client.get("/search/?q=đảng").status_code == 429
    for _ in range(5):
        assert client.get("/healthz").status_code == 200
