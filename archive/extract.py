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

from archive.models import (Article, ArticleLink, ArticleLocality, ArticleOfficial, ArticleTerm, DismissedLink, Locality,
                            Official, Position, Term)
from archive.signals import articles_changed
from archive.text import fold, normalise

MAX_NAME_SYLLABLES = 5
_PROVINCE, _DISTRICT, _COMMUNE = Locality.Kind.PROVINCE, Locality.Kind.DISTRICT, Locality.Kind.COMMUNE

# Type words (folded, lower case) and the kinds of unit a name after them may be.
_TYPE_WORDS = {
    "tinh uy": {_PROVINCE}, "thanh uy": {_PROVINCE, _DISTRICT}, "huyen uy": {_DISTRICT},
    "quan uy": {_DISTRICT}, "thi uy": {_DISTRICT}, "tinh": {_PROVINCE}, "thanh pho": {_PROVINCE, _DISTRICT},
    "tp": {_PROVINCE, _DISTRICT}, "huyen": {_DISTRICT}, "quan": {_DISTRICT}, "thi xa": {_DISTRICT},
    "thi tran": {_COMMUNE}, "xa": {_COMMUNE}, "phuong": {_COMMUNE},
}
_TYPED = re.compile(r"\b(" + "|".join(sorted(map(re.escape, _TYPE_WORDS), key=len, reverse=True)) + r")\.?\s+")
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


@lru_cache(maxsize=1)
def _gazetteer() -> dict[str, list[Locality]]:
    """Folded lower-case short name -> legacy units of that name (loaded once per process)."""
    names = defaultdict(list)
    for unit in Locality.objects.filter(era=Locality.Era.LEGACY).select_related("province", "district"):
        names[fold(unit.short_name).lower()].append(unit)
    return dict(names)


@dataclass
class _Mention:
    name: str
    kinds: set
    typed: bool


def _name_at(text: str, folded: str, start: int, names) -> tuple[str, int] | None:
    """The longest gazetteer name written as a name at `start`: (folded name, end offset)."""
    syllables = []
    for match in _SYLLABLE.finditer(text, start):
        gap = text[syllables[-1][1]:match.start()] if syllables else text[start:match.start()]
        if gap.strip() or len(syllables) == MAX_NAME_SYLLABLES:
            break
        if not (match.group()[0].isupper() or match.group().isdigit()):
            break
        syllables.append((match.start(), match.end()))
    for count in range(len(syllables), 0, -1):
        end = syllables[count - 1][1]
        name = " ".join(folded[s:e] for s, e in syllables[:count])
        if name in names:
            return name, end
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
            if not first and any(u.kind == _PROVINCE for u in names[found[0]]):
                break  # "huyện Thanh Sơn, Phú Thọ": the list ends where the province is named
            mentions.append(_Mention(found[0], kinds, typed=True))
            first = False
            glue = _LIST_GLUE.match(folded, found[1])  # "xã Phước Hưng, Khánh An, Phú Hữu"
            if not glue:
                break
            position = glue.end()
    previous = None
    for match in _SYLLABLE.finditer(text):
        # A bare name, but not the tail of a longer one: "Nguyễn Thái Bình" is a person, not Thái Bình.
        inside_name = previous is not None and previous.group()[0].isupper() and \
            not text[previous.end():match.start()].strip()
        if match.group()[0].isupper() and not inside_name:
            found = _name_at(text, folded, match.start(), names)
            if found and found[0] not in _NEEDS_TYPE_WORD:
                mentions.append(_Mention(found[0], {_PROVINCE, _DISTRICT}, typed=False))
        previous = match
    return mentions


def _pick(candidates, fits):
    """The one candidate that fits the context, or None."""
    fitting = [c for c in candidates if fits(c)]
    return fitting[0] if len(fitting) == 1 else None


def find_localities(text: str, home_province: Locality | None = None) -> list[Locality]:
    names = _gazetteer()
    mentions = _mentions(normalise(text), names)
    found: dict[int, Locality] = {}

    def candidates(mention, kind):
        return [u for u in names[mention.name] if u.kind == kind and kind in mention.kinds]

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

    # A district's bare name ("Mỏ Cày Bắc cụ thể hóa…") only where the context places it; a bare
    # province name is the province, not the city of the same name.
    for mention in (m for m in mentions if not m.typed and not candidates(m, _PROVINCE)):
        unit = _pick(candidates(mention, _DISTRICT), lambda u: u.province_id in context)
        if unit:
            found[unit.pk] = unit
            districts.add(unit.pk)

    # Communes: names repeat across the country, so only inside a district, or else a province, of the context.
    for mention in (m for m in mentions if m.typed):
        options = candidates(mention, _COMMUNE)
        unit = _pick(options, lambda u: u.district_id in districts) or \
            _pick(options, lambda u: u.province_id in context)
        if unit:
            found[unit.pk] = unit
    return sorted(found.values(), key=lambda u: (u.kind, u.short_name))


