"""haystack's Whoosh backend with Vietnamese analysis and Vietnamese query compilation.

- build_schema: text fields declared with an analyzer get it (the stock backend would stem
  them as English and store them whole); facet fields become exact keywords.
- compile_query(parsed) -> Whoosh query syntax for a search.syntax.ParsedQuery: every item must
  match in the accent-folded field (a quoted phrase typed with diacritics also as typed);
  optional clauses rank the query's words standing together (neighbouring pairs), title
  matches, exact accents and pyvi compounds above the rest.
- create_spelling_suggestion(text) -> the query with unknown words replaced by the closest
  indexed word, or "" when nothing better is known.
- update/remove write in one commit and raise IndexBusy when another process holds the lock.
- rebuild(index, workers) -> builds a complete new index aside on `workers` cores, then swaps
  it in: searches keep working on the old index meanwhile.
"""

import glob
import itertools
import os
import re
import shutil
import tempfile
import time

from haystack.backends import BaseEngine
from haystack.backends.whoosh_backend import WhooshSearchBackend, WhooshSearchQuery
from haystack.constants import ID as ID_FIELD
from haystack.inputs import BaseInput
from haystack.utils import get_identifier
from whoosh.fields import ID, KEYWORD, STORED, TEXT
from whoosh.filedb.filestore import FileStorage
from whoosh.index import LockError
from whoosh.matching.wrappers import WrappingMatcher
from whoosh.qparser import QueryParser
from whoosh.query import NullQuery
from whoosh.query.wrappers import WrappingQuery

from search.analysis import canonical, folded, query_words, segment
from search.syntax import Clause, ParsedQuery

EXACT_BOOST = 2.0  # a word matched with the accents it was typed with
PAIR_BOOST = 4.0  # each two of the query's words that stand side by side in the article
ALL_PAIRS_BOOST = 8.0  # every two neighbouring words of the query do: nearly the phrase itself
TITLE_BOOST = 3.0
COMPOUND_BOOST = 1.5
_COMPOUND = re.compile(r"[^\W_]+(?:_[^\W_]+)+")  # pyvi passes URLs and symbols through: only words
MATCH_ALL = "*:*"  # Whoosh's every-document query; a bare "*" means nothing to the Vietnamese analyzer


class VietnameseQuery(BaseInput):
    """A parsed query handed to the backend, which compiles it in its own syntax."""

    input_type_name = "vietnamese"
    post_process = False

    def __init__(self, parsed: ParsedQuery, **kwargs):
        self.parsed = parsed
        super().__init__(str(parsed), **kwargs)

    def prepare(self, query_obj):
        return query_obj.backend.compile_query(self.parsed)


def _quoted(words):
    return '"' + " ".join(words) + '"' if len(words) > 1 else words[0]


class _NoSkipping(WrappingMatcher):
    """Visits every match (no quality pruning) and notes each one's document number."""

    def __init__(self, child, matched, offset, boost=1.0):
        super().__init__(child, boost=boost)
        self.matched, self.offset = matched, offset

    def _replacement(self, newchild):
        return _NoSkipping(newchild, self.matched, self.offset, self.boost)

    def copy(self):
        return self._replacement(self.child.copy())

    def supports_block_quality(self):
        return False

    def replace(self, minquality=0):
        child = self.child.replace(0)  # never prune by quality, only drop what is exhausted
        return self if child is self.child else self._replacement(child)

    def id(self):
        docnum = self.child.id()
        self.matched.add(self.offset + docnum)
        return docnum

    def all_ids(self):  # sorted searches read the matches this way
        for docnum in self.child.all_ids():
            self.matched.add(self.offset + docnum)
            yield docnum


class Exhaustive(WrappingQuery):
    """Scores every matching document. Whoosh's quality pruning, used when only the top of the
    results is asked for, dropped documents tied in score, so page 2 repeated page 1.
    Visiting every match anyway, it keeps the set of them (`matched`) for counting facets."""

    def __init__(self, child, matched=None):
        super().__init__(child)
        self.matched = set() if matched is None else matched

    def _rewrap(self, child):
        return Exhaustive(child, self.matched)

    def matcher(self, searcher, context=None):
        parent = searcher.parent() if searcher.parent else None  # a segment's searcher knows its parent
        offset = parent._offset_for_subsearcher(searcher) or 0 if parent else 0
        return _NoSkipping(self.child.matcher(searcher, context), self.matched, offset)


class ExhaustiveParser(QueryParser):
    last = None  # the latest query parsed, whose `matched` set the facets read

    def parse(self, text, normalize=True, debug=False):
        query = super().parse(text, normalize=normalize, debug=debug)
        self.last = query if query is NullQuery else Exhaustive(query)
        return self.last


class IndexBusy(Exception):
    """Another process holds the index's write lock; try again shortly."""


