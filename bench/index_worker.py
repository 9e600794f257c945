"""The index worker's pace: import the first N corpus articles (each import records a pending
index change), then time `index_worker --once` applying them all, and `check_index` comparing
the index with the database.

    .venv/bin/python bench/index_worker.py --limit 3000
"""

import tempfile
import time
from pathlib import Path

import common


def main():
    args = common.arguments(__doc__, limit=3000)
    common.setup_django(Path(args.data_dir or tempfile.mkdtemp(prefix="archive-worker-")))
    from django.core.management import call_command

    from search import outbox
    from search.models import PendingChange

    call_command("migrate", verbosity=0)
    call_command("load_gazetteer", verbosity=0)
    source = common.limited_corpus(args.corpus, args.limit)
    try:
        call_command("import_articles", source, verbosity=0)
    except Exception as exc:  # a broken line is reported and skipped
        print(f"# import: {exc}")
    pending = PendingChange.objects.count()
    started = time.perf_counter()
    applied = outbox.apply_all()
    seconds = time.perf_counter() - started
    print(
        f"index_worker: {applied:,} pending changes ({pending:,} recorded) applied in {seconds:.1f} s = "
        f"{applied / seconds:.0f} articles/s (one process)"
    )
    started = time.perf_counter()
    drift = outbox.compare()
    print(f"check_index: compared in {time.perf_counter() - started:.2f} s, drift: {bool(drift)}")


if __name__ == "__main__":
    main()
