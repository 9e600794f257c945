"""The search's facets, each defined once: the index field holding an article's keys (stable:
slugs, ids, years), the URL parameter that filters on it, its title, how an article yields its
keys, and how keys get their labels, pages and links back to the search.

FACETS: every faceted index field (search.search_indexes.ArticleIndex and the Solr schema
declare these, and tests hold them to it); LISTED: the ones the search page counts and lists, in
its order; BY_FIELD: FACETS by index field. PARAMETERS: the URL parameters that filter on a facet,
in the form's order (search.forms parses them into rows; facet.key(row) is a row's index key).

A key's round trip: facet.keys(article) -> index -> counts -> facet.labels(keys) (name and page,
from the database) and facet.link(key) (the URL parameters narrowing the search to it) ->
search.forms finds the row again -> facet.key(row) -> the index filter.
"""

import calendar
import datetime
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from archive.models import Article, Locality, Official, Source
from archive.places import district_label

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

CURRENT_PREFIX = "2025:"  # a province parameter's value for a 2025 province: "2025:vinh-long"

Labels = dict[str, tuple[str, str]]  # key -> (label, the archive's own page for it or "")


@dataclass(frozen=True)
class Facet:
    field: str  # the index field
    title: "StrOrPromise"  # translatable, Vietnamese first
    rows: Callable[[Article], Iterable[Any]]  # what of an article the facet counts (units, officials, …)
    key: Callable[[Any], str]  # one row's key in the index
    labels: Callable[[list[str]], Labels]  # for the keys it knows
    parameter: str = ""  # the URL parameter filtering on it; "" for a period (from, to)
    prefix: str = ""  # before a key in that parameter
    several: bool = True  # an article may have several keys (a multi-valued index field)

    def keys(self, article: Article) -> list[str]:
        """The article's keys, as the index holds them."""
        return [self.key(row) for row in self.rows(article)]

    def indexed(self, article: Article) -> list[str] | str | None:
        """The index field's value: the list of keys, or the one key (None without one)."""
        keys = self.keys(article)
        return keys if self.several else next(iter(keys), None)

    def link(self, key: str) -> dict[str, str]:
        """The URL parameters that narrow a search to `key` (a period: its first and last day)."""
        if not self.parameter:
            first, last = period(key)
            return {"from": first.isoformat(), "to": last.isoformat()}
        return {self.parameter: self.prefix + key}


def period(key: str) -> tuple[datetime.date, datetime.date]:
    """The first and last day of a year ("2020") or a month ("2020-03")."""
    year, _sep, month = key.partition("-")
    if not month:
        return datetime.date(int(year), 1, 1), datetime.date(int(year), 12, 31)
    first = datetime.date(int(year), int(month), 1)
    return first, first.replace(day=calendar.monthrange(first.year, first.month)[1])


def district_key(district: Locality) -> str:
    """Districts share names across provinces ("Châu Thành"): key them by province too."""
    return f"{district.province.slug}/{district.slug}"


def _slug(unit: Locality) -> str:
    return unit.slug


def _units(attribute: str, key: Callable[[Locality], str]) -> Callable[[Article], list[Locality]]:
    """An article's units of one level (province, 2025 province, district): one a key, by key."""

    def rows(article: Article) -> list[Locality]:
        units = {key(unit): unit for loc in article.localities.all() if (unit := getattr(loc, attribute))}
        return [units[k] for k in sorted(units)]

    return rows


def _provinces(field: str, title: "StrOrPromise", era: str, attribute: str) -> Facet:
    """The provinces of one era: an article's by its localities' `attribute`; a 2025 one's
    parameter says "2025:" (search.forms reads a bare name as a legacy province first)."""

    def labels(keys: list[str]) -> Labels:
        units = Locality.objects.filter(era=era, kind=Locality.Kind.PROVINCE, slug__in=keys)
        return {u.slug: (u.name, u.get_absolute_url()) for u in units}

    prefix = CURRENT_PREFIX if era == Locality.Era.CURRENT else ""
    return Facet(field, title, _units(attribute, _slug), _slug, labels, parameter="province", prefix=prefix)


def _districts(keys: list[str]) -> Labels:
    units = Locality.objects.filter(
        era=Locality.Era.LEGACY, kind=Locality.Kind.DISTRICT, slug__in={k.partition("/")[2] for k in keys}
    ).select_related("province", "current_province")
    return {district_key(u): (district_label(u), u.get_absolute_url()) for u in units}


def _ids(keys: list[str]) -> list[str]:
    return [k for k in keys if k.isdigit()]


def _officials(keys: list[str]) -> Labels:
    return {str(o.pk): (o.name, o.get_absolute_url()) for o in Official.objects.filter(pk__in=_ids(keys))}


def _sources(keys: list[str]) -> Labels:
    return {str(pk): (name, "") for pk, name in Source.objects.filter(pk__in=_ids(keys)).values_list("pk", "name")}


def _terms(keys: list[str]) -> Labels:
    return {k: (k, reverse("archive:term", args=k.split("-"))) for k in keys if re.fullmatch(r"\d{4}-\d{4}", k)}


def _years(keys: list[str]) -> Labels:
    return {k: (k, reverse("archive:year", args=[k]) if k.isdigit() else "") for k in keys}


def _months(keys: list[str]) -> Labels:
    """ "03/2020" for "2020-03"; the trend view's months have no page of their own."""
    return {k: (f"{k[5:]}/{k[:4]}", "") for k in keys}


def _year(article: Article) -> list[str]:
    """The year it was published in Vietnam ("2020"); none when undated."""
    return [str(timezone.localtime(article.published_at).year)] if article.published_at else []


def _month(article: Article) -> list[str]:
    return [timezone.localtime(article.published_at).strftime("%Y-%m")] if article.published_at else []


def _same(key: str) -> str:
    return key


PROVINCES_2025 = _provinces("provinces_2025", _("Tỉnh, thành (từ 2025)"), Locality.Era.CURRENT, "current_province")
PROVINCES = _provinces("provinces", _("Tỉnh, thành (trước 2025)"), Locality.Era.LEGACY, "province")
DISTRICTS = Facet(
    "districts", _("Quận, huyện"), _units("district", district_key), district_key, _districts, parameter="district"
)
YEAR = Facet("year", _("Năm"), _year, _same, _years, several=False)
TERMS = Facet("terms", _("Nhiệm kỳ"), lambda a: a.terms.all(), lambda term: term.key, _terms, parameter="term")
OFFICIALS = Facet(
    "officials", _("Cán bộ"), lambda a: a.officials.all(), lambda o: str(o.pk), _officials, parameter="official"
)
SOURCE = Facet(
    "source",
    _("Nguồn báo"),
    lambda a: [a.source] if a.source_id else [],
    lambda source: str(source.pk),
    _sources,
    parameter="source",
    several=False,
)
MONTH = Facet("month", _("Tháng"), _month, _same, _months, several=False)  # the trend view's

LISTED = (PROVINCES_2025, PROVINCES, DISTRICTS, YEAR, TERMS, OFFICIALS, SOURCE)
FACETS = (*LISTED, MONTH)
BY_FIELD = {facet.field: facet for facet in FACETS}
PARAMETERS = ("province", "district", "official", "term", "source")


def of_province(unit: Locality) -> Facet:
    """The facet holding a province of its era."""
    return PROVINCES_2025 if unit.era == Locality.Era.CURRENT else PROVINCES


def filters(params: dict) -> list[tuple[str, str]]:
    """(parameter, value) of the facet filters set in a request's parameters, in the form's order."""
    return [(name, params[name]) for name in PARAMETERS if params.get(name)]
