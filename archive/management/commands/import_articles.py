import time

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from archive.ingest import count_items, import_articles, read_paths
from archive.models import Article
from archive.progress import Progress, duration, number

# The index worker writes about 23 articles/s; a rebuild indexes the whole archive about four times
# as fast on two cores (README, bench/index_worker.py): past that share of the archive, rebuild.
REBUILD_SHARE = 0.25
REBUILD_AT_LEAST = 1000


def next_step(created: int, total: int) -> str:
    """What to do after an import so that searches find the new articles."""
    if not created:
        return _("Không có bài mới nên chỉ mục tìm kiếm không cần cập nhật.")
    if created >= REBUILD_AT_LEAST and created > REBUILD_SHARE * total:
        return _(
            "Tiếp theo: chạy “manage.py rebuild_index --noinput” để đưa %(count)s bài mới vào chỉ mục tìm "
            "kiếm (nhanh hơn để index_worker đưa vào từng bài)."
        ) % {"count": number(created)}
    return _(
        "Tiếp theo: index_worker đưa %(count)s bài mới vào chỉ mục tìm kiếm; “make run” và “make serve” chạy "
        "sẵn nó. Nếu nó không chạy, hãy chạy “manage.py index_worker --once”."
    ) % {"count": number(created)}


class Command(BaseCommand):
    help = (
        "Import articles from raw text files, folders of them, or JSON-lines files (gzipped or not). "
        "Articles imported before are skipped; every broken file or line is reported."
    )

    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="+", help="files or folders")
        parser.add_argument("--batch-size", type=int, default=500)

    def handle(self, *args, paths, batch_size, **options):
        started = time.monotonic()
        progress = Progress(self.stderr, count_items(paths)) if options["verbosity"] >= 1 else None
        shown = (lambda r: progress.update(r.seen)) if progress else None
        report = import_articles(read_paths(paths), batch_size=batch_size, progress=shown)
        if progress:
            progress.finish()
        for where, message in report.errors:
            self.stderr.write(f"{where}: {message}")
        self.stdout.write(
            _("Đã nhập %(created)s bài mới, bỏ qua %(duplicates)s bài đã có, %(failed)s lỗi, trong %(time)s.")
            % {
                "created": number(report.created),
                "duplicates": number(report.duplicates),
                "failed": number(len(report.errors)),
                "time": duration(time.monotonic() - started),
            }
        )
        self.stdout.write(next_step(report.created, Article.objects.count()))
        if report.errors:
            raise CommandError(
                _("%(count)s tệp hoặc dòng không nhập được (xem danh sách ở trên).")
                % {"count": number(len(report.errors))}
            )
