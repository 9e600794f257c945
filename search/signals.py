"""Keep the index in step with editors' saves: after the transaction commits, never before,
so a rolled-back save leaves no ghost document and the document sees the saved links."""

from django.db import transaction
from django.db.models import signals
from haystack.signals import BaseSignalProcessor

from archive.models import Article, ArticleLocality, ArticleOfficial, ArticleTerm

LINKS = (ArticleLocality, ArticleOfficial, ArticleTerm)


class OnCommitSignalProcessor(BaseSignalProcessor):
    def _receivers(self):
        yield signals.post_save, self.article_changed, Article
        yield signals.post_delete, self.article_deleted, Article
        for link in LINKS:
            yield signals.post_save, self.link_changed, link
            yield signals.post_delete, self.link_changed, link

    def setup(self):
        for signal, receiver, sender in self._receivers():
            signal.connect(receiver, sender=sender)

    def teardown(self):
        for signal, receiver, sender in self._receivers():
            signal.disconnect(receiver, sender=sender)

    def article_changed(self, sender, instance, **kwargs):
        transaction.on_commit(lambda: self.reindex(instance.pk))

    def article_deleted(self, sender, instance, **kwargs):
        transaction.on_commit(lambda: self.handle_delete(sender, instance))

    def link_changed(self, sender, instance, **kwargs):
        transaction.on_commit(lambda: self.reindex(instance.article_id))

    def reindex(self, article_pk):
        """Index the article as it is now in the database; a draft or deleted one leaves the index."""
        article = Article.objects.filter(pk=article_pk).first()
        if article is None:
            return
        index = self.connections["default"].get_unified_index().get_index(Article)
        if article.status == Article.Status.PUBLISHED:
            index.update_object(article)
        else:
            index.remove_object(article)
