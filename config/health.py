"""/healthz, for monitoring: is the database reachable, does the search index open and answer,
and is the index worker keeping up (the age of the oldest pending index change, and how many).

JSON, never cached, no secrets (a failed check names the exception's class, and the log has the
rest): HTTP 200 when every check passes, 503 naming the ones that failed.
"""

import logging

from django.conf import settings
from django.db import connection
from django.http import JsonResponse
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.views.decorators.http import require_GET
from haystack.query import SearchQuerySet

from search.models import PendingChange

log = logging.getLogger(__name__)


# Each check returns what it found; it fails by raising, or by saying "ok": False and why ("error").
def database():
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return {}


def search_index():
    """A trivial search through haystack, whatever the engine: it opens the index as it is now."""
    return {"documents": SearchQuerySet().count()}


def index_worker():
    oldest = PendingChange.objects.order_by("recorded_at").values_list("recorded_at", flat=True).first()
    lag = (timezone.now() - oldest).total_seconds() if oldest else 0.0
    report: dict[str, object] = {
        "ok": lag <= settings.INDEX_MAX_LAG,
        "pending": PendingChange.objects.count(),
        "lag_seconds": round(max(lag, 0.0), 1),
        "max_lag_seconds": settings.INDEX_MAX_LAG,
    }
    if not report["ok"]:
        report["error"] = "the oldest pending change waited longer than INDEX_MAX_LAG: is index_worker running?"
    return report


CHECKS = {"database": database, "search_index": search_index, "index_worker": index_worker}


def run_checks() -> dict:
    results = {}
    for name, check in CHECKS.items():
        try:
            results[name] = {"ok": True, **check()}
        except Exception as exc:  # any failure is the answer to "is it healthy?", not a 500
            log.warning("health check %s failed", name, exc_info=True)
            results[name] = {"ok": False, "error": type(exc).__name__}
    failed = [name for name, result in results.items() if not result["ok"]]
    return {"status": "failing" if failed else "ok", "failed": failed, "checks": results}


@require_GET
def healthz(request):
    report = run_checks()
    response = JsonResponse(report, status=503 if report["failed"] else 200)
    add_never_cache_headers(response)
    return response
