"""Localities and party terms named in an article's text.

find_terms(text) -> [(2020, 2025), ...] for every "nhiệm kỳ 2020 - 2025" the text states.
find_officials(text, exclude=()) -> [Statement(name, titles)]: a person's name with the position
    the text states beside it, before ("Bí thư Huyện ủy An Phú Ngô Công Thức") or after
    ("Đồng chí Lường Thị Hiền, Phó Bí thư Thường trực huyện ủy Vân Hồ,"). A name is two to four
    capitalised syllables led by a Vietnamese surname (minority surnames included); names without
    a stated position, and the names in `exclude` (the byline), are not officials.
link_articles(articles) -> replaces each article's extracted links (localities, terms, officials
    with their positions) with what its text names now; what an editor decided is left as it is:
    links they made or changed, links they removed (DismissedLink), positions they wrote.
find_localities(text, home_province=None) -> the legacy units the text names, resolved against
    the gazetteer. A name counts when it is written as a name (each syllable capitalised) and
    either follows its type word ("huyện An Phú", "Huyện ủy Tri Tôn", "xã Phú Mỹ, Khánh An")
    or is a province's name on its own ("Thanh Hóa"). Names shared by several units are
    resolved from context: the provinces the text names, the newspaper's home province, and the
    districts already resolved; a name the context cannot settle is left out, never guessed.
"""

import re
from collections import defaultdict
from dataclasses import dataclass
from functools import lru_cache

from django.db import transaction
from django.utils import timezone

from archive.models import (
    Article,
    ArticleLink,
    ArticleLocality,
    ArticleOfficial,
    ArticleTerm,
    DismissedLink,
    Locality,
    Official,
    Position,
    Term,
)
from archive.signals import articles_changed
from archive.text import fold, normalise

MAX_NAME_SYLLABLES = 5
_PROVINCE, _DISTRICT, _COMMUNE = Locality.Kind.PROVINCE, Locality.Kind.DISTRICT, Locality.Kind.COMMUNE

