"""A search.plan request evaluated over a Whoosh index with array arithmetic.

Whoosh's own matchers score one document at a time in Python, so a common word costs as much
as the number of articles it is in, once per clause. Here each term's postings are read once
into arrays (ids and frequencies, kept per segment: segments never change, only their deletions
do) and a query is a few array operations over every document at once: masks for what matches,
BM25 scores (Whoosh's formula and statistics) for the ranking, a bincount per facet. The
ranking's phrases (the query's words standing together) need positions, which are costly to
read: they are weighed on the RERANK best documents by the other clauses only.

IndexView(searcher, index_key): one generation of the index (keep it while the searcher is up to
date: its per-document arrays are built once). execute(view, request, key_of) -> SearchResult,
where `key_of(stored_fields)` turns a document's stored fields into the article id.
"""

import math
import pickle
from dataclasses import dataclass, field

import numpy as np
from whoosh.query import Phrase as WhooshPhrase
from whoosh.system import _INT_SIZE

from search.plan import (
    UNDATED_NEWEST,
    AllOf,
    AnyOf,
    AtLeast,
    Boost,
    Everything,
    Match,
    Not,
    Phrase,
    SearchRequest,
    SearchResult,
    Term,
)

B, K1 = 0.75, 1.2  # Whoosh's BM25F defaults, which the index was always scored with
MAX_CACHED_POSTINGS = 12_000_000  # per process: 8 bytes each, about 100 MB
RERANK = 1000  # documents whose positions are read to weigh the ranking's phrases (50 pages)


@dataclass
class _SegmentArrays:
    """What is read once from a segment: its postings, field lengths, sort columns and facets."""

    postings: dict[tuple[str, str], tuple[np.ndarray, np.ndarray]] = field(default_factory=dict)
    per_document: dict[tuple[str, str], np.ndarray] = field(default_factory=dict)  # ("length"|"column", field)
    facets: dict[str, tuple[list[str], np.ndarray, np.ndarray]] = field(default_factory=dict)
    vocabulary: dict[str, frozenset[str]] = field(default_factory=dict)  # field -> its terms
    cached: int = 0  # postings held


_segments: dict[tuple[str, str], _SegmentArrays] = {}


def _block(matcher) -> tuple[np.ndarray, np.ndarray, list]:
    """The current block's document numbers, frequencies and raw values, decoded with arrays.
    Whoosh's block reader is private API (Whoosh 2.7 is final): its own decoding yields one
    document number per Python step; a block is a pickled (id deltas, weights, values) tuple."""
    matcher._read_data()
    deltas, weights, values = matcher._data
    ids = np.cumsum(np.asarray(deltas, np.int64)).astype(np.int32)
    if weights is None or isinstance(weights, float):
        weights = np.full(len(ids), 1.0 if weights is None else weights, np.float32)
    return ids, np.asarray(weights, np.float32), values


def _read_postings(reader, field_name: str, text: str) -> tuple[np.ndarray, np.ndarray]:
    """Every (document, frequency) of a term in one segment, a block at a time."""
    if (field_name, text) not in reader:
        return np.empty(0, np.int32), np.empty(0, np.float32)
    matcher = reader.postings(field_name, text)
    ids, weights = [], []
    if hasattr(matcher, "_read_data"):
        while matcher.is_active():
            block_ids, block_weights, _values = _block(matcher)
            ids.append(block_ids)
            weights.append(block_weights)
            matcher._next_block()
    else:  # postings inlined in the term's entry: a handful
        while matcher.is_active():
            ids.append(np.array([matcher.id()], np.int32))
            weights.append(np.array([matcher.weight()], np.float32))
            matcher.next()
    if not ids:
        return np.empty(0, np.int32), np.empty(0, np.float32)
    return np.concatenate(ids), np.concatenate(weights)


def _decode_positions(value: bytes) -> np.ndarray:
    """Whoosh's Positions value: a 4-byte count, then the pickled position deltas (its decode_positions)."""
    return np.cumsum(pickle.loads(value[_INT_SIZE:] if value.endswith(b".") else value[_INT_SIZE:] + b"."))


