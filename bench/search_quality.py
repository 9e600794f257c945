"""Known-item search quality: MRR@10 and recall@10 of the archive's search and of a plain
SQLite FTS5 index (unicode61, remove_diacritics 2) over the same articles, for a distinctive
4-word phrase of each sampled article typed five ways.

    .venv/bin/python bench/search_quality.py                    # whole shared corpus, temporary archive
    .venv/bin/python bench/search_quality.py --limit 5000       # its first 5,000 articles
    .venv/bin/python bench/search_quality.py --data-dir DIR     # reuse an archive built before
    .venv/bin/python bench/search_quality.py --data-dir DIR --engine whoosh solr   # both (bench/common.py)
"""

import common


def main():
    args = common.arguments(__doc__)
    common.prepare(args)
    from archive.models import Article
    from search.forms import SearchForm
    from search.query import search
    from search.syntax import parse

    articles = list(Article.objects.filter(status="published").values_list("pk", "title", "body"))
    fts = common.fts5_index(articles)
    items = common.known_items(articles, args.queries, args.seed)
    print(f"# {len(items)} known-item queries over {len(articles):,} articles, e.g. {items[0][1]!r}")

    def archive_top10(text):
        form = SearchForm({"q": text})
        form.is_valid()
        return search(form, parse(text), limit=10).ids

    for engine_name in args.engine:
        common.use_engine(engine_name, args)
        print(f"## the archive's search on {common.engine_label(engine_name, args)}")
        print(f"{'variant':<16} {'archive MRR':>11} {'recall@10':>9}   {'FTS5 MRR':>8} {'recall@10':>9}")
        for name in common.variants("x"):
            scores = {"archive": [], "fts5": []}
            for pk, phrase in items:
                text = common.variants(phrase)[name]
                for engine, ranked in (("archive", archive_top10(text)), ("fts5", common.fts5_search(fts, text))):
                    scores[engine].append(1 / (ranked.index(pk) + 1) if pk in ranked else 0.0)
            line = f"{name:<16}"
            for engine in ("archive", "fts5"):
                values = scores[engine]
                mrr, recall = sum(values) / len(values), sum(v > 0 for v in values) / len(values)
                line += f" {mrr:>11.3f} {recall:>9.3f}  " if engine == "archive" else f" {mrr:>8.3f} {recall:>9.3f}"
            print(line, flush=True)


if __name__ == "__main__":
    main()
