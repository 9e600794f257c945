from django.contrib import admin
from django.shortcuts import redirect
from django.templatetags.static import static
from django.urls import include, path
from django.views.decorators.cache import cache_control

from config import accounts
from config.health import healthz
from config.language import switch_language


@cache_control(max_age=24 * 60 * 60)
def favicon(request):
    """What browsers and feed readers ask for before any page names its icon: the static file,
    under its hashed name (so the redirect is not permanent: the name changes with the icon)."""
    return redirect(static("favicon.ico"))


urlpatterns = [
    path("favicon.ico", favicon),
    path("healthz", healthz, name="healthz"),
    path("admin/", admin.site.urls),
    path("i18n/setlang/", switch_language, name="set_language"),
    path("accounts/", include((accounts.urlpatterns, "accounts"))),
    path("", include("search.urls")),
    path("", include("archive.urls")),
]

handler404 = "archive.views.not_found"