def _read_positions(reader, field_name: str, text: str, docs: np.ndarray) -> dict[int, np.ndarray]:
    """The positions of a term in each of `docs` (sorted document numbers of one segment) that
    holds it. Blocks before a wanted document are skipped unread."""
    found: dict[int, np.ndarray] = {}
    if not len(docs) or (field_name, text) not in reader:
        return found
    matcher = reader.postings(field_name, text)
    if not hasattr(matcher, "_read_data"):
        for doc in docs.tolist():
            if matcher.is_active():
                matcher.skip_to(doc)
            if matcher.is_active() and matcher.id() == doc:
                found[doc] = np.asarray(matcher.value_as("positions"))
        return found
    wanted = 0
    while matcher.is_active() and wanted < len(docs):
        if matcher.block_max_id() >= docs[wanted]:
            ids, _weights, values = _block(matcher)
            inside = int(np.searchsorted(docs, matcher.block_max_id(), side="right"))
            here = docs[wanted:inside]
            at = np.searchsorted(ids, here)
            held = (at < len(ids)) & (ids[np.minimum(at, len(ids) - 1)] == here)
            for doc, index in zip(here[held].tolist(), at[held].tolist(), strict=True):
                found[doc] = _decode_positions(values[index])
            wanted = inside
        matcher._next_block()
    return found


class IndexView:
    """One generation of the index: its segments' arrays side by side, as Whoosh numbers documents."""

    def __init__(self, searcher, index_key: str):
        self.searcher = searcher
        self.leaves = []
        live = set()
        for reader, offset in searcher.reader().leaf_readers():
            if reader.segment() is None:  # an index with no documents yet
                continue
            key = (index_key, reader.segment().segment_id())
            self.leaves.append((reader, offset, _segments.setdefault(key, _SegmentArrays())))
            live.add(key)
        for key in [k for k in _segments if k[0] == index_key and k not in live]:
            del _segments[key]  # merged away or deleted
        self.size = searcher.doc_count_all()
        self.alive = np.ones(self.size, bool)
        for reader, offset, _arrays in self.leaves:
            if reader.has_deletions():
                self.alive[offset + np.fromiter(reader.segment().deleted_docs(), np.int64)] = False
        self._per_document: dict[tuple[str, str], np.ndarray] = {}
        self._facets: dict[str, tuple[list[str], np.ndarray, np.ndarray]] = {}

    def postings(self, field_name: str, text: str) -> tuple[np.ndarray, np.ndarray]:
        ids, weights = [], []
        for reader, offset, arrays in self.leaves:
            found = arrays.postings.get((field_name, text))
            if found is None:
                found = _read_postings(reader, field_name, text)
                if sum(a.cached for a in _segments.values()) + len(found[0]) > MAX_CACHED_POSTINGS:
                    for other in _segments.values():
                        other.postings.clear()
                        other.cached = 0
                arrays.postings[field_name, text] = found
                arrays.cached += len(found[0])
            ids.append(found[0] + offset)
            weights.append(found[1])
        if not ids:
            return np.empty(0, np.int32), np.empty(0, np.float32)
        return np.concatenate(ids), np.concatenate(weights)

    def _per_document_array(self, key: tuple[str, str], read, dtype) -> np.ndarray:
        """A value per document (`read(reader)` of each segment, kept with it), side by side."""
        if key not in self._per_document:
            parts = []
            for reader, _offset, arrays in self.leaves:
                if key not in arrays.per_document:
                    arrays.per_document[key] = np.fromiter(read(reader), dtype, count=reader.doc_count_all())
                parts.append(arrays.per_document[key])
            self._per_document[key] = np.concatenate(parts) if parts else np.empty(0, dtype)
        return self._per_document[key]

    def positions(self, field_name: str, text: str, docs: np.ndarray) -> dict[int, np.ndarray]:
        """Positions of a term in each of `docs` (sorted) holding it, by document number."""
        found = {}
        for reader, offset, _arrays in self.leaves:
            local = docs[(docs >= offset) & (docs < offset + reader.doc_count_all())] - offset
            for doc, where in _read_positions(reader, field_name, text, local).items():
                found[doc + offset] = where
        return found

    def frequencies(self, field_name: str, terms) -> dict[str, int]:
        """How many documents hold each of `terms` that the index knows (a few hundred spellings to
        try cost a set lookup each: a segment's terms are read once, about 0.6 s for 55k)."""
        found: dict[str, int] = {}
        for reader, _offset, arrays in self.leaves:
            if field_name not in arrays.vocabulary:
                known = field_name in reader.indexed_field_names()
                arrays.vocabulary[field_name] = frozenset(reader.field_terms(field_name) if known else ())
            for term in arrays.vocabulary[field_name].intersection(terms):
                found[term] = found.get(term, 0) + reader.doc_frequency(field_name, term)
        return found

    def lengths(self, field_name: str) -> np.ndarray:
        def read(reader):
            return ((reader.doc_field_length(n, field_name) or 1) for n in range(reader.doc_count_all()))

        return self._per_document_array(("length", field_name), read, np.float64)

    def column(self, field_name: str) -> np.ndarray:
        def read(reader):
            return iter(reader.column_reader(field_name, translate=False))

        return self._per_document_array(("column", field_name), read, np.int64)

    def facet(self, field_name: str) -> tuple[list[str], np.ndarray, np.ndarray]:
        """(keys, documents, key index of each document's entry): a document holds several keys."""
        if field_name not in self._facets:
            keys: set[str] = set()
            for reader, _offset, arrays in self.leaves:
                if field_name not in arrays.facets:
                    seg_keys = (
                        list(reader.field_terms(field_name)) if field_name in reader.indexed_field_names() else []
                    )
                    docs = [reader.postings(field_name, k).all_ids() for k in seg_keys]
                    docs = [np.fromiter(d, np.int32) for d in docs]
                    codes = [np.full(len(d), i, np.int32) for i, d in enumerate(docs)]
                    arrays.facets[field_name] = (
                        seg_keys,
                        np.concatenate(docs) if docs else np.empty(0, np.int32),
                        np.concatenate(codes) if codes else np.empty(0, np.int32),
                    )
                keys.update(arrays.facets[field_name][0])
            ordered = sorted(keys)
            position = {k: i for i, k in enumerate(ordered)}
            docs, codes = [], []
            for _reader, offset, arrays in self.leaves:
                seg_keys, seg_docs, seg_codes = arrays.facets[field_name]
                remap = np.array([position[k] for k in seg_keys] or [0], np.int32)
                docs.append(seg_docs + offset)
                codes.append(remap[seg_codes])
            empty = [np.empty(0, np.int32)]
            self._facets[field_name] = (ordered, np.concatenate(docs or empty), np.concatenate(codes or empty))
        return self._facets[field_name]


