"""Every match of a search, beyond one page: files to download, cursors to page the API with,
and the newest matches for the search's feed.

- Files (`FILES`, by extension): CSV (UTF-8 with a byte-order mark, so that Excel reads the
  diacritics right), JSON lines, and through archive.citation RIS, BibTeX and CSL-JSON. They are
  streamed: the engine is asked for the ids SLICE at a time and the articles are read from the
  database (published only) in the same slices, so memory stays flat however many rows.
  A search finding more than settings.EXPORT_LIMIT articles is refused (`TooMany`) before
  anything is written: a file is always every match, never silently the first part of them.
- Cursors: an API page's `next` link carries a signed cursor (the next page's number and a
  fingerprint of the search's parameters), so a script follows `next` to the last match; an
  edited cursor, an expired one or one used with other parameters is a `BadCursor`.
"""

import csv
import datetime
import hashlib
import json
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from urllib.parse import urlencode

from django.conf import settings
from django.core import signing
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from archive import citation, selectors
from archive.models import Article
from archive.text import slug_for
from search import query
from search.forms import SearchForm
from search.syntax import parse

SLICE = 500  # ids asked of the engine, and articles read from the database, at a time
CURSOR_SALT = "search.export.cursor"
CURSOR_MAX_AGE = 24 * 60 * 60  # seconds a `next` link stays valid
NOT_SEARCH = ("page", "cursor")  # parameters that say where in the results, not what is searched

COLUMNS = [
    "id",
    "permalink",
    "title",
    "date",
    "source",
    "byline",
    "provinces",
    "provinces_2025",
    "districts",
    "officials",
    "terms",
    "lead",
]
LIST_SEPARATOR = "; "  # between the values of one CSV cell (a district's name has a comma)


def search_params(params: dict) -> dict:
    """The parameters that say what is searched: without the position and without empty values."""
    return {k: v for k, v in params.items() if k not in NOT_SEARCH and v != ""}


# --- the matches ---------------------------------------------------------------------------------
def _published(pks: list[int]) -> dict[int, Article]:
    """The published articles among `pks`, with what a row or a record reads (not the text), by pk."""
    return query.with_links(selectors.unordered(selectors.published_articles()).defer("body", "captions")).in_bulk(pks)


def _in_order(pks: list[int]) -> list[Article]:
    by_pk = _published(pks)
    return [by_pk[pk] for pk in pks if pk in by_pk]


def newest(form: SearchForm, limit: int) -> list[Article]:
    """The first `limit` published matches of a valid `form` (the feed's, sorted newest first)."""
    return _in_order(query.search(form, parse(form.cleaned_data.get("q") or ""), 0, limit).ids)


class TooMany(Exception):
    """The search finds more articles than one export writes; the message says how to narrow it."""

    def __init__(self, count: int):
        self.count, self.limit = count, settings.EXPORT_LIMIT
        super().__init__(_too_many_message(count))


def _too_many_message(count: int) -> str:
    return _(
        "Tìm thấy %(count)s bài, quá %(limit)s bài cho một lần tải về. Hãy thu hẹp tìm kiếm (khoảng "
        "ngày from/to, tỉnh, nguồn báo, nhiệm kỳ…) rồi tải từng phần, hoặc lấy mọi kết quả qua "
        "/api/search/ theo liên kết next."
    ) % {
        "count": number_format(count, force_grouping=True),
        "limit": number_format(settings.EXPORT_LIMIT, force_grouping=True),
    }


@dataclass
class Matches:
    """Every published match of a search, in the search's order, read a slice at a time."""

    count: int  # as the engine counted them when the export began
    articles: Iterator[Article]


def matches(form: SearchForm) -> Matches:
    """Every match of a valid `form`; raises TooMany past settings.EXPORT_LIMIT."""
    parsed = parse(form.cleaned_data.get("q") or "")
    first = query.search(form, parsed, 0, SLICE)
    if first.count > settings.EXPORT_LIMIT:
        raise TooMany(first.count)

    def articles():
        seen, found, offset = set(), first, 0
        while found.ids:
            for article in _in_order(found.ids):
                if article.pk not in seen:  # an article saved meanwhile may shift the slices
                    seen.add(article.pk)
                    yield article
            offset += SLICE
            if offset >= first.count:
                break
            found = query.search(form, parsed, offset, SLICE)

    return Matches(first.count, articles())


# --- files ---------------------------------------------------------------------------------------
def row(article: Article, absolute: Callable[[str], str]) -> dict:
    """One article's export row: the COLUMNS, lists where an article has several values."""
    hit = query.Hit(article, article.title, "", list(article.localities.all()))
    return {
        "id": article.pk,
        "permalink": absolute(reverse("archive:article_short", args=[article.pk])),
        "title": article.title,
        "date": timezone.localtime(article.published_at) if article.published_at else None,
        "source": article.source.name if article.source else "",
        "byline": article.author,
        "provinces": hit.provinces,
        "provinces_2025": hit.provinces_2025,
        "districts": hit.districts,
        "officials": sorted({o.name for o in article.officials.all()}),
        "terms": [t.key for t in article.terms.all()],
        "lead": article.lead,
    }


