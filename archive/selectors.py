"""Read-side queries for the public pages: what readers may see, and how it is grouped.

Counts over the whole archive (articles per unit, year, term, official; how many a list has) are
kept in the pages cache until the next change (archive/cache.py), so each page costs a bounded
number of small queries whatever the archive's size."""

from typing import Any

from django.core.paginator import EmptyPage, PageNotAnInteger, Paginator
from django.db.models import Count, Exists, OuterRef, QuerySet
from django.db.models.functions import TruncMonth, TruncYear
from django.utils.functional import cached_property
from django.utils.translation import gettext as _

from archive import cache
from archive.models import Article, ArticleLocality, ArticleOfficial, Locality, Official, Position, Term
from archive.text import slug_for, sort_key

PAGE_SIZE = 20
UNDATED = "undated"  # the `year` a list of articles without a date is asked for by
PUBLISHED = Article.Status.PUBLISHED


class NotFound(LookupError):
    """What was asked for is not in the archive (or not for this reader). A message, when given,
    is written for the reader: the views show it on their 404 page."""


def get_one(queryset, **lookup):
    """The one row of `queryset` matching `lookup`; NotFound (without a message) when none is."""
    try:
        return queryset.get(**lookup)
    except queryset.model.DoesNotExist:
        raise NotFound from None


def published_articles():
    return Article.objects.filter(status=PUBLISHED).select_related("source")


def article_list(articles=None):
    """Published articles (or those of `articles`) as lists show them: without their text."""
    return (articles if articles is not None else published_articles()).defer("body", "captions")


def articles_visible_to(user):
    """Readers see published articles; editors also drafts (to preview them)."""
    if user.has_perm("archive.view_article"):
        return Article.objects.select_related("source")
    return published_articles()


def article_for(user, pk: int) -> Article:
    return get_one(articles_visible_to(user), pk=pk)


def articles_in(locality: Locality):
    """Published articles that name `locality` or any unit inside it."""
    named = ArticleLocality.objects.filter(**{f"locality__{locality.scope_field}": locality})
    return published_articles().filter(pk__in=named.values("article_id"))


# What a unit's name and address read (Locality.__str__, get_absolute_url), its own and its
# district's for a commune, and its 2025 province's: only these columns of the four joined rows.
_NAMED = ("era", "kind", "name", "short_name", "slug", "parent", "province", "current_province")


def localities_of(article: Article):
    """The units `article` names, with what their names and addresses need (a commune's district)."""
    return (
        article.localities.select_related("province", "current_province", "parent__province")
        .only(
            *_NAMED,
            "province__short_name",
            "province__slug",
            *(f"current_province__{name}" for name in ("era", "kind", "name", "slug")),
            *(f"parent__{name}" for name in ("era", "kind", "slug", "parent", "province")),
            "parent__province__slug",
        )
        .order_by("kind", "short_name")
    )


def in_year(articles, year, month=None):
    """`articles` of `year` (and `month`) in Vietnam's time, or, for UNDATED, those without a date."""
    if year == UNDATED:
        return articles.filter(published_at=None)
    if not 1000 <= year <= 9998 or (month is not None and not 1 <= month <= 12):  # dates convert to UTC
        raise NotFound(_("Ngày tháng không hợp lệ."))
    articles = articles.filter(published_at__year=year)
    return articles.filter(published_at__month=month) if month else articles


def year_of(value: str | None):
    """The `year` of a list's ?year= parameter: None (all), UNDATED or a year; else a 404."""
    if not value:
        return None
    if value == UNDATED:
        return UNDATED
    try:
        return int(value)
    except ValueError:
        raise NotFound(_("Ngày tháng không hợp lệ.")) from None


def years(articles, key: str):
    """How many of `articles` each year has, newest first, and how many have no date:
    {"years": [{"year": 2020, "n": 5}, ...], "undated": 3}, kept under `key`."""

    def count():
        by_year = (
            articles.exclude(published_at=None)
            .annotate(year=TruncYear("published_at"))
            .values("year")
            .annotate(n=Count("pk", distinct=True))
            .order_by("-year")
        )
        return {
            "years": [{"year": row["year"].year, "n": row["n"]} for row in by_year],
            "undated": articles.filter(published_at=None).count(),
        }

    return cache.remembered(f"years {key}", count)


def archive_years():
    return years(published_articles(), "all")


def months(year: int):
    """[(first day of the month, articles)] of `year` that have articles."""
    return cache.remembered(
        f"months {year}",
        lambda: [
            (row["month"].date(), row["n"])
            for row in in_year(published_articles(), year)
            .annotate(month=TruncMonth("published_at"))
            .values("month")
            .annotate(n=Count("pk"))
            .order_by("month")
        ],
    )


def unit_counts(scope: str) -> dict[int, int]:
    """{unit id: published articles naming it or a unit inside it}, for every unit of `scope`
    ("province", "district" or "current_province", the denormalised ancestor fields)."""
    return cache.remembered(
        f"units {scope}",
        lambda: dict(
            ArticleLocality.objects.filter(article__status=PUBLISHED, **{f"locality__{scope}__isnull": False})
            .values_list(f"locality__{scope}")
            .annotate(n=Count("article", distinct=True))
            .order_by()
        ),
    )


def counted(units, scope: str):
    """`units` in Vietnamese order, each with `n`: its published articles."""
    counts = unit_counts(scope)
    found = in_vietnamese_order(units)
    for unit in found:
        unit.n = counts.get(unit.pk, 0)
    return found


