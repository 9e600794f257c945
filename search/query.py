"""Validated search parameters -> a page of results with snippets, facets and a suggestion.

run(form) builds one search.plan.SearchRequest and has the configured engine (haystack's
connection, so the backend is a setting) execute it, forgiving when every word finds too little
(search.forgiving: once more at most), reads the page's articles from the database (the truth:
drafts and deleted articles never show), highlights them with our analysis, says what a
forgiving search did, and labels the facet keys with names from the database.
find(form, parsed) is that search without the page; search(form, parsed) the strict one alone.
related(article) finds articles on the same subject for the detail page.
"""

import datetime
from dataclasses import dataclass, field, replace
from functools import cached_property
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.cache import caches
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.utils.text import capfirst
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _
from haystack import connection_router, connections

from archive import cache, places
from archive.models import Article, ArticleLocality, Locality, Official
from archive.selectors import unordered
from search import forgiving
from search.analysis import canonical, folded, query_words, segment
from search.facets import BY_FIELD, FACETS, LISTED, Facet, Labels
from search.forms import SearchForm
from search.highlight import Terms, mark, snippet
from search.plan import (
    COMPOUND_BOOST,
    TITLE_BOOST,
    AnyOf,
    Boost,
    SearchRequest,
    SearchResult,
    SearchUnavailable,
    Term,
    compile_query,
)
from search.syntax import MAX_CLAUSES, MAX_QUERY_CHARS, ParsedQuery, parse

PAGE_SIZE = 20
PEOPLE_AND_TERMS = ("officials", "terms")  # what the API lists of a hit beside its units
FACET_SIZE = 12


@dataclass
class Hit:
    article: Article
    title: str
    snippet: str
    units: list[Locality]  # the units the article names, with their province, 2025 province and district
    missing: list[str] = field(default_factory=list)  # words of the query (as typed) it lacks

    @cached_property  # the page asks twice
    def provinces(self):
        return sorted({loc.province.name for loc in self.units if loc.province_id})

    @property
    def provinces_2025(self):
        return sorted({loc.current_province.name for loc in self.units if loc.current_province_id})

    @property
    def districts(self):
        return sorted({str(loc.district) for loc in self.units if loc.district_id})


@dataclass
class FacetValue:
    label: str
    count: int
    url: str  # these results narrowed to the value
    page: str = ""  # the archive's page of the province, district, official, term or year

    @cached_property
    def page_title(self) -> str:
        """The title of the link to `page` (its title and its label): made here, once, as a
        {% blocktranslate %} for each of a page's few dozen facet values cost a search page 0.7 ms."""
        return _("Trang %(label)s") % {"label": self.label}


@dataclass
class Outcome:
    parsed: ParsedQuery
    count: int = 0
    complete: int = 0  # of `count`, the articles holding every word as typed (the rest: search.forgiving)
    page: object = None
    hits: list[Hit] = field(default_factory=list)
    facets: dict[str, list[FacetValue]] = field(default_factory=dict)
    chosen: list[tuple[str, str]] = field(default_factory=list)  # (label, url without that filter)
    suggestion: str = ""
    suggestion_url: str = ""
    notices: list[str] = field(default_factory=list)
    undated: tuple[str, str] = ("", "")  # what the date range or sort did to undated articles, and a link to them
    page_error: str = ""

    def facet_lists(self) -> list[tuple[Facet, list[FacetValue]]]:
        """(facet, its values) in the page's order, for the template (which shows each facet's title)."""
        return [(BY_FIELD[name], values) for name, values in self.facets.items()]


def _query_url(params: dict, **changes) -> str:
    merged = {k: v for k, v in {**params, **changes}.items() if v not in (None, "")}
    merged.pop("page", None)
    return "?" + urlencode(merged)


def _day_start(day: datetime.date) -> datetime.datetime:
    """Midnight in Vietnam, in UTC as the index holds times (haystack writes the clock time as is)."""
    local = datetime.datetime.combine(day, datetime.time(), tzinfo=ZoneInfo(settings.TIME_ZONE))
    return local.astimezone(datetime.UTC)