class _Line:
    """csv.writer's file: hands back each line written, to be streamed."""

    def write(self, line: str) -> str:
        return line


def _csv_cell(value) -> str:
    if isinstance(value, list):
        return LIST_SEPARATOR.join(value)
    if isinstance(value, datetime.datetime):
        return value.strftime("%Y-%m-%d %H:%M")  # Vietnam's time, as Excel and LibreOffice read a date
    return "" if value is None else str(value)


def csv_lines(articles: Iterable[Article], absolute: Callable[[str], str]) -> Iterator[str]:
    writer = csv.writer(_Line())
    yield "\ufeff" + writer.writerow(COLUMNS)
    for article in articles:
        r = row(article, absolute)
        yield writer.writerow([_csv_cell(r[column]) for column in COLUMNS])


def json_lines(articles: Iterable[Article], absolute: Callable[[str], str]) -> Iterator[str]:
    for article in articles:
        r = row(article, absolute)
        r["date"] = r["date"].isoformat() if r["date"] else None
        yield json.dumps(r, ensure_ascii=False) + "\n"


def _citations(file_format: citation.Format) -> Callable[[Iterable[Article], Callable[[str], str]], Iterator[str]]:
    return lambda articles, absolute: file_format.write(citation.record(a, absolute) for a in articles)


@dataclass(frozen=True)
class File:
    label: str
    write: Callable[[Iterable[Article], Callable[[str], str]], Iterator[str]]
    content_type: str


FILES = {
    "csv": File("CSV", csv_lines, "text/csv"),
    "jsonl": File("JSON lines", json_lines, "application/x-ndjson"),
    **{
        extension: File(label, _citations(citation.FORMATS[extension]), citation.FORMATS[extension].content_type)
        for extension, label in [("ris", "RIS"), ("bib", "BibTeX"), ("json", "CSL-JSON")]
    },
}


def unknown_file_message() -> str:
    return _("Không có định dạng tải về này: hãy chọn %s.") % ", ".join(f".{e} ({f.label})" for e, f in FILES.items())


def filename(params: dict, extension: str) -> str:
    """The file's name from the search's words, in ASCII: "tim-kiem-xay-dung-dang.csv"."""
    words = params.get("q", "").strip()
    return f"tim-kiem-{slug_for(words, max_length=60)}.{extension}" if words else f"tim-kiem.{extension}"


@dataclass
class Downloads:
    """What the results page offers: the files (label, url), or why not, and the feed."""

    files: list[tuple[str, str]]
    too_many: str
    feed: str


def feed_url(params: dict) -> str:
    """The address of the search's Atom feed (always newest first: no `sort`)."""
    followed = urlencode({k: v for k, v in search_params(params).items() if k != "sort"})
    return reverse("search:feed") + ("?" + followed if followed else "")


def downloads(params: dict, count: int) -> Downloads:
    searched = search_params(params)
    files = [
        (f.label, reverse("search:export", args=[extension]) + "?" + urlencode(searched))
        for extension, f in FILES.items()
    ]
    too_many = _too_many_message(count) if count > settings.EXPORT_LIMIT else ""
    return Downloads(
        files=files if count and not too_many else [],
        too_many=too_many,
        feed=feed_url(params),
    )


# --- cursors -------------------------------------------------------------------------------------
class BadCursor(ValueError):
    """A cursor that was edited, has expired or belongs to another search; the message says which."""


def _fingerprint(params: dict) -> str:
    searched = sorted(search_params(params).items())
    return hashlib.sha256(json.dumps(searched, ensure_ascii=False).encode()).hexdigest()[:16]


def next_url(params: dict, page: int) -> str:
    """The API's address of `page` of the search `params` describe, by a signed cursor."""
    token = signing.dumps({"page": page, "search": _fingerprint(params)}, salt=CURSOR_SALT)
    return reverse("search:api") + "?" + urlencode({**search_params(params), "cursor": token})


def at_cursor(params: dict) -> dict:
    """`params` with their `cursor` read into the `page` it stands for; raises BadCursor."""
    if params.get("page"):
        raise BadCursor(_("Dùng cursor hoặc page, không dùng cả hai."))
    try:
        content = signing.loads(params["cursor"], salt=CURSOR_SALT, max_age=CURSOR_MAX_AGE)
    except signing.SignatureExpired:
        raise BadCursor(_("cursor đã hết hạn: hãy tìm lại từ trang đầu.")) from None
    except signing.BadSignature:
        raise BadCursor(_("cursor không hợp lệ: hãy dùng nguyên liên kết next của trang trước.")) from None
    if content.get("search") != _fingerprint(params):
        raise BadCursor(_("cursor thuộc về một tìm kiếm khác: giữ nguyên các tham số của liên kết next."))
    return {**search_params(params), "page": str(content["page"])}
