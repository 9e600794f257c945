"""What a search asks an engine for, and what the engine answers: one interface for every backend.

compile_query(parsed) -> (required, ranking) for a search.syntax.ParsedQuery, in index terms
(already analysed: canonical or folded syllables, pairs, compounds), so an engine only evaluates:
- `required`: what a document must match: every item in the accent-folded fields (a quoted
  phrase typed with diacritics also as typed), excluded items not at all.
- `ranking`: optional clauses adding weight × their score: the query's words standing together
  (each neighbouring pair as a two-word phrase, and all of them), title matches, exact accents
  and pyvi compounds.
Scores are BM25 per term (a phrase in the ranking: per occurrence of the phrase); a match of
several terms scores their sum. An engine may weigh the phrases of the ranking on its best
candidates only (Whoosh: the first RERANK by the other clauses, and, for a `deep` request, the
constant tiers' on the first TIER_RERANK), as they cost the most.

compile_relaxed(parsed, near, names, meant) -> (required, ranking) for the same query forgiven (search.forgiving):
of MOST_WORDS_FROM or more free syllables, grouped into words by pyvi (word_groups), one word in
three may be missing (at least one), and a word may match its near spellings (`near`: folded
word -> folded spellings); constant tiers rank the matches by the words there as typed (half for
one spelt otherwise) and the neighbouring pairs standing together (in near spellings too), and,
above those, by the query's words but one standing in their order (a few others in the missing
one's place: SEQUENCE_SLOP), and above all by the query standing whole with one word spelt one
edit otherwise: a near spelling, or one of `meant` (more spellings a word may be a slip for:
"chị" typed for "chịu"), looked for only where the other words stand in order.

whole(parsed) -> the query's free words as one phrase: whether the best strict match holds it
tells search.forgiving whether a remembered phrase was found as typed.

SearchRequest -> engine.execute(request) -> SearchResult (article ids of the page, total count,
facet counts, tallies, what each page document matched); an Engine also tells how many documents
hold given terms (frequencies), for near spellings. The Whoosh engine evaluates it over its own
postings (search.whoosh_search); another engine translates the same tree into its query language.
"""

import datetime
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import pairwise
from types import MappingProxyType
from typing import Protocol

from search.analysis import SYLLABLE, canonical, folded, segment
from search.syntax import Clause, Item, ParsedQuery

EXACT_BOOST = 2.0  # a word matched with the accents it was typed with
PAIR_BOOST = 4.0  # each two of the query's words that stand side by side in the article
ALL_PAIRS_BOOST = 8.0  # every two neighbouring words of the query do: nearly the phrase itself
TITLE_BOOST = 3.0
COMPOUND_BOOST = 1.5
TIER = 1e6  # constant tiers lie far above any score (a sum of BM25 terms, tens to hundreds)
NEAR_TIER = TIER / 2  # a word found spelt one letter otherwise: below as typed, above missing
NAME_TIER = TIER / 10  # a person's name standing whole
WHOLE_TIER = TIER  # the query's words standing together as typed: first, whatever the other articles' scores
PAIR_TIER = TIER  # in a relaxed search, each two of the query's words standing together
SEQUENCE_TIER = 64 * TIER  # all the query's words but one in their order: above any number of words and pairs
RESPELT_TIER = 64 * SEQUENCE_TIER  # the query whole but for a slip of a letter: above any number of sequences
SEQUENCE_SLOP = 2  # words standing where the missing one was (a word of two syllables typed for one)
SEQUENCE_GROUPS = (3, 8)  # words a query has for its sequences to be weighed (each costs a phrase)
MOST_WORDS_FROM = 4  # free words in a query before a relaxed search lets one of them be missing
_AS_TYPED: Mapping[str, tuple[str, ...]] = MappingProxyType({})  # no near spellings
_COMPOUND = re.compile(r"[^\W_]+(?:_[^\W_]+)+")  # pyvi passes URLs and symbols through: only words


@dataclass(frozen=True)
class Term:
    field: str
    text: str


@dataclass(frozen=True)
class Phrase:
    """Terms standing next to each other, in this order; with `slop`, in this order with at most
    that many other words between them altogether (what is left of a remembered phrase when one
    of its words was wrong)."""

    field: str
    words: tuple[str, ...]
    slop: int = 0


@dataclass(frozen=True)
class AllOf:
    parts: tuple["Match", ...]


@dataclass(frozen=True)
class AnyOf:
    parts: tuple["Match", ...]


@dataclass(frozen=True)
class AtLeast:
    """At least `count` of the parts: most of a query's words, when all of them find too little."""

    count: int
    parts: tuple["Match", ...]