def engine():
    """The search backend the settings name (haystack's connection for reading)."""
    return connections[connection_router.for_read()].get_backend()


def warm() -> None:
    """What a server runs before forking its workers (config/gunicorn.py): the engine reads what
    searches use, for up to SEARCH_WARM_SECONDS, so that the workers share it instead of each
    reading it on its first searches."""
    read = getattr(engine(), "warm", None)
    if read is not None:
        read(tuple(facet.field for facet in FACETS), settings.SEARCH_WARM_SECONDS)


def build(form: SearchForm, parsed: ParsedQuery, offset: int = 0, limit: int = PAGE_SIZE) -> SearchRequest:
    data = form.cleaned_data
    required, ranking = compile_query(parsed)
    return SearchRequest(
        required=required,
        ranking=ranking,
        filters=tuple((index_field, tuple(keys)) for index_field, keys in form.filters().items()),
        published_from=_day_start(data["date_from"]) if data.get("date_from") else None,
        published_before=_day_start(data["date_to"] + datetime.timedelta(days=1)) if data.get("date_to") else None,
        sort=data.get("sort") or "relevance",
        undated_only=bool(data.get("undated")),
        offset=offset,
        limit=limit,
        facets=tuple(facet.field for facet in LISTED),
        facet_limit=FACET_SIZE,
    )


def search(form: SearchForm, parsed: ParsedQuery, offset: int = 0, limit: int = PAGE_SIZE) -> SearchResult:
    return engine().execute(build(form, parsed, offset, limit))


def officials() -> frozenset[str]:
    """Every official's name, folded, to know a name in a query however typed; kept until the next save."""
    return cache.remembered_here(
        "official-names", lambda: frozenset(folded(n) for n in Official.objects.values_list("name", flat=True))
    )


def find(form: SearchForm, parsed: ParsedQuery, offset: int = 0, limit: int = PAGE_SIZE) -> forgiving.Found:
    """The search the page shows: strict, then forgiving when that finds too little."""
    text = form.cleaned_data.get("q") or ""
    return forgiving.find(engine(), build(form, parsed, offset, limit), parsed, text, officials())


def _unit_rows():
    """Units with what their names need: province, 2025 province, district (and its province)."""
    return Locality.objects.select_related("province", "current_province", "district__province")


def with_links(articles):
    """`articles` with their newspaper, units (in one query), and the officials and terms the API
    and the files list."""
    return articles.select_related("source").prefetch_related(Prefetch("localities", _unit_rows()), *PEOPLE_AND_TERMS)


def _units_of(pks: list[int]) -> dict[int, list[Locality]]:
    """The units each of the articles `pks` names: the links in one query, the units themselves
    (with what their names need) kept in each process until the next save, not read per article."""
    links = list(ArticleLocality.objects.filter(article__in=pks).values_list("article", "locality"))
    units = cache.remembered_each("units", sorted({unit for _article, unit in links}), _units)
    found: dict[int, list[Locality]] = {}
    for article, unit in links:
        found.setdefault(article, []).append(units[unit])
    return found


def _units(pks: list[int]) -> dict[int, Locality]:
    return _unit_rows().in_bulk(pks)


def _hits(found: forgiving.Found, parsed: ParsedQuery) -> list[Hit]:
    pks = found.result.ids
    by_pk = unordered(Article.objects.filter(status=Article.Status.PUBLISHED)).select_related("source").in_bulk(pks)
    units = _units_of(pks)
    spellings = frozenset(folded(s) for spelt in found.spelt.values() for s in spelt)
    body_terms, title_terms = Terms.of(parsed, also=spellings), Terms.of(parsed, "title", spellings)
    missing = found.missing or [[] for _pk in pks]
    return [
        Hit(
            a,
            mark(a.title, title_terms),
            snippet("\n\n".join(filter(None, [a.lead, a.body, a.captions])), body_terms),
            units.get(a.pk, []),
            lacks,
        )
        for a, lacks in ((by_pk.get(pk), lacks) for pk, lacks in zip(pks, missing, strict=True))
        if a is not None
    ]


