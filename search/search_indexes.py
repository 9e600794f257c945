"""What the search index holds for each published article."""

from haystack import indexes

from archive.models import Article


class ArticleIndex(indexes.SearchIndex, indexes.Indexable):
    text = indexes.CharField(document=True, use_template=True)
    title = indexes.CharField(model_attr="title")
    author = indexes.CharField(model_attr="author", default="")
    published = indexes.DateTimeField(model_attr="published_at", null=True)

    def get_model(self):
        return Article

    def index_queryset(self, using=None):
        return Article.objects.filter(status=Article.Status.PUBLISHED)