# Type words (folded, lower case) and the kinds of unit a name after them may be.
_TYPE_WORDS = {
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
_TYPED = re.compile(r"\b(" + "|".join(sorted(map(re.escape, _TYPE_WORDS), key=len, reverse=True)) + r")(?:\.\s*|\s+)")
_ABBREVIATED = re.compile(r"(?<![\w.])[A-ZĐ]\.$")  # "B.Bình Dương", "T.Quảng Ninh": football clubs, not places
_NAME_GOES_ON = re.compile(r" [^\W\d_]")  # capitalised, "Thái Bình Dương" is the Pacific, not Thái Bình
_LIST_GLUE = re.compile(r"\s*(?:,|;|và|va|-|–)\s*")
_SYLLABLE = re.compile(r"[^\W_]+")
# Bare, these names are people, not places: the city is written "TP. Hồ Chí Minh".
_NEEDS_TYPE_WORD = {"ho chi minh"}
_TERM = re.compile(r"nhiem ky\s*\(?\s*(\d{4})\s*[-–—]\s*(\d{4})")


def find_terms(text: str) -> list[tuple[int, int]]:
    found = []
    for start, end in _TERM.findall(fold(normalise(text)).lower()):
        span = (int(start), int(end))
        if 1930 <= span[0] < span[1] <= span[0] + 10 and span not in found:
            found.append(span)
    return found


# Names the press still uses for units the gazetteer knows by another (folded, lower case).
_ALIASES = {"thua thien hue": "hue", "thua thien": "hue", "hcm": "ho chi minh", "tphcm": "ho chi minh"}


def _key(name: str) -> str:
    return " ".join(_SYLLABLE.findall(fold(name).lower()))  # "Bà Rịa - Vũng Tàu" -> "ba ria vung tau"


@lru_cache(maxsize=1)
def _gazetteer() -> dict[str, list[Locality]]:
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
    kinds: set
    typed: bool
    listed: bool = False  # a later name in a list after one type word ("xã Lộc Tiến, Phú Lộc")

    def fits(self, unit: Locality) -> bool:
        """Written with diacritics, a name must match them: "Tân Thành" is not "Tân Thạnh"."""
        if fold(self.written) == self.written or self.name in _ALIASES:
            return True
        return normalise(unit.short_name).lower().replace("–", "-") == self.written.lower().replace("–", "-")


def _name_at(text: str, folded: str, start: int, names) -> tuple[str, int, int] | None:
    """The longest gazetteer name written as a name at `start`: (key, start, end offsets)."""
    syllables = []
    for match in _SYLLABLE.finditer(text, start):
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


def _mentions(text: str, names) -> list[_Mention]:
    folded = _folded_same_length(text)
    mentions = []
    for typed in _TYPED.finditer(folded):
        kinds, position, first = _TYPE_WORDS[typed.group(1)], typed.end(), True
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
    for match in _SYLLABLE.finditer(text):
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


def _pick(candidates, fits):
    """The one candidate that fits the context, or None."""
    fitting = [c for c in candidates if fits(c)]
    return fitting[0] if len(fitting) == 1 else None


def find_localities(text: str, home_province: Locality | None = None) -> list[Locality]:
    names = _gazetteer()
    mentions = _mentions(normalise(text), names)
    found: dict[int, Locality] = {}

    def candidates(mention, kind):
        return [u for u in names[mention.name] if u.kind == kind and kind in mention.kinds and mention.fits(u)]

    # Provinces: named ones are unambiguous (one province a name).
    for mention in mentions:
        for unit in candidates(mention, _PROVINCE):
            found[unit.pk] = unit
    context = {u.pk for u in found.values()} | ({home_province.pk} if home_province else set())

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


# Vietnamese surnames, Kinh and minority, as written (lower case).
SURNAMES = {
    "nguyễn",
    "trần",
    "lê",
    "phạm",
    "hoàng",
    "huỳnh",
    "phan",
    "vũ",
    "võ",
    "đặng",
    "bùi",
    "đỗ",
    "hồ",
    "ngô",
    "dương",
    "lý",
    "lương",
    "đinh",
    "trịnh",
    "đoàn",
    "đào",
    "cao",
    "lâm",
    "mai",
    "tô",
    "tạ",
    "hà",
    "tăng",
    "thái",
    "châu",
    "trương",
    "quách",
    "lưu",
    "kiều",
    "chu",
    "vương",
    "từ",
    "la",
    "lại",
    "nghiêm",
    "diệp",
    "mạc",
    "tiêu",
    "tống",
    "thân",
    "kim",
    "âu",
    "giang",
    "phùng",
    "khúc",
    "quan",
    "nông",
    "triệu",
    "hứa",
    "thạch",
    "đàm",
    "lò",
    "lường",
    "bàn",
    "quàng",
    "sầm",
    "vi",
    "lục",
    "mè",
    "giàng",
    "vàng",
    "thào",
    "sùng",
    "hờ",
    "tòng",
    "cầm",
    "điêu",
    "bế",
    "ma",
    "danh",
    "kha",
    "sơn",
    "lộc",
    "đồng",
    "doãn",
    "cù",
    "khổng",
    "ông",
    "ninh",
    "lữ",
    "lã",
    "bạch",
    "hầu",
    "mông",
    "y",
    "ksor",
    "rmah",
    "niê",
    "siu",
}
_FOLDED_SURNAMES = {fold(name) for name in SURNAMES}
_TITLE_PREFIXES = ["Nguyên", "Phó", "Quyền"]
_TITLES = [
    "Bí thư",
    "Chủ tịch",
    "Trưởng",
    "Giám đốc",
    "Tổng giám đốc",
    "Chủ nhiệm",
    "Chánh",
    "Ủy viên",
    "Tiểu khu trưởng",
    "Trưởng ấp",
    "Trưởng bản",
    "Tổng Bí thư",
    "Thủ tướng",
    "Bộ trưởng",
    "Thứ trưởng",
    "Cục trưởng",
    "Vụ trưởng",
    "Viện trưởng",
    "Tư lệnh",
    "Chính ủy",
    "Thống đốc",
    "Đại biểu",
]
_ORGANISATIONS = [
    "Tỉnh ủy",
    "Thành ủy",
    "Huyện ủy",
    "Quận ủy",
    "Thị ủy",
    "Đảng ủy",
    "Đảng bộ",
    "UBND",
    "HĐND",
    "Ủy ban",
    "Hội đồng",
    "chi bộ",
    "Ban",
    "Mặt trận",
    "MTTQ",
    "Sở",
    "Bộ",
]
_CLAUSE_ENDS = [
    "cho biết",
    "cho hay",
    "chia sẻ",
    "nói",
    "từng",
    "khẳng định",
    "nhấn mạnh",
    "phát biểu",
    "cho rằng",
    "đề nghị",
    "yêu cầu",
    "trả lời",
    "thông tin",
    "đã",
    "đang",
    "sẽ",
    "bị",
    "và",
    "cùng",
]
# After these, a capitalised name is a street, school, bridge, prize…, not a person: "đường Lê Đức Thọ".
_NAMED_THINGS = re.compile(
    r"\b(?:đường|phố|trường|cầu|ngõ|hẻm|công viên|bệnh viện|quảng trường|giải|cúp|tàu|sân|"
    r"làng|lăng|đền|chùa|khu|nhà|tượng đài|quỹ|công ty|tập đoàn|hội|cụm|tuyến)\s+$",
    re.I,
)


@dataclass(frozen=True)
class _Patterns:
    """Titles, organisations and clause ends, written with diacritics or, for text typed
    without them, folded ("Bi thu Huyen uy"): folded patterns on accented text would take
    "Trường" (a school) for "Trưởng"."""

    title: re.Pattern
    organisation: re.Pattern
    clause_end: re.Pattern

    @classmethod
    def written(cls, folded: bool):
        def alternatives(phrases):
            return "|".join(re.escape(fold(p) if folded else p) for p in phrases)

        return cls(
            re.compile(rf"(?:(?:{alternatives(_TITLE_PREFIXES)})\s+)*(?:{alternatives(_TITLES)})\b", re.I),
            re.compile(rf"\b(?:{alternatives(_ORGANISATIONS)})\b.*", re.I),
            re.compile(rf"\.(?!\w)|[;:!?\n“”\"()]|\b(?:{alternatives(_CLAUSE_ENDS)})\b"),
        )

    @staticmethod
    def of(text: str) -> "_Patterns":
        return _UNACCENTED if fold(text) == text else _ACCENTED

    def titles_in(self, text: str):
        """Title matches written as titles: capitalised, or after a capitalised prefix ("Phó bí thư",
        "nguyên Trưởng phòng"); "nhạc trưởng", "cố thủ tướng" are no one's position."""
        for found in self.title.finditer(text):
            if any(word[0].isupper() for word in found.group().split()):
                yield found

    def is_title(self, text: str) -> bool:
        found = next(self.titles_in(text), None)
        return found is not None and found.start() == 0


_ACCENTED, _UNACCENTED = _Patterns.written(folded=False), _Patterns.written(folded=True)


@dataclass
class Statement:
    name: str
    titles: list[str]


_HONORIFICS = {"ong", "ba", "anh", "chi", "co", "chu"}  # "Ông Bàn Văn Hạnh": Ông is the honorific here


_BEFORE_PLACE = {"ubnd", "hdnd", "mttq", *(w for words in _TYPE_WORDS for w in words.split())}


def _place_prefix(prefix: str, names) -> bool:
    """Whether the capitalised words before a name are a place: "Hà Nội", "UBND TP Hà Nội"."""
    words = prefix.split()
    while words and " ".join(words) not in names and words[0] in _BEFORE_PLACE:
        words = words[1:]
    return not words or " ".join(words) in names


def _capitalised_runs(text: str):
    """Each run of capitalised syllables separated by spaces only, as a list of matches."""
    syllables = list(_SYLLABLE.finditer(text))
    i = 0
    while i < len(syllables):
        if not syllables[i].group()[0].isupper():
            i += 1
            continue
        run = [syllables[i]]
        while (
            i + len(run) < len(syllables)
            and syllables[i + len(run)].group()[0].isupper()
            and not text[run[-1].end() : syllables[i + len(run)].start()].strip()
        ):
            run.append(syllables[i + len(run)])
        yield run
        i += len(run)


def _names(text: str, names, accented: bool):
    """(start, end, name, place prefix) for each surname-led run of capitalised syllables."""
    for run in _capitalised_runs(text):
        words = [fold(m.group()).lower() for m in run]
        first = 1 if words[0] in _HONORIFICS and len(run) >= 3 else 0
        thing = _NAMED_THINGS.search(text, max(0, run[0].start() - 20), run[0].start())
        for lead in range(first, len(run) if not thing else 0):
            tail = run[lead:]
            # Written without diacritics in accented text, a name needs three syllables ("Ban Kinh tế" is no one).
            unaccented = all(fold(m.group()) == m.group() for m in tail) and (len(tail) >= 3 or not accented)
            surname = run[lead].group().lower() in SURNAMES or (unaccented and words[lead] in _FOLDED_SURNAMES)
            if (
                surname
                and 2 <= len(tail) <= 4
                and _place_prefix(" ".join(words[first:lead]), names)
                and " ".join(words[lead:]) not in names
            ):
                yield (
                    run[lead].start(),
                    run[-1].end(),
                    text[run[lead].start() : run[-1].end()],
                    text[run[first].start() : run[lead].start()].strip(),
                )
                break


def _has_person(text: str, names) -> bool:
    """Whether `text` names someone: a surname and more capitalised syllables that are no place."""
    for run in _capitalised_runs(text):
        words = [fold(m.group()).lower() for m in run]
        if any(
            run[lead].group().lower() in SURNAMES and " ".join(words[lead:]) not in names
            for lead in range(len(run) - 1)
        ):
            return True
    return False


def _title_before(text: str, floor: int, start: int, patterns: _Patterns, names) -> str:
    """The title stated between the previous name (or clause end) and this one; a title with
    someone else's name in it is theirs ("Thủ tướng Singapore Lý Hiển Long … cha ông, Lý Quang Diệu")."""
    before = text[max(floor, start - 150) : start]
    cut = max((m.end() for m in patterns.clause_end.finditer(before)), default=0)
    before = before[cut:]
    found = next(patterns.titles_in(before), None)
    if not found or _has_person(before[found.start() :], names):
        return ""
    return before[found.start() :].strip(" ,")


_APPOSITION = re.compile(r",\s*|\s+[-–]\s+")  # "Ông X, Bí thư…" and "Ông X - Giám đốc Sở… -"


def _titles_after(text: str, end: int, patterns: _Patterns) -> list[str]:
    titles = []
    for segment in _APPOSITION.split(text[end : end + 200])[1:]:
        cut = patterns.clause_end.search(segment)
        if not patterns.is_title(segment[: cut.start()] if cut else segment):
            break
        titles.append((segment[: cut.start()] if cut else segment).strip())
        if cut:  # the sentence or clause ends with this title
            break
    return titles


def find_officials(text: str, exclude=()) -> list[Statement]:
    text, names = normalise(text), _gazetteer()
    patterns = _Patterns.of(text)
    excluded = {fold(n).lower() for n in exclude if n}
    statements: dict[str, Statement] = {}
    floor = 0
    for start, end, name, place in _names(text, names, accented=patterns is _ACCENTED):
        if fold(name).lower() in excluded:
            floor = end
            continue
        before = _title_before(text, floor, start - len(place) - (1 if place else 0), patterns, names)
        floor = end
        titles = (
            [t.strip() for t in re.split(r",\s*", f"{before} {place}".strip()) if patterns.is_title(t.strip())]
            if before
            else _titles_after(text, end, patterns)
        )
        if titles:
            statement = statements.setdefault(fold(name).lower(), Statement(name, []))
            statement.titles += [t for t in titles if t not in statement.titles]
    return list(statements.values())


def article_text(article: Article) -> str:
    return "\n".join([article.title, article.lead, article.body, article.captions])


def _replace_links(link_model, wanted: dict[int, list[int]]) -> None:
    """Make each article's extracted links of `link_model` exactly `wanted[article_id]`."""
    field = link_model.target
    existing = link_model.objects.filter(article_id__in=wanted)
    keep, stale = set(), []
    for link in existing.values("pk", "article_id", f"{field}_id", "origin"):
        target = link[f"{field}_id"]
        if link["origin"] == ArticleLink.Origin.EDITOR or target in wanted[link["article_id"]]:
            keep.add((link["article_id"], target))
        else:
            stale.append(link["pk"])
    link_model.objects.filter(pk__in=stale).delete()
    link_model.objects.bulk_create(
        [
            link_model(article_id=article_id, origin=ArticleLink.Origin.EXTRACTED, **{f"{field}_id": target})
            for article_id, targets in wanted.items()
            for target in targets
            if (article_id, target) not in keep
        ]
    )


class _People:
    """Which Official a stated name is, for one extraction run. The same name in another province
    is taken for another person (namesakes are common); in the same province, or with no place
    stated, for the same one. The positions extracted from the run's own articles are about to be
    replaced, so they do not count; those given out during the run are remembered here."""

    def __init__(self, article_ids):
        self.article_ids = article_ids
        self.given = defaultdict(set)  # official pk -> provinces given in this run

    def get(self, name: str, province_id: int | None) -> Official:
        people = list(Official.objects.filter(name=name).order_by("pk"))
        provinces = {person.pk: set(self.given[person.pk]) for person in people}
        stated = (
            Position.objects.filter(official__in=people)
            .exclude(locality=None)
            .exclude(article_id__in=self.article_ids, origin=ArticleLink.Origin.EXTRACTED)
        )
        for pk, province in stated.values_list("official_id", "locality__province_id"):
            provinces[pk].add(province)
        person = (
            people[0]
            if people and province_id is None
            else next((p for p in people if province_id in provinces[p.pk]), None)
            or next((p for p in people if not provinces[p.pk]), None)
            or Official.objects.create(name=name)
        )
        if province_id:
            self.given[person.pk].add(province_id)
        return person


def _positions(article: Article, statements: list[Statement], home, people: _People) -> list[Position]:
    stated_on = article.published_at.date() if article.published_at else None
    positions = []
    for statement in statements:
        stated = []
        for title in statement.titles:
            organisation = _Patterns.of(title).organisation.search(title)
            places = [u for u in find_localities(title, home) if u.kind != _COMMUNE]
            stated.append((title, organisation.group()[:300] if organisation else "", places[-1] if places else None))
        province = next((place.province_id for _t, _o, place in stated if place), None)
        official = people.get(statement.name, province)
        positions += [
            Position(
                official=official,
                title=title[:300],
                article=article,
                stated_on=stated_on,
                organisation=organisation,
                locality=place,
                origin=ArticleLink.Origin.EXTRACTED,
            )
            for title, organisation, place in stated
        ]
    return positions


def _editors_choices(article_ids) -> dict[tuple[int, str], set[int]]:
    """(article id, kind) -> targets extraction must leave alone: links the editor removed, and
    officials whose positions in that article the editor removed or wrote."""
    Kind = DismissedLink.Kind
    choices = defaultdict(set)
    for article_id, kind, target in DismissedLink.objects.filter(article_id__in=article_ids).values_list(
        "article_id", "kind", "target_id"
    ):
        choices[article_id, kind].add(target)
    for article_id, official_id in Position.objects.filter(
        article_id__in=article_ids, origin=ArticleLink.Origin.EDITOR
    ).values_list("article_id", "official_id"):
        choices[article_id, Kind.POSITION].add(official_id)
    return choices


def link_articles(articles) -> None:
    with transaction.atomic():
        _link(list(articles))


def _link(articles) -> None:
    Kind = DismissedLink.Kind
    kept = _editors_choices([a.pk for a in articles])
    terms = {(t.start_year, t.end_year): t.pk for t in Term.objects.all()}
    localities, spans, officials, positions, people = {}, {}, {}, [], _People([a.pk for a in articles])
    for article in articles:
        text = article_text(article)
        home = article.source.home_province if article.source_id and article.source.home_province_id else None
        localities[article.pk] = [
            unit.pk for unit in find_localities(text, home) if unit.pk not in kept[article.pk, Kind.LOCALITY]
        ]
        spans[article.pk] = find_terms(text)
        found = [
            p
            for p in _positions(article, find_officials(text, exclude=[article.author]), home, people)
            if p.official_id not in kept[article.pk, Kind.OFFICIAL]
        ]
        officials[article.pk] = list(dict.fromkeys(p.official_id for p in found))
        positions += [p for p in found if p.official_id not in kept[article.pk, Kind.POSITION]]
    for span in {s for found in spans.values() for s in found} - set(terms):
        terms[span] = Term.objects.get_or_create(start_year=span[0], end_year=span[1])[0].pk
    _replace_links(ArticleLocality, localities)
    _replace_links(
        ArticleTerm,
        {pk: [terms[s] for s in found if terms[s] not in kept[pk, Kind.TERM]] for pk, found in spans.items()},
    )
    _replace_links(ArticleOfficial, officials)
    Position.objects.filter(article_id__in=localities, origin=ArticleLink.Origin.EXTRACTED).delete()
    Position.objects.bulk_create(positions)
    Article.objects.filter(pk__in=localities).update(updated_at=timezone.now())
    articles_changed.send(sender=Article, article_ids=list(localities))