@dataclass(frozen=True)
class Not:
    part: "Match"


@dataclass(frozen=True)
class Everything:
    """Every document (a query of exclusions only, or none at all)."""


Match = Term | Phrase | AllOf | AnyOf | AtLeast | Not | Everything


@dataclass(frozen=True)
class Boost:
    """weight × the match's score, or, `constant`, weight itself for every document it matches:
    a tier that orders the matches before any score does (TIER, NAME_TIER)."""

    match: Match
    weight: float
    constant: bool = False


class Engine(Protocol):
    """What a search backend offers the search core (search.backend, search.solr_backend)."""

    def execute(self, request: "SearchRequest") -> "SearchResult": ...

    def frequencies(self, field_name: str, terms: set[str]) -> tuple[int, dict[str, int]]:
        """(documents, how many hold each of `terms` that the index knows)."""
        ...


class SearchUnavailable(Exception):
    """The engine cannot answer now (e.g. a search server that is down): the page says so."""


# What an undated article holds in the sort fields, so that it sorts last either way.
UNDATED_NEWEST = datetime.datetime(1, 1, 2, tzinfo=datetime.UTC)
UNDATED_OLDEST = datetime.datetime(9999, 12, 30, tzinfo=datetime.UTC)


@dataclass(frozen=True)
class SearchRequest:
    required: Match = Everything()
    ranking: tuple[Boost, ...] = ()
    filters: tuple[tuple[str, tuple[str, ...]], ...] = ()  # (facet field, keys): any key; every field
    published_from: datetime.datetime | None = None  # inclusive, aware
    published_before: datetime.datetime | None = None  # exclusive, aware
    undated_only: bool = False  # only the articles without a date
    sort: str = "relevance"  # or "newest", "oldest" (undated articles last either way)
    offset: int = 0
    limit: int = 20
    facets: tuple[str, ...] = ()
    facet_limit: int = 12
    tally: tuple[Match, ...] = ()  # how many of the matches also match each of these
    report: tuple[Match, ...] = ()  # whether each document of the page matches each of these
    # The article sought may rank low by the words alone (a forgiving search after a strict one that
    # found nothing whole): an engine weighing its costly clauses on a head weighs them on a deeper one.
    deep: bool = False


@dataclass
class SearchResult:
    ids: list[int]  # article primary keys of the page, in order
    count: int  # every match
    facets: dict[str, list[tuple[str, int]]] = field(default_factory=dict)  # field -> (key, count), most first
    tallies: list[int] = field(default_factory=list)  # per request.tally
    present: list[tuple[bool, ...]] = field(default_factory=list)  # per id: per request.report


# A query's text segmented by pyvi and its words folded, kept: a search asks for them again and again.
@lru_cache(maxsize=4096)
def _segmented(text: str) -> str:
    return segment(text)


@lru_cache(maxsize=16384)
def _folded(word: str) -> str:
    return folded(word)


def _words_match(field_name: str, words: list[str]) -> Match:
    return Term(field_name, words[0]) if len(words) == 1 else Phrase(field_name, tuple(words))


def _clause(clause: Clause, near: Mapping[str, tuple[str, ...]]) -> Match:
    """What must match for one clause: its folded words (a quoted phrase also in its exact form);
    a word of `near` also as spelt there."""
    words = clause.words
    folded_words = [_folded(w) for w in words]
    if clause.field == "author":
        return _words_match("author", folded_words)
    field_name = "title" if clause.field == "title" else "text"
    loose = _words_match(f"{field_name}_folded", folded_words)
    if len(folded_words) == 1 and near.get(folded_words[0]):
        return AnyOf((loose, *(Term("text_folded", w) for w in near[folded_words[0]])))
    if clause.phrase and words != folded_words:
        return AllOf((loose, _words_match(field_name, words)))
    return loose


def item_match(item: Item, near: Mapping[str, tuple[str, ...]] = _AS_TYPED) -> Match | None:
    """What matches one item (any of its alternatives), near spellings for a loose one's words;
    None for an item with no words."""
    alternatives = tuple(_clause(c, near if item.loose else {}) for c in item.alternatives if c.words)
    if not alternatives:
        return None
    return alternatives[0] if len(alternatives) == 1 else AnyOf(alternatives)


def loose_items(parsed: ParsedQuery) -> list[Item]:
    """The free words a relaxed search may find missing or spelt otherwise."""
    return [item for item in parsed.items if item.loose and item_match(item) is not None]


