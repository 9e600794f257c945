"""Export speed and memory: how long /api/search/export.<format> takes to stream the whole of a
search of about EXPORT_LIMIT (10,000) articles of the shared corpus, and the peak of Python's
allocations while it does, for a tenth and a half of that too (flat memory: the peak must not
grow with the rows), and the process's largest resident size so far after each.

    .venv/bin/python bench/export_speed.py --data-dir /tmp/export-bench/12k --limit 12000

Times are measured without tracing; the peak of Python's allocations in a second pass under
tracemalloc (tracing slows it down, so it is not timed).
"""

import resource
import time
import tracemalloc

import common


def extend(parser):
    parser.add_argument("--formats", default="csv,jsonl,ris,bib", help="comma-separated extensions")


# Searches of the first 12,000 articles of the corpus (undated, so no date range) finding about
# a tenth, a half and all of EXPORT_LIMIT: 864, 5,966 and 9,746 articles, in relevance order.
SEARCHES = [{"q": "-của"}, {"q": "nhân dân"}, {"q": "các"}]


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
    print("format  search      rows     first byte  total    rows/s   size       peak (tracemalloc)  max RSS so far")
    for extension in args.formats.split(","):
        client.get(f"/api/search/export.{extension}", {"q": "-của"})  # warm the searcher up
        for params in SEARCHES:
            first, total, size, count = stream(client, extension, params)
            top = peak(client, extension, params)
            rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
            print(
                f"{extension:6}  {params['q']:10}  {count:6,}   {first * 1000:7.0f} ms  {total:6.1f} s"
                f"  {count / total:6.0f}   {size / 1e6:6.1f} MB  {top / 1e6:6.1f} MB  {rss:6.0f} MB",
                flush=True,
            )


if __name__ == "__main__":
    main()
