"""Tell the index about every change, in the transaction that makes it: a pending change is
recorded beside the change itself, so it commits (or rolls back) with it, and the index
worker applies it afterwards. No request writes to the index, waits for it, or fails with it."""

from django.db.models import signals
from haystack.signals import BaseSignalProcessor

from archive.models import Article, ArticleLocality, ArticleOfficial, ArticleTerm, Locality
from archive.signals import articles_changed
from search import outbox

LINKS = (ArticleLocality, ArticleOfficial, ArticleTerm)


class OutboxSignalProcessor(BaseSignalProcessor):
    def _receivers(self):
        yield signals.post_save, self.article_changed, Article
        yield signals.post_delete, self.article_changed, Article
        yield articles_changed, self.articles_changed, Article
        for link in LINKS:
            yield signals.post_save, self.link_changed, link
            yield signals.post_delete, self.link_changed, link
        yield signals.post_save, self.locality_changed, Locality

    def setup(self):
        for signal, receiver, sender in self._receivers():
            signal.connect(receiver, sender=sender)

    def teardown(self):
        for signal, receiver, sender in self._receivers():
            signal.disconnect(receiver, sender=sender)

    def article_changed(self, sender, instance, **kwargs):
        outbox.record([instance.pk])

    def articles_changed(self, sender, article_ids, **kwargs):
        outbox.record(article_ids)

    def link_changed(self, sender, instance, **kwargs):
        outbox.record([instance.article_id])

    def locality_changed(self, sender, instance, created, raw=False, **kwargs):
        """A renamed unit changes the facet keys of every article naming it or a unit inside it."""
        if not created and not raw:
            outbox.record(Article.objects.filter(**{f"localities__{instance.scope_field}": instance})
                          .values_list("pk", flat=True))
