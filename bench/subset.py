"""A smaller or bigger archive made from another, for measuring how cost grows with the archive's
size: the first N articles (by id) of FROM's database, or all of them repeated K times (copies
under new ids, without the original's address and import key), with their links and kept
segmentation, then indexed afresh (no import, no pyvi: the segmentation comes along). The copies
repeat the corpus's words, so the vocabulary does not grow with them as a real archive's would:
the postings grow K times, the term dictionary not.

    .venv/bin/python bench/subset.py --from DIR --to DIR5K --articles 5000
    .venv/bin/python bench/subset.py --from DIR --to DIRx3 --copies 3
    .venv/bin/python bench/search_speed.py --data-dir DIR5K
"""

import argparse
import sqlite3
import sys
import time
from pathlib import Path

import common

# What an article's copy takes along: (table, its columns but the id, the column naming the article).
LINKED = [
    ("search_segmentation", "digest, text", "article_id"),
    ("archive_articlelocality", "origin, locality_id", "article_id"),
    ("archive_articleofficial", "origin, official_id", "article_id"),
    ("archive_articleterm", "origin, term_id", "article_id"),
]
ARTICLE = "slug, lead, body, captions, author, published_at, status, created_at, updated_at, source_id, title"


def repeat(db, copies):
    """Every article of `db` `copies` times: copy k of article n is article n + k × the largest id."""
    (top,) = db.execute("SELECT max(id) FROM archive_article").fetchone()
    for k in range(1, copies):
        db.execute(
            f"INSERT INTO archive_article (id, {ARTICLE}) SELECT id + ?, {ARTICLE} FROM archive_article WHERE id <= ?",
            (k * top, top),
        )
        for table, columns, article in LINKED:
            db.execute(
                f"INSERT INTO {table} ({article}, {columns}) SELECT {article} + ?, {columns} FROM {table} "
                f"WHERE {article} <= ?",
                (k * top, top),
            )


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--from", dest="source", required=True, help="an archive folder (SQLite)")
    parser.add_argument("--to", dest="target", required=True, help="a new folder for the archive made")
    size = parser.add_mutually_exclusive_group(required=True)
    size.add_argument("--articles", type=int, help="keep the first N articles")
    size.add_argument("--copies", type=int, help="every article K times")
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    target = Path(args.target)
    target.mkdir(parents=True, exist_ok=False)
    with (
        sqlite3.connect(Path(args.source) / "archive.sqlite3") as source,
        sqlite3.connect(target / "archive.sqlite3") as copy,
    ):
        source.backup(copy)
        if args.copies:
            repeat(copy, args.copies)
    common.setup_django(target)
    from django.core.management import call_command

    from archive.models import Article
    from search.models import PendingChange

    call_command("collectstatic", interactive=False, verbosity=0)
    if args.articles:
        keep = Article.objects.order_by("pk").values_list("pk", flat=True)[args.articles - 1 : args.articles]
        if keep:
            Article.objects.filter(pk__gt=keep[0]).delete()
    PendingChange.objects.all().delete()
    started = time.monotonic()
    call_command("rebuild_index", interactive=False, workers=args.workers, verbosity=0)
    seconds = time.monotonic() - started
    count = Article.objects.count()
    print(f"{count:,} articles indexed in {seconds:.0f} s = {count / seconds:.0f} articles/s into {target}")


if __name__ == "__main__":
    sys.exit(main())