class _Scorer:
    """(mask, score) of a plan's match over every document of a view, or over `docs` only
    (`on(docs)`: there a phrase is weighed by its occurrences, read from the positions)."""

    def __init__(self, view: IndexView, docs: np.ndarray | None = None):
        self.view = view
        self.searcher = view.searcher
        self.docs = docs
        self._done: dict[Match, tuple[np.ndarray, np.ndarray]] = {}  # a query repeats its words and phrases
        self._positions: dict[tuple[str, str], dict[int, np.ndarray]] = {}  # over `docs`, for every phrase

    def on(self, docs: np.ndarray) -> "_Scorer":
        return _Scorer(self.view, np.sort(docs))

    def _bm25(self, field_name: str, df: float, tf: np.ndarray, ids: np.ndarray) -> np.ndarray:
        idf = math.log(self.searcher.doc_count_all() / (df + 1)) + 1
        average = self.searcher.avg_field_length(field_name) or 1
        lengths = self.view.lengths(field_name)[ids]
        return idf * (tf * (K1 + 1)) / (tf + K1 * ((1 - B) + B * lengths / average))

    def _empty(self) -> tuple[np.ndarray, np.ndarray]:
        size = self.view.size if self.docs is None else len(self.docs)
        return np.zeros(size, bool), np.zeros(size)

    def term(self, field_name: str, text: str) -> tuple[np.ndarray, np.ndarray]:
        mask, score = self._empty()
        if field_name not in self.searcher.schema:
            return mask, score
        ids, weights = self.view.postings(field_name, text)
        df = len(ids)
        if self.docs is not None:  # the postings of `docs`, at their places in it
            at = np.searchsorted(self.docs, ids)
            held = (at < len(self.docs)) & (self.docs[np.minimum(at, len(self.docs) - 1)] == ids)
            ids, weights, places = ids[held], weights[held], at[held]
        else:
            places = ids
        mask[places] = True
        if self.searcher.schema[field_name].scorable and len(ids):
            score[places] = self._bm25(field_name, df, weights, ids)
        return mask, score

    def _positions_of(self, field_name: str, word: str) -> dict[int, np.ndarray]:
        """The word's positions in each of `docs` holding it: read once for all the phrases it is in."""
        assert self.docs is not None
        if (field_name, word) not in self._positions:
            held = self.docs[self(Term(field_name, word))[0]]
            self._positions[field_name, word] = self.view.positions(field_name, word, held)
        return self._positions[field_name, word]

    def phrase(self, match: Phrase) -> tuple[np.ndarray, np.ndarray]:
        """Over `docs`: how often the words stand together (with `slop`: in order, that many others
        between them at most), scored as a term of that frequency."""
        assert self.docs is not None
        mask, score = self._empty()
        words = [self(Term(match.field, w))[0] for w in match.words]
        candidates = self.docs[np.logical_and.reduce(words)]
        if not len(candidates):
            return mask, score
        where = [self._positions_of(match.field, w) for w in match.words]
        counts = np.array([_occurrences([w[doc] for w in where], match.slop) for doc in candidates])
        held = counts > 0
        places = np.searchsorted(self.docs, candidates[held])
        mask[places] = True
        score[places] = self._bm25(
            match.field, self._phrase_frequency(match), counts[held].astype(float), candidates[held]
        )
        return mask, score

    def _phrase_frequency(self, match: Phrase) -> float:
        """How many documents hold the phrase, estimated as if its words fell independently:
        counting it exactly would read the positions of every document holding them all."""
        estimate = float(self.searcher.doc_count_all())
        for word in match.words:
            estimate *= len(self.view.postings(match.field, word)[0]) / max(self.searcher.doc_count_all(), 1)
        return max(estimate, 1.0)

    def known(self, match: Match) -> bool:
        """Whether `match` was evaluated already (a required phrase, say)."""
        return match in self._done

    def __call__(self, match: Match) -> tuple[np.ndarray, np.ndarray]:
        if match not in self._done:
            self._done[match] = self._evaluate(match)
        return self._done[match]

    def _evaluate(self, match: Match) -> tuple[np.ndarray, np.ndarray]:
        if isinstance(match, Term):
            return self.term(match.field, match.text)
        if isinstance(match, Phrase) and self.docs is not None:
            return self.phrase(match)
        if isinstance(match, Phrase):  # required: Whoosh's own phrase matching, then the words' scores
            assert not match.slop, "a phrase with slop is weighed on the ranked head (or a page) only"
            terms = [self.term(match.field, w) for w in match.words]
            mask = np.zeros(self.view.size, bool)
            if np.logical_and.reduce([m for m, _s in terms]).any():
                found = self.searcher.docs_for_query(WhooshPhrase(match.field, list(match.words)))
                mask[np.fromiter(found, np.int64)] = True
            return mask, np.sum([s for _m, s in terms], axis=0) * mask
        if isinstance(match, AllOf | AnyOf):
            parts = [self(p) for p in match.parts]
            combine = np.logical_and if isinstance(match, AllOf) else np.logical_or
            mask = combine.reduce([m for m, _s in parts])
            return mask, np.sum([s for _m, s in parts], axis=0) * mask
        if isinstance(match, AtLeast):
            parts = [self(p) for p in match.parts]
            mask = np.sum([m for m, _s in parts], axis=0) >= match.count
            return mask, np.sum([s for _m, s in parts], axis=0) * mask
        if isinstance(match, Not):
            return ~self(match.part)[0], self._empty()[1]
        assert isinstance(match, Everything)
        return ~self._empty()[0], self._empty()[1]

    def boosted(self, ranking: tuple[Boost, ...], score: np.ndarray) -> np.ndarray:
        for boost in ranking:
            mask, boost_score = self(boost.match)
            score = score + boost.weight * (mask if boost.constant else boost_score)
        return score


