"""A search engine that cannot answer (search.plan.SearchUnavailable: Solr down) is an HTTP 503
saying so in the reader's language, on the search page and in the API, never a 500."""

from django.http import JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from search import facets
from search.forms import SearchForm
from search.plan import SearchUnavailable


class SearchUnavailableMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(exception, SearchUnavailable):
            return None
        message = _("Tìm kiếm tạm thời không hoạt động. Xin thử lại sau ít phút.")
        if request.path.startswith("/api/"):
            return JsonResponse({"error": message}, status=503, json_dumps_params={"ensure_ascii": False})
        params = request.GET.dict()
        form = SearchForm(params)
        form.is_valid()
        form.add_error(None, message)
        context = {"form": form, "outcome": None, "params": params, "filters": facets.filters(params)}
        return render(request, "search/results.html", context, status=503)
