"""Search speed at the corpus's full size: index build rate, and warm query latency (p50, p95)
of the search page and the JSON API, beside a plain SQLite FTS5 index of the same articles.

    .venv/bin/python bench/search_speed.py                  # import + rebuild into a temporary archive
    .venv/bin/python bench/search_speed.py --data-dir DIR   # reuse an archive (no build figure then)
"""

import statistics
import time

import common


def percentiles(seconds):
    ms = sorted(s * 1000 for s in seconds)
    return statistics.median(ms), ms[min(len(ms) - 1, round(0.95 * (len(ms) - 1)))]


def main():
    args = common.arguments(__doc__, queries=100)
    build_seconds = common.prepare(args)
    from django.test import Client

    from archive.models import Article

    articles = list(Article.objects.filter(status="published").values_list("pk", "title", "body"))
    if build_seconds:
        print(
            f"index build: {len(articles):,} articles in {build_seconds:.0f} s = "
            f"{len(articles) / build_seconds:.0f} articles/s ({args.workers} workers)"
        )
    items = common.known_items(articles, args.queries, args.seed)
    queries = [text for _pk, phrase in items for text in (phrase, common.variants(phrase)["no diacritics"])]
    queries += ["xây dựng Đảng", "xay dung dang", '"nhiệm kỳ 2020 - 2025"', "Bí thư Tỉnh ủy", "đại hội -thể thao"]
    client = Client()

    def timed(url, **extra):
        for q in queries[:10]:  # warm caches and the searcher
            client.get(url, {"q": q, **extra})
        seconds = []
        for q in queries:
            started = time.perf_counter()
            response = client.get(url, {"q": q, **extra})
            seconds.append(time.perf_counter() - started)
            assert response.status_code == 200, (url, q, response.status_code)
        return percentiles(seconds)

    fts = common.fts5_index(articles)
    fts_seconds = []
    for q in queries:
        started = time.perf_counter()
        common.fts5_search(fts, q, limit=20)
        fts_seconds.append(time.perf_counter() - started)

    print(f"{len(queries)} queries over {len(articles):,} articles, warm, one process:")
    for name, (p50, p95) in [
        ("search page /search/", timed("/search/")),
        ("API /api/search/", timed("/api/search/")),
        ("API sorted newest", timed("/api/search/", sort="newest")),
        ("FTS5 baseline (top 20 ids only)", percentiles(fts_seconds)),
    ]:
        print(f"  {name:<34} p50 {p50:7.1f} ms   p95 {p95:7.1f} ms")


if __name__ == "__main__":
    main()
