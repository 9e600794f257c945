"""Public pages: home, article list and detail, browse by province, year and term.
Each view turns a request into a selector call and a template."""

import datetime

from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.cache import patch_cache_control
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _

from archive import citation, selectors
from archive.models import Article, Locality, Term


def home(request):
    articles = selectors.published_articles()
    return render(
        request,
        "archive/home.html",
        {
            "latest": articles[:10],
            "years": selectors.count_by_year(articles)[:8],
            "terms": Term.objects.all()[:6],
            "provinces": selectors.in_vietnamese_order(
                Locality.objects.filter(era=Locality.Era.CURRENT, kind=Locality.Kind.PROVINCE)
            ),
        },
    )


def article_list(request):
    page = selectors.page_of(selectors.published_articles(), request.GET.get("page"))
    return render(request, "archive/article_list.html", {"page": page, "heading": _("Tất cả bài viết")})


def article_detail(request, pk, slug=None):
    """An article; staff also see drafts here, as readers will once published (a preview).
    A published article is cited (meta tags, the "Trích dẫn" box); a draft is not: it has no
    public address yet to cite."""
    article = get_object_or_404(selectors.articles_visible_to(request.user), pk=pk)
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
    localities = article.localities.select_related("province", "current_province").order_by("kind", "short_name")
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
    current = selectors.with_article_counts(
        Locality.objects.filter(era=Locality.Era.CURRENT, kind=Locality.Kind.PROVINCE), "in_current_province__articles"
    )
    legacy = selectors.with_article_counts(
        Locality.objects.filter(era=Locality.Era.LEGACY, kind=Locality.Kind.PROVINCE), "in_province__articles"
    ).select_related("current_province")
    return render(
        request,
        "archive/province_index.html",
        {"current": selectors.in_vietnamese_order(current), "legacy": selectors.in_vietnamese_order(legacy)},
    )


def _locality_page(request, locality, template, extra):
    articles = selectors.articles_in(locality)
    return render(
        request,
        template,
        {
            "locality": locality,
            "years": selectors.count_by_year(articles),
            "page": selectors.page_of(articles, request.GET.get("page")),
            **extra,
        },
    )


def province(request, slug):
    unit = get_object_or_404(Locality, era=Locality.Era.LEGACY, kind=Locality.Kind.PROVINCE, slug=slug)
    districts = selectors.with_article_counts(unit.children.all(), "in_district__articles")
    return _locality_page(
        request, unit, "archive/province.html", {"districts": selectors.in_vietnamese_order(districts)}
    )


def current_province(request, slug):
    unit = get_object_or_404(Locality, era=Locality.Era.CURRENT, kind=Locality.Kind.PROVINCE, slug=slug)
    merged = selectors.with_article_counts(
        Locality.objects.filter(era=Locality.Era.LEGACY, kind=Locality.Kind.PROVINCE, current_province=unit),
        "in_province__articles",
    )
    return _locality_page(request, unit, "archive/province.html", {"merged": selectors.in_vietnamese_order(merged)})


def district(request, province_slug, slug):
    unit = get_object_or_404(
        Locality.objects.select_related("province"),
        era=Locality.Era.LEGACY,
        kind=Locality.Kind.DISTRICT,
        province__slug=province_slug,
        slug=slug,
    )
    return _locality_page(request, unit, "archive/province.html", {})


def year_index(request):
    return render(
        request, "archive/year_index.html", {"years": selectors.count_by_year(selectors.published_articles())}
    )


def by_date(request, year, month=None):
    if not 1000 <= year <= 9998 or (month is not None and not 1 <= month <= 12):  # dates convert to UTC
        raise selectors.NotFound(_("Ngày tháng không hợp lệ."))
    articles = selectors.published_articles().filter(published_at__year=year)
    if month:
        articles = articles.filter(published_at__month=month)
    return render(
        request,
        "archive/by_date.html",
        {
            "year": year,
            "month": datetime.date(year, month, 1) if month else None,
            "months": selectors.count_by_month(articles) if not month else None,
            "page": selectors.page_of(articles, request.GET.get("page")),
        },
    )


def term_index(request):
    return render(
        request, "archive/term_index.html", {"terms": selectors.with_article_counts(Term.objects.all(), "articles")}
    )


def term(request, start, end):
    span = get_object_or_404(Term, start_year=start, end_year=end)
    articles = selectors.published_articles().filter(terms=span)
    return render(
        request,
        "archive/term.html",
        {
            "term": span,
            "page": selectors.page_of(articles, request.GET.get("page")),
        },
    )


def official_index(request):
    name = request.GET.get("q", "")[:120]
    return render(
        request,
        "archive/official_index.html",
        {"name": name, "page": selectors.page_of(selectors.officials(name), request.GET.get("page"), per_page=50)},
    )


def official(request, pk, slug=None):
    person = get_object_or_404(selectors.officials_visible_to(request.user), pk=pk)
    if slug != person.slug:
        return redirect(person, permanent=True)
    return render(
        request,
        "archive/official.html",
        {
            "official": person,
            "positions": selectors.positions_of(person),
            "page": selectors.page_of(
                selectors.published_articles().filter(officials=person), request.GET.get("page")
            ),
        },
    )


def not_found(request, exception):
    message = str(exception) if isinstance(exception, selectors.NotFound) else ""
    return render(request, "404.html", {"message": message}, status=404)


def article_citation(request, pk, extension):
    """A published article's citation as a file for reference managers: `.ris`, `.bib` (BibTeX)
    or `.json` (CSL-JSON)."""
    file_format = citation.FORMATS.get(extension)
    if file_format is None:
        raise selectors.NotFound(_("Không có định dạng trích dẫn này: hãy chọn RIS, BibTeX hoặc CSL-JSON."))
    cite = citation.record(get_object_or_404(selectors.published_articles(), pk=pk), request.build_absolute_uri)
    response = HttpResponse(file_format.write([cite]), content_type=f"{file_format.content_type}; charset=utf-8")
    response["Content-Disposition"] = content_disposition_header(True, f"{cite.key}.{extension}")
    return response
