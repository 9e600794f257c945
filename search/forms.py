"""The search parameters, shared by the page and the API: validated, and names resolved to
the keys the index holds. Each error names its parameter."""

import re
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from archive.models import Locality, Official, Source, Term
from archive.text import slug_for
from search import facets
from search.syntax import strip_controls

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

SORTS = {"relevance": _("Liên quan nhất"), "newest": _("Mới nhất"), "oldest": _("Cũ nhất")}
_ID = re.compile(r"[0-9]{1,18}")  # str.isdigit() also takes "²", which int() refuses
YEARS = (1900, 2100)


class QueryField(forms.CharField):
    """Any length and any characters: the parser keeps what it can use and says what it dropped."""

    def to_python(self, value: object) -> str:
        return strip_controls(super().to_python(value) or "")


class DayField(forms.DateField):
    """A day as YYYY-MM-DD, the form a date input sends."""

    input_formats = ["%Y-%m-%d"]
    default_error_messages = {"invalid": _("Ngày phải có dạng YYYY-MM-DD.")}


class FoundField(forms.CharField):
    """Names an archive row (or rows): cleaned, what `find(value)` found; nothing (None, or [] for
    `several`) when empty; a value that finds nothing says so, naming `what` it looked for."""

    def __init__(self, find: Callable[[str], Any], what: "StrOrPromise", several: bool = False, **kwargs) -> None:
        super().__init__(required=False, **kwargs)
        self.find, self.what, self.several = find, what, several

    def clean(self, value: Any) -> Any:
        value = super().clean(value).strip()
        if not value:
            return [] if self.several else None
        found = self.find(value)
        if not found:
            raise forms.ValidationError(
                _("Không tìm thấy %(what)s “%(value)s”.") % {"what": self.what, "value": value}
            )
        return found


def province_named(value: str) -> Locality | None:
    """A legacy province by name or slug, with or without diacritics; "2025:" picks a current one."""
    current = value.startswith(facets.CURRENT_PREFIX)
    slug = slug_for(value.removeprefix(facets.CURRENT_PREFIX))
    eras = [Locality.Era.CURRENT] if current else [Locality.Era.LEGACY, Locality.Era.CURRENT]
    for era in eras:
        unit = Locality.objects.filter(era=era, kind=Locality.Kind.PROVINCE, slug=slug).first()
        if unit:
            return unit
    return None


def districts_named(value: str) -> list[Locality]:
    """Keys ("ben-tre/mo-cay-bac") or a name: every district of that name (there may be several)."""
    province_slug, _sep, district_slug = value.rpartition("/")
    units = Locality.objects.filter(
        era=Locality.Era.LEGACY, kind=Locality.Kind.DISTRICT, slug=slug_for(district_slug)
    ).select_related("province")
    if province_slug:
        units = units.filter(province__slug=slug_for(province_slug))
    return list(units)


def officials_named(value: str) -> list[Official]:
    """By id, or every official of that name."""
    officials = (
        Official.objects.filter(pk=int(value))
        if _ID.fullmatch(value)
        else Official.objects.filter(slug=slug_for(value))
    )
    return list(officials)


def term_named(value: str) -> Term | None:
    years = re.fullmatch(r"(\d{4})\s*[-–—]\s*(\d{4})", value)
    return Term.objects.filter(start_year=years[1], end_year=years[2]).first() if years else None


def source_named(value: str) -> Source | None:
    """By code, name or id."""
    match = Q(code__iexact=value) | Q(name__iexact=value) | (Q(pk=int(value)) if _ID.fullmatch(value) else Q())
    return Source.objects.filter(match).first()


class SearchForm(forms.Form):
    q = QueryField(required=False, label=_("Từ khóa"))
    province = FoundField(province_named, _("tỉnh, thành"), label=_("Tỉnh, thành"))
    district = FoundField(districts_named, _("quận, huyện"), several=True, label=facets.DISTRICTS.title)
    official = FoundField(officials_named, _("cán bộ"), several=True, label=facets.OFFICIALS.title)
    term = FoundField(term_named, _("nhiệm kỳ"), label=facets.TERMS.title)
    source = FoundField(source_named, _("nguồn báo"), label=facets.SOURCE.title)
    date_from = DayField(required=False, label=_("Từ ngày"))
    date_to = DayField(required=False, label=_("Đến ngày"))
    sort = forms.ChoiceField(
        required=False,
        choices=list(SORTS.items()),
        label=_("Sắp xếp"),
        error_messages={"invalid_choice": _("Chọn relevance, newest hoặc oldest.")},
    )
    undated = forms.BooleanField(required=False, label=_("Không rõ ngày"))  # only the articles without a date
    page = forms.IntegerField(
        required=False,
        min_value=1,
        max_value=10**6,
        label=_("Trang"),
        error_messages={
            "invalid": _("Số trang phải là số nguyên dương."),
            "min_value": _("Số trang phải là số nguyên dương."),
            "max_value": _("Số trang quá lớn."),
        },
    )

    PARAMETER_NAMES = {"date_from": "from", "date_to": "to"}

    def __init__(self, params, *args, **kwargs):
        # "from" is a Python keyword: the URL says from/to, the form says date_from/date_to.
        data = {self.field_for(k): v for k, v in params.items()}
        super().__init__(data, *args, **kwargs)

    @classmethod
    def field_for(cls, parameter):
        return {v: k for k, v in cls.PARAMETER_NAMES.items()}.get(parameter, parameter)

    @classmethod
    def parameter_for(cls, field):
        return cls.PARAMETER_NAMES.get(field, field)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for field in ("date_from", "date_to"):
            if data.get(field) and not YEARS[0] <= data[field].year <= YEARS[1]:
                self.add_error(field, _("Năm phải từ %(first)d đến %(last)d.") % {"first": YEARS[0], "last": YEARS[1]})
        if data.get("date_from") and data.get("date_to") and data["date_from"] > data["date_to"]:
            self.add_error("date_to", _("Ngày kết thúc đứng trước ngày bắt đầu."))
        return data

    def filters(self) -> dict[str, list[str]]:
        """Index field -> accepted keys, for the filters chosen (search.facets: a row's key)."""
        data = self.cleaned_data
        unit, term, source = data.get("province"), data.get("term"), data.get("source")
        chosen = [
            (facets.of_province(unit) if unit else facets.PROVINCES, [unit] if unit else []),
            (facets.DISTRICTS, data.get("district") or []),
            (facets.OFFICIALS, data.get("official") or []),
            (facets.TERMS, [term] if term else []),
            (facets.SOURCE, [source] if source else []),
        ]
        return {facet.field: [facet.key(row) for row in rows] for facet, rows in chosen if rows}

    def errors_by_parameter(self) -> dict[str, str]:
        return {self.parameter_for(f): " ".join(map(str, e)) for f, e in self.errors.items()}
