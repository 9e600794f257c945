from django import template

from search.query import related

register = template.Library()


@register.simple_tag
def related_articles(article, limit=5):
    """Articles on the same subject, for the detail page (archive's views know nothing of search)."""
    return related(article, limit)
