"""A search.plan request evaluated over a Whoosh index with array arithmetic.

Whoosh's own matchers score one document at a time in Python, so a common word costs as much
as the number of articles it is in, once per clause. Here each term's postings are read once
into arrays (ids and frequencies, kept per segment: segments never change, only their deletions
do) and a query is a few array operations over every document at once: masks for what matches,
BM25 scores (Whoosh's formula and statistics) for the ranking, a bincount per facet.

IndexView(searcher, index_key): one generation of the index (keep it while the searcher is up to
date: its per-document arrays are built once). execute(view, request, key_of) -> SearchResult,
where `key_of(stored_fields)` turns a document's stored fields into the article id.
"""

import math
from dataclasses import dataclass, field

import numpy as np
from whoosh.query import Phrase as WhooshPhrase

from search.plan import AllOf, AnyOf, Boost, Everything, Match, Not, Phrase, SearchRequest, SearchResult, Term

B, K1 = 0.75, 1.2  # Whoosh's BM25F defaults, which the index was always scored with
MAX_CACHED_POSTINGS = 12_000_000  # per process: about 100 MB of arrays


@dataclass
class _SegmentArrays:
    """What is read once from a segment: its postings, field lengths, sort columns and facets."""

    postings: dict[tuple[str, str], tuple[np.ndarray, np.ndarray]] = field(default_factory=dict)
    lengths: dict[str, np.ndarray] = field(default_factory=dict)
    columns: dict[str, np.ndarray] = field(default_factory=dict)
    facets: dict[str, tuple[list[str], np.ndarray, np.ndarray]] = field(default_factory=dict)
    cached: int = 0  # postings held


_segments: dict[tuple[str, str], _SegmentArrays] = {}


def _read_postings(reader, field_name: str, text: str) -> tuple[np.ndarray, np.ndarray]:
    """Every (document, frequency) of a term in one segment. Whoosh's block reader is private API
    (Whoosh 2.7 is final): blocks come whole instead of one posting per Python call."""
    if (field_name, text) not in reader:
        return np.empty(0, np.int32), np.empty(0)
    matcher = reader.postings(field_name, text)
    ids, weights = [], []
    if hasattr(matcher, "_read_ids"):
        while matcher.is_active():
            matcher._read_ids()
            matcher._read_weights()
            ids.append(np.asarray(matcher._ids, np.int32))
            weights.append(np.asarray(matcher._weights, np.float64))
            matcher._next_block()
    else:  # postings inlined in the term's entry: a handful
        while matcher.is_active():
            ids.append(np.array([matcher.id()], np.int32))
            weights.append(np.array([matcher.weight()], np.float64))
            matcher.next()
    if not ids:
        return np.empty(0, np.int32), np.empty(0)
    return np.concatenate(ids), np.concatenate(weights)


class IndexView:
    """One generation of the index: its segments' arrays side by side, as Whoosh numbers documents."""

    def __init__(self, searcher, index_key: str):
        self.searcher = searcher
        self.leaves = []
        for reader, offset in searcher.reader().leaf_readers():
            key = (index_key, reader.segment().segment_id())
            self.leaves.append((reader, offset, _segments.setdefault(key, _SegmentArrays())))
        live = {(index_key, reader.segment().segment_id()) for reader, _o in searcher.reader().leaf_readers()}
        for key in [k for k in _segments if k[0] == index_key and k not in live]:
            del _segments[key]  # merged away or deleted
        self.size = searcher.doc_count_all()
        self.alive = np.ones(self.size, bool)
        for reader, offset, _arrays in self.leaves:
            if reader.has_deletions():
                self.alive[offset + np.fromiter(reader.segment().deleted_docs(), np.int64)] = False
        self._lengths: dict[str, np.ndarray] = {}
        self._columns: dict[str, np.ndarray] = {}
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
        return np.concatenate(ids), np.concatenate(weights)

    def _per_document(self, cache: dict, name: str, read, dtype) -> np.ndarray:
        if name not in cache:
            parts = []
            for reader, _offset, arrays in self.leaves:
                kept = getattr(arrays, "lengths" if cache is self._lengths else "columns")
                if name not in kept:
                    kept[name] = np.fromiter(read(reader), dtype, count=reader.doc_count_all())
                parts.append(kept[name])
            cache[name] = np.concatenate(parts) if parts else np.empty(0, dtype)
        return cache[name]

    def lengths(self, field_name: str) -> np.ndarray:
        def read(reader):
            return ((reader.doc_field_length(n, field_name) or 1) for n in range(reader.doc_count_all()))

        return self._per_document(self._lengths, field_name, read, np.float64)

    def column(self, field_name: str) -> np.ndarray:
        def read(reader):
            return iter(reader.column_reader(field_name, translate=False))

        return self._per_document(self._columns, field_name, read, np.int64)

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
            self._facets[field_name] = (ordered, np.concatenate(docs), np.concatenate(codes))
        return self._facets[field_name]


