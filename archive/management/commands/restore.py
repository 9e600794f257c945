from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from config import backup


class Command(BaseCommand):
    help = (
        "Replace everything in the database with a backup written by `manage.py backup`. Asks first "
        "unless --noinput. Then rebuild the search index: `manage.py rebuild_index --noinput`."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", type=Path, help="a backup file written by `manage.py backup`")
        parser.add_argument(
            "--noinput", "--no-input", action="store_false", dest="interactive", help="do not ask for confirmation"
        )

    def handle(self, *args, path, interactive, **options):
        try:
            backup.check(path)
        except backup.BackupError as exc:
            raise CommandError(f"Not restored: {exc}") from exc
        target = backup.describe()
        if interactive and not self.confirmed(f"This replaces everything in {target} with {path}."):
            raise CommandError("Not restored: not confirmed (type 'yes', or run with --noinput). Nothing changed.")
        try:
            backup.restore(path)
        except backup.BackupError as exc:
            raise CommandError(f"Restore failed: {exc}") from exc
        self.stdout.write(f"Restored {target} from {path}.")
        self.stdout.write(
            "The search index still holds the articles as they were before the restore: "
            "rebuild it now with `manage.py rebuild_index --noinput`."
        )

    def confirmed(self, warning):
        try:
            answer = input(f"{warning}\nType 'yes' to continue: ")
        except EOFError:  # no one to ask (stdin closed or not a terminal)
            return False
        return answer.strip().lower() == "yes"