def _labels(facet: Facet, keys: list[str]) -> Labels:
    """Facet key -> (label, the archive's own page for it, if it has one), each kept until the next save."""
    return cache.remembered_each(f"facet-labels:{get_language()}:{facet.field}", keys, facet.labels)


def _facets(counts: dict, params: dict) -> dict[str, list[FacetValue]]:
    found = {}
    for facet in LISTED:
        pairs = [(str(k), n) for k, n in counts.get(facet.field, []) if k not in (None, "") and n]
        labels = _labels(facet, [k for k, _n in pairs])
        values = [
            FacetValue(labels[k][0], n, _query_url(params, **facet.link(k)), labels[k][1])
            for k, n in pairs
            if k in labels
        ]
        if values:
            found[facet.field] = sorted(values, key=lambda v: (-v.count, v.label))
    return found


def _chosen(form: SearchForm, params: dict) -> list[tuple[str, str]]:
    data, chosen = form.cleaned_data, []
    if unit := data.get("province"):
        pair = places.namesake(unit)  # a name of both eras says which
        chosen.append((capfirst(pair.short_label(unit)) if pair else unit.name, _query_url(params, province=None)))
    for parameter, value in [
        ("district", ", ".join(map(str, data.get("district") or []))),
        ("official", ", ".join(o.name for o in data.get("official") or [])),
        ("term", data.get("term")),
        ("source", data.get("source")),
        ("from", data.get("date_from") and data["date_from"].strftime("%d/%m/%Y")),
        ("to", data.get("date_to") and data["date_to"].strftime("%d/%m/%Y")),
    ]:
        if value:
            label = form.fields[form.field_for(parameter)].label
            chosen.append((f"{label}: {value}", _query_url(params, **{parameter: None})))
    if data.get("undated"):
        chosen.append((f"{_('Ngày đăng')}: {_('không rõ')}", _query_url(params, undated=None)))
    return chosen


def _undated(form: SearchForm, parsed: ParsedQuery, params: dict) -> tuple[str, str]:
    """Said when a date range leaves out the matches without a date (with a link to them), or a
    date sort puts them last: most of an archive built from undated sources."""
    data = form.cleaned_data
    ranged = data.get("date_from") or data.get("date_to")
    if data.get("undated") or not (ranged or data.get("sort") in ("newest", "oldest")):
        return "", ""
    request = replace(build(form, parsed), published_from=None, published_before=None, undated_only=True)
    count = engine().execute(replace(request, limit=0, facets=())).count
    if not count:
        return "", ""
    if ranged:
        text = ngettext(
            "%(count)d bài không rõ ngày đăng không có trong khoảng này.",
            "%(count)d bài không rõ ngày đăng không có trong khoảng này.",
            count,
        )
        return text % {"count": count}, _query_url(params, **{"from": None, "to": None, "undated": "1"})
    text = ngettext(
        "%(count)d bài không rõ ngày đăng được xếp cuối.", "%(count)d bài không rõ ngày đăng được xếp cuối.", count
    )
    return text % {"count": count}, _query_url(params, sort=None, undated="1")


def _forgiven(found: forgiving.Found, hits: list[Hit]) -> list[str]:
    """What a forgiving search did, plainly."""
    notices = []
    if found.relaxed and any(hit.missing for hit in hits):
        lacking = {word for hit in hits for word in hit.missing}
        which = (
            _("thiếu từ «%(word)s»") % {"word": lacking.pop()}
            if len(lacking) == 1
            else _("thiếu một trong các từ (gạch ngang ở mỗi bài)")
        )
        if found.complete:
            text = ngettext(
                "Chỉ %(count)d bài chứa đủ các từ; các bài khác %(which)s.",
                "Chỉ %(count)d bài chứa đủ các từ; các bài khác %(which)s.",
                found.complete,
            )
        else:
            text = _("Không có bài nào chứa đủ các từ; các bài dưới đây %(which)s.")
        notices.append(text % {"count": found.complete, "which": which})
    for word, spellings in found.spelt.items():
        notices.append(
            _("Rất ít hoặc không bài nào có «%(word)s»: tìm cả %(spellings)s.")
            % {"word": word, "spellings": ", ".join(f"«{s}»" for s in spellings)}
        )
    for name in found.apart:
        notices.append(
            _("Không bài nào có nguyên tên «%(name)s»: các bài dưới đây có các chữ của tên nhưng đứng rời nhau.")
            % {"name": name}
        )
    return notices


