"""Search speed on what people type: warm latency (p50, p95) of the search page, the JSON API
and the search alone (query.find: the engine's share of both, without the database, snippets and
rendering) for everyday queries (short common words, some with a filter, a sort or a date range: they
match thousands of articles) and for known-item phrases (a remembered 4-word stretch, rare
words: they match few); the page's own work alone (the page given the engine's answer to each
query kept from a first run: the articles' fetch, snippets, facet labels, template); beside a
plain SQLite FTS5 index of the same articles in the same run; and the machine's pyvi speed, the
index's size and, when it builds one, the rebuild's rate.

    .venv/bin/python bench/search_speed.py                  # import + rebuild into a temporary archive
    .venv/bin/python bench/search_speed.py --data-dir DIR   # reuse an archive (no build figure then)
    .venv/bin/python bench/search_speed.py --data-dir DIR --engine whoosh solr --rebuild
                                       # both engines in the same run, each rebuilt (timed): see bench/common.py
"""

import os
import resource
import statistics
import subprocess
import time
from pathlib import Path

import common


def percentiles(seconds):
    ms = sorted(s * 1000 for s in seconds)
    return statistics.median(ms), ms[min(len(ms) - 1, round(0.95 * (len(ms) - 1)))]


def timed(call, params_list, repeat):
    for params in params_list:  # warm: the searcher, the postings read, the templates
        call(params)
    seconds = []
    for _ in range(repeat):
        for params in params_list:
            started = time.perf_counter()
            call(params)
            seconds.append(time.perf_counter() - started)
    return percentiles(seconds)


def main():
    args = common.arguments(__doc__, queries=40, extend=lambda p: p.add_argument("--repeat", type=int, default=3))
    built = common.prepare(args)
    from django.conf import settings
    from django.test import Client

    from archive.models import Article
    from search import query
    from search.forgiving import FEW
    from search.forms import SearchForm
    from search.plan import MOST_WORDS_FROM
    from search.query import find
    from search.syntax import parse

    articles = list(Article.objects.filter(status="published").values_list("pk", "title", "body"))
    print(f"# {len(articles):,} articles; pyvi here now: {common.pyvi_speed(articles) / 1e6:.2f} M characters/s")
    if "whoosh" in args.engine:
        common.use_engine("whoosh", args)
        index = Path(os.path.realpath(str(settings.HAYSTACK_CONNECTIONS["default"]["PATH"])))
        size = int(subprocess.run(["du", "-sb", str(index)], capture_output=True, text=True).stdout.split()[0])
        print(f"# Whoosh index {size / 1e6:,.0f} MB = {size / max(len(articles), 1) / 1024:.1f} KB per article")
    for name, seconds in built.items():
        if seconds:
            label = common.engine_label(name, args)
            rate = len(articles) / seconds
            print(f"# {label} full rebuild: {rate:.0f} articles/s ({seconds:.0f} s, {args.workers} workers)")

    everyday = [dict(p) for p in common.EVERYDAY]
    known = [
        {"q": text}
        for _pk, phrase in common.known_items(articles, args.queries, args.seed)
        for text in (phrase, common.variants(phrase)["no diacritics"])
    ]
    client = Client()

    def get(url):
        def call(params):
            response = client.get(url, params)
            assert response.status_code == 200, (url, params, response.status_code)

        return call

    def engine_alone(params):  # the engine's share of a page: the strict search, then the forgiving one if asked
        form = SearchForm(params)
        assert form.is_valid(), form.errors
        find(form, parse(form.cleaned_data.get("q") or ""))

    answers = {}

    def kept_answer(form, parsed, offset=0, limit=query.PAGE_SIZE):  # the engine's answer, worked out once
        key = (repr(sorted(form.cleaned_data.items())), offset, limit)
        if key not in answers:
            answers[key] = find(form, parsed, offset=offset, limit=limit)
        return answers[key]

    def page_alone(params):
        query.find = kept_answer
        try:
            get("/search/")(params)
        finally:
            query.find = find

    fts = common.fts5_index(articles)

    def fts5(params):
        common.fts5_search(fts, params["q"], limit=20)

    def fts5_forgiving(params):
        common.fts5_forgiving(fts, params["q"], FEW, MOST_WORDS_FROM, limit=20)

    print(f"{'':<46} {'everyday (' + str(len(everyday)) + ')':>24} {'known items (' + str(len(known)) + ')':>24}")
    calls = [
        (f"{common.engine_label(name, args)} {what}", name, call)
        for name in args.engine
        for what, call in (
            ("search page /search/", get("/search/")),
            ("API /api/search/", get("/api/search/")),
            ("search alone (query.find)", engine_alone),
        )
    ]
    calls.append(
        (f"{common.engine_label(args.engine[0], args)} page's own work (answers kept)", args.engine[0], page_alone)
    )
    baselines = [
        ("FTS5 baseline (top 20 ids, no facets)", None, fts5),
        ("FTS5, relaxing as the archive does", None, fts5_forgiving),
    ]
    for label, name, call in [*calls, *baselines]:
        if name:
            common.use_engine(name, args)
        cells = [timed(call, queries, args.repeat) for queries in (everyday, known)]
        print(f"{label:<46}" + "".join(f"   p50 {p50:6.1f} p95 {p95:6.1f} ms" for p50, p95 in cells), flush=True)
    print(f"# peak RSS of this process: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:,.0f} MB")


if __name__ == "__main__":
    main()
