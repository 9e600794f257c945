from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class PendingChange(models.Model):
    """An article whose search document must be written again (or removed): recorded in the
    transaction that changed the article, applied by the index worker after commit, deleted
    once applied. The database is the truth; this is how the index is told."""

    article_id = models.BigIntegerField(_("mã bài viết"), db_index=True)
    recorded_at = models.DateTimeField(_("ghi lúc"), auto_now_add=True)
    attempts = models.PositiveSmallIntegerField(_("số lần thử lỗi"), default=0)
    error = models.TextField(_("lỗi gần nhất"), blank=True)

    class Meta:
        ordering = ["pk"]
        verbose_name = _("thay đổi chờ cập nhật chỉ mục")
        verbose_name_plural = _("thay đổi chờ cập nhật chỉ mục")

    def __str__(self):
        return f"{self.article_id} @ {self.recorded_at:%Y-%m-%d %H:%M:%S}"


class Segmentation(models.Model):
    """pyvi's word segmentation of an article's searchable text, kept so that indexing it again
    (a rebuild, the worker) need not run pyvi, the costliest step, again. Derived data: `digest`
    says which text it was made from, and a stale or missing one is made again when needed."""

    # No constraint in the database: the index worker may keep the segmentation of an article an
    # editor is deleting at that moment, which must not make the delete fail (fill() drops such rows).
    article = models.OneToOneField(
        "archive.Article", primary_key=True, on_delete=models.CASCADE, related_name="segmentation", db_constraint=False
    )
    digest = models.CharField(max_length=40)
    text = models.TextField()

    class Meta:
        verbose_name = _("tách từ")
        verbose_name_plural = _("tách từ")

    def __str__(self):
        return str(self.article_id)


class SavedSearch(models.Model):
    """A search a reader keeps (the parameters of the search page, search.alerts.saved_params) and,
    while `alerts` is on, is e-mailed about daily: the articles published or added since
    `last_alert_at` that match it (manage.py send_alerts)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("người đọc"), on_delete=models.CASCADE, related_name="saved_searches"
    )
    name = models.CharField(_("tên"), max_length=200)
    params = models.JSONField(_("tham số"), default=dict)
    alerts = models.BooleanField(_("gửi thư báo"), default=True)
    created_at = models.DateTimeField(_("lưu lúc"), auto_now_add=True)
    last_alert_at = models.DateTimeField(_("lần báo gần nhất"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("tìm kiếm đã lưu")
        verbose_name_plural = _("tìm kiếm đã lưu")

    def __str__(self):
        return self.name


class AlertSent(models.Model):
    """An article an alert e-mail has named for a saved search: it is never named again."""

    saved_search = models.ForeignKey(SavedSearch, on_delete=models.CASCADE, related_name="sent")
    article_id = models.BigIntegerField(_("mã bài viết"))
    sent_at = models.DateTimeField(_("gửi lúc"), auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["saved_search", "article_id"], name="alert_sent_once")]
        verbose_name = _("bài đã báo")
        verbose_name_plural = _("bài đã báo")

    def __str__(self):
        return f"{self.saved_search_id}: {self.article_id}"
