"""The archive on SolrCloud when a node goes away: the connection names every node (SOLR_URL's
list) and fails over from the first; an editor keeps saving and readers keep searching while a
node is stopped, and once it is back the index matches the database. Also related articles by
Solr's distributed {!mlt} across both shards. On a collection of 2 shards × 2 replicas of its own.
Run by `make test-solr` (tests/solr_cluster.py's cluster: SOLR_CONTROL stops and starts nodes)."""

import os
import threading
import time
import uuid
from collections import Counter

import pytest
from django.conf import settings as django_settings
from django.core.management import call_command
from haystack import connections

from archive.models import Article
from search import outbox
from search.backend import IndexBusy
from search.models import PendingChange
from search.query import related
from search.solr.admin import SolrAdmin
from tests.search import test_search
from tests.search.test_search import TRI_TON, api, titles

SOLR_URL = os.environ.get("SOLR_URL", "")
if not SOLR_URL or os.environ.get("SEARCH_ENGINE") != "solr" or not os.environ.get("SOLR_CONTROL"):
    pytest.skip(
        "needs tests/solr_cluster.py's own SolrCloud (it sets SOLR_URL and SOLR_CONTROL): run `make test-solr`",
        allow_module_level=True,
    )
from tests.solr_cluster import nodes, start_node, stop_node  # noqa: E402 (only with its cluster)

URLS = os.environ["SOLR_URLS"].split(",")
CONFIGURED = dict(django_settings.HAYSTACK_CONNECTIONS["default"])
pytestmark = pytest.mark.django_db
archive = test_search.archive  # the seeds, linked, then indexed() below


@pytest.fixture(scope="module")
def collection():
    name = f"test_faults_{uuid.uuid4().hex[:8]}"
    SolrAdmin(SOLR_URL).create_collection(name, shards=2, replicas=2)
    yield name
    SolrAdmin(",".join(URLS)).delete_collection(name)


@pytest.fixture
def solr(settings, collection):
    """The default connection naming the collection on every node, in order, as SOLR_URL=a,b,c makes it."""
    settings.HAYSTACK_CONNECTIONS = {"default": {**CONFIGURED, "URL": ",".join(f"{u}/{collection}" for u in URLS)}}
    connections.reload("default")
    backend = connections["default"].get_backend()
    backend.conn.delete(q="*:*", commit=True)
    yield backend
    connections.reload("default")


@pytest.fixture
def indexed(solr):
    return lambda: call_command("rebuild_index", interactive=False, verbosity=0)


def active(collection):
    SolrAdmin(",".join(URLS)).wait_until_active(collection, timeout=120)


def settle(solr):
    """Everything pending applied and made searchable (Solr's soft commit would, within a second)."""
    outbox.apply_all(busy_wait=0.5)
    solr.conn.commit(softCommit=True)


# --- failover across nodes ---------------------------------------------------------------
def test_the_first_node_named_being_down_fails_over_to_the_next(client, archive, solr, collection):
    assert solr.conn.urls[0].startswith(URLS[0])
    stop_node(1)
    try:
        assert titles(client, q="xay dung dang")[0] == TRI_TON
        assert api(client, q="dang")["count"] == 5
        assert solr.conn.url.startswith(URLS[1])  # it stays on the node that answered
        Article.objects.create(title="Bài lưu khi nút đầu ngừng", body="Tổ hòa giải ấp Phú Hòa họp bàn.")
        settle(solr)
        assert titles(client, q="to hoa giai")[:1] == ["Bài lưu khi nút đầu ngừng"]
        call_command("check_index", verbosity=0)  # reads the whole collection through node 2
        admin = SolrAdmin(",".join(URLS))
        assert collection in admin.collections()  # manage.py solr_collection too, with SOLR_URL's list
        assert admin.url == URLS[1]
    finally:
        start_node(1)
    active(collection)


def test_a_node_named_twice_or_with_spaces_is_still_one_list(settings):
    from search.solr_backend import FailoverSolr

    conn = FailoverSolr(f" {URLS[0]}/x/ , {URLS[1]}/x ,", timeout=5)
    assert conn.urls == [f"{URLS[0]}/x", f"{URLS[1]}/x"]
    assert conn.timeout == (3.0, 5)  # a machine that is gone costs the connect timeout, not the whole
    conn._sending.body = True
    assert conn.timeout == 5  # a body is sent under urllib3's connect timeout: Solr reads an update slowly


