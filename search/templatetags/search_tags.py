from html import escape

from django import template
from django.utils.safestring import SafeString, mark_safe

from search.query import related

register = template.Library()


@register.simple_tag
def related_articles(article, limit=5):
    """Articles on the same subject, for the detail page (archive's views know nothing of search)."""
    return related(article, limit)


@register.filter
def facet_items(values) -> SafeString:
    """A facet's values (search.query.FacetValue: plain text, escaped here) as its list's items:
    each value's link, count and link to its page. Written out here, not in a template loop, whose
    variables cost a search page about 2 ms for its sixty-odd values (a twentieth of the page)."""
    items = []
    for v in values:
        page = ""
        if v.page:
            title = escape(v.page_title)
            page = f' <a class="page-link" href="{escape(v.page)}" title="{title}" aria-label="{title}">↗</a>'
        link = f'<a href="{escape(v.url)}">{escape(v.label)}</a>'
        items.append(f'<li>{link} <span class="n">{v.count}</span>{page}</li>')
    return mark_safe("".join(items))
