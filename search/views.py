"""The search page and the JSON API: the same parameters, the same search (search.query.run);
beside them every match as a file and the search's Atom feed (search.export, search.feeds)."""

from django.db.models import prefetch_related_objects
from django.http import JsonResponse, StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _

from search import export, facets, places, query, trend
from search.feeds import SearchFeed
from search.forms import SearchForm


def _search(params):
    form = SearchForm(params)
    outcome = query.run(form, params) if form.is_valid() else None
    return form, outcome


def search_page(request):
    form, outcome = _search(request.GET.dict())
    status = 400 if outcome is None or outcome.page_error else 200
    return render(
        request,
        "search/results.html",
        {
            "form": form,
            "outcome": outcome,
            "params": request.GET.dict(),
            "filters": facets.filters(request.GET.dict()),
            "trend_filters": trend.FILTERS,
            "downloads": export.downloads(request.GET.dict(), outcome.count if outcome else 0),
            "place": places.notice(form, outcome, request.GET.dict()),
        },
        status=status,
    )


def _hit_json(request, hit):
    article = hit.article
    return {
        "id": article.pk,
        "url": request.build_absolute_uri(article.get_absolute_url()),
        "source_url": article.original_url,
        "title": article.title,
        "published": timezone.localtime(article.published_at).isoformat() if article.published_at else None,
        "source": article.source.name if article.source else None,
        "snippet": str(hit.snippet),
        "provinces": hit.provinces,
        "provinces_2025": hit.provinces_2025,
        "districts": hit.districts,
        "officials": [o.name for o in article.officials.all()],
        "terms": [t.key for t in article.terms.all()],
        "missing": hit.missing,
    }


def _json(data, status=200):
    return JsonResponse(data, status=status, json_dumps_params={"ensure_ascii": False})


def _error(errors):
    """A bad request: `errors` maps each parameter at fault to what is wrong with it."""
    return _json({"error": _("Tham số không hợp lệ: %s") % ", ".join(errors), "errors": errors}, status=400)


def search_api(request):
    params = request.GET.dict()
    if "cursor" in params:
        try:
            params = export.at_cursor(params)
        except export.BadCursor as error:
            return _error({"cursor": str(error)})
    form, outcome = _search(params)
    if outcome is None:
        return _error(form.errors_by_parameter())
    if outcome.page_error:
        return _json({"error": outcome.page_error, "errors": {"page": outcome.page_error}}, status=400)
    prefetch_related_objects([hit.article for hit in outcome.hits], *query.PEOPLE_AND_TERMS)  # the page shows neither
    return _json(
        {
            "count": outcome.count,
            "complete": outcome.complete,
            "page": outcome.page.number,
            "pages": outcome.page.paginator.num_pages,
            "next": (
                request.build_absolute_uri(export.next_url(params, outcome.page.next_page_number()))
                if outcome.page.has_next()
                else None
            ),
            "results": [_hit_json(request, hit) for hit in outcome.hits],
            "facets": {
                name: [{"label": v.label, "count": v.count, "url": v.url, "page": v.page} for v in values]
                for name, values in outcome.facets.items()
            },
            "suggestion": outcome.suggestion or None,
            "notices": outcome.notices,
            "place": places.as_json(places.notice(form, outcome, params)),
        }
    )


def search_export(request, extension):
    """Every match of the search as a file (search.export.FILES), streamed."""
    file = export.FILES.get(extension)
    if file is None:
        message = export.unknown_file_message()
        return _json({"error": message, "errors": {"format": message}}, status=404)
    params = export.search_params(request.GET.dict())
    form = SearchForm(params)
    if not form.is_valid():
        return _error(form.errors_by_parameter())
    try:
        found = export.matches(form)
    except export.TooMany as error:
        too_many = {"error": str(error), "errors": {"export": str(error)}, "count": error.count, "limit": error.limit}
        return _json(too_many, status=400)
    response = StreamingHttpResponse(
        file.write(found.articles, request.build_absolute_uri), content_type=f"{file.content_type}; charset=utf-8"
    )
    response["Content-Disposition"] = content_disposition_header(True, export.filename(params, extension))
    response["X-Result-Count"] = str(found.count)
    return response


def search_feed(request):
    """The search's newest matches as Atom (search.feeds); its `sort` is always newest."""
    params = {**export.search_params(request.GET.dict()), "sort": "newest"}
    form = SearchForm(params)
    if not form.is_valid():
        return _error(form.errors_by_parameter())
    return SearchFeed()(request, form, params)
