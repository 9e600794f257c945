"""A search.plan request evaluated over a Whoosh index with array arithmetic.

Whoosh's own matchers score one document at a time in Python, so a common word costs as much
as the number of articles it is in, once per clause. Here each term's postings are read once
into arrays (ids and frequencies, kept per segment: segments never change, only their deletions
do) and a query is a few array operations over every document at once: masks for what matches,
BM25 scores (Whoosh's formula and statistics) for the ranking, a bincount per facet. The
ranking's phrases (the query's words standing together) need positions, which are costly to
read: they are weighed on the RERANK best documents by the other clauses only, and a deep
request's constant tiers (which outrank any score) on the TIER_RERANK best.

IndexView(searcher, index_key): one generation of the index (keep it while the searcher is up to
date: its per-document arrays are built once). execute(view, request, key_of) -> SearchResult,
where `key_of(stored_fields)` turns a document's stored fields into the article id.
"""

import math
import pickle
import time
from dataclasses import dataclass, field
from itertools import chain

import numpy as np
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
MAX_CACHED = 48_000_000  # postings (8 bytes each) and positions (4 bytes) held per process: at most 350 MB
WARM_FIELDS = {"text_folded": True, "title_folded": False, "text": False}  # what searches read: with positions?
RERANK = 1000  # documents whose positions are read to weigh the ranking's phrases (50 pages)
TIER_RERANK = 5000  # and a deep request's constant tiers: a misremembered phrase's article past 1,000 was lost
SCORED_MAX = 16_000_000  # scores kept per view for any-of-terms matches (12 bytes a posting, 8 a document): <= 192 MB
# postings and positions (entries) of every segment side by side, kept per view for the terms
# searched: at most 60 MB (a posting 8 bytes, 16 with where its positions start; a position 4)
JOINED_MAX = 6_000_000
FEW_MATCHES = 16  # matches below 1/16 of the documents have their facets counted from their own entries


Postings = tuple[np.ndarray, np.ndarray]  # (document numbers, frequencies) in one segment
# (where each posting's positions start in the second array, and one past the last; the positions)
Positions = tuple[np.ndarray, np.ndarray]


@dataclass
class _SegmentArrays:
    """What is read once from a segment: its postings, field lengths, sort columns and facets."""

    postings: dict[tuple[str, str], Postings] = field(default_factory=dict)
    positions: dict[tuple[str, str], Positions] = field(default_factory=dict)
    per_document: dict[tuple[str, str], np.ndarray] = field(default_factory=dict)  # ("length"|"column", field)
    facets: dict[str, tuple[list[str], np.ndarray, np.ndarray]] = field(default_factory=dict)
    vocabulary: dict[str, dict[str, int]] = field(default_factory=dict)  # field -> its terms, documents holding each
    keys: dict[int, int] = field(default_factory=dict)  # document number -> its article, as read so far
    cached: int = 0  # postings and positions held


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


def _read_term(reader, field_name: str, text: str, positions: bool) -> tuple[Postings, Positions | None]:
    """A term's postings in one segment, a block at a time, and with `positions` where it
    stands in each document (read from the same blocks)."""
    ids: list[np.ndarray] = []
    weights: list[np.ndarray] = []
    values: list[bytes] = []
    if (field_name, text) in reader:
        matcher = reader.postings(field_name, text)
        if hasattr(matcher, "_read_data"):
            while matcher.is_active():
                block_ids, block_weights, block_values = _block(matcher)
                ids.append(block_ids)
                weights.append(block_weights)
                values.extend(block_values if positions else ())
                matcher._next_block()
        else:  # postings inlined in the term's entry: a handful
            while matcher.is_active():
                ids.append(np.array([matcher.id()], np.int32))
                weights.append(np.array([matcher.weight()], np.float32))
                values.extend([matcher.value()] if positions else ())
                matcher.next()
    if not ids:
        ids, weights = [np.empty(0, np.int32)], [np.empty(0, np.float32)]
    return (np.concatenate(ids), np.concatenate(weights)), _decoded(values) if positions else None