def run(form: SearchForm, params: dict) -> Outcome:
    """Search with a valid form; `params` are the request's parameters, for building links."""
    parsed = parse(form.cleaned_data.get("q") or "")
    outcome = Outcome(parsed)
    if parsed.truncated:
        outcome.notices.append(
            _("Câu tìm kiếm quá dài: chỉ dùng %(chars)d ký tự, %(clauses)d từ đầu tiên.")
            % {"chars": MAX_QUERY_CHARS, "clauses": MAX_CLAUSES}
        )
    if parsed.items and not parsed:
        outcome.notices.append(_("Câu tìm kiếm chỉ có từ loại trừ: hiển thị mọi bài không chứa chúng."))
    number = form.cleaned_data.get("page") or 1
    found = find(form, parsed, offset=(number - 1) * PAGE_SIZE)  # the page, the count and the facets at once
    outcome.count, outcome.complete = found.result.count, found.complete
    paginator = Paginator(range(found.result.count), PAGE_SIZE)
    if number > paginator.num_pages:
        outcome.count = 0
        outcome.page_error = _("Không có trang %(page)d: kết quả chỉ có %(count)d trang.") % {
            "page": number,
            "count": paginator.num_pages,
        }
        return outcome
    outcome.page = paginator.page(number)
    outcome.hits = _hits(found, parsed)
    outcome.notices += _forgiven(found, outcome.hits)
    outcome.facets = _facets(found.result.facets, params)
    outcome.chosen = _chosen(form, params)
    outcome.undated = _undated(form, parsed, params)
    outcome.suggestion = found.suggestion
    outcome.suggestion_url = _query_url(params, q=outcome.suggestion) if outcome.suggestion else ""
    return outcome


def related(article: Article, limit: int = 5) -> list[Article]:
    """Articles sharing the most of this one's title words: any of its syllables, pyvi's compounds
    and matches in titles weighing more. Term lookups only (no phrase): an article page stays
    cheap. Their ids are kept in the shared "related" folder for a day (CACHES["related"]), until
    the article itself changes (its version, `updated_at`, is in the key), not only until the next
    save: finding them is most of an article page's first render, and one save elsewhere rarely
    changes them; an article saved since is shown with its title of now, and one no longer
    published is left out at once (read below)."""

    def find():
        words = [w for w in segment(article.title).split() if query_words(w)]
        if not words:
            return []
        own = getattr(engine(), "related_ids", None)
        if own is not None:  # an engine's own more-like-this (Solr: the distributed {!mlt} parser)
            return own(article.pk, limit)
        syllables = tuple(dict.fromkeys(s for w in words for s in query_words(w, fold_them=True)))
        compounds = tuple(dict.fromkeys(canonical(w) for w in words if "_" in w))
        ranking = [Boost(AnyOf(tuple(Term("title_folded", s) for s in syllables)), TITLE_BOOST)]
        if compounds:
            ranking.append(Boost(AnyOf(tuple(Term("text", c) for c in compounds)), COMPOUND_BOOST))
        request = SearchRequest(
            required=AnyOf(tuple(Term("text_folded", s) for s in syllables)), ranking=tuple(ranking), limit=limit + 1
        )
        return [pk for pk in engine().execute(request).ids if pk != article.pk][:limit]

    kept = caches["related"]
    try:
        key = f"related:{type(engine()).__name__}:{article.pk}:{article.updated_at.isoformat()}:{limit}"
        pks = kept.get(key)
        if pks is None:
            pks = find()
            kept.set(key, pks)
    except SearchUnavailable:  # the article page goes on without them
        return []
    # Their titles and addresses only: the page links them.
    by_pk = unordered(Article.objects.filter(status=Article.Status.PUBLISHED)).only("title", "slug").in_bulk(pks)
    return [by_pk[pk] for pk in pks if pk in by_pk]