def _occurrences(positions: list[np.ndarray], slop: int) -> int:
    """How many times words stand in this order, at most `slop` others between them altogether
    (`positions`: each word's, sorted): from each place of the first word, the nearest later place
    of each next word."""
    start = current = positions[0]
    for later in positions[1:]:
        at = np.searchsorted(later, current, side="right")
        inside = at < len(later)
        start, current = start[inside], later[at[inside]]
    return int(np.count_nonzero(current - start <= len(positions) - 1 + slop))


def _has_phrase(match: Match) -> bool:
    if isinstance(match, AllOf | AnyOf | AtLeast):
        return any(_has_phrase(p) for p in match.parts)
    return isinstance(match, Phrase)


def _filtered(view: IndexView, request: SearchRequest, mask: np.ndarray) -> np.ndarray:
    for field_name, keys in request.filters:
        ordered, docs, codes = view.facet(field_name)
        accepted = set(keys)
        wanted = np.isin(codes, [i for i, k in enumerate(ordered) if k in accepted])
        chosen = np.zeros(view.size, bool)
        chosen[docs[wanted]] = True
        mask &= chosen
    schema = view.searcher.schema
    # Undated articles sort as year 1 in newest_first and year 9999 in oldest_first: no range holds them.
    if request.published_from is not None:
        mask &= view.column("newest_first") >= schema["newest_first"].to_column_value(request.published_from)
    if request.published_before is not None:
        mask &= view.column("oldest_first") < schema["oldest_first"].to_column_value(request.published_before)
    if request.undated_only:
        mask &= view.column("newest_first") == schema["newest_first"].to_column_value(UNDATED_NEWEST)
    return mask


