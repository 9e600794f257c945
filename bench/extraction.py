"""Extraction over the shared corpus: how fast (articles/s, one core) and how much it finds
(articles with at least one province, district, official, term), plus a random sample of the
articles where something was found, with what was found, for checking precision by hand.

    .venv/bin/python bench/extraction.py                           # whole corpus
    .venv/bin/python bench/extraction.py --limit 5000 --sample 20 --sample-file var/extraction-sample.txt
"""

import random
import tempfile
import time
from collections import Counter
from pathlib import Path

import common


def options(parser):
    parser.add_argument("--sample", type=int, default=20, help="articles to write out for checking by hand")
    parser.add_argument("--sample-file", help="where to write them (none written without it)")


def main():
    args = common.arguments(__doc__, extend=options)
    common.setup_django(Path(args.data_dir or tempfile.mkdtemp(prefix="archive-extract-")))
    from django.core.management import call_command

    from archive.extraction import find_localities, find_officials, find_terms
    from archive.ingest import article_of, read_paths

    call_command("migrate", verbosity=0)
    call_command("load_gazetteer", verbosity=0)
    find_localities("tỉnh Bến Tre")  # load the gazetteer before the clock starts

    articles = [item.article for item in read_paths([args.corpus]) if item.article]
    if args.limit:
        articles = articles[: args.limit]
    found, characters = [], 0
    counts: Counter[str] = Counter()
    started = time.perf_counter()
    for article in articles:
        text = article_of(article).search_text()
        characters += len(text)
        units = find_localities(text)
        officials = find_officials(text, exclude=[article.author])
        terms = find_terms(text)
        found.append((article, units, officials, terms))
    seconds = time.perf_counter() - started

    for _article, units, officials, terms in found:
        counts["province"] += any(u.province_id for u in units)
        counts["district"] += any(u.district_id for u in units)
        counts["official"] += bool(officials)
        counts["term"] += bool(terms)
    total = len(found)
    print(
        f"extraction: {total:,} articles, {characters / 1e6:.1f} M characters in {seconds:.1f} s = "
        f"{total / seconds:.0f} articles/s, {characters / seconds / 1e3:.0f} k characters/s (one core)"
    )
    for what, label in [
        ("province", "at least one province"),
        ("district", "at least one district"),
        ("official", "at least one official"),
        ("term", "at least one party term"),
    ]:
        print(f"  {label}: {counts[what]:,} articles ({100 * counts[what] / total:.1f} %)")

    if args.sample_file:
        rng = random.Random(args.seed)
        with open(args.sample_file, "w", encoding="utf-8") as out:
            linked = [f for f in found if f[1] or f[2]]  # precision is judged on what was linked
            for article, units, officials, terms in rng.sample(linked, min(args.sample, len(linked))):
                out.write(f"=== {article.external_id}: {article.title}\n")
                out.write(f"provinces: {sorted({u.province.name for u in units if u.province_id})}\n")
                out.write(f"units: {[str(u) for u in units]}\n")
                out.write(f"officials: {[(s.name, s.titles) for s in officials]}\n")
                out.write(f"terms: {terms}\n\n{article.lead}\n\n{article.body}\n\n")
        print(f"sample of {args.sample} articles with links, and the links: {args.sample_file}")


if __name__ == "__main__":
    main()
