"""What the search index holds for each published article.

Text fields get the article's text as pyvi segmented it (search.segmentation keeps that with the
article); the Vietnamese analyzers take it from there: compounds and syllables in the exact
fields, folded syllables in the *_folded ones.
Facet fields hold stable keys (slugs, ids, years): search.facets says how an article yields them
and how pages turn them back into names from the database.
"""

import datetime

from haystack import indexes

from archive.models import Article
from search import facets
from search.analysis import VietnameseAnalyzer
from search.plan import UNDATED_NEWEST, UNDATED_OLDEST
from search.segmentation import segmented


class ArticleIndex(indexes.SearchIndex, indexes.Indexable):
    # The text fields are filled in prepare(): each text once, for its exact and folded forms.
    text = indexes.CharField(document=True, default="", analyzer=VietnameseAnalyzer())
    text_folded = indexes.CharField(default="", analyzer=VietnameseAnalyzer(folded=True))
    title = indexes.CharField(default="", analyzer=VietnameseAnalyzer())
    title_folded = indexes.CharField(default="", analyzer=VietnameseAnalyzer(folded=True))
    author = indexes.CharField(model_attr="author", analyzer=VietnameseAnalyzer(folded=True))
    published = indexes.DateTimeField(model_attr="published_at", null=True)
    # Sort keys that put undated articles last whichever way the dates run.
    newest_first = indexes.DateTimeField()
    oldest_first = indexes.DateTimeField()
    # The facets' keys (search.facets, which fills them in prepare()); a field for each facet there.
    year = indexes.CharField(faceted=True, null=True)
    month = indexes.CharField(faceted=True, null=True)
    source = indexes.CharField(faceted=True, null=True)
    provinces = indexes.MultiValueField(faceted=True)
    provinces_2025 = indexes.MultiValueField(faceted=True)
    districts = indexes.MultiValueField(faceted=True)
    officials = indexes.MultiValueField(faceted=True)
    terms = indexes.MultiValueField(faceted=True)
    # The database row this document was made from (its last change), so check_index sees stale ones.
    version = indexes.CharField(indexed=False)

    def get_model(self):
        return Article

    def index_queryset(self, using=None):
        return (
            Article.objects.filter(status=Article.Status.PUBLISHED)
            .select_related("source", "segmentation")
            .prefetch_related(
                "localities__province",
                "localities__district__province",
                "localities__current_province",
                "officials",
                "terms",
            )
        )

    def read_queryset(self, using=None):
        return self.index_queryset(using)

    def prepare(self, obj):
        data = super().prepare(obj)
        text = segmented(obj)
        data["text"] = data["text_folded"] = text
        data["title"] = data["title_folded"] = text.partition("\n")[0]
        data.update({facet.field: facet.indexed(obj) for facet in facets.FACETS})
        return data

    def prepare_version(self, obj):
        return version_of(obj.updated_at)

    def prepare_newest_first(self, obj):
        return obj.published_at or UNDATED_NEWEST

    def prepare_oldest_first(self, obj):
        return obj.published_at or UNDATED_OLDEST


def version_of(updated_at: datetime.datetime) -> str:
    return updated_at.astimezone(datetime.UTC).isoformat()
