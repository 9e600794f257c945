"""What the browse pages keep between requests: counts and lists that change only when articles,
their links or the units, people and terms they name are saved or deleted.

Everything is kept in the "pages" cache under the current *generation*, a random token that any
such save or delete replaces (`invalidate`), so a page never shows what was true before a save.
The token lives in the same cache, which gunicorn's workers share, so a save in one process is
seen by all at once."""

import hashlib
import threading
import uuid

from django.conf import settings
from django.contrib.messages.storage.cookie import CookieStorage
from django.core.cache import caches
from django.core.cache.backends.filebased import FileBasedCache
from django.db import transaction
from django.db.models import signals
from django.http import HttpResponse
from django.urls import Resolver404, resolve
from django.utils import timezone

from archive.models import (
    Article,
    ArticleLocality,
    ArticleOfficial,
    ArticleTerm,
    Locality,
    Official,
    Source,
    Term,
)
from archive.signals import articles_changed
from config.language import chosen_language

GENERATION = "generation"
CULL_EVERY = 100  # sets between two looks at whether the pages cache is full
CULLING = threading.Lock()  # held while a thread of this process drops entries of a folder


class PagesFileCache(FileBasedCache):
    """Django's file cache, which lists its whole folder on every set to see whether it holds
    MAX_ENTRIES (15-25 ms with a few thousand pages kept: more than rendering most pages). Here one
    set in CULL_EVERY (an OPTION, CULL_EVERY above unless given) looks, in each process and thread,
    so the folder may pass MAX_ENTRIES by that many entries per thread before a third of it is
    dropped (bounded so while the threads' CULL_EVERY together stay under a third of MAX_ENTRIES).

    A look that finds the folder full drops a third of it, a file at a time: 2 s for a thousand
    files on a busy disk. So it runs in a thread of its own, one at a time in each process, while
    the request that looked goes on: under load, the page that happened to look waited that long.
    """

    sets = 0

    def __init__(self, location, params):
        super().__init__(location, params)  # which reads the OPTIONS it knows
        self.cull_every = params.get("OPTIONS", {}).get("CULL_EVERY", CULL_EVERY)

    def _cull(self):
        self.sets += 1
        if self.sets % self.cull_every == 0 and CULLING.acquire(blocking=False):
            threading.Thread(target=self._cull_now, daemon=True).start()

    def _cull_now(self):
        try:
            super()._cull()  # type: ignore[misc]  # FileBasedCache's own, not in its stubs
        finally:
            CULLING.release()


def _cache():
    return caches["pages"]


def _generation():
    token = _cache().get(GENERATION)
    if token is None:
        _cache().add(GENERATION, uuid.uuid4().hex, None)
        token = _cache().get(GENERATION)
    return token


def _full_key(key: str) -> str:
    return f"{_generation()}:{hashlib.sha1(key.encode()).hexdigest()}"


def remembered(key: str, compute):
    """`compute()`, kept under `key` until the next change (`compute` must not return None)."""
    full_key = _full_key(key)
    value = _cache().get(full_key)
    if value is None:
        value = compute()
        _cache().set(full_key, value)
    return value


_HERE: dict[str, tuple[str, dict]] = {}  # name -> (generation, what this process keeps under it)


def _here(name: str) -> dict:
    """This process's store for `name`, emptied when the generation changes (in any process)."""
    generation = _generation()
    kept = _HERE.get(name)
    if kept is None or kept[0] != generation:
        kept = _HERE[name] = (generation, {})
    return kept[1]


def remembered_here(key: str, compute):
    """remembered(), for a value read on every search: each process keeps its own copy until the
    next change instead of reading it from the shared folder each time. Its users must not change it."""
    store = _here(key)
    if key not in store:
        store[key] = remembered(key, compute)
    return store[key]


def remembered_each(name: str, keys, compute) -> dict:
    """{key: value} for each of `keys` that `compute(keys)` ({key: value}) finds; what it found for
    a key (or that it found nothing) is kept in this process until the next change, so a key is
    computed once per generation whatever keys it comes with."""
    store = _here(name)
    missing = [key for key in keys if key not in store]
    if missing:
        found = compute(missing)
        store.update({key: found.get(key) for key in missing})
    return {key: store[key] for key in keys if store[key] is not None}


def _page_key(request) -> str | None:
    """Where the whole page answering `request` is kept, or None when it is not to be: only a GET
    of a browse page (the archive app's) by a reader who is not signed in (no session cookie) and
    has no message waiting, one page per address, language and day."""
    cookies = request.COOKIES
    if request.method != "GET" or settings.SESSION_COOKIE_NAME in cookies or CookieStorage.cookie_name in cookies:
        return None
    try:
        if resolve(request.path_info).namespace != "archive":
            return None
    except Resolver404:
        return None
    # The whole address, scheme and host included, and the day: an article's citation names its
    # address and the day it was read.
    return _full_key(f"page:{timezone.localdate()}:{chosen_language(request)}:{request.build_absolute_uri()}")


def _keepable(response) -> bool:
    """A page that is the same for every reader: a plain 200 that sets no cookie (a page with a
    CSRF token sets one) and that no view marked private."""
    cache_control = response.get("Cache-Control", "")
    return (
        response.status_code == 200
        and not response.streaming
        and not response.cookies
        and "private" not in cache_control
        and "no-store" not in cache_control
    )


class WholePagesMiddleware:
    """Browse pages for readers who are not signed in, kept whole under the generation: a page is
    rendered once per save, then sent as it was (the headers the inner middleware set included).
    The key is taken before the page is rendered, so a page built while a save commits is kept
    under the generation that save ends, and never sent."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        key = _page_key(request)
        if key is None:
            return self.get_response(request)
        kept = _cache().get(key)
        if kept is not None:
            content, headers = kept
            return HttpResponse(content, headers=headers)
        response = self.get_response(request)
        if _keepable(response):
            _cache().set(key, (response.content, dict(response.headers)))
        return response


def _new_generation():
    _cache().set(GENERATION, uuid.uuid4().hex, None)


def invalidate(**kwargs):
    """A new generation now, so this transaction reads its own change, and again once it commits:
    a page another process built meanwhile from the data before the commit is dropped too."""
    _new_generation()
    if transaction.get_connection().in_atomic_block:
        transaction.on_commit(_new_generation)


def connect():
    """Invalidate on every save or delete the pages show (called once, when the app is ready). An
    official's positions are edited in the official's form, whose save commits after them."""
    for model in (Article, ArticleLocality, ArticleOfficial, ArticleTerm, Locality, Official, Source, Term):
        signals.post_save.connect(invalidate, sender=model, dispatch_uid=f"pages-save-{model.__name__}")
        signals.post_delete.connect(invalidate, sender=model, dispatch_uid=f"pages-delete-{model.__name__}")
    for field in (Article.localities, Article.officials, Article.terms):
        signals.m2m_changed.connect(invalidate, sender=field.through, dispatch_uid=f"pages-m2m-{field.field.name}")
    articles_changed.connect(invalidate, dispatch_uid="pages-articles-changed")
