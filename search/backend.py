"""haystack's Whoosh backend with Vietnamese analysis, searched through the engine-neutral plan.

- build_schema: text fields declared with an analyzer get it (the stock backend would stem
  them as English and store them whole); facet fields become exact keywords.
- execute(request) -> SearchResult for a search.plan.SearchRequest: evaluated by
  search.whoosh_search over one searcher kept until the index changes.
- frequencies(field, terms) -> (documents, document count of each term the index knows), which
  search.forgiving asks for near spellings.
- update/remove write in one commit and raise IndexBusy when another process holds the lock;
  update writes its documents as a rebuild does (search.whoosh_writer).
- rebuild(index, workers) -> builds a complete new index aside on `workers` cores (one segment
  each, search.whoosh_writer), then swaps it in: searches keep working on the old index meanwhile.
"""

import glob
import multiprocessing
import os
import queue
import shutil
import tempfile
import threading
import time
import traceback
from typing import Any

from django import db
from haystack.backends import BaseEngine
from haystack.backends.whoosh_backend import WhooshSearchBackend, WhooshSearchQuery
from haystack.constants import DJANGO_ID
from haystack.constants import ID as ID_FIELD
from haystack.utils import get_identifier
from whoosh.fields import ID, KEYWORD, STORED, TEXT
from whoosh.filedb.filestore import FileStorage
from whoosh.index import LockError

from search import whoosh_search, whoosh_writer
from search.plan import SearchRequest, SearchResult

MATCH_ALL = "*:*"  # Whoosh's every-document query; a bare "*" means nothing to the Vietnamese analyzer


class IndexBusy(Exception):
    """Another process holds the index's write lock; try again shortly."""


SEGMENT_DOCS = 6000  # at most in one segment of a rebuild, which holds its postings in memory (~45 KB each)


