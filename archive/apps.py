from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class ArchiveConfig(AppConfig):
    name = "archive"
    verbose_name = _("Lưu trữ")

    def ready(self):
        from archive import cache
        from archive.roles import ensure_editor_group

        cache.connect()
        post_migrate.connect(ensure_editor_group, sender=self)