def _decoded(values: list[bytes]) -> Positions:
    """Positions values, side by side. Each is a 4-byte count, then the pickled position deltas
    (Whoosh's decode_positions, a document at a time)."""
    deltas = [pickle.loads(v[_INT_SIZE:] if v.endswith(b".") else v[_INT_SIZE:] + b".") for v in values]
    starts = np.zeros(len(deltas) + 1, np.int64)
    np.cumsum([len(d) for d in deltas], out=starts[1:])
    running = np.zeros(int(starts[-1]) + 1, np.int64)
    np.cumsum(np.fromiter(chain.from_iterable(deltas), np.int64, count=int(starts[-1])), out=running[1:])
    counts = np.diff(starts)
    return starts, (running[1:] - np.repeat(running[starts[:-1]], counts)).astype(np.int32)


def _per_document(places: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(each document of `places`, ascending (document, position) numbers, how many it has)."""
    docs = places >> 32
    first = np.flatnonzero(np.concatenate(([True], docs[1:] != docs[:-1]))) if len(docs) else docs[:0]
    return docs[first], np.diff(np.append(first, len(docs)))


def _common(ascending: np.ndarray, others: np.ndarray) -> np.ndarray:
    """The values of `others` (ascending) that `ascending` holds too, each once."""
    if not len(ascending) or not len(others):
        return others[:0]
    others = others[np.concatenate(([True], others[1:] != others[:-1]))]
    return others[_where(ascending, others)[0]]


def _where(ascending: np.ndarray, values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(whether `ascending` holds each of `values`, where it is or would be)."""
    at = np.searchsorted(ascending, values)
    if not len(ascending):
        return np.zeros(len(values), bool), at
    return ascending[np.minimum(at, len(ascending) - 1)] == values, at


class _Bounded(dict):
    """Values kept for a view, with how many entries (array items) they hold in all."""

    held = 0

    def keep(self, key, value, size: int, limit: int) -> None:
        """Keep `value` (`size` entries); past `limit` entries in all, what was kept is dropped first."""
        if self.held + size > limit:
            self.clear()
        self[key] = value
        self.held += size

    def clear(self) -> None:
        super().clear()
        self.held = 0


@dataclass
class _Derived:
    """What views of the same segments and deletions work out alike (joined postings, scores,
    per-document arrays, facets, statistics): kept with the last view (`_derived`) for the next
    view of them, so the workers a server forks after its warm-up start with what the warm-up
    worked out (they share it until they change it), and a searcher reopened on an unchanged
    index finds it."""

    per_document: dict[tuple[str, str], np.ndarray] = field(default_factory=dict)  # ("length"|"column", field)
    facets: dict[str, tuple[list[str], np.ndarray, np.ndarray]] = field(default_factory=dict)
    scored: _Bounded = field(default_factory=_Bounded)  # (field, term) -> (document numbers, scores)
    joined: _Bounded = field(default_factory=_Bounded)  # (field, term) -> (postings, positions or None)
    averages: dict[str, float] = field(default_factory=dict)
    document_frequencies: dict[str, dict[str, int]] = field(default_factory=dict)
    by_document: dict[str, tuple[np.ndarray, np.ndarray]] = field(default_factory=dict)


_derived: dict[tuple[str, tuple], _Derived] = {}  # (index, its segments and deletions) of the last view: its own


def _ragged(starts: np.ndarray, ends: np.ndarray) -> np.ndarray:
    """The indices start..end-1 of each (start, end), one after another."""
    lengths = ends - starts
    first = np.repeat(starts - np.concatenate(([0], np.cumsum(lengths)[:-1])), lengths)
    return first + np.arange(int(lengths.sum()))


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
        generation = tuple((r.segment().segment_id(), r.segment().deleted_count()) for r, _offset, _a in self.leaves)
        derived = _derived.get((index_key, generation))
        if derived is None:  # what the last view worked out, of other segments (or index): dropped
            _derived.clear()
            derived = _derived[(index_key, generation)] = _Derived()
        self._per_document = derived.per_document
        self._facets = derived.facets
        self._scored = derived.scored
        self._all = derived.joined
        self._averages = derived.averages
        self._document_frequencies = derived.document_frequencies
        self._by_document = derived.by_document

    def _kept(
        self, reader, arrays: _SegmentArrays, key: tuple[str, str], positions: bool = False
    ) -> tuple[Postings, Positions | None]:
        """A term's postings (and positions) in one segment, kept with it while the process holds
        fewer than MAX_CACHED entries (past that, every segment's are dropped and read again)."""
        postings, where = arrays.postings.get(key), arrays.positions.get(key)
        if postings is None or (positions and where is None):
            postings, where = _read_term(reader, *key, positions)
            added = (0 if key in arrays.postings else len(postings[1])) + (len(where[1]) if where else 0)
            if _held() + added > MAX_CACHED:
                for other in _segments.values():
                    other.postings.clear()
                    other.positions.clear()
                    other.cached = 0
                added = len(postings[1]) + (len(where[1]) if where else 0)
            arrays.postings[key] = postings
            if where is not None:
                arrays.positions[key] = where
            arrays.cached += added
        return postings, where

    def _joined(self, key: tuple[str, str], positions: bool = False) -> tuple[Postings, Positions | None]:
        """A term's postings (and positions) of every segment side by side, numbered as the view
        numbers documents: joined once for this view (a query asks for its words again and again:
        each phrase, on each head), while it holds fewer than JOINED_MAX."""
        found = self._all.get(key)
        if found is None or (positions and found[1] is None):
            ids, weights = [np.empty(0, np.int32)], [np.empty(0, np.float32)]
            starts, flat, held = [np.zeros(1, np.int64)], [np.empty(0, np.int32)], 0  # held: positions so far
            for reader, offset, arrays in self.leaves:
                (seg_ids, seg_weights), where = self._kept(reader, arrays, key, positions)
                ids.append(seg_ids + offset)
                weights.append(seg_weights)
                if where is not None:
                    starts.append(where[0][1:] + held)
                    flat.append(where[1])
                    held += len(where[1])
            found = (
                (np.concatenate(ids), np.concatenate(weights)),
                (np.concatenate(starts), np.concatenate(flat)) if positions else None,
            )
            size = len(found[0][0]) + (len(found[1][1]) if found[1] is not None else 0)
            self._all.keep(key, found, size, JOINED_MAX)
        return found

    def postings(self, field_name: str, text: str) -> Postings:
        return self._joined((field_name, text))[0]

    def positions(self, field_name: str, text: str, docs: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(document, position) of each occurrence of a term in `docs` (sorted document numbers),
        by document then position."""
        (ids, _weights), where = self._joined((field_name, text), positions=True)
        assert where is not None
        starts, flat = where
        held, at = _where(ids, docs)
        at = at[held]
        places = flat[_ragged(starts[at], starts[at + 1])]
        return np.repeat(docs[held].astype(np.int64), starts[at + 1] - starts[at]), places

    def scored(self, key: tuple[str, str], compute) -> tuple[np.ndarray | None, np.ndarray]:
        """A term's (document numbers, scores), `compute(*key)` once for this view (the statistics
        its scores use are the view's): an article's related ones ask for the same common words as
        the last article's. Past SCORED_MAX scores, all of them are dropped and computed again."""
        found = self._scored.get(key)
        if found is None:
            found = compute(*key)
            self._scored.keep(key, found, len(found[1]), SCORED_MAX)
        return found

    def key(self, docnum: int, key_of) -> int:
        """The article of a document number (`key_of(its stored fields)`), read once."""
        for reader, offset, arrays in self.leaves:
            if offset <= docnum < offset + reader.doc_count_all():
                if docnum - offset not in arrays.keys:
                    arrays.keys[docnum - offset] = key_of(reader.stored_fields(docnum - offset))
                return arrays.keys[docnum - offset]
        raise IndexError(docnum)

    def read(self, field_name: str, text: str, positions: bool) -> None:
        """Keep a term's postings (and positions) of every segment."""
        for reader, _offset, arrays in self.leaves:
            self._kept(reader, arrays, (field_name, text), positions)

    def _vocabulary(self, reader, arrays: _SegmentArrays, field_name: str) -> dict[str, int]:
        """A segment's terms of a field and how many of its documents hold each, read once (about
        1 s for a segment of 6,000 articles: server warm-ups read it for WARM_FIELDS)."""
        if field_name not in arrays.vocabulary:
            held = {}
            if field_name in reader.indexed_field_names():
                decode = reader.schema[field_name].from_bytes  # the dictionary holds them as bytes
                held = {decode(term): info.doc_frequency() for term, info in reader.iter_field(field_name)}
            arrays.vocabulary[field_name] = held
        return arrays.vocabulary[field_name]

    def document_frequencies(self, field_name: str) -> dict[str, int]:
        """How many documents hold each term of a field: every segment's summed once per view
        (15 ms for the folded text's 55,000 terms at 35,000 articles)."""
        if field_name not in self._document_frequencies:
            found: dict[str, int] = {}
            for reader, _offset, arrays in self.leaves:
                for term, n in self._vocabulary(reader, arrays, field_name).items():
                    found[term] = found.get(term, 0) + n
            self._document_frequencies[field_name] = found
        return self._document_frequencies[field_name]

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

    def frequencies(self, field_name: str, terms) -> dict[str, int]:
        """How many documents hold each of `terms` that the index knows: a few hundred spellings to
        try cost a dictionary lookup each."""
        held = self.document_frequencies(field_name)
        return {term: held[term] for term in held.keys() & terms}

    def average_length(self, field_name: str) -> float:
        """A scored field's average length (Whoosh's, summed over the segments: once per view)."""
        if field_name not in self._averages:
            self._averages[field_name] = self.searcher.avg_field_length(field_name) or 1
        return self._averages[field_name]

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

    def facet_by_document(self, field_name: str) -> tuple[np.ndarray, np.ndarray]:
        """facet()'s key index of each entry, by document, and where each document's entries start
        (one past the last document's last at the end): a few matches' keys without a look at every entry."""
        if field_name not in self._by_document:
            _ordered, docs, codes = self.facet(field_name)
            order = np.argsort(docs, kind="stable")
            starts = np.searchsorted(docs[order], np.arange(self.size + 1))
            self._by_document[field_name] = codes[order], starts
        return self._by_document[field_name]


class _Scorer:
    """(mask, score) of a plan's match over every document of a view, or over `docs` only
    (`on(docs)`: there a phrase is weighed by its occurrences, read from the positions). Every
    match is worked out document by document, so over some documents it is what it is over more
    of them, taken at those: a scorer over `docs` takes what the scorers it was made from worked
    out already (the matches' tallies, on the ranked head; a word over every document), but a
    phrase over every document, which is scored as its words."""

    def __init__(self, view: IndexView, docs: np.ndarray | None = None, parent: "_Scorer | None" = None):
        self.view = view
        self.searcher = view.searcher
        self.docs = docs
        self.parent = parent
        self._done: dict[Match, tuple[np.ndarray, np.ndarray]] = {}  # a query repeats its words and phrases
        self._at: dict[int, np.ndarray] = {}  # id(a scorer above) -> where each of `docs` is in its docs

    def on(self, docs: np.ndarray, ascending: bool = False) -> "_Scorer":
        """A scorer over `docs`, some of this one's documents (`ascending`: already sorted)."""
        return _Scorer(self.view, docs if ascending else np.sort(docs), self)

    def _root(self) -> "_Scorer":
        return self if self.parent is None else self.parent._root()

    def _taken(self, above: "_Scorer", match: Match) -> tuple[np.ndarray, np.ndarray]:
        """What a scorer above (over more documents) worked out for `match`, taken at `docs`."""
        assert self.docs is not None
        if id(above) not in self._at:
            self._at[id(above)] = self.docs if above.docs is None else np.searchsorted(above.docs, self.docs)
        at = self._at[id(above)]
        mask, score = above._done[match]
        return mask[at], score[at]

    def _above(self, match: Match) -> "_Scorer | None":
        """The nearest scorer above that worked out `match` as this one would."""
        above = self.parent
        while above is not None and match not in above._done:
            above = above.parent
        if above is not None and above.docs is None and _has_phrase(match):
            return None
        return above

    def _bm25(self, field_name: str, df: float, tf: np.ndarray, ids: np.ndarray) -> np.ndarray:
        idf = math.log(self.view.size / (df + 1)) + 1
        lengths = self.view.lengths(field_name)[ids]
        return idf * (tf * (K1 + 1)) / (tf + K1 * ((1 - B) + B * lengths / self.view.average_length(field_name)))

    def _empty(self) -> tuple[np.ndarray, np.ndarray]:
        size = self.view.size if self.docs is None else len(self.docs)
        return np.zeros(size, bool), np.zeros(size)

    def term(self, field_name: str, text: str) -> tuple[np.ndarray, np.ndarray]:
        mask, score = self._empty()
        if field_name not in self.searcher.schema:
            return mask, score
        if self.docs is None:  # every document: the term's scores as kept with the view (a search asks again)
            ids, scores = self.view.scored((field_name, text), self._summand)
            if ids is None:  # a term most documents hold: its score in every one, above 0 where it is
                return scores > 0, scores.copy()
            mask[ids] = True
            score[ids] = scores
            return mask, score
        ids, weights = self.view.postings(field_name, text)
        df = len(ids)
        if len(ids) <= len(self.docs):  # the postings of `docs`, at their places in it
            held, places = _where(self.docs, ids)
            ids, weights, places = ids[held], weights[held], places[held]
        else:  # the same, looked up the other way: fewer of `docs` than postings
            held, at = _where(ids, self.docs)
            ids, weights, places = ids[at[held]], weights[at[held]], np.flatnonzero(held)
        mask[places] = True
        if self.searcher.schema[field_name].scorable and len(ids):
            score[places] = self._bm25(field_name, df, weights, ids)
        return mask, score

    def _any_term(self, terms: list[Term]) -> tuple[np.ndarray, np.ndarray]:
        """Any of `terms` over every document, from their postings alone (not an array of every
        document per term: an article's related ones ask for a few dozen common words), but a
        term most documents hold, whose every document's score is one array (_summand): the
        same sums as term() of each added up, in the same order (adding a 0 changes no sum). A
        term of a scored field scores more than 0 wherever it is, so the sums say what matches."""
        summed, unscored = np.zeros(self.view.size), np.zeros(self.view.size, bool)
        for term in terms:
            if term.field not in self.searcher.schema:
                continue
            found, score = self.view.scored((term.field, term.text), self._summand)
            if found is None:
                summed += score
            else:
                summed[found] += score
                if not self.searcher.schema[term.field].scorable:
                    unscored[found] = True
        return (summed > 0) | unscored, summed

    def _summand(self, field_name: str, text: str) -> tuple[np.ndarray | None, np.ndarray]:
        """_term_scores, or for a scored term that half the documents or more hold (None, its
        score in every document, 0 where it is not): added up in one step, in less memory past 2/3."""
        found, score = self._term_scores(field_name, text)
        if not self.searcher.schema[field_name].scorable or 2 * len(found) < self.view.size:
            return found, score
        every = np.zeros(self.view.size)
        every[found] = score
        return None, every

    def _term_scores(self, field_name: str, text: str) -> tuple[np.ndarray, np.ndarray]:
        """Every document holding a term, and the term's score in each (0 in a field not scored)."""
        found, weights = self.view.postings(field_name, text)
        if self.searcher.schema[field_name].scorable and len(found):
            return found, self._bm25(field_name, len(found), weights, found)
        return found, np.zeros(len(found))

    def _occurrences(self, match: Phrase, candidates: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(the documents of `candidates` where the phrase's words stand together, how often);
        with `slop`, where they stand in this order with at most that many others between them."""
        if match.slop:
            return self._in_order(match, candidates)
        together = None
        for i, word in enumerate(match.words):
            docs, positions = self.view.positions(match.field, word, candidates)
            # (document, where the phrase would start) as one number, the first word's position:
            # ascending, as documents and positions come
            starts = (docs << 32) + positions - i
            together = starts[positions >= i] if together is None else _common(together, starts)
        assert together is not None
        return _per_document(together)

    def _in_order(self, match: Phrase, candidates: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """From each place of the first word, the nearest later place of each next word in the same
        document; an occurrence where they span at most the words and `slop` others."""
        start = current = None
        for word in match.words:
            docs, positions = self.view.positions(match.field, word, candidates)
            places = (docs << 32) + positions  # (document, position) as one number, ascending
            if start is None or current is None:
                start = current = places
                continue
            at = np.searchsorted(places, current, side="right")
            inside = at < len(places)
            start, current = start[inside], places[at[inside]]
            same = (current >> 32) == (start >> 32)
            start, current = start[same], current[same]
        assert start is not None and current is not None
        return _per_document(start[current - start <= len(match.words) - 1 + match.slop])

    def phrase(self, match: Phrase) -> tuple[np.ndarray, np.ndarray]:
        """Over `docs`: how often the words stand together (with `slop`: in order, that many others
        between them at most), scored as a term of that frequency."""
        assert self.docs is not None
        mask, score = self._empty()
        words = [self(Term(match.field, w))[0] for w in match.words]
        candidates = self.docs[np.logical_and.reduce(words)]
        if not len(candidates):
            return mask, score
        found, counts = self._occurrences(match, candidates)
        places = np.searchsorted(self.docs, found)
        mask[places] = True
        score[places] = self._bm25(match.field, self._phrase_frequency(match), counts.astype(float), found)
        return mask, score

    def _phrase_frequency(self, match: Phrase) -> float:
        """How many documents hold the phrase, estimated as if its words fell independently:
        counting it exactly would read the positions of every document holding them all."""
        estimate = float(self.view.size)  # the searcher's documents, counted once for the view
        for word in match.words:
            estimate *= len(self.view.postings(match.field, word)[0]) / max(self.view.size, 1)
        return max(estimate, 1.0)

    def known(self, match: Match) -> bool:
        """Whether `match` was evaluated already (a required phrase, say)."""
        return match in self._done

    def __call__(self, match: Match) -> tuple[np.ndarray, np.ndarray]:
        if match not in self._done:
            above = self._above(match) if self.docs is not None else None
            self._done[match] = self._taken(above, match) if above is not None else self._evaluate(match)
        return self._done[match]

    def _evaluate(self, match: Match) -> tuple[np.ndarray, np.ndarray]:
        if isinstance(match, Term) and self.docs is not None and len(self.docs) * FEW_MATCHES >= self.view.size:
            root = self._root()  # many documents: over every one (from the scores kept with the view), taken at these
            root(match)
            return self._taken(root, match)
        if isinstance(match, Term):
            return self.term(match.field, match.text)
        if isinstance(match, Phrase) and self.docs is not None:
            return self.phrase(match)
        if isinstance(match, Phrase):  # required: where the words stand together, scored as the words
            assert not match.slop, "a phrase with slop is weighed on the ranked head (or a page) only"
            terms = [self.term(match.field, w) for w in match.words]
            mask = np.zeros(self.view.size, bool)
            candidates = np.flatnonzero(np.logical_and.reduce([m for m, _s in terms]))
            if len(candidates):
                mask[self._occurrences(match, candidates)[0]] = True
            return mask, np.sum([s for _m, s in terms], axis=0) * mask
        if isinstance(match, AnyOf) and self.docs is None and all(isinstance(p, Term) for p in match.parts):
            return self._any_term([p for p in match.parts if isinstance(p, Term)])
        if isinstance(match, AllOf):
            parts = []
            for part in match.parts:  # a part nothing matches: the rest (their positions) left unread
                parts.append(self(part))
                if not parts[-1][0].any():
                    return self._empty()
            mask = np.logical_and.reduce([m for m, _s in parts])
            return mask, np.sum([s for _m, s in parts], axis=0) * mask
        if isinstance(match, AnyOf):
            parts = [self(p) for p in match.parts]
            mask = np.logical_or.reduce([m for m, _s in parts])
            return mask, np.sum([s for _m, s in parts], axis=0) * mask
        if isinstance(match, AtLeast):
            parts = [self(p) for p in match.parts]
            mask = np.sum([m for m, _s in parts], axis=0) >= match.count
            return mask, np.sum([s for _m, s in parts], axis=0) * mask
        if isinstance(match, Not):
            return ~self(match.part)[0], self._empty()[1]
        assert isinstance(match, Everything)
        return ~self._empty()[0], self._empty()[1]

    def matching(self, match: Match) -> np.ndarray:
        """The mask of `match` alone (a constant tier weighs no score): any-of, all-of and at-least
        from their parts' masks, a word over every document from its postings."""
        if match in self._done or (self.docs is not None and self._above(match) is not None):
            return self(match)[0]
        if isinstance(match, Term) and self.docs is None:
            mask = self._empty()[0]
            if match.field in self.searcher.schema:
                mask[self.view.postings(match.field, match.text)[0]] = True
            return mask
        if isinstance(match, AnyOf):
            return np.logical_or.reduce([self.matching(p) for p in match.parts])
        if isinstance(match, AtLeast):
            return np.sum([self.matching(p) for p in match.parts], axis=0) >= match.count
        if isinstance(match, AllOf):
            mask = self.matching(match.parts[0])
            for part in match.parts[1:]:  # after a part nothing matches, the rest (their positions) left unread
                if not mask.any():
                    break
                mask = mask & self.matching(part)
            return mask
        return self(match)[0]

    def boosted(self, ranking: tuple[Boost, ...], score: np.ndarray) -> np.ndarray:
        root = self._root()
        for boost in ranking:
            # One that matching worked out over every document (there a phrase scores as its words) weighs as there.
            if self.docs is not None and root.known(boost.match):
                mask, boost_score = self._taken(root, boost.match)
                raised = mask if boost.constant else boost_score
            else:
                raised = self.matching(boost.match) if boost.constant else self(boost.match)[1]
            score = score + boost.weight * raised
        return score


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


def _facet_counts(
    view: IndexView, request: SearchRequest, mask: np.ndarray, matches: np.ndarray
) -> dict[str, list[tuple[str, int]]]:
    counts = {}
    for field_name in request.facets:
        ordered, docs, codes = view.facet(field_name)
        if len(matches) * FEW_MATCHES < view.size:  # a few: their own entries
            by_document, starts = view.facet_by_document(field_name)
            held = by_document[_ragged(starts[matches], starts[matches + 1])]
        else:
            held = codes[mask[docs]]
        tally = np.bincount(held, minlength=len(ordered))
        found = np.flatnonzero(tally)
        best = found[np.lexsort((found, -tally[found]))]  # most first, then by key: `ordered` is sorted
        counts[field_name] = [(ordered[i], int(tally[i])) for i in best[: request.facet_limit or None].tolist()]
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


def _ordered(within: _Scorer, request: SearchRequest, score: np.ndarray) -> tuple[np.ndarray, _Scorer]:
    """The page's document numbers: best score first (the phrases weighed on the first RERANK), or
    by date; and the scorer over the fewest documents holding the page (the ranked head's, or `within`'s).
    `within`: the scorer over the matches; `score`: the required match's, over every document."""
    matches, scorer = within.docs, within.parent
    assert matches is not None and scorer is not None
    wanted = request.offset + request.limit
    if request.sort != "relevance":
        column = scorer.view.column("newest_first" if request.sort == "newest" else "oldest_first")[matches]
        newest = request.sort == "newest"
        return _first(matches, -column if newest else column, wanted, newest)[request.offset :], within
    # A phrase's occurrences are read on a head only, unless matching asked for them already: a
    # constant tier's on the first TIER_RERANK for a deep request (it outranks any score), else on
    # the first RERANK, like a weighted one's. The rest is weighed on a few matches alone, else on
    # every document (a word's scores over all of them, from its postings, cost less than finding
    # each match among them).
    costly = tuple(b for b in request.ranking if _has_phrase(b.match) and not scorer.known(b.match))
    rest = tuple(b for b in request.ranking if b not in costly)
    if len(matches) * FEW_MATCHES < scorer.view.size:
        score = within.boosted(rest, score[matches])
    else:
        score = scorer.boosted(rest, score)[matches]  # a copy: raised below
    depth = TIER_RERANK if request.deep else RERANK
    ranked = _first(matches, -score, max(wanted, depth if costly else 0))
    on_head = within
    for boosts, size in (
        (tuple(b for b in costly if b.constant), depth),
        (tuple(b for b in costly if not b.constant), RERANK),
    ):
        if boosts:
            if on_head is within or size != depth:  # the same head, reordered, when the sizes are the same
                on_head = within.on(ranked[:size])
            assert on_head.docs is not None
            at = np.searchsorted(matches, on_head.docs)
            score[at] = on_head.boosted(boosts, score[at])
            ranked = np.concatenate([_first(on_head.docs, -score[at], size), ranked[size:]])
    assert on_head.docs is not None
    return ranked[request.offset : wanted], on_head if wanted <= len(on_head.docs) else within


def _held() -> int:
    return sum(a.cached for a in _segments.values())


def warm(view: IndexView, facets: tuple[str, ...], seconds: float) -> None:
    """Read what searches use into the arrays kept per segment (a server does this before it forks
    its workers, which then share them): every scored field's lengths, the sort columns, `facets`;
    then, for up to `seconds` and while under 3/4 of MAX_CACHED, the postings of the words most
    articles hold in WARM_FIELDS, commonest first (with their positions in the folded text), and
    then, under 7/8 of it, those of every title's words (related articles ask for them)."""
    deadline = time.monotonic() + seconds
    for name in view.searcher.schema.scorable_names():
        view.lengths(name)
    for name in ("newest_first", "oldest_first"):
        view.column(name)
    for name in facets:
        view.facet(name)
    common = sorted(
        ((n, name, term) for name in WARM_FIELDS for term, n in view.document_frequencies(name).items()), reverse=True
    )
    for _n, name, term in common:
        if time.monotonic() > deadline or _held() > MAX_CACHED * 3 // 4:
            break
        view.read(name, term, WARM_FIELDS[name])
    # Then the words of every title, its syllables (in it and in the text) and its compounds: an article's
    # related ones ask for all of its title's, the rarer ones a read of each segment on its first render.
    syllables = view.document_frequencies("title_folded")
    titles = [(name, term) for term in syllables for name in ("title_folded", "text_folded")]
    titles += [("text", term) for term in view.document_frequencies("title") if "_" in term]
    for name, term in titles:
        if time.monotonic() > deadline or _held() > MAX_CACHED * 7 // 8:
            break
        view.read(name, term, False)
    # And their scores, commonest first, to 3/4 of SCORED_MAX: an article's first render adds up
    # its title's, and the workers share them (_Derived) instead of each working them out.
    scorer = _Scorer(view)
    for name, term in sorted(titles, key=lambda key: -view.document_frequencies(key[0]).get(key[1], 0)):
        if time.monotonic() > deadline or view._scored.held > SCORED_MAX * 3 // 4:
            break
        view.scored((name, term), scorer._summand)


def execute(view: IndexView, request: SearchRequest, key_of) -> SearchResult:
    scorer = _Scorer(view)
    mask, score = scorer(request.required)
    mask = _filtered(view, request, mask & view.alive)
    matches = np.flatnonzero(mask)
    within = scorer.on(matches, ascending=True)
    # Tallied over the matches first (a phrase's positions read for them, not every document): the
    # ranked head then takes what it shares with them (a near spelling standing beside a word of the query).
    tallies = [int(np.count_nonzero(within(m)[0])) if len(matches) else 0 for m in request.tally]
    page, on_head = _ordered(within, request, score) if request.limit and len(matches) else (matches[:0], within)
    ids = [view.key(int(docnum), key_of) for docnum in page]
    reported = []
    if request.report and len(page):  # what the page's documents match: a phrase's positions read for them only
        on_page = on_head.on(page)
        assert on_page.docs is not None
        at = np.searchsorted(on_page.docs, page)
        reported = [on_page(m)[0][at] for m in request.report]
    return SearchResult(
        ids=ids,
        count=len(matches),
        facets=_facet_counts(view, request, mask, matches),
        tallies=tallies,
        present=[tuple(bool(r[i]) for r in reported) for i in range(len(page))],
    )
