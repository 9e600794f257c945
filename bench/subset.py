"""A smaller archive cut from a bigger one, for measuring how cost grows with the archive's size:
the first N articles (by id) of FROM's database, with their links and kept segmentation, then
indexed afresh (no import, no pyvi: the segmentation comes along).

    .venv/bin/python bench/subset.py --from DIR --to DIR5K --articles 5000
    .venv/bin/python bench/search_speed.py --data-dir DIR5K
"""

import argparse
import sqlite3
import sys
import time
from pathlib import Path

import common


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--from", dest="source", required=True, help="an archive folder (SQLite)")
    parser.add_argument("--to", dest="target", required=True, help="a new folder for the smaller archive")
    parser.add_argument("--articles", type=int, required=True)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    target = Path(args.target)
    target.mkdir(parents=True, exist_ok=False)
    with (
        sqlite3.connect(Path(args.source) / "archive.sqlite3") as source,
        sqlite3.connect(target / "archive.sqlite3") as copy,
    ):
        source.backup(copy)
    common.setup_django(target)
    from django.core.management import call_command

    from archive.models import Article
    from search.models import PendingChange

    call_command("collectstatic", interactive=False, verbosity=0)
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