# --- a node stopped while an editor saves and readers search ------------------------------
def busiest_node(collection) -> int:
    """The node (1-based) leading the most shards of `collection`: stopping it forces elections."""
    shards = SolrAdmin(SOLR_URL).status(collection)["shards"].values()
    leaders = Counter(r["base_url"] for s in shards for r in s["replicas"].values() if r.get("leader") == "true")
    return URLS.index(leaders.most_common(1)[0][0]) + 1


def test_a_node_stopped_while_an_editor_saves_and_readers_search(client, archive, solr, collection):
    """The stop and the start run beside the traffic (in a thread, as an operator or a crash
    would): every search answers, from the replicas left; a save whose write fails waits in the
    outbox and is applied later; once the node is back, check_index finds no drift."""
    number = busiest_node(collection)
    saved: list[int] = []
    deleted: list[int] = []
    searches: Counter[int] = Counter()
    waits = 0

    def traffic_while(action):
        nonlocal waits
        thread = threading.Thread(target=action)
        thread.start()
        while thread.is_alive() or len(saved) % 10:  # at least one round beside it, then to a round number
            i = len(saved)
            article = Article.objects.create(title=f"Tin Đảng bộ xã lần {i}", body=f"Đảng bộ xã họp lần thứ {i}.")
            saved.append(article.pk)
            if i % 3 == 2:
                article.title += " (đã sửa)"
                article.save()
            if i % 5 == 4:
                deleted.append(article.pk)
                article.delete()
            response = client.get("/api/search/", {"q": "dang bo xa"})
            searches[response.status_code] += 1
            assert response.status_code == 200, response.content  # answered by the replicas left
            try:
                outbox.apply_pending()
            except IndexBusy:  # e.g. a shard electing a new leader: the rows wait
                waits += 1
            time.sleep(0.05)
        thread.join()

    traffic_while(lambda: stop_node(number))
    during = len(saved)
    assert nodes()[number - 1]["state"] == "down"
    try:
        traffic_while(lambda: time.sleep(3))  # with the node down
        assert api(client, q="xay dung dang")["results"][0]["title"] == TRI_TON
    finally:
        traffic_while(lambda: start_node(number))
    assert nodes()[number - 1]["state"] == "up"
    active(collection)
    settle(solr)
    assert not PendingChange.objects.exists()  # every save applied: none lost
    call_command("check_index", verbosity=0)  # no drift (it raises otherwise)
    published = len(saved) - len(deleted)
    assert api(client, q="dang bo xa")["count"] >= published and len(solr.indexed_ids()) == published + 5
    # Each copy of each shard has the same documents, the stopped node's too.
    admin = SolrAdmin(SOLR_URL)
    for shard in admin.status(collection)["shards"].values():
        copies = {r["base_url"]: core_count(r) for r in shard["replicas"].values()}
        assert len(set(copies.values())) == 1, copies
    print(
        f"\nnode {number} stopped after {during} saves; {len(saved)} saves, {len(deleted)} deletes, "
        f"{sum(searches.values())} searches (all answered), {waits} batches waited; no drift"
    )


def core_count(replica) -> int:
    import pysolr

    return pysolr.Solr(f"{replica['base_url']}/{replica['core']}", timeout=30).search("*:*", distrib="false").hits


# --- related articles: the distributed {!mlt} --------------------------------------------
def test_related_articles_come_from_both_shards_by_mlt(archive, solr):
    alike = [
        Article.objects.create(
            title=f"Hội nghị Ban Chấp hành Đảng bộ huyện Mỏ Cày Bắc lần {i}",
            body="Hội nghị Ban Chấp hành Đảng bộ huyện Mỏ Cày Bắc bàn công tác cán bộ, kiểm tra giám sát.",
        )
        for i in range(12)
    ]
    settle(solr)
    shards = {
        shard: {int(d["django_id"]) for d in solr.conn.search("*:*", shards=shard, rows=100, fl="django_id").docs}
        for shard in ("shard1", "shard2")
    }
    assert all(shards[s] & {a.pk for a in alike} for s in shards), "the similar articles are on both shards"
    first = alike[0]
    found = solr.related_ids(first.pk, 11)
    assert set(found) == {a.pk for a in alike[1:]}  # every one of the others, from both shards
    # The engine-neutral related() takes them (the article page's list), the article itself never.
    assert [a.pk for a in related(first)] == found[:5]
    assert solr.related_ids(10**9, 5) == []  # not in the index (yet): none, not an error
