"""Near spellings of a query word: what one slip of the keyboard away the index holds.

edits(word) -> every folded spelling one edit from `word` (a letter dropped, doubled or
    otherwise added, changed, or two neighbours swapped): a few hundred strings, which the
    engine looks up in its term dictionary at once (engine.frequencies), so finding them costs
    the same for every query.
near(word, frequency, frequencies) -> the spellings a relaxed search also looks for, most
    frequent first: for a word no article holds, any known one; for a rare word, those far more
    common. Never for short words ("an" / "anh") or past a word's sane length.
respell(typed, spelling) -> `typed` with the same one edit, keeping the reader's capitals and
    accents where they were: "Trọnq" -> "Trọng".
"""

from collections.abc import Iterable

from archive.text import normalise
from search.analysis import folded

LETTERS = "abcdefghijklmnopqrstuvwxyz"  # the folded alphabet
MIN_UNKNOWN = 3  # letters a word no article holds needs before near spellings are tried
MIN_RARE = 4  # and a word that is in a few articles
MAX_LENGTH = 12  # past this it is no Vietnamese syllable: a pasted code, a URL, a long foreign word
RARE_SHARE = 0.005  # of all articles: a word this rare may be a slip for a common one
MORE_COMMON = 50  # times as many articles as the word itself, for a near spelling of a rare word
KEEP = 6  # near spellings searched for per word: the words around a slip choose among them
SLIPS = 32  # spellings a word may be a slip for, where the others stand in order (each costs a read of its positions)


def edits(word: str) -> set[str]:
    splits = [(word[:i], word[i:]) for i in range(len(word) + 1)]
    found = {a + b[1:] for a, b in splits if b}
    found |= {a + b[1] + b[0] + b[2:] for a, b in splits if len(b) > 1}
    found |= {a + letter + b[1:] for a, b in splits if b for letter in LETTERS}
    found |= {a + letter + b for a, b in splits for letter in LETTERS}
    found.discard(word)
    return found


def eligible(word: str) -> bool:
    return word.isascii() and word.isalpha() and MIN_UNKNOWN <= len(word) <= MAX_LENGTH


def near(word: str, frequency: int, frequencies: dict[str, int], documents: int) -> list[str]:
    """Of `frequencies` (the edits() of folded `word` that the index holds, with their document
    counts), those worth searching for beside `word` itself, in `frequency` documents."""
    if frequency:
        if len(word) < MIN_RARE or frequency > RARE_SHARE * documents:
            return []
        frequencies = {w: n for w, n in frequencies.items() if n >= MORE_COMMON * frequency}
    return commonest(frequencies, KEEP)


def commonest(frequencies: dict[str, int], keep: int = SLIPS) -> list[str]:
    """The `keep` spellings of `frequencies` (spelling -> documents holding it) most documents hold."""
    return sorted(frequencies, key=lambda w: (-frequencies[w], w))[:keep]


def _first_difference(a: str, b: str) -> int:
    return next((i for i, (x, y) in enumerate(zip(a, b, strict=False)) if x != y), min(len(a), len(b)))


def respell(typed: str, spelling: str) -> str:
    """See the module docstring; `spelling` is folded and one edit from folded `typed`."""
    typed = normalise(typed)
    letters = [folded(ch) for ch in typed]
    if any(len(f) != 1 for f in letters):  # a letter folding to none or several: positions would not align
        return spelling
    was = "".join(letters)
    if was == spelling:
        return typed
    at = _first_difference(was, spelling)
    upper = typed.isupper() and len(typed) > 1
    if len(spelling) < len(was):
        return typed[:at] + typed[at + 1 :]
    if len(spelling) > len(was):
        added = spelling[at].upper() if upper else spelling[at]
        return typed[:at] + added + typed[at:]
    if spelling[at : at + 2] == was[at : at + 2][::-1] and spelling[at + 2 :] == was[at + 2 :]:
        return typed[:at] + typed[at + 1] + typed[at] + typed[at + 2 :]
    changed = spelling[at].upper() if typed[at].isupper() else spelling[at]
    return typed[:at] + changed + typed[at + 1 :]


def candidates(words: Iterable[str]) -> set[str]:
    """Every edit of each eligible folded word, for one lookup in the engine."""
    return {e for w in words if eligible(w) for e in edits(w)}
