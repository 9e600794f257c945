"""Officials named in a text with the positions it states for them.

find_officials(text, exclude=()) -> [Statement(name, titles)]: a person's name with the position
    the text states beside it, before ("Bí thư Huyện ủy An Phú Ngô Công Thức") or after
    ("Đồng chí Lường Thị Hiền, Phó Bí thư Thường trực huyện ủy Vân Hồ,"). A name is two to four
    capitalised syllables led by a Vietnamese surname (minority surnames included); names without
    a stated position, and the names in `exclude` (the byline), are not officials.
"""

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from archive.extraction.localities import SYLLABLE, TYPE_WORDS, Gazetteer, gazetteer
from archive.text import fold, normalise

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
class Patterns:
    """Titles, organisations and clause ends, written with diacritics or, for text typed
    without them, folded ("Bi thu Huyen uy"): folded patterns on accented text would take
    "Trường" (a school) for "Trưởng"."""

    title: re.Pattern[str]
    organisation: re.Pattern[str]
    clause_end: re.Pattern[str]

    @classmethod
    def written(cls, folded: bool) -> "Patterns":
        def alternatives(phrases: list[str]) -> str:
            return "|".join(re.escape(fold(p) if folded else p) for p in phrases)

        return cls(
            re.compile(rf"(?:(?:{alternatives(_TITLE_PREFIXES)})\s+)*(?:{alternatives(_TITLES)})\b", re.I),
            re.compile(rf"\b(?:{alternatives(_ORGANISATIONS)})\b.*", re.I),
            re.compile(rf"\.(?!\w)|[;:!?\n“”\"()]|\b(?:{alternatives(_CLAUSE_ENDS)})\b"),
        )

    @staticmethod
    def of(text: str) -> "Patterns":
        return _UNACCENTED if fold(text) == text else _ACCENTED

    def titles_in(self, text: str) -> Iterator[re.Match[str]]:
        """Title matches written as titles: capitalised, or after a capitalised prefix ("Phó bí thư",
        "nguyên Trưởng phòng"); "nhạc trưởng", "cố thủ tướng" are no one's position."""
        for found in self.title.finditer(text):
            if any(word[0].isupper() for word in found.group().split()):
                yield found

    def is_title(self, text: str) -> bool:
        found = next(self.titles_in(text), None)
        return found is not None and found.start() == 0


_ACCENTED, _UNACCENTED = Patterns.written(folded=False), Patterns.written(folded=True)


@dataclass
class Statement:
    name: str
    titles: list[str]


_HONORIFICS = {"ong", "ba", "anh", "chi", "co", "chu"}  # "Ông Bàn Văn Hạnh": Ông is the honorific here


_BEFORE_PLACE = {"ubnd", "hdnd", "mttq", *(w for words in TYPE_WORDS for w in words.split())}


def _place_prefix(prefix: str, names: Gazetteer) -> bool:
    """Whether the capitalised words before a name are a place: "Hà Nội", "UBND TP Hà Nội"."""
    words = prefix.split()
    while words and " ".join(words) not in names and words[0] in _BEFORE_PLACE:
        words = words[1:]
    return not words or " ".join(words) in names


def _capitalised_runs(text: str) -> Iterator[list[re.Match[str]]]:
    """Each run of capitalised syllables separated by spaces only, as a list of matches."""
    syllables = list(SYLLABLE.finditer(text))
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


def _names(text: str, names: Gazetteer, accented: bool) -> Iterator[tuple[int, int, str, str]]:
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


def _has_person(text: str, names: Gazetteer) -> bool:
    """Whether `text` names someone: a surname and more capitalised syllables that are no place."""
    for run in _capitalised_runs(text):
        words = [fold(m.group()).lower() for m in run]
        if any(
            run[lead].group().lower() in SURNAMES and " ".join(words[lead:]) not in names
            for lead in range(len(run) - 1)
        ):
            return True
    return False


def _title_before(text: str, floor: int, start: int, patterns: Patterns, names: Gazetteer) -> str:
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


def _titles_after(text: str, end: int, patterns: Patterns) -> list[str]:
    titles = []
    for segment in _APPOSITION.split(text[end : end + 200])[1:]:
        cut = patterns.clause_end.search(segment)
        if not patterns.is_title(segment[: cut.start()] if cut else segment):
            break
        titles.append((segment[: cut.start()] if cut else segment).strip())
        if cut:  # the sentence or clause ends with this title
            break
    return titles


def find_officials(text: str, exclude: Iterable[str] = ()) -> list[Statement]:
    text, names = normalise(text), gazetteer()
    patterns = Patterns.of(text)
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
