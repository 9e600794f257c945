"""haystack's rebuild_index, building aside and swapping when the backend can (ours can):
searches never fail or come back empty during a rebuild, and the work uses every core.
It holds the index writer's lock throughout, so the index worker waits instead of writing to the
old index; afterwards the pending changes the new index already holds (those committed before it
began) are dropped and the rest are applied to it."""

import os

from haystack import connections
from haystack.management.commands.rebuild_index import Command as HaystackRebuild

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
                    segmentation.fill(index.index_queryset(using=alias), workers)  # pyvi on every core, once
                    count = backend.rebuild(index, workers=workers, progress=self._progress(options["verbosity"]))
                    if options["verbosity"]:
                        self.stdout.write(
                            f"Indexed {count:,} {index.get_model()._meta.verbose_name_plural} "
                            f"with {workers} worker(s)."
                        )
                for start in range(0, len(covered), 10_000):  # within SQLite's limit on query parameters
                    PendingChange.objects.filter(pk__in=covered[start : start + 10_000]).delete()
            outbox.apply_all()

    def _progress(self, verbosity):
        if verbosity < 2:
            return None

        def report(done, seconds):
            if done % 5000 == 0:
                self.stderr.write(f"  {done:,} sent to the writers ({done / max(seconds, 1e-9):,.0f}/s)")

        return report
