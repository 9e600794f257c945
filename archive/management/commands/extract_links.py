import time

from django.core.management.base import BaseCommand

from archive.extract import link_articles
from archive.models import Article


class Command(BaseCommand):
    help = (
        "Find the localities and party terms each article names and link them (links made by "
        "editors stay). Then run rebuild_index so that search filters see the links."
    )

    def add_arguments(self, parser):
        parser.add_argument("--batch-size", type=int, default=500)

    def handle(self, *args, batch_size, **options):
        started, done = time.monotonic(), 0
        pks = list(Article.objects.order_by("pk").values_list("pk", flat=True))
        for i in range(0, len(pks), batch_size):
            link_articles(
                Article.objects.filter(pk__in=pks[i : i + batch_size]).select_related("source__home_province")
            )
            done += len(pks[i : i + batch_size])
            if options["verbosity"] > 1:
                self.stderr.write(f"  {done:,}/{len(pks):,}")
        self.stdout.write(f"Linked localities and terms of {done:,} articles in {time.monotonic() - started:.1f} s.")
