"""The index follows the database through pending changes (an outbox).

record(article_ids)  called inside the transaction that changed the articles (see signals.py),
                     so a change is recorded exactly when it commits.
apply_pending()      one batch of changes, oldest first, by the single writer: each article is
                     indexed as the database has it now, or removed if it is gone or a draft.
                     A change is deleted only once written; a crash before that leaves it pending.
apply_all()          every pending change, waiting while the index is busy (index_worker --once);
                     when more than a batch is pending (an import), DEEP_BATCH at a time, while
                     pyvi segments the next batch on every core (segmentation.Ahead).
work(stop)           apply as changes come, until stop() says so (index_worker).
single_writer()      the writer's lock: a PostgreSQL advisory lock (every machine on the database
                     takes turns), or a lock file beside the index on SQLite.
compare() -> Drift   articles missing from the index, stale in it, or extra; repair() records them.
"""

import contextlib
import fcntl
import hashlib
import logging
import os
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.db import DatabaseError, close_old_connections, connection
from haystack import connections
from haystack.query import SearchQuerySet

from archive.models import Article
from search import segmentation
from search.backend import IndexBusy
from search.models import PendingChange
from search.search_indexes import version_of

log = logging.getLogger(__name__)
BATCH = 200
DEEP_BATCH = 1000  # when more than BATCH are pending: fewer commits, and fewer merges of small segments
MAX_ATTEMPTS = 5  # a change that failed this often waits for check_index, not for the worker


def record(article_ids) -> None:
    PendingChange.objects.bulk_create([PendingChange(article_id=pk) for pk in dict.fromkeys(article_ids)])


def _index_name() -> str:
    """What names the index the writer writes: Whoosh's folder, or Solr's collection."""
    options = settings.HAYSTACK_CONNECTIONS["default"]
    if options.get("PATH"):
        return str(options["PATH"])
    return str(options.get("URL", "")).split(",")[0].rstrip("/").rpartition("/")[2]


def _lock_path() -> Path:
    index_path = settings.HAYSTACK_CONNECTIONS["default"].get("PATH")
    return Path(f"{index_path}-writer.lock") if index_path else settings.DATA_DIR / "index-writer.lock"


def advisory_lock_key(name: str | None = None) -> int:
    """The PostgreSQL advisory lock (a signed 64-bit key) of the index's writer, the same on every machine."""
    digest = hashlib.blake2b(f"archive-index-writer:{name or _index_name()}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


def _on_postgresql() -> bool:
    return connection.vendor == "postgresql"


@contextmanager
def single_writer(poll: float = 0.1):
    """One writer at a time across processes: reading an article and writing its document must
    not interleave with another writer's, or an older version could be written last. On
    PostgreSQL across machines (web machines each running index_worker take turns): a session
    advisory lock in the database, polled with pg_try_advisory_lock; on SQLite, one machine by
    definition, a lock file beside the index."""
    if not _on_postgresql():
        path = _lock_path()
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("a") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)
        return
    key = advisory_lock_key()
    with connection.cursor() as cursor:
        while True:
            cursor.execute("SELECT pg_try_advisory_lock(%s)", [key])
            if cursor.fetchone()[0]:
                break
            time.sleep(poll)  # not pg_advisory_lock: a database gone meanwhile is an error at once, not a hang
    try:
        yield
    finally:
        try:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_unlock(%s)", [key])
        except DatabaseError:  # the connection is gone, and the lock with it
            log.warning("The index writer's advisory lock went with its database connection")


def _index():
    return connections["default"].get_unified_index().get_index(Article)


def _write(article_ids: set[int]) -> None:
    backend, index = connections["default"].get_backend(), _index()
    published = list(index.index_queryset().filter(pk__in=article_ids))
    if published:
        backend.update(index, published)
    for pk in article_ids - {a.pk for a in published}:
        backend.remove(f"archive.article.{pk}")


