"""Readers' tools beside the search: saved searches and their alerts (search.alerts), the
unsubscribe link of an alert, and the trend view with its CSV (search.trend)."""

import csv

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.http import HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from search import alerts, trend
from search.models import SavedSearch


@login_required
def saved_list(request):
    searches = request.user.saved_searches.all()
    for saved in searches:
        saved.url = alerts.search_url(saved.params)
    return render(request, "accounts/saved_searches.html", {"searches": searches})


@require_POST
def save_search(request):
    back = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(
        back, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        back = ""
    if not request.user.is_authenticated:
        return redirect_to_login(back or reverse("search:page"))
    try:
        saved, new = alerts.save(request.user, request.POST.dict())
    except alerts.InvalidSearch as error:
        return render(request, "accounts/bad_request.html", {"errors": error.errors}, status=400)
    except alerts.TooManySaved:
        message = _("Bạn đã lưu %(max)d tìm kiếm: hãy xóa bớt trước khi lưu thêm.") % {"max": alerts.MAX_SAVED}
        return render(request, "accounts/bad_request.html", {"errors": {"": message}}, status=400)
    if new:
        messages.success(
            request,
            _("Đã lưu tìm kiếm “%(name)s”. Bài mới khớp sẽ được gửi qua e-mail mỗi ngày.") % {"name": saved.name},
        )
    else:
        messages.info(request, _("Tìm kiếm này đã được lưu trước đây."))
    return redirect(back or "search:saved")


@login_required
@require_POST
def change_saved(request, pk):
    saved = get_object_or_404(SavedSearch, pk=pk, user=request.user)
    action = request.POST.get("action")
    if action == "delete":
        saved.delete()
        messages.success(request, _("Đã xóa tìm kiếm “%(name)s”.") % {"name": saved.name})
    elif action in ("alerts-on", "alerts-off"):
        saved.alerts = action == "alerts-on"
        saved.save(update_fields=["alerts"])
        messages.success(request, _("Đã bật thư báo.") if saved.alerts else _("Đã tắt thư báo."))
    else:
        return render(
            request, "accounts/bad_request.html", {"errors": {"action": _("Thao tác không hợp lệ.")}}, status=400
        )
    return redirect("search:saved")


@csrf_exempt  # the signed token is what authorises it: mail clients post the one-click unsubscribe (RFC 8058)
def unsubscribe(request, token):
    saved = alerts.saved_for_token(token)
    if saved is None:
        return render(request, "accounts/unsubscribe.html", {"bad": True}, status=400)
    if request.method == "POST":
        saved.alerts = False
        saved.save(update_fields=["alerts"])
        return render(request, "accounts/unsubscribe.html", {"saved": saved, "done": True})
    return render(request, "accounts/unsubscribe.html", {"saved": saved, "token": token})


def _trend(request):
    queries, filters, by = trend.parse_params(request.GET)
    return trend.compute(queries, filters, by)


def trend_page(request):
    show = request.GET.get("show") or "count"
    try:
        if show not in trend.SHOWS:
            raise trend.BadTrend({"show": _("Chọn count (số bài) hoặc share (tỉ lệ).")})
        found = _trend(request)
    except trend.BadTrend as error:
        queries = request.GET.getlist("q")[: trend.MAX_QUERIES]
        context = {"errors": error.errors, "queries": queries + [""] * (trend.MAX_QUERIES - len(queries))}
        return render(request, "search/trend.html", {**context, **_choices(request)}, status=400)
    queries = found.queries + [""] * (trend.MAX_QUERIES - len(found.queries))
    csv_url = reverse("search:trend_csv") + "?" + request.GET.urlencode() if found.series else ""
    return render(
        request,
        "search/trend.html",
        {
            "trend": found,
            "chart": trend.chart(found, show),
            "queries": queries,
            "csv_url": csv_url,
            **_choices(request),
        },
    )


def _choices(request):
    return {
        "by": request.GET.get("by") or "year",
        "show": request.GET.get("show") or "count",
        "granularities": trend.GRANULARITIES,
        "shows": trend.SHOWS,
        "filters": {k: request.GET.get(k, "") for k in trend.FILTERS},
    }


def trend_csv(request):
    try:
        found = _trend(request)
    except trend.BadTrend as error:
        return JsonResponse(
            {"error": str(error), "errors": error.errors}, status=400, json_dumps_params={"ensure_ascii": False}
        )
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="xu-huong.csv"'
    response.write("\ufeff")  # Excel reads UTF-8 with its byte-order mark
    writer = csv.writer(response)
    for row in trend.csv_rows(found):
        writer.writerow(row)
    return response
