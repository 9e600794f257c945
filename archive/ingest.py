"""Raw articles in, Article rows out: the import service used by the command and the admin.

Two inputs are understood:
- raw article text as published (one file an article): title, optional date line, lead with an
  optional source code ("BDK - …"), body paragraphs, photo captions, byline, page furniture;
- JSON lines (gzipped or not), one article an object with title/lead/body and optionally
  id, url, source, author, published.

parse_text() and parse_record() turn one input into a ParsedArticle or raise IngestError;
read_paths() walks files and folders; import_articles() saves in batches, skips what was
imported before (same import key or original URL), links the localities and party terms each
new article names (archive.extraction) and reports every failure with its place.
"""

import gzip
import hashlib
import json
import re
import tempfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _

from archive.extraction import link_articles
from archive.models import Article, Source
from archive.services import prepare_article
from archive.text import LINE_BREAK, TERMINAL_PUNCTUATION, fold, normalise, paragraphs


class IngestError(ValueError):
    """An input that cannot become an article; the message says why, in the reader's words and
    language (the editor's in the admin, the command's otherwise)."""


@dataclass
class ParsedArticle:
    title: str
    body: str
    lead: str = ""
    captions: list[str] = field(default_factory=list)
    author: str = ""
    published_at: datetime | None = None
    source_code: str = ""
    source_name: str = ""
    source_site: str = ""
    original_url: str = ""
    external_id: str = ""

    @property
    def import_key(self) -> str:
        if self.external_id:
            return self.external_id[:200]
        if self.original_url:
            return f"url:{self.original_url}"[:200]
        fingerprint = "|".join(
            [fold(self.title).lower(), self.published_at.isoformat() if self.published_at else "", self.source_code]
        )
        return "text:" + hashlib.sha1(fingerprint.encode()).hexdigest()


# Lines that belong to the page around the article, not to it.
FURNITURE = re.compile(
    r"^(A A|Chia sẻ bài viết|Chia sẻ|In bài viết|Bạn còn \d+/\d+ ký tự|Bạn vui lòng nhập từ \d+ ký tự trở lên.*)$",
    re.IGNORECASE,
)
# Headings of the comment box and link lists that follow the article: everything after is furniture.
TAIL_MARKER = re.compile(
    r"^(BÌNH LUẬN|Bình luận|Phản hồi|Tin mới|Các tin khác|Tin liên quan|Tin cùng chuyên mục|Bài viết liên quan)$"
)
DATE_LINE = re.compile(
    r"^(?:[^\d]{0,20}?)(\d{1,2})/(\d{1,2})/(\d{4})(?:\s*[-–,|]?\s*(\d{1,2})[:h](\d{2}))?\s*(?:GMT\+7)?$"
)
SOURCE_PREFIX = re.compile(r"^(?:([A-ZĐ]{2,10})\s*)?[-–—]\s+(?=\S)")
CREDIT_BYLINE = re.compile(
    r"^(?:Bài(?: và|,)? ảnh|Bài|Tin(?: và|,)? ảnh|Tin|Ảnh|Nhóm phóng viên|PV)\s*:\s*(.+)$", re.I
)
PHOTO_CREDIT = re.compile(r"\(\s*Ảnh\s*:?[^)]*\)\s*$", re.I)
IMAGE_MARKER = "\u00a0"


@dataclass
class _Line:
    text: str
    after_image: bool  # the published page had an image placeholder just before this line
    trailing_space: bool


def _lines(raw: str) -> list[_Line]:
    lines, after_image = [], False
    for raw_line in LINE_BREAK.split(raw):
        text = normalise(raw_line)
        if not text:
            after_image = after_image or IMAGE_MARKER in raw_line
            continue
        lines.append(_Line(text, after_image, raw_line != raw_line.rstrip()))
        after_image = False
    return lines


def _published_at(match: re.Match) -> datetime:
    day, month, year, hour, minute = (int(g) if g else 0 for g in match.groups())
    try:
        return datetime(year, month, day, hour, minute, tzinfo=ZoneInfo(settings.TIME_ZONE))
    except ValueError:
        raise IngestError(_("ngày đăng không hợp lệ: “%(date)s”") % {"date": match.group(0)}) from None


