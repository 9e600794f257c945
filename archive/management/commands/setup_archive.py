from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from archive.models import Article
from archive.progress import number


class Command(BaseCommand):
    help = (
        "Prepare a new installation: load the gazetteer, and on an empty archive the known sources, "
        "the seed articles with their localities and terms, and the search index. Safe to run again: "
        "it never overwrites articles."
    )

    def handle(self, *args, **options):
        outputs = {"stdout": self.stdout, "stderr": self.stderr, "verbosity": options["verbosity"]}
        if options["verbosity"]:
            self.stdout.write(_("Nạp danh mục đơn vị hành chính (lần đầu mất khoảng nửa phút)…"))
        call_command("load_gazetteer", **outputs)
        if Article.objects.exists():
            if options["verbosity"]:
                self.stdout.write(_("Đã có bài viết nên không nạp lại bài mẫu."))
            return
        call_command("loaddata", "sources", "seed_articles", verbosity=0)
        if options["verbosity"]:
            self.stdout.write(_("Đã nạp %(count)s bài mẫu.") % {"count": number(Article.objects.count())})
        call_command("extract_links", **outputs)
        call_command("rebuild_index", interactive=False, **outputs)
