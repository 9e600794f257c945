"""The index worker's pace: import the first N corpus articles (each import records a pending
index change), then time `index_worker --once` applying them all (pyvi segmenting them, as
after an import; with --kept, segmented first as rebuild_index does, so the worker writes
without pyvi), and `check_index` comparing the index with the database; with the machine's
pyvi speed and load, the CPU time per article and the peak resident size of the worker and
of its pyvi processes.
A temporary archive (no --data-dir) is deleted at the end.

    .venv/bin/python bench/index_worker.py --limit 3000 [--kept]
"""

import os
import resource
import shutil
import tempfile
import time
from pathlib import Path

import common


def main():
    def extend(parser):
        parser.add_argument("--kept", action="store_true", help="segment the articles first: the worker skips pyvi")

    args = common.arguments(__doc__, extend, limit=3000)
    data_dir = Path(args.data_dir or tempfile.mkdtemp(prefix="archive-worker-"))
    common.setup_django(data_dir)
    try:
        measure(args)
    finally:
        if not args.data_dir:
            shutil.rmtree(data_dir, ignore_errors=True)


def cpu_seconds() -> float:
    """CPU time of this process and of its children that ended (steadier than a rate on a busy machine)."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def measure(args):
    from django.core.management import call_command

    from search import outbox, segmentation
    from search.models import PendingChange

    call_command("migrate", verbosity=0)
    call_command("load_gazetteer", verbosity=0)
    source = common.limited_corpus(args.corpus, args.limit)
    try:
        call_command("import_articles", source, verbosity=0)
    except Exception as exc:  # a broken line is reported and skipped
        print(f"# import: {exc}")
    from archive.models import Article

    articles = list(Article.objects.filter(status="published").values_list("pk", "title", "body")[:300])
    print(f"# pyvi here now: {common.pyvi_speed(articles) / 1e6:.2f} M characters/s")
    if args.kept:
        started = time.perf_counter()
        made = segmentation.fill(Article.objects.filter(status="published"), workers=args.workers)
        seconds = time.perf_counter() - started
        print(f"# segmented first: {made:,} articles in {seconds:.1f} s ({args.workers} processes)")
    print("# load average before: {:.2f} {:.2f} {:.2f}".format(*os.getloadavg()), flush=True)
    pending = PendingChange.objects.count()
    cpu_before = cpu_seconds()
    started = time.perf_counter()
    applied = outbox.apply_all()
    seconds = time.perf_counter() - started
    cpu = cpu_seconds() - cpu_before
    print(
        f"index_worker: {applied:,} pending changes ({pending:,} recorded) applied in {seconds:.1f} s = "
        f"{applied / seconds:.0f} articles/s; CPU time {1000 * cpu / max(applied, 1):.1f} ms per article "
        "(the worker and its pyvi processes)"
    )
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    pyvi = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(f"peak RSS: the worker {own:,.0f} MB, its largest pyvi process {pyvi:,.0f} MB")
    print("# load average after: {:.2f} {:.2f} {:.2f}".format(*os.getloadavg()))
    started = time.perf_counter()
    drift = outbox.compare()
    print(f"check_index: compared in {time.perf_counter() - started:.2f} s, drift: {bool(drift)}")


if __name__ == "__main__":
    main()