def _looks_like_byline(text: str) -> bool:
    words = text.split()
    return (
        0 < len(words) <= 6
        and len(text) <= 50
        and text[0].isalpha()
        and not text.endswith(TERMINAL_PUNCTUATION)
        and all(w[0].isupper() for w in words)
    )


def _byline(text: str) -> str:
    credited = CREDIT_BYLINE.match(text)
    name = credited.group(1).strip() if credited else text
    return name.title() if name.isupper() else name


def _is_caption(line: _Line, neighbours: tuple[_Line | None, _Line | None]) -> bool:
    text = line.text
    return (
        line.after_image
        or any(n is not None and n.text == text for n in neighbours)  # printed under the photo and again in the text
        or bool(PHOTO_CREDIT.search(text))
        or (text.startswith("(") and text.endswith(")"))
        or (len(text) <= 100 and text.endswith(".") and ". " not in text)  # one short sentence: a photo's
        or (line.trailing_space and len(text) < 200 and not text.endswith(TERMINAL_PUNCTUATION))
    )


def parse_text(raw: str) -> ParsedArticle:
    """Parse one article as published on a newspaper's page."""
    lines = _lines(raw)
    for i, line in enumerate(lines):
        if TAIL_MARKER.match(line.text) and i > 1:
            lines = lines[:i]
            break
    lines = [line for line in lines if not FURNITURE.match(line.text)]
    if not lines:
        raise IngestError(_("tệp trống: không có tiêu đề"))
    title, rest = lines[0].text, lines[1:]

    published_at = None
    if rest and len(rest[0].text) <= 40 and (date := DATE_LINE.match(rest[0].text)):
        published_at = _published_at(date)
        rest = rest[1:]

    author = ""
    if len(rest) > 1 and (CREDIT_BYLINE.match(rest[-1].text) or _looks_like_byline(rest[-1].text)):
        author = _byline(rest[-1].text)
        rest = rest[:-1]

    source_code, lead = "", ""
    if rest and not rest[0].text.startswith("*"):
        first = rest[0].text
        if prefix := SOURCE_PREFIX.match(first):
            source_code, first = prefix.group(1) or "", first[prefix.end() :]
        lead, rest = first, rest[1:]

    captions, paragraphs = [], []
    for i, line in enumerate(rest):
        neighbours = (rest[i - 1] if i else None, rest[i + 1] if i + 1 < len(rest) else None)
        if not _is_caption(line, neighbours):
            paragraphs.append(line.text)
        elif line.text not in captions:
            captions.append(line.text)
    if not paragraphs and not lead:
        raise IngestError(_("không có nội dung bài"))
    return ParsedArticle(
        title=title,
        lead=lead if paragraphs else "",
        body="\n\n".join(paragraphs) or lead,
        captions=captions,
        author=author,
        published_at=published_at,
        source_code=source_code,
    )


SOURCE_DESCRIPTION = re.compile(r"^(?P<name>[^(]+?)\s*(?:\((?P<site>[\w.-]+\.[a-z]{2,})[^)]*\))?$")


def parse_record(record: dict) -> ParsedArticle:
    """Parse one JSON-lines object (the shared corpus's format)."""
    if not isinstance(record, dict):
        raise IngestError(_("mỗi dòng phải là một đối tượng JSON"))

    def text(key):
        value = record.get(key)
        if value is not None and not isinstance(value, str):
            raise IngestError(_("trường “%(field)s” phải là chuỗi") % {"field": key})
        return normalise(value or "").strip()

    title, lead = text("title"), text("lead")
    body = "\n\n".join(paragraphs(text("body")))
    if not title:
        raise IngestError(_("thiếu tiêu đề (title)"))
    if not body and not lead:
        raise IngestError(_("thiếu nội dung (lead/body)"))
    published_at = None
    if raw_date := text("published"):
        try:
            published_at = parse_datetime(raw_date)
            if published_at is None and (day := parse_date(raw_date)):
                published_at = datetime(day.year, day.month, day.day)
        except ValueError:  # well formed but impossible: 2024-02-30
            published_at = None
        if published_at is None:
            raise IngestError(_("ngày đăng không hợp lệ: “%(date)s”") % {"date": raw_date})
        if published_at.tzinfo is None:
            published_at = published_at.replace(tzinfo=ZoneInfo(settings.TIME_ZONE))
    url = text("url")
    if url:
        try:
            URLValidator(schemes=["http", "https"])(url)
        except ValidationError:
            raise IngestError(_("đường dẫn gốc không hợp lệ: “%(url)s”") % {"url": url[:200]}) from None
    source = SOURCE_DESCRIPTION.match(text("source"))
    return ParsedArticle(
        title=title,
        lead=lead if body else "",
        body=body or lead,
        author=text("author"),
        published_at=published_at,
        original_url=url,
        external_id=text("id"),
        source_name=source.group("name") if source else "",
        source_site=(source.group("site") or "") if source else "",
    )


