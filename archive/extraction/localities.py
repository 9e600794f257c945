"""Legacy administrative units named in a text, resolved against the gazetteer.

find_localities(text, home_province=None) -> the legacy units the text names. A name counts when it
    is written as a name (each syllable capitalised) and either follows its type word ("huyện An
    Phú", "Huyện ủy Tri Tôn", "xã Phú Mỹ, Khánh An") or is a province's name on its own ("Thanh
    Hóa"). Names shared by several units are resolved from context: the provinces the text names,
    the newspaper's home province, and the districts already resolved; a name the context cannot
    settle is left out, never guessed.
gazetteer() -> folded unit name -> units of that name, read once per process (officials.py reads
    it too: a name that is a place is no person's).
"""

import re
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

from archive.models import Locality
from archive.text import fold, normalise

MAX_NAME_SYLLABLES = 5
_PROVINCE, _DISTRICT, _COMMUNE = Locality.Kind.PROVINCE, Locality.Kind.DISTRICT, Locality.Kind.COMMUNE

# Type words (folded, lower case) and the kinds of unit a name after them may be.
TYPE_WORDS = {
    "tinh uy": {_PROVINCE},
    "thanh uy": {_PROVINCE, _DISTRICT},
    "huyen uy": {_DISTRICT},
    "quan uy": {_DISTRICT},
    "thi uy": {_DISTRICT},
    "tinh": {_PROVINCE},
    "thanh pho": {_PROVINCE, _DISTRICT},
    "tp": {_PROVINCE, _DISTRICT},
    "huyen": {_DISTRICT},
    "quan": {_DISTRICT},
    "thi xa": {_DISTRICT},
    "thi tran": {_COMMUNE},
    "xa": {_COMMUNE},
    "phuong": {_COMMUNE},
}
_TYPED = re.compile(r"\b(" + "|".join(sorted(map(re.escape, TYPE_WORDS), key=len, reverse=True)) + r")(?:\.\s*|\s+)")
_ABBREVIATED = re.compile(r"(?<![\w.])[A-ZĐ]\.$")  # "B.Bình Dương", "T.Quảng Ninh": football clubs, not places
_NAME_GOES_ON = re.compile(r" [^\W\d_]")  # capitalised, "Thái Bình Dương" is the Pacific, not Thái Bình
_LIST_GLUE = re.compile(r"\s*(?:,|;|và|va|-|–)\s*")
SYLLABLE = re.compile(r"[^\W_]+")
# Bare, these names are people, not places: the city is written "TP. Hồ Chí Minh".
_NEEDS_TYPE_WORD = {"ho chi minh"}

# Names the press still uses for units the gazetteer knows by another (folded, lower case).
_ALIASES = {"thua thien hue": "hue", "thua thien": "hue", "hcm": "ho chi minh", "tphcm": "ho chi minh"}


def _key(name: str) -> str:
    return " ".join(SYLLABLE.findall(fold(name).lower()))  # "Bà Rịa - Vũng Tàu" -> "ba ria vung tau"


Gazetteer = dict[str, list[Locality]]


@lru_cache(maxsize=1)
def gazetteer() -> Gazetteer:
    """Folded lower-case short name -> legacy units of that name (loaded once per process)."""
    names = defaultdict(list)
    for unit in Locality.objects.filter(era=Locality.Era.LEGACY).select_related("province", "district"):
        names[_key(unit.short_name)].append(unit)
        number = unit.short_name.removeprefix(unit.type_name).strip()
        if number.isdigit():  # "Quận 1" is also "quận 1": the number after its type word
            names[number].append(unit)
    for alias, name in _ALIASES.items():
        names[alias] = [u for u in names[name] if u.kind == _PROVINCE]
    return dict(names)


@dataclass
class _Mention:
    name: str  # the gazetteer key
    written: str  # as the text has it
    kinds: set[Locality.Kind]
    typed: bool
    listed: bool = False  # a later name in a list after one type word ("xã Lộc Tiến, Phú Lộc")

    def fits(self, unit: Locality) -> bool:
        """Written with diacritics, a name must match them: "Tân Thành" is not "Tân Thạnh"."""
        if fold(self.written) == self.written or self.name in _ALIASES:
            return True
        return normalise(unit.short_name).lower().replace("–", "-") == self.written.lower().replace("–", "-")


def _name_at(text: str, folded: str, start: int, names: Gazetteer) -> tuple[str, int, int] | None:
    """The longest gazetteer name written as a name at `start`: (key, start, end offsets)."""
    syllables: list[tuple[int, int]] = []
    for match in SYLLABLE.finditer(text, start):
        gap = text[syllables[-1][1] : match.start()] if syllables else text[start : match.start()]
        if (gap.strip(" -–") if syllables else gap.strip()) or len(syllables) == MAX_NAME_SYLLABLES:
            break  # "Bà Rịa - Vũng Tàu" is one name
        if not (match.group()[0].isupper() or match.group().isdigit()):
            break
        syllables.append((match.start(), match.end()))
    for count in range(len(syllables), 0, -1):
        end = syllables[count - 1][1]
        name = " ".join(folded[s:e] for s, e in syllables[:count])
        if name in names:
            return name, syllables[0][0], end
    return None


