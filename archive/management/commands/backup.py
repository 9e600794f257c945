import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from config import backup


class Command(BaseCommand):
    help = (
        "Write a consistent copy of the database to PATH while the site runs: SQLite's online backup "
        "API, or pg_dump's custom format on PostgreSQL. The search index is not in it (it is rebuilt "
        "from the database after a restore)."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", type=Path, help="the backup file to write (replaced once the copy is complete)")

    def handle(self, *args, path, **options):
        started = time.monotonic()
        try:
            size = backup.backup(path)
        except backup.BackupError as exc:
            raise CommandError(f"Backup failed, {path} is unchanged: {exc}") from exc
        self.stdout.write(
            f"Backed up {backup.describe()} to {path} ({size:,} bytes) in {time.monotonic() - started:.1f} s."
        )
