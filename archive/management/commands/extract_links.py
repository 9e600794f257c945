import time

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from archive.extraction import link_articles
from archive.models import Article
from archive.progress import Progress, duration, number


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
        progress = Progress(self.stderr, len(pks)) if options["verbosity"] >= 1 and pks else None
        for i in range(0, len(pks), batch_size):
            link_articles(
                Article.objects.filter(pk__in=pks[i : i + batch_size]).select_related("source__home_province")
            )
            done += len(pks[i : i + batch_size])
            if progress:
                progress.update(done)
        if progress:
            progress.finish()
        if options["verbosity"]:
            self.stdout.write(
                _("Đã nhận diện địa phương, cán bộ và nhiệm kỳ trong %(count)s bài, trong %(time)s.")
                % {"count": number(done), "time": duration(time.monotonic() - started)}
            )
