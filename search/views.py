"""The search page and the JSON API: the same parameters, the same search (search.query.run)."""

from django.http import JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from search import query
from search.forms import SearchForm


def _search(request):
    params = request.GET.dict()
    form = SearchForm(params)
    outcome = query.run(form, params) if form.is_valid() else None
    return form, outcome


def search_page(request):
    form, outcome = _search(request)
    status = 400 if outcome is None or outcome.page_error else 200
    return render(
        request,
        "search/results.html",
        {
            "form": form,
            "outcome": outcome,
            "facet_titles": query.FACET_TITLES,
            "params": request.GET.dict(),
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
        "terms": [str(t).replace("–", "-") for t in article.terms.all()],
    }


def _json(data, status=200):
    return JsonResponse(data, status=status, json_dumps_params={"ensure_ascii": False})


def search_api(request):
    form, outcome = _search(request)
    if outcome is None:
        errors = form.errors_by_parameter()
        return _json({"error": _("Tham số không hợp lệ: %s") % ", ".join(errors), "errors": errors}, status=400)
    if outcome.page_error:
        return _json({"error": outcome.page_error, "errors": {"page": outcome.page_error}}, status=400)
    return _json(
        {
            "count": outcome.count,
            "page": outcome.page.number,
            "pages": outcome.page.paginator.num_pages,
            "results": [_hit_json(request, hit) for hit in outcome.hits],
            "facets": {
                name: [{"label": v.label, "count": v.count, "url": v.url, "page": v.page} for v in values]
                for name, values in outcome.facets.items()
            },
            "suggestion": outcome.suggestion or None,
            "notices": outcome.notices,
        }
    )