@dataclass
class Item:
    """One input read from disk: where it came from, and the article or the reason it failed."""

    where: str
    article: ParsedArticle | None = None
    error: str = ""


def _open_json_lines(path: Path, mode: str, **kwargs):
    """A JSON-lines file, gzipped or not: told by its first bytes, not its name."""
    with path.open("rb") as probe:
        gzipped = probe.read(2) == b"\x1f\x8b"
    return (gzip.open if gzipped else open)(path, mode, **kwargs)


def _read_json_lines(path: Path) -> Iterator[Item]:
    with _open_json_lines(path, "rt", encoding="utf-8", errors="strict") as lines:
        number = 0
        while True:
            number += 1
            where = f"{path}:{number}"
            try:
                line = next(lines)
            except StopIteration:
                return
            except UnicodeDecodeError:
                yield Item(where, error=_("không đọc được tệp từ dòng này: không phải văn bản UTF-8"))
                return
            except (OSError, EOFError):
                yield Item(where, error=_("không đọc được tệp từ dòng này: tệp nén hỏng hoặc bị cắt cụt"))
                return
            if not line.strip():
                continue
            try:
                yield Item(where, parse_record(json.loads(line)))
            except json.JSONDecodeError as exc:  # its own message is English: say where, and show the place
                near = line[max(exc.pos - 15, 0) : exc.pos + 15].strip()
                message = _("JSON không hợp lệ ở cột %(column)d, gần “%(near)s”")
                yield Item(where, error=message % {"column": exc.colno, "near": near})
            except IngestError as exc:
                yield Item(where, error=str(exc))


def _read_text(path: Path) -> Item:
    try:
        return Item(str(path), parse_text(path.read_text(encoding="utf-8-sig")))
    except UnicodeDecodeError as exc:
        return Item(str(path), error=_("không phải văn bản UTF-8 (byte %(byte)d)") % {"byte": exc.start})
    except IngestError as exc:
        return Item(str(path), error=str(exc))


JSON_SUFFIXES = (".jsonl", ".jsonl.gz", ".json", ".ndjson", ".gz")


def _files(paths: Iterable[str | Path]) -> Iterator[Path]:
    """`paths` with folders replaced by the files in them, recursively in name order."""
    for path in map(Path, paths):
        if path.is_dir():
            yield from sorted(p for p in path.rglob("*") if p.is_file() and not p.name.startswith("."))
        else:
            yield path


def read_paths(paths: Iterable[str | Path]) -> Iterator[Item]:
    """Every article in `paths`: files, or folders read recursively in name order."""
    for path in _files(paths):
        if not path.is_file():
            yield Item(str(path), error=_("không tìm thấy tệp"))
        elif path.name.endswith(JSON_SUFFIXES):
            yield from _read_json_lines(path)
        else:
            yield _read_text(path)


def count_items(paths: Iterable[str | Path]) -> int:
    """How many items read_paths(paths) yields, for progress: a JSON-lines file's non-blank lines,
    one for any other path. A second read of JSON-lines files (the shared corpus: 1.5 s)."""
    count = 0
    for path in _files(paths):
        if not (path.is_file() and path.name.endswith(JSON_SUFFIXES)):
            count += 1
            continue
        try:
            with _open_json_lines(path, "rb") as lines:
                count += sum(1 for line in lines if line.strip())
        except (OSError, EOFError):
            count += 1  # read_paths reports the damage there
    return count