class VietnameseWhooshBackend(WhooshSearchBackend):
    WRITE_LOCK_WAIT = 5  # seconds a write waits for Whoosh's lock before IndexBusy

    def setup(self):
        super().setup()
        # Whoosh wraps a memory-mapped segment in BytesIO, which copies all of it (hundreds of MB
        # at corpus size, about a second) each time a search opens the index: read files instead.
        self.storage = FileStorage(self.path, supports_mmap=False)
        self.index = self.storage.open_index(schema=self.schema)
        plugins = self.parser.plugins
        self.parser = ExhaustiveParser(self.content_field_name, schema=self.schema, plugins=plugins)

    def build_schema(self, fields):
        content_field_name, schema = super().build_schema(fields)
        for field in fields.values():
            name = field.index_fieldname
            replacement = None
            if field.analyzer is not None:
                replacement = TEXT(
                    analyzer=field.analyzer, phrase=field.analyzer.needs_positions, field_boost=field.boost
                )
            elif field.faceted or getattr(field, "facet_for", None):
                replacement = (
                    KEYWORD(stored=True, commas=True, scorable=False) if field.is_multivalued else ID(stored=True)
                )
            elif not field.indexed:
                replacement = STORED()
            if replacement is not None:
                schema.remove(name)
                schema.add(name, replacement)
        return content_field_name, schema

    # --- queries -------------------------------------------------------------------------
    def _clause(self, clause: Clause) -> str:
        """What must match for one clause: its folded words (a quoted phrase also in its exact form)."""
        folded_words = [folded(w) for w in clause.words]
        if clause.field == "author":
            return f"author:{_quoted(folded_words)}"
        field = "title" if clause.field == "title" else "text"
        loose = f"{field}_folded:{_quoted(folded_words)}"
        if clause.phrase and clause.words != folded_words:
            return f"({loose} AND {field}:{_quoted(clause.words)})"
        return loose

    def compile_query(self, parsed: ParsedQuery) -> str:
        required = []
        for item in parsed.items:
            alternatives = " OR ".join(self._clause(c) for c in item.alternatives)
            required.append(f"NOT ({alternatives})" if item.negated else f"({alternatives})")
        if not parsed:  # only exclusions: everything but them
            required.insert(0, MATCH_ALL)
        query = " AND ".join(required)

        free = parsed.free_clauses
        words = [w for c in free for w in c.words]
        folded_words = [folded(w) for w in words]
        pairs = [f"text_pairs:{a}_{b}" for a, b in dict.fromkeys(itertools.pairwise(folded_words))]
        ranking = [f"{pair}^{PAIR_BOOST}" for pair in pairs]
        if len(pairs) > 1:
            ranking.append(f"({' AND '.join(pairs)})^{ALL_PAIRS_BOOST}")
        if words:
            ranking.append(f"title_folded:({' OR '.join(folded_words)})^{TITLE_BOOST}")
        # Exact accents rank first: the words typed with diacritics, matched as typed.
        ranking += [f"text:{w}^{EXACT_BOOST}" for w in dict.fromkeys(words) if folded(w) != w]
        compounds = {w for c in free for w in segment(c.text).split() if _COMPOUND.fullmatch(w)}
        ranking += [f"text:{canonical(w)}^{COMPOUND_BOOST}" for w in sorted(compounds)]
        # Parenthesised whole: haystack appends filters with AND, which binds tighter than ANDMAYBE.
        return f"(({query}) ANDMAYBE ({' OR '.join(ranking)}))" if ranking else f"({query})"

    def search(self, query_string, start_offset=0, end_offset=None, facets=None, **kwargs):
        query_string = MATCH_ALL if query_string == "*" else query_string
        counted = facets if facets and not kwargs.get("narrow_queries") else None
        kwargs["facets"] = None if counted else facets
        length = (end_offset or 0) - (start_offset or 0)
        if start_offset and length > 0 and start_offset % length:
            # Whoosh pages are whole pages: the stock backend served items 15-30 for a request of 20-35.
            results = super().search(query_string, start_offset=0, end_offset=end_offset, **kwargs)
            results["results"] = results["results"][start_offset:]
        else:
            results = super().search(query_string, start_offset=start_offset, end_offset=end_offset, **kwargs)
        if counted:
            matched = getattr(self.parser.last, "matched", set())
            results["facets"] = {"fields": self._facet_counts(matched, counted), "dates": {}, "queries": {}}
        return results

    # --- facets ----------------------------------------------------------------------------
    def _facet_counts(self, matching: set, facets) -> dict:
        """Counts of each facet value among the `matching` documents (noted by the search itself):
        the set intersected with each value's documents, kept per index generation. Whoosh's own
        grouping looked up every matching document's values and took longer than the search."""
        values = self._facet_values(facets)
        counts = {}
        for name, options in facets.items():
            pairs = [(value, len(docs & matching)) for value, docs in values[name].items()]
            pairs = sorted((p for p in pairs if p[1]), key=lambda p: (-p[1], p[0]))
            counts[name] = pairs[: options.get("limit") or None] if isinstance(options, dict) else pairs
        return counts

    def _facet_values(self, facets) -> dict:
        # A rebuild swaps in a new folder whose first generation has the same number as the old one's.
        generation = (os.stat(self.path).st_ino, self.index.latest_generation())
        if getattr(self, "_facet_cache", (None,))[0] != generation:
            self._facet_cache = (generation, {})
        cache = self._facet_cache[1]
        missing = [name for name in facets if name not in cache]
        if missing:
            with self.index.searcher() as searcher:
                reader = searcher.reader()
                for name in missing:
                    cache[name] = {
                        value: frozenset(reader.postings(name, value).all_ids()) for value in reader.field_terms(name)
                    }
        return cache

    def create_spelling_suggestion(self, query_string):
        if not self.setup_complete:
            self.setup()
        words = query_string.split()
        if not words:
            return ""
        with self.index.searcher() as searcher:
            suggested = []
            for word in words:
                field = "text" if canonical(word) != folded(word) else "text_folded"
                form = query_words(word, fold_them=field == "text_folded")
                if len(form) != 1 or searcher.doc_frequency(field, form[0]) > 0:
                    suggested.append(word)
                    continue
                corrections = searcher.corrector(field).suggest(form[0], limit=1, maxdist=2)
                suggested.append(corrections[0] if corrections else word)
        suggestion = " ".join(suggested)
        return suggestion if suggestion != " ".join(words) else ""

    # --- rebuilding ----------------------------------------------------------------------
    # --- writes: one commit a call, and a busy index is an error to retry, never a silent loss
    # (haystack's Whoosh update() hands a locked index to a background thread, and its remove()
    # logs a LockError and carries on) -----------------------------------------------------
    def _writer(self):
        if not self.setup_complete:
            self.setup()
        self.index = self.index.refresh()
        try:
            return self.index.writer(timeout=self.WRITE_LOCK_WAIT)
        except LockError as exc:
            raise IndexBusy(str(exc)) from exc

    def update(self, index, iterable, commit=True):
        writer = self._writer()
        try:
            for obj in iterable:
                writer.update_document(**self.document(index, obj))
        except BaseException:
            writer.cancel()
            raise
        writer.commit()

    def remove(self, obj_or_string, commit=True):
        writer = self._writer()
        writer.delete_by_term(ID_FIELD, get_identifier(obj_or_string))
        writer.commit()

    def document(self, index, obj) -> dict:
        """The Whoosh document for `obj`, as the stock update() writes it."""
        doc = index.full_prepare(obj)
        doc.pop("boost", None)
        return {key: self._from_python(value) for key, value in doc.items()}

    def rebuild(self, index, workers=1, progress=None) -> int:
        """Index every object of `index` into a new folder, then point the index path at it.
        Whoosh's multi-process writer analyses (pyvi included) and writes on `workers` cores,
        one segment each, so the commit has nothing to merge. The path is a symbolic link
        replaced in one step, so a search finds either the old index or the new one."""
        if not self.setup_complete:
            self.setup()
        parent, name = os.path.split(os.path.abspath(self.path))
        building = tempfile.mkdtemp(prefix=f"{name}.{time.strftime('%Y%m%d%H%M%S')}.", dir=parent)
        new_index = FileStorage(building).create().create_index(self.schema)
        objects = index.index_queryset(using=self.connection_alias).order_by("pk")
        procs = max(1, min(workers, objects.count() // 1000))  # small archives: no processes to start
        writer = new_index.writer(procs=procs, multisegment=procs > 1, limitmb=256)
        done, started = 0, time.monotonic()
        try:
            for obj in objects.iterator(chunk_size=500):
                writer.add_document(**self.document(index, obj))
                done += 1
                if progress:
                    progress(done, time.monotonic() - started)
        except BaseException:
            writer.cancel()
            shutil.rmtree(building, ignore_errors=True)
            raise
        writer.commit()
        self._point_at(building)
        self.setup_complete = False  # reopen on next use
        return done

    def _point_at(self, folder):
        """Make the index path a symbolic link to `folder`, atomically. The folder it left stays
        until the next rebuild (a search that opened it may still be reading); older ones go."""
        previous = os.path.realpath(self.path) if os.path.islink(self.path) else None
        if os.path.isdir(self.path) and not os.path.islink(self.path):  # a first rebuild: move the plain folder aside
            previous = tempfile.mkdtemp(prefix=f"{os.path.basename(self.path)}.old.", dir=os.path.dirname(self.path))
            os.rename(self.path, previous)
        link = f"{self.path}.link.{os.getpid()}"
        os.symlink(os.path.basename(folder), link)
        os.replace(link, self.path)
        keep = {os.path.realpath(folder), os.path.realpath(previous) if previous else None}
        for old in glob.glob(f"{glob.escape(self.path)}.*"):
            if os.path.isdir(old) and not os.path.islink(old) and os.path.realpath(old) not in keep:
                shutil.rmtree(old, ignore_errors=True)


class VietnameseWhooshEngine(BaseEngine):
    backend = VietnameseWhooshBackend
    query = WhooshSearchQuery
