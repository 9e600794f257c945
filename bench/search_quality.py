"""Known-item search quality: MRR@10 and recall@10 of the archive's search (the page's: strict,
then forgiving when that finds too little, search.forgiving) and of a plain SQLite FTS5 index
(unicode61, remove_diacritics 2) over the same articles, with the archive's time per query.

Variants: a distinctive 4-word phrase of each sampled article typed five ways (as typed, without
diacritics, old tone marks, decomposed, lower case); then what a journalist half remembers: a
5-word phrase with one word swapped for a common one, a 4-word phrase with a letter dropped or two
letters swapped, the article's rarest pair of words, its headline without diacritics. "kept" counts
the forgiving searches that still listed first the articles where the query stands whole.

"MRR ties" is a second, looser figure beside the strict one (which counts only the sampled
article): it also counts as found an article listed above it that holds the phrase the query was
made from whole, in the same order (or the same headline): a republished story, a shared passage,
an identical text, which no ranking of the query's words can tell apart from the sampled one.

    .venv/bin/python bench/search_quality.py                    # whole shared corpus, temporary archive
    .venv/bin/python bench/search_quality.py --limit 5000       # its first 5,000 articles
    .venv/bin/python bench/search_quality.py --data-dir DIR     # reuse an archive built before
    .venv/bin/python bench/search_quality.py --data-dir DIR --engine whoosh solr   # both (bench/common.py)
"""

import statistics
import time

import common


def main():
    args = common.arguments(
        __doc__,
        lambda parser: (
            parser.add_argument("--kinds", help="comma-separated variants to run (default: all)"),
            parser.add_argument(
                "--misses", action="store_true", help="list each query whose article is not first, with its rank"
            ),
        ),
    )
    common.prepare(args)
    from archive.models import Article
    from search.forms import SearchForm
    from search.query import find, search
    from search.syntax import parse

    articles = list(Article.objects.filter(status="published").values_list("pk", "title", "body"))
    fts = common.fts5_index(articles)
    items = common.known_items(articles, args.queries, args.seed)
    kinds = {name: [(pk, common.variants(p)[name], p) for pk, p in items] for name in common.variants("x")}
    kinds |= common.forgiving_kinds(articles, args.queries, args.seed)
    long_queries = ("xaydungdang" * 91)[:1000], " ".join(["nghị quyt"] * 100)[:1000]
    kinds["1000 letters"] = [(None, text, None) for text in long_queries]
    if args.kinds:
        kinds = {name: queries for name, queries in kinds.items() if name in args.kinds.split(",")}
    print(
        f"# {len(items)} known items over {len(articles):,} articles, e.g. {items[0][1]!r}; pyvi "
        f"{common.pyvi_speed(articles) / 1e6:.2f} M characters/s"
    )

    kept = [0, 0]

    def archive_top10(text):
        form = SearchForm({"q": text})
        form.is_valid()
        found = find(form, parse(text), limit=10)
        if found.relaxed and found.complete:  # the articles where the query stands whole: first
            quoted = f'"{text}"'
            phrase = SearchForm({"q": quoted})
            phrase.is_valid()
            whole = search(phrase, parse(quoted), limit=10).ids
            kept[0] += set(found.result.ids[: len(whole)]) == set(whole)
            kept[1] += 1
        return found.result.ids

    def holding(phrase):
        """The articles holding `phrase` whole (its words in this order), among the first 1,000."""
        quoted = '"' + phrase.replace('"', " ") + '"'
        form = SearchForm({"q": quoted})
        form.is_valid()
        return set(search(form, parse(quoted), limit=1000).ids)

    def tie_rank(pk, ranked, phrase):
        """The first place of `pk` or of an article holding `phrase` whole (0: neither in `ranked`)."""
        if ranked[:1] == [pk]:
            return 1
        same = holding(phrase) | {pk}
        return next((i + 1 for i, found in enumerate(ranked) if found in same), 0)

    for engine_name in args.engine:
        common.use_engine(engine_name, args)
        kept[:] = [0, 0]
        print(f"## the archive's search on {common.engine_label(engine_name, args)}")
        print(
            f"{'variant':<20} {'archive MRR':>11} {'recall@10':>9} {'MRR ties':>8} {'p50 ms':>7} {'p95 ms':>7}"
            f"   {'FTS5 MRR':>8} {'recall@10':>9}"
        )
        for name, queries in kinds.items():
            scores: dict[str, list[float]] = {"archive": [], "fts5": []}
            ties: list[float] = []
            times: list[float] = []
            missed: list[str] = []
            for pk, text, phrase in queries:
                started = time.perf_counter()
                ranked = archive_top10(text)
                times.append((time.perf_counter() - started) * 1000)
                for engine, found in (("archive", ranked), ("fts5", common.fts5_search(fts, text))):
                    scores[engine].append(1 / (found.index(pk) + 1) if pk in found else 0.0)
                if pk is not None:
                    ties.append(1 / rank if (rank := tie_rank(pk, ranked, phrase)) else 0.0)
                if args.misses and pk is not None and ranked[:1] != [pk]:
                    place = ranked.index(pk) + 1 if pk in ranked else "-"
                    missed.append(f"#   {name}: {place} (ties {rank or '-'}) {text!r} (from {phrase!r}, article {pk})")
            line = f"{name:<20}"
            for engine in ("archive", "fts5"):
                values = [v for (pk, *_q), v in zip(queries, scores[engine], strict=True) if pk is not None] or [0.0]
                mrr, recall = sum(values) / len(values), sum(v > 0 for v in values) / len(values)
                line += f" {mrr:>11.3f} {recall:>9.3f}" if engine == "archive" else f" {mrr:>8.3f} {recall:>9.3f}"
                if engine == "archive":
                    line += f" {sum(ties) / max(len(ties), 1):>8.3f}"
                    p95 = statistics.quantiles(times, n=20)[-1] if len(times) > 1 else times[0]
                    line += f" {statistics.median(times):>7.0f} {p95:>7.0f}  "
            print(line, flush=True)
            for miss in missed:
                print(miss)
        print(f"# kept: {kept[0]} of {kept[1]} forgiving searches listed the articles holding the query whole first")


if __name__ == "__main__":
    main()
