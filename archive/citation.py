"""Citations of archived articles: the text a reader copies, the meta tags reference managers
read, and files to download (RIS, BibTeX, CSL-JSON).

`record(article, absolute)` gathers an article's bibliographic fields once, in a `Record`;
every format below reads that record and nothing else. The formats that make files take an
iterable of records and yield text chunks, so one article and a page of search results go
through the same code, and a long list can be streamed:

    records = (citation.record(a, request.build_absolute_uri) for a in published_articles)
    StreamingHttpResponse(citation.FORMATS["ris"].write(records), ...)

Conventions, the same in every format:

- The link cited is the archive's permalink, `/articles/<id>/`, absolute with the request's
  host: it survives a change of title (the slugged address redirects) and of the newspaper's
  own site. The newspaper's address, when known, is given as the source (`DC.source`).
- The author is the byline exactly as printed: Vietnamese bylines are often pen names ("Hương
  Thu") or several names in one line, so no family/given split is guessed; RIS and CSL-JSON
  carry it as one literal name, BibTeX in braces so that it is not split either.
- The date is the day of publication in Vietnam's time (an article posted at 05:35 on
  23/7/2021 in Hà Nội is dated 23/7/2021, though it was the 22nd in UTC).
- Text is NFC with diacritics as printed, on one line; files are UTF-8.
"""

import datetime
import json
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

from archive.text import fold, normalise

LANGUAGE = "vi"


@dataclass(frozen=True)
class Record:
    """One article's bibliographic fields: the single source of every citation format."""

    key: str  # ASCII, stable and unique: "huongthu2020mocay-12" (BibTeX key, RIS ID, CSL id, file name)
    title: str
    author: str  # the byline as printed; "" when the article is unsigned
    date: datetime.date | None  # the day of publication in Vietnam's time; None when unknown
    source: str  # the newspaper; "" when not recorded
    url: str  # the archive's absolute permalink
    original_url: str  # the newspaper's own address; "" when not recorded
    accessed: datetime.date  # the day the citation is made ("truy cập ngày", urldate, Y2, accessed)


def _one_line(text: str) -> str:
    return " ".join(normalise(text or "").split())


def _ascii(text: str) -> str:
    return re.sub(r"[^a-z0-9]", "", fold(text).lower())


def _ymd(date: datetime.date) -> str:
    return date.strftime("%Y/%m/%d")  # as Highwire and RIS write dates


def _date_parts(date: datetime.date) -> dict:
    return {"date-parts": [[date.year, date.month, date.day]]}  # CSL-JSON's date


def record(article, absolute: Callable[[str], str], accessed: datetime.date | None = None) -> Record:
    """The record of `article` (its source read too: select it with the articles, as
    `selectors.published_articles()` does); `absolute` turns a path into an absolute URL (in a
    view: `request.build_absolute_uri`); `accessed` is today in Vietnam unless given."""
    title, author = _one_line(article.title), _one_line(article.author)
    source = _one_line(article.source.name) if article.source_id else ""
    date = timezone.localtime(article.published_at).date() if article.published_at else None
    who = _ascii(author or source)[:24] or "khuyetdanh"  # "khuyết danh": anonymous
    first_words = "".join(_ascii(word) for word in title.split()[:2])
    return Record(
        key=f"{who}{date.year if date else 'nd'}{first_words}-{article.pk}",
        title=title,
        author=author,
        date=date,
        source=source,
        url=absolute(reverse("archive:article_short", args=[article.pk])),
        original_url=article.original_url or "",
        accessed=accessed or timezone.localdate(),
    )


# --- text to copy ------------------------------------------------------------------------------
def _dmy(date: datetime.date) -> str:
    return date.strftime("%d/%m/%Y")


def vietnamese(r: Record) -> SafeString:
    """The reference style of Vietnamese theses and journals (after the Ministry of Education's
    guidance: author (year), “title” in quotes, periodical in italics, then for a source read
    online the day it was read and its address), with the full date where the year stands, as
    a newspaper article is dated to the day:

        Tác giả (ngày/tháng/năm), “Tiêu đề”, *Tên báo*, truy cập ngày ngày/tháng/năm, <URL>.

    An unsigned article starts with its title, "(không rõ ngày)" stands for an unknown date,
    and an unknown newspaper is left out: “Tiêu đề” (không rõ ngày), truy cập ngày …, <URL>.
    """
    date = f"({_dmy(r.date)})" if r.date else "(không rõ ngày)"
    lead = format_html("{} {}, “{}”", r.author, date, r.title) if r.author else format_html("“{}” {}", r.title, date)
    source = format_html(", <i>{}</i>", r.source) if r.source else ""
    return format_html("{}{}, truy cập ngày {}, &lt;{}&gt;.", lead, source, _dmy(r.accessed), r.url)


_MONTHS = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]


def _sentence(text: str) -> str:
    """`text` closed by a period, unless it already ends in one, or in "?" or "!"."""
    return text if text.endswith((".", "?", "!")) else f"{text}."


def apa(r: Record) -> SafeString:
    """APA 7, newspaper article read online (APA 7, §10.2), in English as the style is:

        Author. (2020, November 13). Title. *Newspaper*. URL

    An unsigned article moves its title into the author's place; "(n.d.)" stands for an unknown
    date; without a newspaper the article is cited as a work standing alone, its title in
    italics. No retrieval date: APA gives one only for pages meant to change. The byline is not
    inverted into "Family, G.": Vietnamese bylines are mostly pen names, which APA keeps as written.
    """
    date = f"({r.date.year}, {_MONTHS[r.date.month - 1]} {r.date.day})." if r.date else "(n.d.)."
    title = _sentence(r.title) if r.source else format_html("<i>{}</i>", _sentence(r.title))
    parts = [_sentence(r.author), date, title] if r.author else [title, date]
    if r.source:
        parts.append(format_html("<i>{}</i>.", r.source))
    return format_html_join(" ", "{}", ((part,) for part in [*parts, r.url]))


