"""Browse speed (issue 11): time and SQL queries of each kind of public page, in process.

Builds (or reuses, with --data-dir) an archive of the first --limit corpus articles, then asks for
each page with Django's test client, debugging off: --repeat warm requests give the median and
95th percentile (the page as kept whole for readers not signed in: archive.cache); "rendered" the
same with an address of its own each time (an unused parameter), so the page is rendered from the
counts and lists kept, as for the first reader of each page after a save; "after save" is the first
request after an article was saved (whatever the pages keep is stale then); "queries" are the SQL
queries of one warm request and of that first one.

    .venv/bin/python bench/browse_speed.py --limit 5000 --data-dir var/bench-5000
    .venv/bin/python bench/browse_speed.py --data-dir var/bench-full      # the whole corpus
"""

import statistics
import time

import common


def page_addresses():
    """(label, [url, ...]) for each kind of page, with the places and people most written about."""
    from django.db.models import Count

    from archive.models import Article, ArticleOfficial, Locality, Official, Term

    published = Article.objects.filter(status=Article.Status.PUBLISHED)

    def busiest(field, **unit):
        row = (
            published.filter(**{f"localities__{field}__{k}": v for k, v in {"isnull": False, **unit}.items()})
            .values(f"localities__{field}")
            .annotate(n=Count("pk", distinct=True))
            .order_by("-n")
            .first()
        )
        return Locality.objects.select_related("province").get(pk=row[f"localities__{field}"]).get_absolute_url()

    pages = -(-published.count() // 20)  # the last page
    named = ArticleOfficial.objects.values("official").annotate(n=Count("pk")).order_by("-n").first()
    official = named and Official.objects.get(pk=named["official"])
    term = Term.objects.annotate(n=Count("articles")).order_by("-n").first()
    articles = list(published.order_by("?")[:20])
    return [
        ("home", ["/"]),
        ("/articles/", ["/articles/"]),
        (f"/articles/?page={min(500, pages)}", [f"/articles/?page={min(500, pages)}"]),
        ("/provinces/", ["/provinces/"]),
        ("big province", [busiest("province", era="legacy")]),
        ("district", [busiest("district")]),
        ("2025 province", [busiest("current_province")]),
        ("/years/", ["/years/"]),
        ("undated", ["/years/undated/"]),
        ("/terms/", ["/terms/"]),
        ("term", [term.get_absolute_url()] if term else []),
        ("/officials/", ["/officials/"]),
        ("official", [official.get_absolute_url()] if official else []),
        ("article", [a.get_absolute_url() for a in articles]),
    ]


def p95_of(times):
    return statistics.quantiles(times, n=20)[18] if len(times) > 1 else times[0]


def timed(client, url):
    started = time.perf_counter()
    response = client.get(url, follow=True)
    return (time.perf_counter() - started) * 1000, response.status_code


def main():
    args = common.arguments(__doc__, extend=lambda p: p.add_argument("--repeat", type=int, default=30))
    common.prepare(args)
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from archive.models import Article

    call_command("collectstatic", interactive=False, verbosity=0)  # pages name the hashed files, as deployed
    client = Client()
    some_article = Article.objects.order_by("pk").first()
    print(f"{Article.objects.count():,} articles; {args.repeat} warm requests per page, milliseconds")
    print(f"{'page':<22}{'p50':>8}{'p95':>8}{'rendered p50':>14}{'p95':>8}{'after save':>12}{'queries':>10}")
    for label, urls in page_addresses():
        if not urls:
            continue
        some_article.save()  # what the pages keep is stale now
        with CaptureQueriesContext(connection) as first:
            after_save, status = timed(client, urls[0])
        queries_after_save = len(first)  # now: each request empties the log
        if status != 200:
            print(f"{label:<22}{'HTTP ' + str(status):>16}")
            continue
        for url in urls:
            timed(client, url)  # warm each
        with CaptureQueriesContext(connection) as warm:
            timed(client, urls[0])
        queries = f"{len(warm)}/{queries_after_save}"
        times = sorted(timed(client, urls[i % len(urls)])[0] for i in range(args.repeat))
        run = time.time_ns()  # an address no earlier run asked for
        rendered = sorted(
            timed(client, f"{url}{'&' if '?' in url else '?'}bench={run}-{i}")[0]
            for i, url in enumerate(urls[i % len(urls)] for i in range(args.repeat))
        )
        cells = [value for kept in (times, rendered) for value in (statistics.median(kept), p95_of(kept))]
        print(f"{label:<22}" + "".join(f"{v:>{w}.1f}" for v, w in zip(cells, (8, 8, 14, 8), strict=True)), end="")
        print(f"{after_save:>12.1f}{queries:>10}", flush=True)


if __name__ == "__main__":
    main()