def provinces(era):
    return Locality.objects.filter(era=era, kind=Locality.Kind.PROVINCE)


def province_index():
    """Every province, of 2025 and before, with its articles."""
    return cache.remembered(
        "province index",
        lambda: {
            "current": counted(provinces(Locality.Era.CURRENT), "current_province"),
            "legacy": counted(provinces(Locality.Era.LEGACY).select_related("current_province"), "province"),
        },
    )


def province(slug: str) -> Locality:
    """A legacy province by its slug."""
    units = Locality.objects.select_related("current_province")
    return get_one(units, era=Locality.Era.LEGACY, kind=Locality.Kind.PROVINCE, slug=slug)


def current_province(slug: str) -> Locality:
    """A 2025 province by its slug."""
    return get_one(Locality.objects, era=Locality.Era.CURRENT, kind=Locality.Kind.PROVINCE, slug=slug)


def district(province_slug: str, slug: str) -> Locality:
    units = Locality.objects.select_related("province", "current_province")
    return get_one(
        units, era=Locality.Era.LEGACY, kind=Locality.Kind.DISTRICT, province__slug=province_slug, slug=slug
    )


def districts_of(province: Locality):
    return cache.remembered(
        f"districts {province.pk}", lambda: counted(province.children.select_related("province"), "district")
    )


def merged_into(province: Locality):
    """The legacy provinces a 2025 province was made of, with their articles."""
    return cache.remembered(
        f"merged {province.pk}",
        lambda: counted(provinces(Locality.Era.LEGACY).filter(current_province=province), "province"),
    )


def terms():
    """Every term, with `n`: its published articles."""
    counts = cache.remembered(
        "terms",
        lambda: dict(
            Term.objects.filter(articles__status=PUBLISHED).values_list("pk").annotate(n=Count("articles")).order_by()
        ),
    )
    found = list(Term.objects.all())
    for term in found:
        term.n = counts.get(term.pk, 0)  # type: ignore[attr-defined]  # the count, for the template
    return found


def term(start: int, end: int) -> Term:
    return get_one(Term.objects, start_year=start, end_year=end)


def latest_terms(count: int = 6):
    return Term.objects.all()[:count]


def officials(name: str = ""):
    """Officials named in published articles, with `n`: how many; the most mentioned first.
    `name` narrows by name, with or without diacritics."""
    found = (
        Official.objects.filter(articles__status=PUBLISHED).annotate(n=Count("articles")).order_by("-n", "name", "pk")
    )
    return found.filter(slug__contains=slug_for(name)) if name.strip() else found


def officials_visible_to(user):
    """Readers see the officials published articles name; editors every one."""
    if user.has_perm("archive.view_official"):
        return Official.objects.all()
    return Official.objects.filter(
        Exists(ArticleOfficial.objects.filter(official=OuterRef("pk"), article__status=PUBLISHED))
    )


def official_for(user, pk: int) -> Official:
    return get_one(officials_visible_to(user), pk=pk)


def positions_of(official: Official):
    """The positions published articles state `official` held, one row per title, body and place,
    the latest first: the latest statement, with `n`, how many state it."""

    def grouped():
        rows: dict[tuple[str, str, int | None], Position] = {}
        stated = (
            Position.objects.filter(official=official, article__status=PUBLISHED)
            .select_related("article", "locality__province", "locality__parent__province")
            .defer("article__body", "article__captions", "article__lead")
        )
        for position in stated:  # newest first
            latest = rows.setdefault((position.title, position.organisation, position.locality_id), position)
            latest.n = getattr(latest, "n", 0) + 1  # type: ignore[attr-defined]  # the count, for the template
        return list(rows.values())

    return cache.remembered(f"positions {official.pk}", grouped)


def unordered(articles: QuerySet) -> QuerySet:
    """`articles` without their order, to read some of them by pk (in_bulk): ordered by date,
    SQLite walks the listing index over every published article to find them, ~10 ms at 35k."""
    return articles.order_by()


def in_vietnamese_order(units):
    return sorted(units, key=lambda unit: sort_key(unit.short_name))


class _Kept(Paginator):
    """A paginator of a queryset whose count and pages are kept until the next change."""

    object_list: QuerySet[Any]

    def __init__(self, items, per_page):
        super().__init__(items, per_page)
        sql, params = items.query.sql_with_params()
        self.key = f"{sql} {params}"

    @cached_property
    def count(self):
        return cache.remembered(f"count {self.key}", self.object_list.count)

    def page(self, number):
        page = super().page(number)
        page.object_list = cache.remembered(f"page {page.number} {self.key}", lambda: self._rows(page))
        return page

    def _rows(self, page):
        """The page's rows: their ids first, from an index alone however deep the page is, then
        those rows (an offset over the rows themselves would read every row it skips)."""
        bottom = (page.number - 1) * self.per_page
        ids = list(self.object_list.values_list("pk", flat=True)[bottom : bottom + self.per_page])
        found = unordered(self.object_list).in_bulk(ids)
        return [found[pk] for pk in ids]


def page_of(items, page_number, per_page: int = PAGE_SIZE):
    """One page of the queryset `items`; a page that does not exist is a 404 with a message, never an error."""
    paginator = _Kept(items, per_page)
    try:
        return paginator.page(page_number or 1)
    except PageNotAnInteger:
        raise NotFound(_("Số trang không hợp lệ.")) from None
    except EmptyPage:
        raise NotFound(
            _("Không có trang %(page)s: danh sách chỉ có %(count)s trang.")
            % {"page": page_number, "count": paginator.num_pages}
        ) from None
