"""Searching under load: a search is answered at once, or refused at once, never left in a queue.

Two bounds, both shared by every gunicorn worker (and thread) on the machine:

- per reader: at most SEARCH_RATE searches (the page and the API together) per client address,
  counted by django-ratelimit in a file cache under ARCHIVE_DATA_DIR; past it HTTP 429.
- at once: at most SEARCH_CONCURRENCY searches run together; one more waits up to SEARCH_WAIT
  seconds for a slot, then gets HTTP 503. Browse pages are never held back by searches.

Both refusals say when to come back (Retry-After) and why, in the reader's language: a page for
the search page, JSON for the API.
"""

import fcntl
import ipaddress
import logging
import os
import threading
import time
from collections import deque
from contextlib import contextmanager
from pathlib import Path

from django.conf import settings
from django.core.cache.backends.filebased import FileBasedCache
from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import Resolver404, resolve
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django_ratelimit.core import get_usage

log = logging.getLogger(__name__)

SEARCH_VIEWS = {"search:page", "search:api", "search:trend", "search:trend_csv"}  # the trend: 4 searches
BUSY_RETRY_AFTER = 2  # seconds: a slot frees as soon as one running search ends
POLL_SECONDS = 0.005  # how often the first waiting search of a process looks for a free slot


class LockedFileCache(FileBasedCache):
    """Django's file cache, whose add() and incr() are atomic across processes: the rate counts
    go through them, and the stock versions read and then write, so two workers counting the same
    reader at once would count one request. A lock file beside the entries serialises them (it is
    not an entry, so culling never removes it)."""

    @contextmanager
    def _locked(self):
        self._createdir()  # type: ignore[attr-defined]  # FileBasedCache's own, not in its stubs
        with open(os.path.join(self._dir, "lock"), "a") as handle:  # type: ignore[attr-defined]
            fcntl.flock(handle, fcntl.LOCK_EX)
            yield  # closing the file releases the lock

    def add(self, *args, **kwargs):
        with self._locked():
            return super().add(*args, **kwargs)

    def incr(self, *args, **kwargs):
        with self._locked():
            return super().incr(*args, **kwargs)


def client_address(request) -> str:
    """The reader's address, which the rate is counted by: the header a reverse proxy sets to it
    (CLIENT_IP_HEADER, e.g. X-Real-IP) when configured and well formed, else the peer's address.
    (django-ratelimit calls this through RATELIMIT_IP_META_KEY and groups IPv6 addresses by /64.)"""
    header = settings.CLIENT_IP_HEADER
    proxied = [request.META.get("HTTP_" + header.upper().replace("-", "_"), "")] if header else []
    for candidate in [*proxied, request.META.get("REMOTE_ADDR", "")]:
        try:
            return str(ipaddress.ip_address(candidate.strip()))
        except ValueError:
            continue
    return "0.0.0.0"  # no usable address (a Unix socket): such readers share one count


def _take_free_slot(folder: Path, size: int):
    """An open file descriptor holding one of the `size` slot locks, or None when all are held.
    The kernel releases a lock when its process dies, so a killed worker never leaks a slot."""
    for number in range(size):
        fd = os.open(folder / f"slot-{number}", os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return fd
        except BlockingIOError:
            os.close(fd)
    return None


class _Line:
    """This process's searches waiting for a slot, first come first served: only the first of them
    looks for one, so a later search of the same worker never takes the slot an earlier one waited
    for. With every waiting thread looking, whoever looked first after a slot freed took it: under
    16 readers on 2 slots one search in ten waited out SEARCH_WAIT while later ones went ahead.
    Between workers there is no order: the first waiting search of each worker looks alike (three
    lookers with `make serve`, not a dozen)."""

    def __init__(self):
        self._moved = threading.Condition()
        self._waiting: deque[object] = deque()

    def slot(self, folder: Path, size: int, deadline: float) -> int | None:
        """A held slot's file descriptor, or None when none came free for this search by `deadline`."""
        me = object()
        with self._moved:
            self._waiting.append(me)
            try:
                while True:
                    first = self._waiting[0] is me
                    if first and (fd := _take_free_slot(folder, size)) is not None:
                        return fd
                    left = deadline - time.monotonic()
                    if left <= 0:
                        return None
                    self._moved.wait(min(left, POLL_SECONDS) if first else left)  # the others: until the line moves
            finally:
                self._waiting.remove(me)
                self._moved.notify_all()


_LINE = _Line()


@contextmanager
def search_slot(folder: Path, size: int, wait: float):
    """Yields True while holding one of `size` slots shared by every process on the machine, or
    False when none came free within `wait` seconds. A size of 0 means no bound (always True)."""
    if size <= 0:
        yield True
        return
    folder.mkdir(parents=True, exist_ok=True)
    fd = _LINE.slot(folder, size, time.monotonic() + wait)
    try:
        yield fd is not None
    finally:
        if fd is not None:
            os.close(fd)


def _over_rate(request):
    """Seconds until the reader may search again, or None while within SEARCH_RATE. Counting this
    request. If the count cannot be kept (the cache folder unwritable), searching goes on: the
    bound on searches at once still holds."""
    if not settings.SEARCH_RATE:
        return None
    try:
        usage = get_usage(request, group="search", key="ip", rate=settings.SEARCH_RATE, increment=True)
    except OSError:
        log.warning("search rate not counted: the limits cache is unusable", exc_info=True)
        return None
    return max(1, usage["time_left"]) if usage and usage["should_limit"] else None


def refused(request, status, retry_after, title, reason):
    """A refusal that says why and when to come back: JSON under /api/, a page elsewhere."""
    retry = ngettext("Xin thử lại sau %(seconds)d giây.", "Xin thử lại sau %(seconds)d giây.", retry_after) % {
        "seconds": retry_after
    }
    response: HttpResponse
    if request.path_info.startswith("/api/"):
        response = JsonResponse(
            {"error": f"{reason} {retry}", "retry_after": retry_after},
            status=status,
            json_dumps_params={"ensure_ascii": False},
        )
    else:
        response = render(request, "refused.html", {"title": title, "reason": reason, "retry": retry}, status=status)
    response["Retry-After"] = str(retry_after)
    add_never_cache_headers(response)
    return response


def _is_search(request) -> bool:
    try:
        return resolve(request.path_info).view_name in SEARCH_VIEWS
    except Resolver404:
        return False


class SearchLimitsMiddleware:
    """Applies the two bounds to the search views; every other request passes straight through."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not _is_search(request):
            return self.get_response(request)
        wait = _over_rate(request)
        if wait is not None:
            return refused(
                request,
                429,
                wait,
                _("Quá nhiều lượt tìm kiếm"),
                _("Bạn đã tìm kiếm quá nhiều lần trong một thời gian ngắn."),
            )
        with search_slot(settings.SEARCH_SLOTS_DIR, settings.SEARCH_CONCURRENCY, settings.SEARCH_WAIT) as held:
            if held:
                return self.get_response(request)
        return refused(
            request,
            503,
            BUSY_RETRY_AFTER,
            _("Máy chủ đang bận"),
            _("Đang có quá nhiều lượt tìm kiếm cùng lúc."),
        )
