"""haystack's rebuild_index, building aside and swapping when the backend can (ours can):
searches never fail or come back empty during a rebuild, and the work uses every core.
It holds the index writer's lock throughout, so the index worker waits instead of writing to the
old index; afterwards the pending changes the new index already holds (those committed before it
began) are dropped and the rest are applied to it. Progress goes to stderr, the outcome and what
comes next to stdout, in the active language."""

import os
import time

from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from haystack import connections
from haystack.management.commands.rebuild_index import Command as HaystackRebuild

from archive.progress import Progress, duration, number
from search import outbox, segmentation
from search.models import PendingChange


class Command(HaystackRebuild):
    help = "Rebuild the search index aside, on every core, then swap it in (haystack's way for other backends)."

    def handle(self, **options):
        aliases = options["using"] or list(connections.connections_info)
        workers = options["workers"] or os.cpu_count() or 1
        for alias in aliases:
            backend = connections[alias].get_backend()
            if not hasattr(backend, "rebuild"):
                return super().handle(**options)
            with outbox.single_writer():
                # Committed before the rebuild reads anything, so the new index will hold them.
                covered = list(
                    PendingChange.objects.filter(attempts__lt=outbox.MAX_ATTEMPTS).values_list("pk", flat=True)
                )
                for index in connections[alias].get_unified_index().get_indexes().values():
                    self._rebuild(backend, index, alias, workers, options["verbosity"])
                for start in range(0, len(covered), 10_000):  # within SQLite's limit on query parameters
                    PendingChange.objects.filter(pk__in=covered[start : start + 10_000]).delete()
            outbox.apply_all()
        if options["verbosity"]:
            self.stdout.write(
                _(
                    "Tìm kiếm đã dùng chỉ mục mới. Từ giờ index_worker cập nhật chỉ mục mỗi khi bài được lưu "
                    "(“make run” và “make serve” chạy sẵn nó; nếu không, chạy “manage.py index_worker”)."
                )
            )

    def _segment(self, articles, workers, verbosity):
        """pyvi, on every core, for the articles whose text has no kept segmentation yet."""
        shown: list[Progress] = []

        def report(done, total):
            if not shown:
                self.stdout.write(
                    ngettext(
                        "Tách từ (pyvi) %(count)s bài chưa tách.", "Tách từ (pyvi) %(count)s bài chưa tách.", total
                    )
                    % {"count": number(total)}
                )
                shown.append(Progress(self.stderr, total))
            shown[0].update(done)

        segmentation.fill(articles, workers, progress=report if verbosity else None)
        if shown:
            shown[0].finish()

    def _rebuild(self, backend, index, alias, workers, verbosity):
        self._segment(index.index_queryset(using=alias), workers, verbosity)
        if not verbosity:
            backend.rebuild(index, workers=workers)
            return
        started, total = time.monotonic(), index.index_queryset(using=alias).count()
        self.stdout.write(
            ngettext("Lập lại chỉ mục tìm kiếm: %(count)s bài.", "Lập lại chỉ mục tìm kiếm: %(count)s bài.", total)
            % {"count": number(total)}
        )
        progress = Progress(self.stderr, total)

        def report(done, _seconds):
            progress.update(done)
            if done == total:
                progress.finish()
                self.stderr.write(_("Đã đọc hết; đang ghi nốt chỉ mục…"), style_func=str)

        count = backend.rebuild(index, workers=workers, progress=report)
        progress.finish()  # had the count changed meanwhile
        self.stdout.write(
            ngettext(
                "Đã lập chỉ mục %(count)s bài trong %(time)s.", "Đã lập chỉ mục %(count)s bài trong %(time)s.", count
            )
            % {"count": number(count), "time": duration(time.monotonic() - started)}
        )
