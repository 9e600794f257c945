"""The search's word on a province whose name means two (archive.places): `province=Vĩnh Long`
finds the legacy province, `province=2025:vinh-long` the 2025 one that took in Bến Tre and Trà
Vinh. notice(form, outcome, params) says which one the results are for and links the same
search in the other, with its count: one count-only search, kept until the next save."""

from dataclasses import replace

from django.utils.translation import gettext as _

from archive import cache
from archive.models import Locality
from archive.places import PlaceNotice, namesake
from search import facets, query
from search.forms import SearchForm

PROVINCE_FIELDS = (facets.PROVINCES.field, facets.PROVINCES_2025.field)


def _count_in(form: SearchForm, outcome: query.Outcome, other: Locality) -> int:
    """How many articles the same search finds with the province of the other era instead."""
    request = query.build(form, outcome.parsed, limit=0)
    filters = tuple((f, keys) for f, keys in request.filters if f not in PROVINCE_FIELDS)
    facet = facets.of_province(other)
    request = replace(request, filters=(*filters, (facet.field, (facet.key(other),))), facets=())
    return cache.remembered(f"place-count:{request!r}", lambda: query.engine().execute(request).count)


def notice(form: SearchForm, outcome: query.Outcome | None, params: dict) -> PlaceNotice | None:
    """For a valid search filtered on a province whose name also names one of the other era."""
    if outcome is None or outcome.page_error:
        return None
    unit = form.cleaned_data.get("province")
    pair = namesake(unit)
    if pair is None or unit is None:
        return None
    other = pair.other(unit)
    count = _count_in(form, outcome, other)
    facet = facets.of_province(other)
    return PlaceNotice(
        text=_("Kết quả cho %(place)s.") % {"place": pair.described(unit)},
        other=other,
        link_label=pair.link_label(unit, count),
        count=count,
        url=query._query_url({k: v for k, v in params.items() if k != "cursor"}, **facet.link(facet.key(other))),
    )


def as_json(found: PlaceNotice | None) -> dict | None:
    return found.as_json() if found else None
