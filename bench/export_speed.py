"""Export speed and memory: how long /api/search/export.<format> takes to stream the whole of a
search of about EXPORT_LIMIT (10,000) articles of the shared corpus, and the peak of Python's
allocations while it does, for a tenth and a half of that too (flat memory: the peak must not
grow with the rows).

    .venv/bin/python bench/export_speed.py --data-dir /tmp/export-bench/12k --limit 12000

The search is every article up to a day (`to=`, `sort=oldest`) chosen so that it finds at most
EXPORT_LIMIT. Times are measured without tracing; the peak in a second pass under tracemalloc.
"""

import datetime
import time
import tracemalloc

import common


def extend(parser):
    parser.add_argument("--formats", default="csv,jsonl,ris,bib", help="comma-separated extensions")


def search_up_to(rows):
    """Parameters of a search finding at most `rows` articles, as many as it can: the oldest up to a day."""
    from django.utils import timezone

    from archive.models import Article

    dated = Article.objects.filter(status=Article.Status.PUBLISHED).exclude(published_at=None).order_by("published_at")
    dates = [timezone.localtime(d).date() for d in dated.values_list("published_at", flat=True)]
    if len(dates) <= rows:
        return {"to": dates[-1].isoformat(), "sort": "oldest"}
    day = dates[rows] - datetime.timedelta(days=1)  # the day before the first article past `rows`
    return {"to": day.isoformat(), "sort": "oldest"}


def stream(client, extension, params):
    """(seconds to the first chunk, seconds in all, bytes, rows counted) of one export, read and dropped."""
    started = time.perf_counter()
    response = client.get(f"/api/search/export.{extension}", params)
    assert response.status_code == 200, response.content
    first, size = None, 0
    for chunk in response.streaming_content:
        if first is None:
            first = time.perf_counter() - started
        size += len(chunk)
    return first, time.perf_counter() - started, size, int(response["X-Result-Count"])


def peak(client, extension, params):
    """The peak of Python's allocations (bytes) while one export streams."""
    tracemalloc.start()
    tracemalloc.reset_peak()
    before = tracemalloc.get_traced_memory()[0]
    stream(client, extension, params)
    _now, top = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return top - before


def main():
    args = common.arguments(__doc__, extend, limit=12000)
    common.prepare(args)
    from django.conf import settings
    from django.test import Client

    client = Client()
    cap = settings.EXPORT_LIMIT
    print(f"# EXPORT_LIMIT {cap:,}")
    print("format  rows     first byte  total    rows/s   size       peak (tracemalloc)")
    for extension in args.formats.split(","):
        client.get(f"/api/search/export.{extension}", {"q": "đảng", "to": "2000-01-01"})  # warm the searcher
        for rows in (cap // 10, cap // 2, cap):
            params = search_up_to(rows)
            first, total, size, count = stream(client, extension, params)
            top = peak(client, extension, params)
            print(
                f"{extension:6}  {count:6,}   {first * 1000:7.0f} ms  {total:6.1f} s  {count / total:6.0f}"
                f"   {size / 1e6:6.1f} MB  {top / 1e6:6.1f} MB",
                flush=True,
            )


if __name__ == "__main__":
    main()
