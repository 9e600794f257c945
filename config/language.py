"""The interface language: Vietnamese, unless the reader chose another with the language switch
(Django's set_language view, remembered in its cookie). A browser's Accept-Language header is
not a choice the reader made (most readers' browsers say English), so it is never consulted."""

from django.conf import settings
from django.middleware.locale import LocaleMiddleware
from django.shortcuts import render
from django.utils import translation
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST
from django.views.i18n import set_language


def chosen_language(request) -> str:
    """The language the reader's cookie names, if it is one the site has; else LANGUAGE_CODE."""
    chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
    if chosen:
        try:
            return translation.get_supported_language_variant(chosen)
        except LookupError:
            pass
    return settings.LANGUAGE_CODE


class ChosenLanguageMiddleware(LocaleMiddleware):
    """LocaleMiddleware without the header: the cookie or the default (no URL prefixes here)."""

    def process_request(self, request):
        translation.activate(chosen_language(request))
        request.LANGUAGE_CODE = translation.get_language()

    def process_response(self, request, response):
        patch_vary_headers(response, ("Cookie",))  # the language follows the cookie, not Accept-Language
        response.headers.setdefault("Content-Language", translation.get_language())
        return response


def _from_this_site(request) -> bool:
    """Whether the browser says the request comes from one of this site's own pages: its
    Sec-Fetch-Site header, or where a browser does not send that, its Origin header (which every
    current browser sends with a form another site posts)."""
    fetched_from = request.headers.get("Sec-Fetch-Site")
    if fetched_from is not None:
        return fetched_from in {"same-origin", "none"}
    origin = request.headers.get("Origin")
    scheme = "https" if request.is_secure() else "http"
    return origin is None or origin == f"{scheme}://{request.get_host()}" or origin in settings.CSRF_TRUSTED_ORIGINS


@csrf_exempt
@require_POST
def switch_language(request):
    """Django's set_language without a CSRF token, so that the switch in every page's footer holds
    nothing of one reader's and the pages can be kept whole (archive.cache). All it changes is the
    language cookie, and a form posted from another site is refused all the same."""
    if not _from_this_site(request):
        message = _("Chỉ đổi được ngôn ngữ từ các trang của kho lưu trữ này.")
        return render(request, "accounts/bad_request.html", {"errors": {"": message}}, status=403)
    return set_language(request)