# --- meta tags ---------------------------------------------------------------------------------
def meta_tags(r: Record) -> list[tuple[str, str]]:
    """(name, content) of the Highwire Press `citation_*` and Dublin Core `DC.*` tags that
    Zotero, Mendeley and Google Scholar read from an article's page; a field not known is left
    out. The newspaper is the `citation_journal_title` (Zotero's "Publication") and `DC.publisher`."""
    date = _ymd(r.date) if r.date else ""
    tags = [
        ("citation_title", r.title),
        ("citation_author", r.author),
        ("citation_publication_date", date),
        ("citation_date", date),
        ("citation_journal_title", r.source),
        ("citation_language", LANGUAGE),
        ("citation_public_url", r.url),
        ("citation_fulltext_html_url", r.url),
        ("DC.title", r.title),
        ("DC.creator", r.author),
        ("DC.date", r.date.isoformat() if r.date else ""),
        ("DC.publisher", r.source),
        ("DC.language", LANGUAGE),
        ("DC.identifier", r.url),
        ("DC.source", r.original_url),
        ("DC.type", "Text"),
    ]
    return [(name, content) for name, content in tags if content]


# --- files to download -------------------------------------------------------------------------
def ris(records: Iterable[Record]) -> Iterator[str]:
    """RIS (Research Information Systems), one `TY  - NEWS` … `ER  - ` block per record, lines
    ended by CRLF as the format asks. The newspaper is T2, the access date Y2."""
    for r in records:
        fields = [
            ("TY", "NEWS"),
            ("ID", r.key),
            ("TI", r.title),
            ("AU", r.author),
            ("PY", str(r.date.year) if r.date else ""),
            ("DA", _ymd(r.date) if r.date else ""),
            ("T2", r.source),
            ("LA", LANGUAGE),
            ("UR", r.url),
            ("Y2", _ymd(r.accessed)),
        ]
        yield "".join(f"{tag}  - {value}\r\n" for tag, value in fields if value) + "ER  - \r\n\r\n"


_TEX_SPECIALS = str.maketrans(
    {
        "\\": r"\textbackslash{}",
        "{": r"\{",
        "}": r"\}",
        "#": r"\#",
        "$": r"\$",
        "%": r"\%",
        "&": r"\&",
        "_": r"\_",
        "^": r"\textasciicircum{}",
        "~": r"\textasciitilde{}",
    }
)
_URL_SPECIALS = str.maketrans({"{": "%7B", "}": "%7D", "\\": "%5C"})  # a url field is verbatim but for braces


def _tex(text: str, protect: bool = False) -> str:
    """`text` with LaTeX's special characters escaped; `protect` braces it once more, as one
    unit that no style recases or splits into names."""
    escaped = text.translate(_TEX_SPECIALS)
    return f"{{{escaped}}}" if protect and escaped else escaped


def bibtex(records: Iterable[Record]) -> Iterator[str]:
    """BibTeX entries: `@article` in its newspaper (biblatex reads `journal` as `journaltitle`),
    `@misc` when the newspaper is not recorded. Text stays UTF-8, as biblatex with biber (or
    BibTeX with inputenc) reads it; LaTeX's special characters are escaped, and the title and
    author are braced so that no style recases the title or splits the byline into names."""
    for r in records:
        fields = [
            ("author", _tex(r.author, protect=True)),
            ("title", _tex(r.title, protect=True)),
            ("journal", _tex(r.source)),
            ("date", r.date.isoformat() if r.date else ""),
            ("year", str(r.date.year) if r.date else ""),
            ("url", r.url.translate(_URL_SPECIALS)),
            ("urldate", r.accessed.isoformat()),
            ("langid", "vietnamese"),
        ]
        body = "".join(f"  {name} = {{{value}}},\n" for name, value in fields if value)
        yield f"@{'article' if r.source else 'misc'}{{{r.key},\n{body}}}\n\n"


def csl_json(records: Iterable[Record]) -> Iterator[str]:
    """A CSL-JSON array (citeproc's input: Zotero, Pandoc), one `article-newspaper` per record."""
    yield "["
    for i, r in enumerate(records):
        item = {
            "id": r.key,
            "type": "article-newspaper",
            "title": r.title,
            "author": [{"literal": r.author}] if r.author else None,
            "issued": _date_parts(r.date) if r.date else None,
            "container-title": r.source or None,
            "URL": r.url,
            "accessed": _date_parts(r.accessed),
            "language": LANGUAGE,
        }
        item = {name: value for name, value in item.items() if value is not None}
        yield ("," if i else "") + "\n  " + json.dumps(item, ensure_ascii=False)
    yield "\n]\n"


@dataclass(frozen=True)
class Format:
    write: Callable[[Iterable[Record]], Iterator[str]]
    content_type: str


# By file extension: what the download views offer.
FORMATS = {
    "ris": Format(ris, "application/x-research-info-systems"),
    "bib": Format(bibtex, "application/x-bibtex"),
    "json": Format(csl_json, "application/vnd.citationstyles.csl+json"),
}
