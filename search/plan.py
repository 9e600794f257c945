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
candidates only (Whoosh: the first RERANK by the other clauses), as they cost the most.

SearchRequest -> engine.execute(request) -> SearchResult (article ids of the page, total count,
facet counts). The Whoosh engine evaluates it over its own postings (search.whoosh_search); another
engine translates the same tree into its query language.
"""

import datetime
import re
from dataclasses import dataclass, field
from itertools import pairwise

from search.analysis import canonical, folded, segment
from search.syntax import Clause, ParsedQuery

EXACT_BOOST = 2.0  # a word matched with the accents it was typed with
PAIR_BOOST = 4.0  # each two of the query's words that stand side by side in the article
ALL_PAIRS_BOOST = 8.0  # every two neighbouring words of the query do: nearly the phrase itself
TITLE_BOOST = 3.0
COMPOUND_BOOST = 1.5
_COMPOUND = re.compile(r"[^\W_]+(?:_[^\W_]+)+")  # pyvi passes URLs and symbols through: only words


@dataclass(frozen=True)
class Term:
    field: str
    text: str


@dataclass(frozen=True)
class Phrase:
    """Terms standing next to each other, in this order."""

    field: str
    words: tuple[str, ...]


@dataclass(frozen=True)
class AllOf:
    parts: tuple["Match", ...]


@dataclass(frozen=True)
class AnyOf:
    parts: tuple["Match", ...]


@dataclass(frozen=True)
class Not:
    part: "Match"


@dataclass(frozen=True)
class Everything:
    """Every document (a query of exclusions only, or none at all)."""


Match = Term | Phrase | AllOf | AnyOf | Not | Everything


@dataclass(frozen=True)
class Boost:
    match: Match
    weight: float


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


@dataclass
class SearchResult:
    ids: list[int]  # article primary keys of the page, in order
    count: int  # every match
    facets: dict[str, list[tuple[str, int]]] = field(default_factory=dict)  # field -> (key, count), most first


def _words_match(field_name: str, words: list[str]) -> Match:
    return Term(field_name, words[0]) if len(words) == 1 else Phrase(field_name, tuple(words))


def _clause(clause: Clause) -> Match:
    """What must match for one clause: its folded words (a quoted phrase also in its exact form)."""
    words = clause.words
    folded_words = [folded(w) for w in words]
    if clause.field == "author":
        return _words_match("author", folded_words)
    field_name = "title" if clause.field == "title" else "text"
    loose = _words_match(f"{field_name}_folded", folded_words)
    if clause.phrase and words != folded_words:
        return AllOf((loose, _words_match(field_name, words)))
    return loose


def _required(parsed: ParsedQuery) -> Match:
    parts: list[Match] = [] if parsed else [Everything()]  # only exclusions: everything but them
    for item in parsed.items:
        alternatives = tuple(_clause(c) for c in item.alternatives if c.words)
        if not alternatives:
            continue
        either = alternatives[0] if len(alternatives) == 1 else AnyOf(alternatives)
        parts.append(Not(either) if item.negated else either)
    return parts[0] if len(parts) == 1 else AllOf(tuple(parts))


def _ranking(parsed: ParsedQuery) -> tuple[Boost, ...]:
    free = parsed.free_clauses
    words = [w for c in free for w in c.words]
    folded_words = [folded(w) for w in words]
    pairs = [Phrase("text_folded", pair) for pair in dict.fromkeys(pairwise(folded_words))]
    ranking = [Boost(pair, PAIR_BOOST) for pair in pairs]
    if len(pairs) > 1:
        ranking.append(Boost(AllOf(tuple(pairs)), ALL_PAIRS_BOOST))
    if words:
        titles = tuple(Term("title_folded", w) for w in dict.fromkeys(folded_words))
        ranking.append(Boost(titles[0] if len(titles) == 1 else AnyOf(titles), TITLE_BOOST))
    # Exact accents rank first: the words typed with diacritics, matched as typed.
    ranking += [Boost(Term("text", w), EXACT_BOOST) for w in dict.fromkeys(words) if folded(w) != w]
    compounds = {w for c in free for w in segment(c.text).split() if _COMPOUND.fullmatch(w)}
    ranking += [Boost(Term("text", canonical(w)), COMPOUND_BOOST) for w in sorted(compounds)]
    return tuple(ranking)


def compile_query(parsed: ParsedQuery) -> tuple[Match, tuple[Boost, ...]]:
    return _required(parsed), _ranking(parsed)
