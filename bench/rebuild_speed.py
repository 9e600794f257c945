"""Rebuild pace on an archive that is already imported and segmented: articles per second of
`rebuild_index`, the new index's size per article, the most disk its folder took while it was
being built (temporary files included), the peak resident size of this process and of the
largest worker, the CPU time of all processes per article (steadier than the rate on a busy
machine), with the machine's pyvi speed and load beside them. It rebuilds DIR's index in
place: point it at a copy (`cp -a /work/bench/s5000 /tmp/s5k`), never at an archive others read.

    .venv/bin/python bench/rebuild_speed.py --data-dir DIR [--workers 2]
"""

import contextlib
import glob
import os
import resource
import threading
import time
from pathlib import Path

import common


def folder_bytes(path):
    total = 0
    for root, _dirs, files in os.walk(path):
        for name in files:
            with contextlib.suppress(FileNotFoundError):  # a temporary file gone meanwhile
                total += os.lstat(os.path.join(root, name)).st_size
    return total


def main():
    args = common.arguments(__doc__)
    if not args.data_dir:
        raise SystemExit("--data-dir is required (a copy: the index is rebuilt in place)")
    data_dir = Path(args.data_dir).resolve()
    common.setup_django(data_dir)
    from django.conf import settings
    from django.core.management import call_command

    from archive.models import Article

    articles = list(Article.objects.filter(status="published").values_list("pk", "title", "body")[:300])
    count = Article.objects.filter(status="published").count()
    print(f"# {count:,} articles; pyvi here now: {common.pyvi_speed(articles) / 1e6:.2f} M characters/s")
    print("# load average before: {:.2f} {:.2f} {:.2f}".format(*os.getloadavg()), flush=True)

    index_path = str(settings.HAYSTACK_CONNECTIONS["default"]["PATH"])
    existing = set(glob.glob(f"{glob.escape(index_path)}.*"))
    peak, done = [0], threading.Event()

    def sample():
        while not done.wait(0.2):
            for folder in set(glob.glob(f"{glob.escape(index_path)}.*")) - existing:
                if os.path.isdir(folder) and not os.path.islink(folder):
                    peak[0] = max(peak[0], folder_bytes(folder))

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    started = time.monotonic()
    call_command("rebuild_index", interactive=False, workers=args.workers, verbosity=0)
    seconds = time.monotonic() - started
    done.set()
    sampler.join()
    size = folder_bytes(os.path.realpath(index_path))
    peak[0] = max(peak[0], size)
    rate = count / seconds
    print(f"rebuild: {count:,} articles in {seconds:.1f} s = {rate:.0f} articles/s ({args.workers} workers)")
    print(
        f"index: {size / 1e6:,.1f} MB = {size / max(count, 1) / 1024:.1f} KB per article; "
        f"its folder at most {peak[0] / 1e6:,.1f} MB while building ({peak[0] / max(size, 1):.2f}x the index)"
    )
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    own_mb, workers_mb = own.ru_maxrss / 1024, children.ru_maxrss / 1024
    print(f"peak RSS: this process {own_mb:,.0f} MB, largest worker process {workers_mb:,.0f} MB")
    cpu = own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime
    print(f"CPU time: {cpu:,.0f} s = {1000 * cpu / max(count, 1):.1f} ms per article (all processes)")
    print("# load average after: {:.2f} {:.2f} {:.2f}".format(*os.getloadavg()))


if __name__ == "__main__":
    main()
