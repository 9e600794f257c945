"""Mark the query's words in article text, using the index's own analysis.

A query word typed with diacritics marks the syllables equal to it in canonical form ("hoà"
marks "hòa"); one typed without marks every syllable that folds to it ("hoa" marks "hòa",
"họa", "hoa"). Whole syllables only. The output is escaped HTML, safe to put in a page.
"""

import threading
from collections import Counter
from dataclasses import dataclass, field
from html import escape
from itertools import compress

from django.utils.safestring import SafeString, mark_safe

from search.analysis import canonical, folded, split_syllables
from search.syntax import ParsedQuery

SNIPPET_SYLLABLES = 40


VOCABULARY_MAX = 200_000  # syllables the highlighter keeps the forms of (a few tens of MB at most)


class _Vocabulary:
    """The syllables this process's highlighting has met, as written ("Đảng", "ĐẢNG", "hoà"), each
    with its canonical and folded forms, and each form's syllables. A query's words then give the
    syllables they mark straight away, where looking at each of a page's two thousand-odd distinct
    syllables cost a search page about 1.5 ms. Shared by a worker's threads, under its lock."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.forms: dict[str, tuple[str, str]] = {}  # syllable -> (canonical, folded)
        self.spelt: dict[str, list[str]] = {}  # canonical form -> its syllables
        self.spelt_loosely: dict[str, list[str]] = {}  # folded form -> its syllables
        self.version = 0  # changes whenever it does

    def learn(self, words: list[str]) -> None:
        """Add the syllables of `words` not met before (emptied first when it would pass VOCABULARY_MAX)."""
        new = set(words).difference(self.forms)
        if len(self.forms) + len(new) > VOCABULARY_MAX:
            self.forms, self.spelt, self.spelt_loosely = {}, {}, {}
            new = set(words)
        for word in new:
            form = canonical(word)
            loose = folded(form)
            self.forms[word] = (form, loose)
            self.spelt.setdefault(form, []).append(word)
            self.spelt_loosely.setdefault(loose, []).append(word)
        self.version += 1

    def marking(self, exact: frozenset[str], loose: frozenset[str]) -> dict[str, str]:
        """syllable -> the query word it matches: the one equal to its canonical form (`exact`),
        else the one equal to its folded form (`loose`)."""
        found = {syllable: word for word in loose for syllable in self.spelt_loosely.get(word, ())}
        found.update({syllable: word for word in exact for syllable in self.spelt.get(word, ())})
        return found


_VOCABULARY = _Vocabulary()


@dataclass
class _Marking:
    version: int = -1  # the vocabulary's when `of` was read from it
    of: dict[str, str] = field(default_factory=dict)  # syllable -> query word


@dataclass(frozen=True)
class Terms:
    exact: frozenset[str] = frozenset()
    loose: frozenset[str] = frozenset()
    _marking: _Marking = field(default_factory=_Marking, compare=False, repr=False)

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

    def keys(self, words: list[str]) -> list[str | None]:
        """The query word each of the syllables `words` matches, or None."""
        vocabulary, marking = _VOCABULARY, self._marking
        with vocabulary.lock:
            if not all(map(vocabulary.forms.__contains__, words)):
                vocabulary.learn(words)
            if marking.version != vocabulary.version:
                marking.version, marking.of = vocabulary.version, vocabulary.marking(self.exact, self.loose)
            found = marking.of
        return list(map(found.get, words))


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
