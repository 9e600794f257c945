"""Vietnamese text normalisation: the one place for it.

normalise(text) -> the form stored and shown: NFC, look-alike Ð/ð replaced by Đ/đ, stray
    combining marks that NFC cannot attach dropped, line breaks as "\n" (a browser posts "\r\n"),
    spaces tidied. Tone placement is kept as the newspaper printed it.
paragraphs(text) -> the normalised paragraphs of a text whose paragraphs are separated by blank lines.
fold(text) -> the accent-free form ("Đảng" -> "Dang") for slugs, lookup keys and
    accent-insensitive matching.
"""

import re
import unicodedata

from django.utils.text import slugify

_LOOKALIKES = str.maketrans({"\u00d0": "\u0110", "\u00f0": "\u0111", "\u0189": "\u0110"})
_FOLD_D = str.maketrans({"\u0110": "D", "\u0111": "d"})
# Every Vietnamese letter has a precomposed form, so a mark still loose after NFC is a typo
# ("đượ̣c" with a doubled dot, a lone "̣" after a space).
_STRAY_MARK = re.compile("[\u0300-\u036f]+")
_SPACES = re.compile(r"[ \t\u00a0\u2000-\u200b\u202f\u205f\u3000]+")
LINE_BREAK = re.compile(r"\r\n?|[\n\v\f\u0085\u2028\u2029]")
_BLANK_LINES = re.compile(r"\n{2,}")


def normalise(text: str) -> str:
    """Return `text` in the stored form; paragraph breaks (newlines) are kept."""
    text = unicodedata.normalize("NFC", text.translate(_LOOKALIKES))
    text = _STRAY_MARK.sub("", text)
    lines = (_SPACES.sub(" ", line).strip() for line in LINE_BREAK.split(text))
    return "\n".join(lines)


def paragraphs(text: str) -> list[str]:
    """The paragraphs of `text`, normalised: one or more blank lines end a paragraph."""
    return [p for p in _BLANK_LINES.split(normalise(text).strip("\n")) if p]


TERMINAL_PUNCTUATION = tuple(".!?:;…\"”'")


def is_heading(paragraph: str) -> bool:
    """A subheading inside an article: a short line that ends without punctuation."""
    return len(paragraph) <= 100 and not paragraph.endswith(TERMINAL_PUNCTUATION) and paragraph[:1].isalpha()


def fold(text: str) -> str:
    """Remove every diacritic; "đ"/"Đ" become "d"/"D"."""
    decomposed = unicodedata.normalize("NFD", text.translate(_LOOKALIKES).translate(_FOLD_D))
    return unicodedata.normalize("NFC", "".join(c for c in decomposed if not unicodedata.combining(c)))


_ALPHABET = {c: i for i, c in enumerate("0123456789aăâbcdđeêghiklmnoôơpqrstuưvxy")}
_TONE_ORDER = {"": 0, "\u0300": 1, "\u0309": 2, "\u0303": 3, "\u0301": 4, "\u0323": 5}  # dictionary order


SyllableKey = tuple[tuple[int, int] | tuple[int, tuple[int, ...]], int]


def _syllable_key(syllable: str) -> SyllableKey:
    if syllable.isdigit():
        return (0, int(syllable)), 0  # "Quận 2" before "Quận 10"
    letters: list[str] = []
    tone = ""
    for ch in unicodedata.normalize("NFD", syllable):
        if ch in _TONE_ORDER:
            tone = ch
        elif unicodedata.combining(ch) and letters:
            letters[-1] = unicodedata.normalize("NFC", letters[-1] + ch)  # ă â ê ô ơ ư are letters
        else:
            letters.append(ch)
    return (1, tuple(_ALPHABET.get(c, len(_ALPHABET) + ord(c)) for c in letters)), _TONE_ORDER[tone]


def sort_key(text: str) -> list[SyllableKey]:
    """Vietnamese dictionary order, syllable by syllable: "Cà Mau" < "Cao Bằng", "Dak Nông" < "Đà Nẵng"."""
    return [_syllable_key(s) for s in re.findall(r"[^\W_]+", normalise(text).lower())]


def slug_for(text: str, max_length: int = 80) -> str:
    """A readable ASCII slug: "Xây dựng Đảng" -> "xay-dung-dang"."""
    slug = slugify(fold(text))[:max_length].strip("-")
    return slug or "bai-viet"