def word_groups(parsed: ParsedQuery) -> list[tuple[Item, ...]]:
    """The loose items joined into the words pyvi finds among neighbours ("phát triển"): what a
    relaxed search lets be missing. Without diacritics pyvi joins nothing: a syllable each."""
    groups: list[tuple[Item, ...]] = []
    run: list[Item] = []
    for item in [*parsed.items, None]:
        if item is not None and item.loose and len(item.alternatives) == 1 and len(item.alternatives[0].words) == 1:
            run.append(item)
            continue
        sizes = [len(SYLLABLE.findall(w)) for w in _segmented(" ".join(i.alternatives[0].text for i in run)).split()]
        sizes = [n for n in sizes if n]  # pyvi keeps punctuation apart: "‘thời điểm" is "‘ thời_điểm"
        if sum(sizes) != len(run):  # pyvi split a word otherwise than the query did
            sizes = [1] * len(run)
        start = 0
        for size in sizes:
            groups.append(tuple(run[start : start + size]))
            start += size
        run = []
        if item is not None and item.loose and item_match(item) is not None:
            groups.append((item,))  # alternatives joined by OR, or syllables typed as one ("K-Sports")
    return groups


def group_match(group: tuple[Item, ...], near: Mapping[str, tuple[str, ...]] = _AS_TYPED) -> Match:
    parts = tuple(m for m in (item_match(i, near) for i in group) if m is not None)
    return parts[0] if len(parts) == 1 else AllOf(parts)


