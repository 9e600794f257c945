"""Tell the index about every change, in the transaction that makes it: a pending change is
recorded beside the change itself, so it commits (or rolls back) with it, and the index
worker applies it afterwards. No request writes to the index, waits for it, or fails with it."""

from django.db.models import signals
from haystack.signals import BaseSignalProcessor

from archive.models import Article, ArticleLocality, ArticleOfficial, ArticleTerm, Locality, Term
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
        yield signals.post_save, self.term_changed, Term
        for field in (Article.localities, Article.officials, Article.terms):
            yield signals.m2m_changed, self.links_changed, field.through

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

    def term_changed(self, sender, instance, created, raw=False, **kwargs):
        if not created and not raw:  # its years are the articles' term facet keys
            outbox.record(instance.articles.values_list("pk", flat=True))

    def links_changed(self, sender, instance, action, reverse, pk_set, **kwargs):
        """article.localities.add(…), locality.articles.remove(…) and the like, which send no post_save."""
        if action in ("post_add", "post_remove"):
            outbox.record(pk_set if reverse else [instance.pk])
        elif action == "pre_clear":
            outbox.record(instance.articles.values_list("pk", flat=True) if reverse else [instance.pk])

    def locality_changed(self, sender, instance, created, raw=False, **kwargs):
        """A renamed unit changes the facet keys of every article naming it or a unit inside it."""
        if not created and not raw:
            outbox.record(
                Article.objects.filter(**{f"localities__{instance.scope_field}": instance}).values_list(
                    "pk", flat=True
                )
            )
