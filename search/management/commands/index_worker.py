"""The index's single writer: applies the pending changes saves and deletes recorded."""

import signal

from django.core.management.base import BaseCommand

from search import outbox
from search.models import PendingChange


class Command(BaseCommand):
    help = (
        "Apply pending index changes in order, as the index's only writer, until stopped "
        "(SIGTERM or Ctrl-C finish the current batch first). --once applies what is pending and exits."
    )

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help="apply what is pending now, then exit")
        parser.add_argument("--poll", type=float, default=0.5, help="seconds between looks when idle")

    def handle(self, *args, once, poll, **options):
        if once:
            applied = outbox.apply_all()
        else:
            stopping = []
            for sig in (signal.SIGTERM, signal.SIGINT):
                signal.signal(sig, lambda *_: stopping.append(True))
            if options["verbosity"]:
                self.stdout.write("Index worker running; stop with Ctrl-C.", ending="\n")
                self.stdout.flush()
            applied = outbox.work(stop=lambda: bool(stopping), poll=poll)
        waiting = PendingChange.objects.filter(attempts__gte=outbox.MAX_ATTEMPTS).count()
        if options["verbosity"]:
            self.stdout.write(
                f"Applied {applied:,} index changes."
                + (f" {waiting:,} keep failing: see check_index." if waiting else "")
            )
