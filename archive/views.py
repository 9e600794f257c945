"""Public pages: home, article list and detail, browse by province, year and term.
Each view turns a request into a selector call and a template; a selector's NotFound becomes
the 404 page, with its message when it has one."""

import datetime
import functools

from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import patch_cache_control
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _

from archive import citation, places, selectors, statistics
from archive.models import Article, Locality


class ReaderNotFound(Http404):
    """A 404 whose message is written for the reader and shown on the page."""


def not_found_is_404(view):
    """The view, with what its selectors could not find answered as a 404."""

    @functools.wraps(view)
    def wrapped(*args, **kwargs):
        try:
            return view(*args, **kwargs)
        except selectors.NotFound as exc:
            raise ReaderNotFound(str(exc)) from exc

    return wrapped


def home(request):
    return render(
        request,
        "archive/home.html",
        {
            "latest": selectors.article_list()[:10],
            "years": selectors.archive_years(),
            "terms": selectors.latest_terms(),
            "provinces": selectors.in_vietnamese_order(selectors.provinces(Locality.Era.CURRENT)),
        },
    )


@not_found_is_404
def article_list(request):
    page = selectors.page_of(selectors.article_list(), request.GET.get("page"))
    return render(request, "archive/article_list.html", {"page": page, "heading": _("Tất cả bài viết")})


@not_found_is_404
def article_detail(request, pk, slug=None):
    """An article; staff also see drafts here, as readers will once published (a preview).
    A published article is cited (meta tags, the "Trích dẫn" box); a draft is not: it has no
    public address yet to cite."""
    article = selectors.article_for(request.user, pk)
    preview = article.status != Article.Status.PUBLISHED
    if slug != article.slug:
        return redirect(article, permanent=not preview)
    cite = None
    if not preview:
        record = citation.record(article, request.build_absolute_uri)
        cite = {
            "meta": citation.meta_tags(record),
            "vietnamese": citation.vietnamese(record),
            "apa": citation.apa(record),
        }
    localities = selectors.localities_of(article)
    response = render(
        request,
        "archive/article_detail.html",
        {
            "article": article,
            "localities": localities,
            "current_provinces": {loc.current_province for loc in localities if loc.current_province_id},
            "officials": article.officials.all(),
            "terms": article.terms.all(),
            "preview": preview,
            "cite": cite,
        },
    )
    if preview:
        patch_cache_control(response, private=True, no_store=True)
    return response


def province_index(request):
    return render(request, "archive/province_index.html", selectors.province_index())


def _locality_page(request, locality, extra):
    """A unit's articles, all or those of one year (?year=2020, or ?year=undated for those
    without a date), beside its articles per year."""
    articles = selectors.articles_in(locality)
    year = selectors.year_of(request.GET.get("year"))
    shown = articles if year is None else selectors.in_year(articles, year)
    return render(
        request,
        "archive/province.html",
        {
            "locality": locality,
            "years": selectors.years(articles, f"unit {locality.pk}"),
            "year": year,
            "page": selectors.page_of(selectors.article_list(shown), request.GET.get("page")),
            "namesake": places.page_notice(locality),
            **extra,
        },
    )


@not_found_is_404
def province(request, slug):
    unit = selectors.province(slug)
    return _locality_page(request, unit, {"districts": selectors.districts_of(unit)})


@not_found_is_404
def current_province(request, slug):
    unit = selectors.current_province(slug)
    return _locality_page(request, unit, {"merged": selectors.merged_into(unit)})


@not_found_is_404
def district(request, province_slug, slug):
    unit = selectors.district(province_slug, slug)
    return _locality_page(request, unit, {})


def year_index(request):
    return render(request, "archive/year_index.html", selectors.archive_years())


@not_found_is_404
def by_date(request, year, month=None):
    articles = selectors.in_year(selectors.published_articles(), year, month)
    return render(
        request,
        "archive/by_date.html",
        {
            "year": year,
            "month": datetime.date(year, month, 1) if month else None,
            "months": selectors.months(year) if not month else None,
            "page": selectors.page_of(selectors.article_list(articles), request.GET.get("page")),
        },
    )


@not_found_is_404
def undated(request):
    articles = selectors.in_year(selectors.published_articles(), selectors.UNDATED)
    page = selectors.page_of(selectors.article_list(articles), request.GET.get("page"))
    return render(request, "archive/undated.html", {"page": page})


def term_index(request):
    return render(request, "archive/term_index.html", {"terms": selectors.terms()})


@not_found_is_404
def term(request, start, end):
    span = selectors.term(start, end)
    articles = selectors.article_list().filter(terms=span)
    return render(
        request,
        "archive/term.html",
        {
            "term": span,
            "page": selectors.page_of(articles, request.GET.get("page")),
        },
    )


@not_found_is_404
def official_index(request):
    name = request.GET.get("q", "")[:120]
    return render(
        request,
        "archive/official_index.html",
        {"name": name, "page": selectors.page_of(selectors.officials(name), request.GET.get("page"), per_page=50)},
    )


@not_found_is_404
def official(request, pk, slug=None):
    person = selectors.official_for(request.user, pk)
    if slug != person.slug:
        return redirect(person, permanent=True)
    return render(
        request,
        "archive/official.html",
        {
            "official": person,
            "positions": selectors.positions_of(person),
            "page": selectors.page_of(selectors.article_list().filter(officials=person), request.GET.get("page")),
        },
    )


def not_found(request, exception):
    message = str(exception) if isinstance(exception, ReaderNotFound) else ""
    return render(request, "404.html", {"message": message}, status=404)


@not_found_is_404
def article_citation(request, pk, extension):
    """A published article's citation as a file for reference managers: `.ris`, `.bib` (BibTeX)
    or `.json` (CSL-JSON)."""
    file_format = citation.FORMATS.get(extension)
    if file_format is None:
        raise selectors.NotFound(_("Không có định dạng trích dẫn này: hãy chọn RIS, BibTeX hoặc CSL-JSON."))
    article = selectors.get_one(selectors.published_articles(), pk=pk)
    cite = citation.record(article, request.build_absolute_uri)
    response = HttpResponse(file_format.write([cite]), content_type=f"{file_format.content_type}; charset=utf-8")
    response["Content-Disposition"] = content_disposition_header(True, f"{cite.key}.{extension}")
    return response


def statistics_page(request):
    """Articles per province and year, per newspaper, and the most named officials (archive.statistics)."""
    stats = statistics.summary()

    def province_bars(era):
        return statistics.bars([(r["name"], r["total"], r["url"]) for r in stats[era]["rows"]])

    charts = {
        "years": statistics.bars(
            [(str(y["year"]), y["n"], reverse("archive:year", args=[y["year"]])) for y in stats["years"]]
            + [(_("Không rõ ngày"), stats["undated"], reverse("archive:undated"))],
            limit=200,
        ),
        "current": province_bars("current"),
        "legacy": province_bars("legacy"),
        "sources": statistics.bars([(s["name"] or _("Không rõ nguồn"), s["n"], "") for s in stats["sources"]]),
        "officials": statistics.bars([(o["name"], o["n"], o["url"]) for o in stats["officials"]], limit=20),
    }
    return render(request, "archive/statistics.html", {"stats": stats, "charts": charts})
