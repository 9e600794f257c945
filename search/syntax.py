"""What a user typed -> a parsed query that any search backend can compile.

Syntax: words, "exact phrases", OR between alternatives, NOT or a leading "-" to exclude,
a leading "+" for a word that must be there even when a search relaxes (search.forgiving), AND
(the default between words), and the fields title: and author:. Parsing never fails:
unbalanced quotes close at the end, lone operators are dropped, control characters are
removed, and an overlong query keeps its first MAX_CLAUSES clauses (the parse says so).
"""

import re
import unicodedata
from dataclasses import dataclass, field
from functools import cached_property

from search.analysis import query_words

MAX_QUERY_CHARS = 1000
MAX_CLAUSES = 32
FIELDS = {"title", "author"}

_TOKEN = re.compile(r'(?P<sign>[-+])?(?:(?P<field>[A-Za-z]+):)?(?:"(?P<phrase>[^"]*)(?:"|$)|(?P<word>[^\s"]+))')


@dataclass(frozen=True)
class Clause:
    """One word or phrase (several syllables that must stand together), in a field or everywhere."""

    text: str
    field: str = ""
    phrase: bool = False
    quoted: bool = False  # typed in quotes: a relaxed search keeps it whole

    @cached_property
    def words(self) -> list[str]:  # worked out once: a search asks for them again and again
        return query_words(self.text)


@dataclass(frozen=True)
class Item:
    """Alternatives joined by OR; every item of a query must match, a negated one must not."""

    alternatives: tuple[Clause, ...]
    negated: bool = False
    required: bool = False  # "+word": never left out when a search relaxes

    @property
    def loose(self) -> bool:
        """Free words a relaxed search may find missing or spelt otherwise (not a "phrase", +word, field or NOT)."""
        return not (self.negated or self.required or any(c.field or c.quoted for c in self.alternatives))


@dataclass
class ParsedQuery:
    items: list[Item] = field(default_factory=list)
    truncated: bool = False

    def __bool__(self) -> bool:
        return any(not item.negated for item in self.items)

    @property
    def free_clauses(self) -> list[Clause]:
        """The positive clauses that search everywhere: they rank by proximity and highlight."""
        return [c for item in self.items if not item.negated for c in item.alternatives if not c.field]

    def __str__(self) -> str:
        def show(c: Clause) -> str:
            body = f'"{c.text}"' if c.phrase else c.text
            return f"{c.field}:{body}" if c.field else body

        def sign(item: Item) -> str:
            return "-" if item.negated else "+" if item.required else ""

        return " ".join(sign(i) + " OR ".join(map(show, i.alternatives)) for i in self.items)


def strip_controls(text: str) -> str:
    return "".join(" " if unicodedata.category(ch)[0] == "C" else ch for ch in text)


def _clean(text: str) -> str:
    return strip_controls(text[:MAX_QUERY_CHARS]).replace("“", '"').replace("”", '"')


def parse(text: str) -> ParsedQuery:
    query = ParsedQuery(truncated=len(text) > MAX_QUERY_CHARS)
    pending_or = negate_next = False
    for match in _TOKEN.finditer(_clean(text)):
        word, phrase = match.group("word"), match.group("phrase")
        field_name = (match.group("field") or "").lower()
        if field_name and field_name not in FIELDS:  # "Ghi chú:abc" is text, not a field
            word = f"{match.group('field')}:{word or phrase or ''}"
            field_name, phrase = "", None
        if word in ("OR", "||"):
            pending_or = bool(query.items)
            continue
        if word in ("AND", "&&", "+"):
            continue
        if word == "NOT":
            negate_next = True
            continue
        text_part = phrase if phrase is not None else word
        if not query_words(text_part):
            continue  # punctuation, a lone "-", an empty phrase
        quoted = phrase is not None
        clause = Clause(text_part, field_name, phrase=quoted or len(query_words(text_part)) > 1, quoted=quoted)
        negated = match.group("sign") == "-" or negate_next
        required = match.group("sign") == "+" and not negated
        negate_next = False
        if pending_or and not negated and not query.items[-1].negated:
            last = query.items.pop()
            query.items.append(Item((*last.alternatives, clause), required=last.required or required))
        elif len(query.items) < MAX_CLAUSES:
            query.items.append(Item((clause,), negated, required))
        else:
            query.truncated = True
        pending_or = False
    return query
