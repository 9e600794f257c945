"""haystack's rebuild_index, building aside and swapping when the backend can (ours can):
searches never fail or come back empty during a rebuild, and the work uses every core.
Pending changes the new index already holds are dropped; what changed while it was built
(written to the old index meanwhile) is found by comparing, and applied."""

import os

from haystack import connections
from haystack.management.commands.rebuild_index import Command as HaystackRebuild

from search import outbox
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
            covered = PendingChange.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
            for index in connections[alias].get_unified_index().get_indexes().values():
                count = backend.rebuild(index, workers=workers, progress=self._progress(options["verbosity"]))
                if options["verbosity"]:
                    self.stdout.write(f"Indexed {count:,} {index.get_model()._meta.verbose_name_plural} "
                                      f"with {workers} worker(s).")
            PendingChange.objects.filter(pk__lte=covered, attempts__lt=outbox.MAX_ATTEMPTS).delete()
            outbox.repair(outbox.compare())
            outbox.apply_all()

    def _progress(self, verbosity):
        if verbosity < 2:
            return None

        def report(done, seconds):
            if done % 5000 == 0:
                self.stderr.write(f"  {done:,} sent to the writers ({done / max(seconds, 1e-9):,.0f}/s)")
        return report