@dataclass
class ImportReport:
    created: int = 0
    duplicates: int = 0
    errors: list[tuple[str, str]] = field(default_factory=list)
    created_ids: list[int] = field(default_factory=list)

    @property
    def seen(self) -> int:
        return self.created + self.duplicates + len(self.errors)


class _Sources:
    """Newspapers by code or name, created on first sight and remembered for the run."""

    def __init__(self):
        self._cache = {}

    def get(self, parsed: ParsedArticle) -> Source | None:
        key = (parsed.source_code, parsed.source_name)
        if key == ("", ""):
            return None
        if key not in self._cache:
            if parsed.source_code:
                source = Source.objects.filter(code=parsed.source_code).first() or Source.objects.create(
                    code=parsed.source_code, name=parsed.source_name or parsed.source_code
                )
            else:
                source, _created = Source.objects.get_or_create(
                    name=parsed.source_name, defaults={"site": parsed.source_site}
                )
            self._cache[key] = source
        return self._cache[key]


def article_of(parsed: ParsedArticle, source: Source | None = None) -> Article:
    """The (unsaved) archive article a parsed one becomes."""
    article = Article(
        title=parsed.title[:500],
        lead=parsed.lead,
        body=parsed.body,
        captions="\n".join(parsed.captions),
        author=parsed.author[:200],
        published_at=parsed.published_at,
        source=source,
        original_url=parsed.original_url[:500],
        import_key=parsed.import_key,
    )
    return prepare_article(article)  # bulk_create calls no save()


def _save_batch(batch: list[ParsedArticle], sources: _Sources, report: ImportReport) -> None:
    keys = {parsed.import_key for parsed in batch}
    urls = {parsed.original_url for parsed in batch if parsed.original_url}
    with transaction.atomic():
        known_keys = set(Article.objects.filter(import_key__in=keys).values_list("import_key", flat=True))
        known_urls = set(Article.objects.filter(original_url__in=urls).values_list("original_url", flat=True))
        new = []
        for parsed in batch:
            if parsed.import_key in known_keys or (parsed.original_url and parsed.original_url in known_urls):
                report.duplicates += 1
                continue
            known_keys.add(parsed.import_key)
            if parsed.original_url:
                known_urls.add(parsed.original_url)
            new.append(article_of(parsed, sources.get(parsed)))
        Article.objects.bulk_create(new)
        link_articles(new)
        report.created += len(new)
        report.created_ids += [a.pk for a in new]


def import_articles(
    items: Iterable[Item], batch_size: int = 500, progress: Callable[[ImportReport], None] | None = None
) -> ImportReport:
    """Save every parsed item; failures are collected in the report, never raised."""
    report, sources = ImportReport(), _Sources()
    batch: list[ParsedArticle] = []
    for item in items:
        if item.error or item.article is None:  # an Item holds one or the other
            report.errors.append((item.where, item.error))
            continue
        batch.append(item.article)
        if len(batch) >= batch_size:
            _save_batch(batch, sources, report)
            batch = []
            if progress:
                progress(report)
    if batch:
        _save_batch(batch, sources, report)
    if progress:
        progress(report)
    return report


def import_uploads(files) -> ImportReport:
    """Import uploaded files (Django UploadedFile objects) as import_articles does files on disk;
    the report names each file as uploaded."""
    with tempfile.TemporaryDirectory(prefix="upload-") as folder:
        paths = []
        for number, upload in enumerate(files):
            path = Path(folder) / f"{number}-{Path(upload.name).name}"
            with path.open("wb") as out:
                for chunk in upload.chunks():
                    out.write(chunk)
            paths.append(path)
        report = import_articles(read_paths(paths))
    report.errors = [(_uploaded_name(where, folder), why) for where, why in report.errors]
    return report


def _uploaded_name(where: str, folder: str) -> str:
    """ "/tmp/upload-x/0003-bai.txt:12" -> "bai.txt:12"."""
    return where.removeprefix(folder + "/").partition("-")[2] if where.startswith(folder + "/") else where