def allowed_missing(groups: int) -> int:
    """Words a relaxed search may find missing: one in four or five, a third of longer queries."""
    return max(1, groups // 3)


def _required(parsed: ParsedQuery, near: Mapping[str, tuple[str, ...]] = _AS_TYPED, most: bool = False) -> Match:
    """Every item; `most`: of the loose ones, grouped into words, all but allowed_missing()."""
    parts: list[Match] = [] if parsed else [Everything()]  # only exclusions: everything but them
    for item in parsed.items:
        match = item_match(item, near)
        if match is not None and not (most and item.loose):
            parts.append(Not(match) if item.negated else match)
    if most:
        groups = [group_match(g, near) for g in word_groups(parsed)]
        parts.append(AtLeast(len(groups) - allowed_missing(len(groups)), tuple(groups)))
    return parts[0] if len(parts) == 1 else AllOf(tuple(parts))


def _free_words(parsed: ParsedQuery) -> list[str]:
    return [_folded(w) for c in parsed.free_clauses for w in c.words]


def _pairs(parsed: ParsedQuery, near: Mapping[str, tuple[str, ...]] = _AS_TYPED) -> list[Match]:
    """Each two neighbouring words of the query, as a phrase (or any of the phrases their near spellings make)."""
    pairs: list[Match] = []
    for first, second in dict.fromkeys(pairwise(_free_words(parsed))):
        spelt = tuple(
            Phrase("text_folded", (a, b))
            for a in (first, *near.get(first, ()))
            for b in (second, *near.get(second, ()))
        )
        pairs.append(spelt[0] if len(spelt) == 1 else AnyOf(spelt))
    return pairs


def whole(parsed: ParsedQuery) -> Phrase | None:
    """The query's free words standing together as typed: what a remembered phrase finds when
    nothing of it was forgotten (None for fewer than two words)."""
    words = tuple(_free_words(parsed))
    return Phrase("text_folded", words) if len(words) > 1 else None


def _respelt(
    parsed: ParsedQuery, near: Mapping[str, tuple[str, ...]], meant: Mapping[str, tuple[str, ...]]
) -> list[Match]:
    """The query's free words standing together, as typed or with one of them spelt as in `near`
    or `meant`: the phrase remembered whole, or whole but for a slip of a letter in one word (none
    when no word has spellings). A word's `meant` spellings (many) only where the others stand
    in their order without it (each costs the positions of a word, common ones too)."""
    words = tuple(_free_words(parsed))
    if len(words) < 2:
        return []
    found: list[Match] = []
    for at, word in enumerate(words):
        found += [Phrase("text_folded", (*words[:at], s, *words[at + 1 :])) for s in near.get(word, ())]
        spelt = tuple(Phrase("text_folded", (*words[:at], s, *words[at + 1 :])) for s in meant.get(word, ()))
        if spelt and len(words) > 2:
            rest = Phrase("text_folded", words[:at] + words[at + 1 :], SEQUENCE_SLOP)
            found.append(AllOf((rest, spelt[0] if len(spelt) == 1 else AnyOf(spelt))))
    return [Phrase("text_folded", words), *dict.fromkeys(found)] if found else []


def _sequences(parsed: ParsedQuery) -> list[Phrase]:
    """The query's words in their order with one of them left out, a few others standing in its
    place: one sequence for each word of word_groups, and for each syllable of a word of several
    (pyvi joins a name with its neighbour: "Andre Kobyakov" for "Andrei Kobyakov"). For queries of
    SEQUENCE_GROUPS words."""
    groups = word_groups(parsed)
    low, high = SEQUENCE_GROUPS
    if not low <= len(groups) <= high or any(len(item.alternatives) > 1 for g in groups for item in g):
        return []
    syllables = [(at, _folded(w)) for at, g in enumerate(groups) for item in g for w in item.alternatives[0].words]
    left_out = [{i for i, (at, _w) in enumerate(syllables) if at == group} for group in range(len(groups))]
    left_out += [{i} for i, (at, _w) in enumerate(syllables) if len(left_out[at]) > 1]
    rests = (tuple(w for i, (_at, w) in enumerate(syllables) if i not in out) for out in left_out)
    return [Phrase("text_folded", rest, SEQUENCE_SLOP) for rest in dict.fromkeys(rests) if len(rest) > 1]


def _ranking(parsed: ParsedQuery) -> tuple[Boost, ...]:
    free = parsed.free_clauses
    words = [w for c in free for w in c.words]
    folded_words = [_folded(w) for w in words]
    pairs = _pairs(parsed)
    ranking = [Boost(pair, PAIR_BOOST) for pair in pairs]
    if len(pairs) > 1:
        ranking.append(Boost(AllOf(tuple(pairs)), ALL_PAIRS_BOOST))
    phrase = whole(parsed)
    if phrase is not None:  # and not each pair somewhere else: the articles holding the query whole come first
        ranking.append(Boost(phrase, WHOLE_TIER, constant=True))
    if words:
        titles = tuple(Term("title_folded", w) for w in dict.fromkeys(folded_words))
        ranking.append(Boost(titles[0] if len(titles) == 1 else AnyOf(titles), TITLE_BOOST))
    # Exact accents rank first: the words typed with diacritics, matched as typed.
    ranking += [Boost(Term("text", w), EXACT_BOOST) for w in dict.fromkeys(words) if _folded(w) != w]
    compounds = {w for c in free for w in _segmented(c.text).split() if _COMPOUND.fullmatch(w)}
    ranking += [Boost(Term("text", canonical(w)), COMPOUND_BOOST) for w in sorted(compounds)]
    return tuple(ranking)


def _names(names: tuple[tuple[str, ...], ...]) -> list[Boost]:
    return [Boost(Phrase("text_folded", tuple(_folded(w) for w in name)), NAME_TIER, constant=True) for name in names]


def compile_query(parsed: ParsedQuery, names: tuple[tuple[str, ...], ...] = ()) -> tuple[Match, tuple[Boost, ...]]:
    """Every word must match; `names` (each a person's name, its syllables) rank first where they stand whole."""
    return _required(parsed), _ranking(parsed) + tuple(_names(names))


def compile_relaxed(
    parsed: ParsedQuery,
    near: Mapping[str, tuple[str, ...]],
    names: tuple[tuple[str, ...], ...] = (),
    meant: Mapping[str, tuple[str, ...]] = _AS_TYPED,
) -> tuple[Match, tuple[Boost, ...]]:
    """See the module docstring."""
    most = len(loose_items(parsed)) >= MOST_WORDS_FROM
    tiers = []
    for group in word_groups(parsed):
        tiers.append(Boost(group_match(group), TIER, constant=True))
        spelt_otherwise = [w for i in group for c in i.alternatives for s in c.words for w in near.get(_folded(s), ())]
        if spelt_otherwise:
            otherwise = AnyOf(tuple(Term("text_folded", w) for w in spelt_otherwise))
            tiers.append(Boost(otherwise, NEAR_TIER, constant=True))
    # The words standing together outrank the words being there: an article missing one word of a
    # remembered phrase but holding the rest of it comes before one holding every word apart.
    tiers += [Boost(pair, PAIR_TIER, constant=True) for pair in _pairs(parsed, near)]
    # And all the words but one in their order outrank any words or pairs apart: the phrase
    # remembered with one word wrong (another word, or a slip that makes another word).
    if most:
        tiers += [Boost(sequence, SEQUENCE_TIER, constant=True) for sequence in _sequences(parsed)]
    # Above them, the query whole but for a slip: a word spelt one edit otherwise (a near spelling
    # of a rare word, or, in `meant`, of a word that is common itself: "chị" for "chịu").
    respelt = _respelt(parsed, near, meant)
    if respelt:
        tiers.append(Boost(respelt[0] if len(respelt) == 1 else AnyOf(tuple(respelt)), RESPELT_TIER, constant=True))
    return _required(parsed, near, most), _ranking(parsed) + tuple(_names(names)) + tuple(tiers)