def _folded_same_length(text: str) -> str:
    """fold() keeps one letter a letter for Vietnamese; if some character did not, fold it alone."""
    folded = fold(text).lower()
    if len(folded) != len(text):
        folded = "".join((fold(ch).lower() or " ")[0] for ch in text)
    return folded


def _mentions(text: str, names: Gazetteer) -> list[_Mention]:
    folded = _folded_same_length(text)
    mentions = []
    for typed in _TYPED.finditer(folded):
        kinds, position, first = TYPE_WORDS[typed.group(1)], typed.end(), True
        while (found := _name_at(text, folded, position, names)) is not None:
            key, start, end = found
            if not first and any(u.kind == _PROVINCE for u in names[key]):
                break  # "huyện Thanh Sơn, Phú Thọ": the list ends where the province is named
            mentions.append(_Mention(key, text[start:end], kinds, typed=True, listed=not first))
            first = False
            glue = _LIST_GLUE.match(folded, end)  # "xã Phước Hưng, Khánh An, Phú Hữu"
            if not glue:
                break
            position = glue.end()
    previous, covered = None, 0
    for match in SYLLABLE.finditer(text):
        if match.start() < covered:  # inside the name found last: "Vũng Tàu" of "Bà Rịa - Vũng Tàu"
            previous = match
            continue
        # A bare name, but not the tail of a longer one: "Nguyễn Thái Bình" is a person, not Thái Bình.
        inside_name = (
            previous is not None and previous.group()[0].isupper() and not text[previous.end() : match.start()].strip()
        )
        abbreviated = _ABBREVIATED.search(text, max(0, match.start() - 3), match.start())
        if match.group()[0].isupper() and not inside_name and not abbreviated:
            found = _name_at(text, folded, match.start(), names)
            goes_on = found and (after := _NAME_GOES_ON.match(text, found[2])) and after.group()[1].isupper()
            if found and found[0] not in _NEEDS_TYPE_WORD and not goes_on:
                mentions.append(_Mention(found[0], text[found[1] : found[2]], {_PROVINCE, _DISTRICT}, typed=False))
                covered = found[2]
        previous = match
    return mentions


def _is_named_city(unit: Locality) -> bool:
    return unit.type_name == "Thành phố" and len(unit.short_name.split()) >= 2


def _pick(candidates: list[Locality], fits: Callable[[Locality], bool]) -> Locality | None:
    """The one candidate that fits the context, or None."""
    fitting = [c for c in candidates if fits(c)]
    return fitting[0] if len(fitting) == 1 else None


def find_localities(text: str, home_province: Locality | None = None) -> list[Locality]:
    names = gazetteer()
    mentions = _mentions(normalise(text), names)
    found: dict[int, Locality] = {}
    unit: Locality | None

    def candidates(mention: _Mention, kind: Locality.Kind) -> list[Locality]:
        return [u for u in names[mention.name] if u.kind == kind and kind in mention.kinds and mention.fits(u)]

    # Provinces: named ones are unambiguous (one province a name).
    for mention in mentions:
        for unit in candidates(mention, _PROVINCE):
            found[unit.pk] = unit
    context: set[int | None] = {u.pk for u in found.values()}
    if home_province:
        context.add(home_province.pk)

    # Districts after a type word: the one in a province of the context, else the only one.
    for mention in (m for m in mentions if m.typed):
        options = candidates(mention, _DISTRICT)
        unit = _pick(options, lambda u: u.province_id in context) or (options[0] if len(options) == 1 else None)
        if unit:
            found[unit.pk] = unit
    context |= {u.province_id for u in found.values()}
    districts = {u.pk for u in found.values() if u.kind == _DISTRICT}

    # A district's bare name ("Mỏ Cày Bắc cụ thể hóa…") only where the context places it, or a city
    # whose name is no other unit's ("Đà Lạt", "Biên Hòa"); a bare province name is the province,
    # not the city of the same name.
    for mention in (m for m in mentions if not m.typed and not candidates(m, _PROVINCE)):
        options = candidates(mention, _DISTRICT)
        unit = _pick(options, lambda u: u.province_id in context) or (
            options[0] if len(names[mention.name]) == 1 and options and _is_named_city(options[0]) else None
        )
        if unit:
            found[unit.pk] = unit
            districts.add(unit.pk)
    context |= {u.province_id for u in found.values()}

    # Communes: names repeat across the country, so only inside a district, or else a province, of the
    # context. In a list, a district's own name is the district: "xã Lộc Tiến, Phú Lộc".
    for mention in (m for m in mentions if m.typed):
        options = [
            u
            for u in candidates(mention, _COMMUNE)
            if not (mention.listed and u.district_id in districts and u.district.short_name == u.short_name)
        ]
        unit = _pick(options, lambda u: u.district_id in districts) or _pick(
            options, lambda u: u.province_id in context
        )
        if unit:
            found[unit.pk] = unit
    return sorted(found.values(), key=lambda u: (u.kind, u.short_name))
