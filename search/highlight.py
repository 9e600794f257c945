"""Mark the query's words in article text, using the index's own analysis.

A query word typed with diacritics marks the syllables equal to it in canonical form ("hoà"
marks "hòa"); one typed without marks every syllable that folds to it ("hoa" marks "hòa",
"họa", "hoa"). Whole syllables only. The output is escaped HTML, safe to put in a page.
"""

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache
from html import escape
from itertools import compress

from django.utils.safestring import SafeString, mark_safe

from search.analysis import canonical, folded, split_syllables
from search.syntax import ParsedQuery

SNIPPET_SYLLABLES = 40


@lru_cache(maxsize=200_000)
def _forms(syllable: str) -> tuple[str, str]:
    """(canonical, folded) of one syllable; the vocabulary is small, so this is cached."""
    form = canonical(syllable)
    return form, folded(form)


class _Keys(dict[str, str | None]):
    """syllable -> the query word it matches, or None: each syllable looked up once (an article
    repeats its words, and a page's articles share most of them)."""

    def __init__(self, key: Callable[[str], str | None]) -> None:
        super().__init__()
        self._key = key

    def __missing__(self, syllable: str) -> str | None:
        found = self[syllable] = self._key(syllable)
        return found


@dataclass(frozen=True)
class Terms:
    exact: frozenset[str] = frozenset()
    loose: frozenset[str] = frozenset()
    _seen: _Keys = field(init=False, compare=False, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_seen", _Keys(self.key))

    @classmethod
    def of(cls, parsed: ParsedQuery, field: str = "", also: frozenset[str] = frozenset()) -> "Terms":
        """The words to mark: a query's positive clauses that search everywhere or in `field`, and
        the folded spellings `also` searched for."""
        exact: set[str] = set()
        loose = set(also)
        for item in parsed.items:
            for clause in item.alternatives if not item.negated else ():
                if clause.field in ("", field):
                    for word in clause.words:
                        (loose if folded(word) == word else exact).add(word)
        return cls(frozenset(exact), frozenset(loose))

    def key(self, syllable: str) -> str | None:
        """The query word `syllable` matches, or None."""
        form, loose_form = _forms(syllable)
        if form in self.exact:
            return form
        return loose_form if loose_form in self.loose else None

    def keys(self, words: list[str]) -> list[str | None]:
        """key() of each word (a dictionary's lookups, but for the words not seen before)."""
        return list(map(self._seen.__getitem__, words))


def _marked(pieces: list[str], keys: list[str | None], lo: int, hi: int) -> str:
    """pieces[lo:hi] of split_syllables()'s list (syllable n, whose key is keys[n], is pieces[2n + 1]),
    escaped, the syllables with a key in <mark>."""
    out: list[str] = []
    start = lo
    for n in compress(range(lo // 2, hi // 2), keys[lo // 2 : hi // 2]):  # the marked syllables in [lo, hi)
        at = 2 * n + 1
        out += [escape("".join(pieces[start:at])), "<mark>", escape(pieces[at]), "</mark>"]
        start = at + 1
    out.append(escape("".join(pieces[start:hi])))
    return "".join(out)


def mark(text: str, terms: Terms) -> SafeString:
    """The whole of `text`, escaped, with matching syllables in <mark>."""
    pieces = split_syllables(text)
    return mark_safe(_marked(pieces, terms.keys(pieces[1::2]), 0, len(pieces)))


def _best_window(keys: list[str | None], size: int) -> int:
    """The first syllable of the window of `size` holding the most distinct query words, then most hits."""
    hits = list(compress(range(len(keys)), keys))
    counts: Counter[str | None] = Counter()
    best, best_score, j = 0, (0, 0), 0
    for a, first in enumerate(hits):
        while j < len(hits) and hits[j] < first + size:
            counts[keys[hits[j]]] += 1
            j += 1
        if (len(counts), j - a) > best_score:
            best, best_score = first, (len(counts), j - a)
        counts[keys[first]] -= 1
        if not counts[keys[first]]:
            del counts[keys[first]]
    return max(0, best - size // 8)  # a little context before the first hit


def snippet(text: str, terms: Terms, size: int = SNIPPET_SYLLABLES) -> SafeString:
    """The stretch of `text` where most distinct query words stand closest, escaped and marked."""
    pieces = split_syllables(text)  # syllable n is pieces[2n + 1]
    keys = terms.keys(pieces[1::2])
    if not keys:
        return mark_safe("")
    first = _best_window(keys, size)
    last = min(first + size, len(keys)) - 1
    lo = 0 if first == 0 else 2 * first + 1  # the whole text's start, or the window's first syllable
    hi = len(pieces) if last == len(keys) - 1 else 2 * last + 2  # the whole text's end, or its last syllable
    body = _marked(pieces, keys, lo, hi)
    return mark_safe(("… " if first else "") + body + (" …" if hi < len(pieces) else ""))