def apply_pending(limit: int = BATCH) -> int:
    """Apply up to `limit` pending changes; returns how many were taken. Raises IndexBusy."""
    with single_writer():
        changes = list(PendingChange.objects.filter(attempts__lt=MAX_ATTEMPTS)[:limit])
        if not changes:
            return 0
        try:
            _write({c.article_id for c in changes})
        except IndexBusy:
            raise
        except Exception:  # one article that cannot be indexed must not hold up the others
            log.exception("Writing %d changes failed; writing them one at a time", len(changes))
            changes = _write_one_by_one(changes)
        PendingChange.objects.filter(pk__in=[c.pk for c in changes]).delete()
        # An article written now no longer needs the changes that kept failing for it.
        PendingChange.objects.filter(
            article_id__in={c.article_id for c in changes}, attempts__gte=MAX_ATTEMPTS
        ).delete()
        return len(changes)


def _write_one_by_one(changes: list[PendingChange]) -> list[PendingChange]:
    """Write each change alone; failed ones keep their row with the error. Returns the written ones."""
    written = []
    for change in changes:
        try:
            _write({change.article_id})
            written.append(change)
        except IndexBusy:
            raise
        except Exception as exc:
            PendingChange.objects.filter(pk=change.pk).update(attempts=change.attempts + 1, error=repr(exc)[:2000])
    return written


def _queued(count: int) -> list[int]:
    """The articles of the first `count` pending changes, in the order they are applied."""
    return list(PendingChange.objects.filter(attempts__lt=MAX_ATTEMPTS).values_list("article_id", flat=True)[:count])


def apply_all(stop=lambda: False, busy_wait: float = 1.0) -> int:
    """Apply pending changes until none is left (or stop() is true), waiting while the index is
    busy or the database is away; returns how many were applied. Once more than BATCH are
    pending, DEEP_BATCH at a time, each batch's articles segmented (pyvi) in other processes, one
    for each core, while the batch before is written (pyvi costs more than the writing)."""
    applied = 0
    with contextlib.ExitStack() as stack:
        ahead = None
        while not stop():
            try:
                queued = _queued(2 * DEEP_BATCH)
                if ahead is None and len(queued) > BATCH:  # this batch is segmented as it is written
                    ahead = stack.enter_context(segmentation.Ahead(os.cpu_count() or 1))
                if ahead is not None:  # keeps this batch's segmentations, starts the next one's
                    ahead.start(_index().index_queryset().filter(pk__in=queued[DEEP_BATCH:]))
                done = apply_pending(DEEP_BATCH if ahead else BATCH)
            except (IndexBusy, DatabaseError) as exc:
                log.warning("Cannot apply index changes now, retrying in %.1f s: %s", busy_wait, exc)
                close_old_connections()  # a database that restarted gets a new connection
                time.sleep(busy_wait)
                continue
            if not done:
                break
            applied += done
    return applied


def work(stop, poll: float = 0.5) -> int:
    """Apply changes as they come until stop() is true; returns how many were applied."""
    applied = 0
    while not stop():
        applied += apply_all(stop)
        time.sleep(poll)
    return applied


@dataclass
class Drift:
    missing: list[int] = field(default_factory=list)  # published, not in the index
    stale: list[int] = field(default_factory=list)  # in the index as an older version
    extra: list[int] = field(default_factory=list)  # in the index, not published (deleted or draft)
    failing: list[int] = field(default_factory=list)  # changes the worker gave up on

    def __bool__(self):
        return bool(self.missing or self.stale or self.extra or self.failing)

    @property
    def article_ids(self) -> list[int]:
        return sorted({*self.missing, *self.stale, *self.extra, *self.failing})


def compare() -> Drift:
    indexed = SearchQuerySet().models(Article).all()
    versions = {
        int(identifier.rpartition(".")[2]): version
        for identifier, version in indexed.values_list("id", "version")[: indexed.count()]
    }
    database = {
        pk: version_of(updated) for pk, updated in _index().index_queryset().order_by().values_list("pk", "updated_at")
    }
    return Drift(
        missing=sorted(database.keys() - versions.keys()),
        stale=sorted(pk for pk in database.keys() & versions.keys() if database[pk] != versions[pk]),
        extra=sorted(versions.keys() - database.keys()),
        failing=sorted(
            set(PendingChange.objects.filter(attempts__gte=MAX_ATTEMPTS).values_list("article_id", flat=True))
        ),
    )


def repair(drift: Drift) -> int:
    """Record a fresh change for every article in `drift`; the worker (or the caller) applies them."""
    PendingChange.objects.filter(article_id__in=drift.failing).delete()
    record(drift.article_ids)
    return len(drift.article_ids)
