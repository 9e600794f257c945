"""Compare the search index with the database: what is missing, stale or extra."""

from django.core.management.base import BaseCommand, CommandError

from search import outbox


class Command(BaseCommand):
    help = (
        "Report published articles missing from the search index, documents older than their "
        "article, and documents of deleted or unpublished articles. --repair fixes them in place."
    )

    def add_arguments(self, parser):
        parser.add_argument("--repair", action="store_true", help="re-index what differs (no full rebuild)")

    def handle(self, *args, repair, **options):
        drift = outbox.compare()
        for label, ids in [
            ("missing", drift.missing),
            ("stale", drift.stale),
            ("extra", drift.extra),
            ("failing", drift.failing),
        ]:
            shown = ", ".join(map(str, ids[:20])) + (" …" if len(ids) > 20 else "")
            self.stdout.write(f"{label}: {len(ids):,}" + (f" (article ids {shown})" if ids else ""))
        if not drift:
            self.stdout.write("The index matches the database.")
            return
        if not repair:
            raise CommandError("The index differs from the database: run check_index --repair.")
        outbox.repair(drift)
        outbox.apply_all()
        left = outbox.compare()
        if left:
            raise CommandError(f"Still differing after repair: {left}")
        self.stdout.write(f"Repaired {len(drift.article_ids):,} articles; the index matches the database.")
