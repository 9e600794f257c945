"""Vietnamese analysis for the index, the queries and the highlighter: one definition for all three.

canonical(text)  -> normalised (archive.text.normalise), one tone placement ("hoà" -> "hòa",
                    "thuý" -> "thúy"), lower case: the exact, accent-sensitive form.
folded(text)     -> canonical without diacritics ("Đảng" -> "dang"): the accent-insensitive form.
segment(text)    -> pyvi word segmentation on cased text: "Xây_dựng Đảng ...".
split_syllables(text) -> the original text cut at its syllables' edges: [between, syllable,
                    between, ..., syllable, between], for highlighting.
VietnameseAnalyzer(folded=False) -> the Whoosh analyzer. Indexing, it takes text pyvi has
                    segmented (search.segmentation) and yields each compound ("xây_dựng") at the
                    position of its first syllable and every syllable at its own position, so
                    phrases, single syllables and names pyvi mis-joins all match. The folded
                    variant indexes folded syllables only (segmented or not, the same).
                    Queries are not segmented here: a query names a compound by writing it
                    with "_". No stop words.
term_positions(form, fold_them=False) -> {term: [positions]}: what VietnameseAnalyzer(fold_them)
                    yields indexing a text whose canonical form is `form`, gathered per term
                    without token objects (a rebuild's hot path: one canonical form serves both).
"""

import re
import unicodedata
from collections.abc import Iterator
from typing import Any

from pyvi import ViTokenizer
from whoosh.analysis import Token, Tokenizer

from archive.text import fold, normalise

_TONES = "\u0300\u0301\u0303\u0309\u0323"  # huyền, sắc, ngã, hỏi, nặng
# In open syllables ending in oa, oe, uy (not "quy", where u belongs to the initial) the tone
# sits on the first vowel: hòa, khỏe, thúy. Old-style text puts it on the second: hoà, khoẻ, thuý.
_OLD_STYLE_TONE = re.compile(rf"(?<![qQ])([oO][aAeE]|[uU][yY])([{_TONES}])(?![\w{_TONES}\u0302\u0306\u031b])")
SYLLABLE = re.compile(r"[^\W_]+")
_AT_SYLLABLES = re.compile(f"({SYLLABLE.pattern})")
_WORD = re.compile(r"[^\W_]+(?:_[^\W_]+)*")


def _move_tone(match: re.Match[str]) -> str:
    vowels, tone = match.groups()
    return vowels[0] + tone + vowels[1]


def canonical(text: str) -> str:
    decomposed = unicodedata.normalize("NFD", normalise(text))
    return unicodedata.normalize("NFC", _OLD_STYLE_TONE.sub(_move_tone, decomposed)).lower()


def folded(text: str) -> str:
    return fold(canonical(text))


def segment(text: str) -> str:
    """Join the syllables of each word with "_" (pyvi); text without diacritics comes back unsegmented."""
    segmented: str = ViTokenizer.tokenize(normalise(text))
    return segmented


def split_syllables(text: str) -> list[str]:
    """`text` as stored, cut before and after each syllable: syllable n is item 2n + 1, and the
    items between them (possibly empty) hold the spaces and punctuation; "".join() gives it back."""
    return _AT_SYLLABLES.split(text)


def query_words(text: str, fold_them: bool = False) -> list[str]:
    """The syllables of a query, in canonical (or folded) form."""
    form = folded(text) if fold_them else canonical(text)
    return SYLLABLE.findall(form)


def term_positions(form: str, fold_them: bool = False) -> dict[str, list[int]]:
    """The positions of each term VietnameseAnalyzer(fold_them) yields indexing a text, in
    order, given its canonical form (`canonical(text)`)."""
    found: dict[str, list[int]] = {}
    if fold_them:
        for pos, syllable in enumerate(SYLLABLE.findall(fold(form))):
            found.setdefault(syllable, []).append(pos)
        return found
    pos = 0
    for word in _WORD.findall(form):
        if "_" in word:
            found.setdefault(word, []).append(pos)
            for part in word.split("_"):
                found.setdefault(part, []).append(pos)
                pos += 1
        else:
            found.setdefault(word, []).append(pos)
            pos += 1
    return found


class VietnameseAnalyzer(Tokenizer):  # type: ignore[misc]  # Whoosh is untyped
    """See the module docstring."""

    def __init__(self, folded: bool = False) -> None:
        self.folded = folded

    def __eq__(self, other: object) -> bool:
        return type(self) is type(other) and self.folded == other.folded

    def __call__(
        self,
        value: str,
        positions: bool = False,
        chars: bool = False,
        keeporiginal: bool = False,
        removestops: bool = True,
        start_pos: int = 0,
        start_char: int = 0,
        tokenize: bool = True,
        mode: str = "",
        **kwargs: Any,
    ) -> Iterator[Token]:
        text = folded(value) if self.folded else canonical(value)
        token = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        pos = start_pos
        for match in _WORD.finditer(text):
            word = match.group()
            parts = word.split("_")
            if len(parts) > 1 and not self.folded:
                # Indexing, a compound stands beside its syllables; a query names it on purpose.
                yield self._token(token, word, pos, match.start(), match.end(), start_char)
                if mode == "query":
                    pos += len(parts)
                    continue
            offset = match.start()
            for part in parts:
                yield self._token(token, part, pos, offset, offset + len(part), start_char)
                pos += 1
                offset += len(part) + 1

    @staticmethod
    def _token(token: Token, text: str, pos: int, start: int, end: int, start_char: int) -> Token:
        token.text = text
        token.boost = 1.0
        token.stopped = False
        if token.positions:
            token.pos = pos
        if token.chars:
            token.startchar, token.endchar = start_char + start, start_char + end
        return token
