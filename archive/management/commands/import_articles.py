import time

from django.core.management.base import BaseCommand, CommandError

from archive.ingest import import_articles, read_paths


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

        def progress(report):
            rate = report.seen / max(time.monotonic() - started, 1e-9)
            self.stderr.write(
                f"  {report.seen:,} read: {report.created:,} new, {report.duplicates:,} already there, "
                f"{len(report.errors):,} failed ({rate:,.0f}/s)"
            )

        report = import_articles(
            read_paths(paths), batch_size=batch_size, progress=progress if options["verbosity"] >= 1 else None
        )
        for where, message in report.errors:
            self.stderr.write(f"{where}: {message}")
        self.stdout.write(
            f"Imported {report.created:,} new articles, skipped {report.duplicates:,} already imported, "
            f"{len(report.errors):,} failed, in {time.monotonic() - started:.1f} s."
        )
        if report.errors:
            raise CommandError(f"{len(report.errors)} input(s) could not be imported (listed above).")
