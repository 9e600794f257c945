"""The index writer's lock: on PostgreSQL an advisory lock in the database, so index workers on
several web machines take turns (one writer at a time) and a writer that dies frees it with its
connection; on SQLite a lock file beside the index, as before."""

import threading
import time

import pytest
from django.db import connection, connections

from search import outbox

pytestmark = pytest.mark.django_db(transaction=True)
on_postgresql = pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's advisory locks")


def holders(key):
    """The backends holding advisory lock `key` (split by PostgreSQL into two 32-bit halves)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted AND classid = %s AND objid = %s",
            [(key >> 32) & 0xFFFFFFFF, key & 0xFFFFFFFF],
        )
        return cursor.fetchone()[0]


def in_other_connection(work):
    """Run `work` in a thread, so on a database connection of its own, as another machine would."""
    outcome = {}

    def run():
        try:
            outcome["value"] = work()
        finally:
            connections.close_all()

    thread = threading.Thread(target=run)
    thread.start()
    return thread, outcome


@on_postgresql
def test_on_postgresql_the_lock_is_in_the_database_not_a_file(whoosh_index):
    key = outbox.advisory_lock_key()
    with outbox.single_writer():
        assert holders(key) == 1
        assert not outbox._lock_path().exists()
    assert holders(key) == 0


@on_postgresql
def test_a_second_writer_waits_until_the_first_is_done(whoosh_index):
    events = []
    with outbox.single_writer():

        def second():
            outbox.single_writer().__enter__()  # held until its connection closes
            events.append("second")

        thread, _ = in_other_connection(second)
        time.sleep(0.5)
        assert events == []  # still waiting
        events.append("first done")
    thread.join(timeout=10)
    assert events == ["first done", "second"]


@on_postgresql
def test_a_writer_that_dies_frees_the_lock_with_its_connection(whoosh_index):
    taken = threading.Event()

    def die_holding_it():
        outbox.single_writer().__enter__()  # never left: the process "crashes" holding the lock
        taken.set()

    thread, _ = in_other_connection(die_holding_it)  # its connection closes when the thread ends
    thread.join(timeout=10)
    assert taken.is_set()
    with outbox.single_writer():  # not stuck
        pass


@on_postgresql
def test_the_key_names_the_index_not_the_machine(settings):
    settings.HAYSTACK_CONNECTIONS = {"default": {"URL": "http://10.0.0.1:8983/solr/archive,http://10.0.0.2:8983/solr"}}
    first = outbox.advisory_lock_key()
    settings.HAYSTACK_CONNECTIONS = {"default": {"URL": "http://10.0.0.2:8983/solr/archive"}}
    assert outbox.advisory_lock_key() == first
    settings.HAYSTACK_CONNECTIONS = {"default": {"URL": "http://10.0.0.2:8983/solr/archive_test"}}
    assert outbox.advisory_lock_key() != first


@pytest.mark.skipif(connection.vendor == "postgresql", reason="SQLite's lock file")
def test_on_sqlite_the_lock_is_a_file_beside_the_index(whoosh_index):
    with outbox.single_writer():
        assert outbox._lock_path() == whoosh_index.parent / "whoosh-writer.lock"
        assert outbox._lock_path().exists()