def _split(ids: list[int], count: int) -> list[list[int]]:
    """`ids` cut into `count` runs of consecutive ones, as even as can be (none empty)."""
    cuts = [ids[len(ids) * i // count : len(ids) * (i + 1) // count] for i in range(max(count, 1))]
    return [cut for cut in cuts if cut]


class VietnameseWhooshBackend(WhooshSearchBackend):
    WRITE_LOCK_WAIT = 5  # seconds a write waits for Whoosh's lock before IndexBusy
    setup_complete: bool  # haystack's: the index is open

    def __init__(self, connection_alias, **connection_options):
        super().__init__(connection_alias, **connection_options)
        self._lock = threading.Lock()  # the development server's threads share the kept searcher
        self._current = None

    def setup(self):
        super().setup()
        # Whoosh wraps a memory-mapped segment in BytesIO, which copies all of it (hundreds of MB
        # at corpus size, about a second) each time a search opens the index: read files instead.
        self.storage = FileStorage(self.path, supports_mmap=False)
        self.index = self.storage.open_index(schema=self.schema)

    def build_schema(self, fields):
        content_field_name, schema = super().build_schema(fields)
        for field in fields.values():
            name = field.index_fieldname
            replacement = None
            if field.analyzer is not None:
                replacement = TEXT(analyzer=field.analyzer, phrase=True, field_boost=field.boost)
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

    # --- searching ---------------------------------------------------------------------------
    def execute(self, request: SearchRequest) -> SearchResult:
        """The engine-neutral search (search.plan), evaluated over this index's postings."""
        with self._lock:
            view = self._view()
            return whoosh_search.execute(view, request, lambda stored: int(stored[DJANGO_ID]))

    def _view(self) -> whoosh_search.IndexView:
        """One searcher and its arrays, kept until the index changes: a rebuild points the path at
        another folder (whose generation numbers start again), a commit adds a generation."""
        if not self.setup_complete:
            self.setup()
        folder = os.path.realpath(self.path)
        current = self._current
        if current and current[0] == folder and current[1].searcher.up_to_date():
            return current[1]
        if current and current[0] == folder:
            searcher = current[1].searcher.refresh()  # unchanged segments keep their readers, the rest close
        else:
            if current:
                current[1].searcher.close()  # the folder a rebuild replaced
            self.index = self.storage.open_index(schema=self.schema)
            searcher = self.index.searcher()
        self._current = (folder, whoosh_search.IndexView(searcher, folder))
        return self._current[1]

    def search(self, query_string, **kwargs):
        """haystack's own search (SearchQuerySet, for listing what the index holds); pages use execute()."""
        return super().search(MATCH_ALL if query_string == "*" else query_string, **kwargs)

    def warm(self, facets: tuple[str, ...], seconds: float) -> None:
        """Read what searches use (search.whoosh_search.warm), then close the searcher: a server
        calls this before forking its workers, which share what was read and open files of their own."""
        with self._lock:
            view = self._view()
            try:
                whoosh_search.warm(view, facets, seconds)
            finally:
                view.searcher.close()
                self._current = None

    def frequencies(self, field_name: str, terms) -> tuple[int, dict[str, int]]:
        """(documents in the index, how many hold each of `terms` that it knows): near spellings."""
        with self._lock:
            view = self._view()
            return view.size, view.frequencies(field_name, terms)

    # --- rebuilding ----------------------------------------------------------------------
    # --- writes: one commit a call, and a busy index is an error to retry, never a silent loss
    # (haystack's Whoosh update() hands a locked index to a background thread, and its remove()
    # logs a LockError and carries on) -----------------------------------------------------
    def _writer(self) -> whoosh_writer.SegmentBuilder:
        """The index's writer (search.whoosh_writer: a commit's merges are written as a rebuild's)."""
        if not self.setup_complete:
            self.setup()
        self.index = self.index.refresh()
        try:
            return whoosh_writer.SegmentBuilder(self.index, lock=True, timeout=self.WRITE_LOCK_WAIT)
        except LockError as exc:
            raise IndexBusy(str(exc)) from exc

    def update(self, index, iterable, commit=True):
        """Write `iterable` in one commit: its documents in a new segment (search.whoosh_writer),
        their old versions deleted through one searcher (Whoosh's update_document opens one
        for each document), small segments merged as Whoosh's own commit merges them."""
        writer = self._writer()
        try:
            with writer.searcher() as searcher:
                for obj in iterable:
                    document = self.document(index, obj)
                    writer.delete_by_term(ID_FIELD, document[ID_FIELD], searcher=searcher)
                    writer.add(document)
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
        The objects are split into `workers` runs of consecutive ids, each written by its own
        process as segments of at most SEGMENT_DOCS (search.whoosh_writer), and the segments
        are committed together in id order: nothing to merge, no temporary run files, the same documents
        in the same order whatever the timing. The path is a symbolic link replaced in one
        step, so a search finds either the old index or the new one."""
        if not self.setup_complete:
            self.setup()
        parent, name = os.path.split(os.path.abspath(self.path))
        building = tempfile.mkdtemp(prefix=f"{name}.{time.strftime('%Y%m%d%H%M%S')}.", dir=parent)
        new_index = FileStorage(building).create().create_index(self.schema)
        ids = list(index.index_queryset(using=self.connection_alias).order_by("pk").values_list("pk", flat=True))
        procs = max(1, min(workers, len(ids) // 1000))  # small archives: no processes to start
        # A run for each process, in pieces of (first id, last id, how many), one segment each.
        runs = [
            [(piece[0], piece[-1], len(piece)) for piece in _split(run, -(-len(run) // SEGMENT_DOCS))]
            for run in _split(ids, procs)
        ]
        started = time.monotonic()
        try:
            if len(runs) > 1:
                segments = self._build_in_processes(index, building, runs, progress, started)
            else:
                segments, done = [], 0
                for first, last, count in (piece for run in runs for piece in run):
                    segments.append(self._build_run(index, building, first, last, progress, started, done))
                    done += count
                segments = [segment for segment in segments if segment is not None]
            done = sum(s.doc_count_all() for s in segments)
            whoosh_writer.commit_segments(new_index, segments)
        except BaseException:
            shutil.rmtree(building, ignore_errors=True)
            raise
        self._point_at(building)
        self.setup_complete = False  # reopen on next use
        if self._current:
            self._current[1].searcher.close()
            self._current = None
        return done

    def _build_run(self, index, building, first, last, progress=None, started=0.0, done_before=0, counter=None):
        """One segment of the objects with ids first..last, in id order (None if there are none)."""
        builder = whoosh_writer.SegmentBuilder(FileStorage(building).open_index(schema=self.schema))
        objects = index.index_queryset(using=self.connection_alias).filter(pk__gte=first, pk__lte=last)
        try:
            for done, obj in enumerate(objects.order_by("pk").iterator(chunk_size=500), 1):
                builder.add(self.document(index, obj))
                if counter is not None and done % 50 == 0:
                    with counter.get_lock():
                        counter.value += 50
                if progress:
                    progress(done_before + done, time.monotonic() - started)
        except BaseException:
            builder.cancel()
            raise
        if counter is not None:
            with counter.get_lock():
                counter.value += builder.docnum % 50
        return builder.finish() if builder.docnum else None

    def _build_in_processes(self, index, building, runs, progress, started):
        """Each run (its pieces one after another) built by a forked process of its own; their
        segments, in the runs' order."""
        context = multiprocessing.get_context("fork")
        counter, results = context.Value("q", 0), context.Queue()
        db.connections.close_all()  # each process opens its own connection

        def build(number, run):
            try:
                built = [self._build_run(index, building, first, last, counter=counter) for first, last, _n in run]
                results.put((number, built, None))
            except BaseException:
                results.put((number, None, traceback.format_exc()))

        processes = [context.Process(target=build, args=(n, run), daemon=True) for n, run in enumerate(runs)]
        for process in processes:
            process.start()
        segments: dict[int, Any] = {}
        failures: list[str] = []
        shown = -1
        try:
            while len(segments) + len(failures) < len(processes):
                try:
                    number, segment, failure = results.get(timeout=0.5)
                except queue.Empty:
                    if not any(p.is_alive() for p in processes) and results.empty():
                        failures.append("a rebuild process ended without a result")
                else:
                    if failure:
                        failures.append(failure)
                    else:
                        segments[number] = segment
                if progress and counter.value != shown:
                    shown = counter.value
                    progress(shown, time.monotonic() - started)
        finally:
            for process in processes:
                if failures and process.is_alive():
                    process.terminate()
                process.join()
        if failures:
            raise RuntimeError("Rebuilding the index failed:\n" + "\n".join(failures))
        return [segment for n in sorted(segments) for segment in segments[n] if segment is not None]

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
