from django.core.management import call_command
from django.core.management.base import BaseCommand

from archive.models import Article


class Command(BaseCommand):
    help = (
        "Prepare a new installation: load the gazetteer, and on an empty archive the known sources, "
        "the seed articles with their localities and terms, and the search index. Safe to run again: "
        "it never overwrites articles."
    )

    def handle(self, *args, **options):
        call_command("load_gazetteer", stdout=self.stdout)
        if Article.objects.exists():
            self.stdout.write("Articles already present: seed fixtures not loaded again.")
            return
        call_command("loaddata", "sources", "seed_articles", stdout=self.stdout)
        call_command("extract_links", stdout=self.stdout)
        call_command("rebuild_index", interactive=False, stdout=self.stdout)
