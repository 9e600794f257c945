"""Keep the index in step with editors' saves: after the transaction commits, never before,
so a rolled-back save leaves no ghost document and the document sees the saved links."""

from django.db import transaction
from django.db.models import signals
from haystack.signals import BaseSignalProcessor

from archive.models import Article, ArticleLocality, ArticleOfficial, ArticleTerm

LINKS = (ArticleLocality, ArticleOfficial, ArticleTerm)


class OnCommitSignalProcessor(BaseSignalProcessor):
    def setup(self):
        signals.post_save.connect(self.article_changed, sender=Article)
        signals.post_delete.connect(self.article_deleted, sender=Article)
        for link in LINKS:
            signals.post_save.connect(self.link_changed, sender=link)
            signals.post_delete.connect(self.link_changed, sender=link)

    def teardown(self):
        signals.post_save.disconnect(self.article_changed, sender=Article)
        signals.post_delete.disconnect(self.article_deleted, sender=Article)
        for link in LINKS:
            signals.post_save.disconnect(self.link_changed, sender=link)
            signals.post_delete.disconnect(self.link_changed, sender=link)

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