# Vietnamese surnames, Kinh and minority, as written (lower case).
SURNAMES = set("""
nguyễn trần lê phạm hoàng huỳnh phan vũ võ đặng bùi đỗ hồ ngô dương lý lương đinh trịnh đoàn đào cao lâm
mai tô tạ hà tăng thái châu trương quách lưu kiều chu vương từ la lại nghiêm diệp mạc tiêu tống thân
kim âu giang phùng khúc quan nông triệu hứa thạch đàm lò lường bàn quàng sầm vi lục mè giàng vàng thào
sùng hờ tòng cầm điêu bế ma danh kha sơn lộc đồng doãn cù khổng ông ninh lữ lã bạch hầu mông y ksor rmah
niê siu
""".split())
_FOLDED_SURNAMES = {fold(name) for name in SURNAMES}
_TITLE_PREFIXES = ["Nguyên", "Phó", "Quyền"]
_TITLES = ["Bí thư", "Chủ tịch", "Trưởng", "Giám đốc", "Chủ nhiệm", "Chánh", "Ủy viên", "Tiểu khu trưởng",
           "Trưởng ấp", "Trưởng bản", "Tổng Bí thư", "Thủ tướng", "Bộ trưởng", "Đại biểu"]
_ORGANISATIONS = ["Tỉnh ủy", "Thành ủy", "Huyện ủy", "Quận ủy", "Thị ủy", "Đảng ủy", "Đảng bộ", "UBND", "HĐND",
                  "Ủy ban", "Hội đồng", "chi bộ", "Ban", "Mặt trận", "MTTQ", "Sở", "Bộ"]
_CLAUSE_ENDS = ["cho biết", "và", "cùng"]


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
        return cls(re.compile(rf"(?:(?:{alternatives(_TITLE_PREFIXES)})\s+)*(?:{alternatives(_TITLES)})\b", re.I),
                   re.compile(rf"\b(?:{alternatives(_ORGANISATIONS)})\b.*", re.I),
                   re.compile(rf"[.;:!?\n“”\"()]|\b(?:{alternatives(_CLAUSE_ENDS)})\b"))

    @staticmethod
    def of(text: str) -> "_Patterns":
        return _UNACCENTED if fold(text) == text else _ACCENTED


_ACCENTED, _UNACCENTED = _Patterns.written(folded=False), _Patterns.written(folded=True)


@dataclass
class Statement:
    name: str
    titles: list[str]


_HONORIFICS = {"ong", "ba", "anh", "chi", "co", "chu"}  # "Ông Bàn Văn Hạnh": Ông is the honorific here


def _names(text: str, names):
    """(start, end, name, place prefix) for each surname-led run of capitalised syllables."""
    syllables = list(_SYLLABLE.finditer(text))
    i = 0
    while i < len(syllables):
        if not syllables[i].group()[0].isupper():
            i += 1
            continue
        run = [syllables[i]]
        while (i + len(run) < len(syllables) and syllables[i + len(run)].group()[0].isupper()
               and not text[run[-1].end():syllables[i + len(run)].start()].strip()):
            run.append(syllables[i + len(run)])
        words = [fold(m.group()).lower() for m in run]
        first = 1 if words[0] in _HONORIFICS and len(run) >= 3 else 0
        for lead in range(first, len(run)):
            tail = run[lead:]
            unaccented = all(fold(m.group()) == m.group() for m in tail)
            surname = run[lead].group().lower() in SURNAMES or (unaccented and words[lead] in _FOLDED_SURNAMES)
            prefix = " ".join(words[first:lead])
            if surname and 2 <= len(tail) <= 4 and (not prefix or prefix in names) \
                    and " ".join(words[lead:]) not in names:
                yield run[lead].start(), run[-1].end(), text[run[lead].start():run[-1].end()], \
                    text[run[first].start():run[lead].start()].strip()
                break
        i += len(run)


def _title_before(text: str, start: int, patterns: _Patterns) -> str:
    before = text[max(0, start - 150):start]
    cut = max((m.end() for m in patterns.clause_end.finditer(before)), default=0)
    before = before[cut:]
    found = patterns.title.search(before)
    return before[found.start():].strip(" ,") if found else ""


def _titles_after(text: str, end: int, patterns: _Patterns) -> list[str]:
    titles = []
    for segment in re.split(r",\s*", text[end:end + 200])[1:]:
        if not patterns.title.match(segment):
            break
        titles.append(segment.strip())
    return titles


