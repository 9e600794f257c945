"""Read-side queries for the public pages: what readers may see, and how it is grouped."""

from django.core.paginator import EmptyPage, PageNotAnInteger, Paginator
from django.db.models import Count, Q
from django.db.models.functions import TruncMonth, TruncYear
from django.http import Http404
from django.utils.translation import gettext as _

from archive.models import Article, Locality, Official, Position
from archive.text import slug_for, sort_key

PAGE_SIZE = 20


class NotFound(Http404):
    """A 404 whose message is written for the reader and shown on the page."""


def published_articles():
    return Article.objects.filter(status=Article.Status.PUBLISHED).select_related("source")


def articles_visible_to(user):
    """Readers see published articles; editors also drafts (to preview them)."""
    if user.has_perm("archive.view_article"):
        return Article.objects.select_related("source")
    return published_articles()


def articles_in(locality: Locality):
    """Published articles that name `locality` or any unit inside it."""
    named = Article.objects.filter(**{f"localities__{locality.scope_field}": locality})
    return published_articles().filter(pk__in=named.values("pk"))


def officials(name: str = ""):
    """Officials named in published articles, the most mentioned first; `name` narrows by name,
    with or without diacritics."""
    found = with_article_counts(Official.objects.all(), "articles").filter(n__gt=0).order_by("-n", "name")
    return found.filter(slug__contains=slug_for(name)) if name.strip() else found


def officials_visible_to(user):
    """Readers see the officials published articles name; editors every one."""
    if user.has_perm("archive.view_official"):
        return Official.objects.all()
    return Official.objects.filter(pk__in=Article.objects.filter(status=Article.Status.PUBLISHED).values("officials"))


def positions_of(official: Official):
    """Every position published articles state `official` held, newest first."""
    return Position.objects.filter(official=official, article__status=Article.Status.PUBLISHED).select_related(
        "article", "locality__province"
    )


def in_vietnamese_order(units):
    return sorted(units, key=lambda unit: sort_key(unit.short_name))


def count_by_year(articles):
    return (
        articles.exclude(published_at=None)
        .annotate(year=TruncYear("published_at"))
        .values("year")
        .annotate(n=Count("pk", distinct=True))
        .order_by("-year")
    )


def count_by_month(articles):
    return (
        articles.annotate(month=TruncMonth("published_at"))
        .values("month")
        .annotate(n=Count("pk", distinct=True))
        .order_by("month")
    )


def with_article_counts(items, articles: str):
    """`items` annotated with `n`: how many published articles the relation path `articles` reaches
    ("articles" for a term; "in_province__articles" for a province and every unit inside it)."""
    return items.annotate(
        n=Count(articles, distinct=True, filter=Q(**{f"{articles}__status": Article.Status.PUBLISHED}))
    )


def page_of(items, page_number, per_page: int = PAGE_SIZE):
    """One page of `items`; a page that does not exist is a 404 with a message, never an error."""
    paginator = Paginator(items, per_page)
    try:
        return paginator.page(page_number or 1)
    except PageNotAnInteger:
        raise NotFound(_("Số trang không hợp lệ.")) from None
    except EmptyPage:
        raise NotFound(
            _("Không có trang %(page)s: danh sách chỉ có %(count)s trang.")
            % {"page": page_number, "count": paginator.num_pages}
        ) from None