class _Scorer:
    """(mask, score) of a plan's match over every document of a view."""

    def __init__(self, view: IndexView):
        self.view = view
        self.searcher = view.searcher

    def term(self, field_name: str, text: str) -> tuple[np.ndarray, np.ndarray]:
        view, size = self.view, self.view.size
        mask, score = np.zeros(size, bool), np.zeros(size)
        if field_name not in self.searcher.schema:
            return mask, score
        ids, weights = view.postings(field_name, text)
        mask[ids] = True
        if self.searcher.schema[field_name].scorable and len(ids):
            idf = math.log(self.searcher.doc_count_all() / (len(ids) + 1)) + 1
            average = self.searcher.avg_field_length(field_name) or 1
            lengths = view.lengths(field_name)[ids]
            score[ids] = idf * (weights * (K1 + 1)) / (weights + K1 * ((1 - B) + B * lengths / average))
        return mask, score

    def __call__(self, match: Match) -> tuple[np.ndarray, np.ndarray]:
        size = self.view.size
        if isinstance(match, Term):
            return self.term(match.field, match.text)
        if isinstance(match, Phrase):
            terms = [self.term(match.field, w) for w in match.words]
            candidates = np.logical_and.reduce([m for m, _s in terms])
            mask = np.zeros(size, bool)
            if candidates.any():
                found = self.searcher.docs_for_query(WhooshPhrase(match.field, list(match.words)))
                mask[np.fromiter(found, np.int64)] = True
            return mask, np.sum([s for _m, s in terms], axis=0) * mask
        if isinstance(match, AllOf | AnyOf):
            parts = [self(p) for p in match.parts]
            combine = np.logical_and if isinstance(match, AllOf) else np.logical_or
            mask = combine.reduce([m for m, _s in parts])
            return mask, np.sum([s for _m, s in parts], axis=0) * mask
        if isinstance(match, Not):
            return ~self(match.part)[0], np.zeros(size)
        assert isinstance(match, Everything)
        return np.ones(size, bool), np.zeros(size)

    def boosted(self, ranking: tuple[Boost, ...], score: np.ndarray) -> np.ndarray:
        for boost in ranking:
            score = score + boost.weight * self(boost.match)[1]
        return score


def _filtered(view: IndexView, request: SearchRequest, mask: np.ndarray) -> np.ndarray:
    for field_name, keys in request.filters:
        ordered, docs, codes = view.facet(field_name)
        keys = set(keys)
        wanted = np.isin(codes, [i for i, k in enumerate(ordered) if k in keys])
        chosen = np.zeros(view.size, bool)
        chosen[docs[wanted]] = True
        mask &= chosen
    schema = view.searcher.schema
    # Undated articles sort as year 1 in newest_first and year 9999 in oldest_first: no range holds them.
    if request.published_from is not None:
        mask &= view.column("newest_first") >= schema["newest_first"].to_column_value(request.published_from)
    if request.published_before is not None:
        mask &= view.column("oldest_first") < schema["oldest_first"].to_column_value(request.published_before)
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


def _ordered(view: IndexView, request: SearchRequest, matches: np.ndarray, score: np.ndarray) -> np.ndarray:
    """The page's document numbers: best score first, or by date."""
    wanted = request.offset + request.limit
    if request.sort == "relevance":
        keys = -score[matches]
    else:
        column = view.column("newest_first" if request.sort == "newest" else "oldest_first")[matches]
        keys = -column if request.sort == "newest" else column
    if wanted < len(matches):  # only the first `wanted` need sorting
        cut = np.partition(keys, wanted - 1)[wanted - 1]
        within = keys <= cut
        matches, keys = matches[within], keys[within]
    # Ties in index order; newest first reverses it too, so of undated articles the last added come first.
    order = np.lexsort((-matches if request.sort == "newest" else matches, keys))
    return matches[order][request.offset : wanted]


def execute(view: IndexView, request: SearchRequest, key_of) -> SearchResult:
    scorer = _Scorer(view)
    mask, score = scorer(request.required)
    mask = _filtered(view, request, mask & view.alive)
    matches = np.flatnonzero(mask)
    if request.sort == "relevance" and len(matches):
        score = scorer.boosted(request.ranking, score)
    page = _ordered(view, request, matches, score) if request.limit else matches[:0]
    ids = [key_of(view.searcher.stored_fields(int(docnum))) for docnum in page]
    return SearchResult(ids=ids, count=len(matches), facets=_facet_counts(view, request, mask))
