"""The daily alerts of saved searches (search.alerts): run it once a day from cron or a systemd timer."""

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from search import alerts


class Command(BaseCommand):
    help = (
        "E-mail each reader the articles published or added since their last alert that match their saved "
        "searches. A failed e-mail is retried on the next run; no article is sent twice for one search."
    )

    def handle(self, *args, **options):
        report = alerts.send_alerts()
        if options["verbosity"]:
            self.stdout.write(
                _("Đã gửi %(sent)d thư báo, nêu %(articles)d bài.")
                % {"sent": report.sent, "articles": report.articles}
            )
        if report.failed:
            raise CommandError(
                _("%(count)d thư chưa gửi được (sẽ gửi lại lần chạy sau): %(addresses)s")
                % {"count": len(report.failed), "addresses": ", ".join(report.failed)}
            )
