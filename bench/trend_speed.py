"""Trend-view time: /search/trend/ for three queries (the page, rendered, through Django's test
client, debugging off), per year or per month, cold (the first request of the process) and warm
(the median of the next ones). Reads the archive only: the index is never written.

    .venv/bin/python bench/trend_speed.py --data-dir /work/bench/full              # per year, whole corpus
    .venv/bin/python bench/trend_speed.py --data-dir DIR --by month

The shared corpus has no dates, so its counts sit beside the chart (undated) and the time is that
of the three searches and the totals over every article. To see months drawn, give a copy dates
(--spread-dates writes random dates from 2010 to 2025 into the copy's database: never on an
archive others use), then rebuild that copy's index:

    cp -a /work/bench/s5000 /work/bench/trend5k
    .venv/bin/python bench/trend_speed.py --data-dir /work/bench/trend5k --spread-dates
    ARCHIVE_DATA_DIR=/work/bench/trend5k .venv/bin/python manage.py rebuild_index --noinput
    .venv/bin/python bench/trend_speed.py --data-dir /work/bench/trend5k --by month
"""

import argparse
import statistics
import time
from pathlib import Path

import common

QUERIES = ["xây dựng Đảng", "chuyển đổi số", "đại hội"]


def spread_dates():
    import datetime
    import random

    from archive.models import Article

    rng = random.Random(16)
    start = datetime.datetime(2010, 1, 1, tzinfo=datetime.UTC)
    span = int((datetime.datetime(2025, 12, 31, tzinfo=datetime.UTC) - start).total_seconds())
    articles = list(Article.objects.only("pk"))
    for article in articles:
        article.published_at = start + datetime.timedelta(seconds=rng.randrange(span))
    Article.objects.bulk_update(articles, ["published_at"], batch_size=1000)
    print(f"{len(articles):,} articles dated from 2010 to 2025; now rebuild this archive's index.")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data-dir", required=True, type=Path)
    parser.add_argument("--by", choices=["year", "month"], default="year")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--spread-dates", action="store_true", help="give the copy's articles random dates, then stop")
    args = parser.parse_args()
    common.setup_django(args.data_dir)
    if args.spread_dates:
        spread_dates()
        return
    from django.conf import settings
    from django.test import Client

    # Static files by their plain names: the archive's collected manifest may predate this page's stylesheet.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }

    from search import query

    client = Client()
    params = {"q": QUERIES, "by": args.by}
    times = []
    for _ in range(args.repeat + 1):
        started = time.perf_counter()
        response = client.get("/search/trend/", params)
        times.append(time.perf_counter() - started)
        assert response.status_code == 200, response.content[:500]
    from search.plan import SearchRequest

    documents = query.engine().execute(SearchRequest(limit=0)).count
    html = response.content.decode()
    print(f"{documents:,} articles in the index; 3 queries {QUERIES}, by {args.by}")
    bars = html.count('class="bar-link"')
    print(f"bars drawn: {bars}")
    print(f"cold: {times[0]:.2f} s; warm median of {args.repeat}: {statistics.median(times[1:]):.3f} s")


if __name__ == "__main__":
    main()