def _facet_counts(view: IndexView, request: SearchRequest, mask: np.ndarray) -> dict[str, list[tuple[str, int]]]:
    counts = {}
    for field_name in request.facets:
        ordered, docs, codes = view.facet(field_name)
        tally = np.bincount(codes[mask[docs]], minlength=len(ordered))
        found = np.flatnonzero(tally)
        best = sorted(zip(found.tolist(), tally[found].tolist(), strict=True), key=lambda p: (-p[1], ordered[p[0]]))
        counts[field_name] = [(ordered[i], n) for i, n in best[: request.facet_limit or None]]
    return counts


def _first(matches: np.ndarray, keys: np.ndarray, count: int, newest: bool = False) -> np.ndarray:
    """The first `count` of `matches` by `keys` (smallest first), ties in index order; newest
    first reverses that too, so of undated articles the last added come first."""
    if count < len(matches):  # only the first `count` need sorting
        cut = np.partition(keys, count - 1)[count - 1]
        within = keys <= cut
        matches, keys = matches[within], keys[within]
    order = np.lexsort((-matches if newest else matches, keys))
    return matches[order][:count]


def _ordered(scorer: _Scorer, request: SearchRequest, matches: np.ndarray, score: np.ndarray) -> np.ndarray:
    """The page's document numbers: best score first (the phrases weighed on the first RERANK), or by date."""
    wanted = request.offset + request.limit
    if request.sort != "relevance":
        column = scorer.view.column("newest_first" if request.sort == "newest" else "oldest_first")[matches]
        newest = request.sort == "newest"
        return _first(matches, -column if newest else column, wanted, newest)[request.offset :]
    # A phrase's occurrences are read on the head only, unless matching asked for them already.
    costly = tuple(b for b in request.ranking if _has_phrase(b.match) and not scorer.known(b.match))
    score = scorer.boosted(tuple(b for b in request.ranking if b not in costly), score)
    ranked = _first(matches, -score[matches], max(wanted, RERANK))
    if costly:
        head = ranked[:RERANK]
        on_head = scorer.on(head)
        assert on_head.docs is not None
        final = on_head.boosted(costly, score[on_head.docs])
        head = _first(on_head.docs, -final, len(head))
        ranked = np.concatenate([head, ranked[RERANK:]])
    return ranked[request.offset : wanted]


def execute(view: IndexView, request: SearchRequest, key_of) -> SearchResult:
    scorer = _Scorer(view)
    mask, score = scorer(request.required)
    mask = _filtered(view, request, mask & view.alive)
    matches = np.flatnonzero(mask)
    page = _ordered(scorer, request, matches, score) if request.limit and len(matches) else matches[:0]
    ids = [key_of(view.searcher.stored_fields(int(docnum))) for docnum in page]
    reported = []
    if request.report and len(page):  # what the page's documents match: a phrase's positions read for them only
        on_page = scorer.on(page)
        assert on_page.docs is not None
        at = np.searchsorted(on_page.docs, page)
        reported = [on_page(m)[0][at] for m in request.report]
    return SearchResult(
        ids=ids,
        count=len(matches),
        facets=_facet_counts(view, request, mask),
        tallies=[int(np.count_nonzero(scorer(m)[0] & mask)) for m in request.tally],
        present=[tuple(bool(r[i]) for r in reported) for i in range(len(page))],
    )