def find_officials(text: str, exclude=()) -> list[Statement]:
    text, names = normalise(text), _gazetteer()
    patterns = _Patterns.of(text)
    excluded = {fold(n).lower() for n in exclude if n}
    statements: dict[str, Statement] = {}
    for start, end, name, place in _names(text, names):
        if fold(name).lower() in excluded:
            continue
        before = _title_before(text, start - len(place) - (1 if place else 0), patterns)
        titles = [t.strip() for t in re.split(r",\s*", f"{before} {place}".strip()) if patterns.title.match(t.strip())] \
            if before else _titles_after(text, end, patterns)
        if titles:
            statement = statements.setdefault(fold(name).lower(), Statement(name, []))
            statement.titles += [t for t in titles if t not in statement.titles]
    return list(statements.values())


def article_text(article: Article) -> str:
    return "\n".join([article.title, article.lead, article.body, article.captions])


def _replace_links(link_model, field: str, wanted: dict[int, list[int]]) -> None:
    """Make each article's extracted links of `link_model` exactly `wanted[article_id]`."""
    existing = link_model.objects.filter(article_id__in=wanted)
    keep, stale = set(), []
    for link in existing.values("pk", "article_id", f"{field}_id", "origin"):
        target = link[f"{field}_id"]
        if link["origin"] == ArticleLink.Origin.EDITOR or target in wanted[link["article_id"]]:
            keep.add((link["article_id"], target))
        else:
            stale.append(link["pk"])
    link_model.objects.filter(pk__in=stale).delete()
    link_model.objects.bulk_create([
        link_model(article_id=article_id, origin=ArticleLink.Origin.EXTRACTED, **{f"{field}_id": target})
        for article_id, targets in wanted.items() for target in targets if (article_id, target) not in keep
    ])


def _official_named(name: str) -> Official:
    return Official.objects.filter(name=name).first() or Official.objects.create(name=name)


def _positions(article: Article, statements: list[Statement], home) -> list[Position]:
    stated_on = article.published_at.date() if article.published_at else None
    positions = []
    for statement in statements:
        official = _official_named(statement.name)
        for title in statement.titles:
            organisation = _Patterns.of(title).organisation.search(title)
            places = [u for u in find_localities(title, home) if u.kind != _COMMUNE]
            positions.append(Position(official=official, title=title[:300], article=article, stated_on=stated_on,
                                      organisation=organisation.group()[:300] if organisation else "",
                                      locality=places[-1] if places else None, origin=ArticleLink.Origin.EXTRACTED))
    return positions


def _editors_choices(article_ids) -> dict[tuple[int, str], set[int]]:
    """(article id, kind) -> targets extraction must leave alone: links the editor removed, and
    officials whose positions in that article the editor removed or wrote."""
    Kind = DismissedLink.Kind
    choices = defaultdict(set)
    for article_id, kind, target in DismissedLink.objects.filter(article_id__in=article_ids).values_list(
            "article_id", "kind", "target_id"):
        choices[article_id, kind].add(target)
    for article_id, official_id in Position.objects.filter(
            article_id__in=article_ids, origin=ArticleLink.Origin.EDITOR).values_list("article_id", "official_id"):
        choices[article_id, Kind.POSITION].add(official_id)
    return choices


def link_articles(articles) -> None:
    with transaction.atomic():
        _link(list(articles))


def _link(articles) -> None:
    Kind = DismissedLink.Kind
    kept = _editors_choices([a.pk for a in articles])
    terms = {(t.start_year, t.end_year): t.pk for t in Term.objects.all()}
    localities, spans, officials, positions = {}, {}, {}, []
    for article in articles:
        text = article_text(article)
        home = article.source.home_province if article.source_id and article.source.home_province_id else None
        localities[article.pk] = [unit.pk for unit in find_localities(text, home)
                                  if unit.pk not in kept[article.pk, Kind.LOCALITY]]
        spans[article.pk] = find_terms(text)
        found = [p for p in _positions(article, find_officials(text, exclude=[article.author]), home)
                 if p.official_id not in kept[article.pk, Kind.OFFICIAL]]
        officials[article.pk] = list(dict.fromkeys(p.official_id for p in found))
        positions += [p for p in found if p.official_id not in kept[article.pk, Kind.POSITION]]
    for span in {s for found in spans.values() for s in found} - set(terms):
        terms[span] = Term.objects.get_or_create(start_year=span[0], end_year=span[1])[0].pk
    _replace_links(ArticleLocality, "locality", localities)
    _replace_links(ArticleTerm, "term", {pk: [terms[s] for s in found if terms[s] not in kept[pk, Kind.TERM]]
                                         for pk, found in spans.items()})
    _replace_links(ArticleOfficial, "official", officials)
    Position.objects.filter(article_id__in=localities, origin=ArticleLink.Origin.EXTRACTED).delete()
    Position.objects.bulk_create(positions)
    Article.objects.filter(pk__in=localities).update(updated_at=timezone.now())
    articles_changed.send(sender=Article, article_ids=list(localities))
