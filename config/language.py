"""The interface language: Vietnamese, unless the reader chose another with the language switch
(Django's set_language view, remembered in its cookie). A browser's Accept-Language header is
not a choice the reader made (most readers' browsers say English), so it is never consulted."""

from django.conf import settings
from django.middleware.locale import LocaleMiddleware
from django.utils import translation
from django.utils.cache import patch_vary_headers


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
