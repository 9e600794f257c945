"""Our configset on a live SolrCloud cluster: Vietnamese analysis, facets across shards, aliases,
and a node going down. Run by `make test-solr` (tests/solr_cluster.py starts three nodes and
sets SOLR_URL); skipped without SOLR_URL.

Documents are written as the index will write them: text normalised by the project's Python
first (archive.text.normalise) and segmented by pyvi, sent once; Solr does the rest (its
copyFields fill the folded, paired and compound fields and the facets' "_exact" twins).
"""

import datetime
import io
import itertools
import os
import re
import time
import unicodedata
import uuid
from collections import Counter
from urllib.parse import urlencode

import pytest
from django.core.management import call_command

from archive.text import normalise
from search.analysis import canonical, query_words, segment
from search.solr.admin import SolrAdmin
from tests.conftest import SEEDS

pysolr = pytest.importorskip("pysolr")

SOLR_URL = os.environ.get("SOLR_URL", "")
if not SOLR_URL:
    pytest.skip("needs SolrCloud: run `make test-solr` (tests/solr_cluster.py sets SOLR_URL)", allow_module_level=True)

UNDATED_NEWEST, UNDATED_OLDEST = "0001-01-02T00:00:00Z", "9999-12-30T00:00:00Z"

# (pk, title, body, published, provinces, terms)
ARTICLES = [
    (1, "Xây dựng Đảng trong sạch, vững mạnh",
     "Hội nghị Ban Chấp hành Đảng bộ tỉnh Bến Tre bàn về công tác xây dựng Đảng và chỉnh đốn Đảng.",
     "2024-03-05", ["ben-tre"], ["2020-2025"]),
    (2, "Trường Chính trị tỉnh khai giảng lớp bồi dưỡng",
     "Trường Chính trị tỉnh Vĩnh Long khai giảng lớp bồi dưỡng cán bộ nguồn.",
     "2023-09-01", ["vinh-long"], ["2020-2025"]),
    (3, "Trưởng ban Tổ chức Tỉnh ủy làm việc với huyện",
     "Đồng chí Trưởng ban Tổ chức Tỉnh ủy Bến Tre làm việc tại huyện Mỏ Cày Bắc.",
     "2024-06-12", ["ben-tre"], ["2020-2025"]),
    (4, "Dựng xây quê hương",
     "Nhân dân xã dựng xây nông thôn mới, đường làng sạch đẹp.",
     "2022-01-20", ["ben-tre", "vinh-long"], []),
    (5, "Đại hội Đảng bộ huyện nhiệm kỳ 2025-2030",
     "Đại hội bầu Ban Chấp hành Đảng bộ huyện nhiệm kỳ mới.",
     None, ["vinh-long"], ["2025-2030"]),
    (6, "Hội nghị học tập nghị quyết",
     "Cán bộ, đảng viên học tập, quán triệt nghị quyết của Trung ương.",
     "2021-11-02", ["tra-vinh"], ["2020-2025"]),
    (7, "Kiểm tra, giám sát tổ chức đảng",
     "Ủy ban Kiểm tra Tỉnh ủy giám sát việc thực hiện quy chế dân chủ.",
     "2020-05-15", ["tra-vinh", "ben-tre"], ["2015-2020"]),
    (8, "Công tác dân vận ở cơ sở",
     "Ban Dân vận Huyện ủy triển khai mô hình dân vận khéo.",
     "2025-08-30", ["vinh-long", "tra-vinh", "ben-tre"], ["2025-2030"]),
]  # fmt: skip


def document(pk, title, body, published, provinces, terms):
    title, text = normalise(title), normalise(f"{title}\n{body}")
    date = f"{published}T02:00:00Z" if published else None
    return {
        "id": f"archive.article.{pk}",
        "django_ct": "archive.article",
        "django_id": str(pk),
        "text": segment(text),  # the folded, paired and compound fields are copies (schema.xml)
        "title": title,
        "author": "Phóng viên",
        "published": date,
        "newest_first": date or UNDATED_NEWEST,
        "oldest_first": date or UNDATED_OLDEST,
        "year": published[:4] if published else None,
        "provinces": provinces,
        "terms": terms,
        "version": datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC).isoformat(),
    }


DOCUMENTS = [{k: v for k, v in document(*a).items() if v not in (None, [])} for a in ARTICLES]


def new_collection(shards=2, replicas=2, documents=DOCUMENTS):
    """A fresh collection made by our command, filled through pysolr; its name."""
    name = f"test_{uuid.uuid4().hex[:8]}"
    call_command("solr_collection", "--url", SOLR_URL, "create", name, "--shards", shards, "--replicas", replicas)
    pysolr.Solr(f"{SOLR_URL}/{name}", timeout=30).add(documents, commit=True)
    return name


@pytest.fixture(scope="module")
def collection():
    name = new_collection()
    yield name
    call_command("solr_collection", "--url", SOLR_URL, "delete", name)


@pytest.fixture(scope="module")
def solr(collection):
    return pysolr.Solr(f"{SOLR_URL}/{collection}", timeout=30)


def pks(results):
    return {int(doc["django_id"]) for doc in results.docs}


def lucene(solr, query, **params):
    """The standard parser, every clause required, over the whole collection."""
    return pks(solr.search(query, defType="lucene", **{"q.op": "AND", "rows": 100, **params}))


def analyse(collection, field_type, text):
    """The terms Solr's index analysis of `field_type` makes of `text`, in order."""
    form = urlencode({"analysis.fieldtype": field_type, "analysis.fieldvalue": text}).encode()
    answer = SolrAdmin(SOLR_URL).request(
        f"{collection}/analysis/field", data=form, content_type="application/x-www-form-urlencoded"
    )
    stages = answer["analysis"]["field_types"][field_type]["index"]
    return [token["text"] for token in stages[-1]]


# --- analysis ----------------------------------------------------------------------------
def test_a_query_without_diacritics_finds_the_accented_words(solr):
    assert lucene(solr, "text_folded:(xay dung dang)") == {1}
    assert lucene(solr, "title_folded:(XAY DUNG DANG)") == {1}
    # The /select defaults (edismax over the exact, folded and title fields) find it too, first.
    assert solr.search("xay dung dang").docs[0]["django_id"] == "1"
    assert solr.search("xây dựng Đảng").docs[0]["django_id"] == "1"


@pytest.mark.needs_shared
def test_the_exact_field_keeps_tones_apart(solr):
    assert lucene(solr, "text:trường") == {2}
    assert lucene(solr, "text:trưởng") == {3}
    assert lucene(solr, "text:Trưởng") == {3}  # case does not matter
    assert lucene(solr, "text_folded:truong") == {2, 3}


def texts_to_compare():
    """Every vowel with every tone in both cases beside đ/Đ, and every seed article."""
    tones = ["", "\u0300", "\u0309", "\u0303", "\u0301", "\u0323"]
    vowels = [unicodedata.normalize("NFC", v + t) for v in "aăâeêioôơuưy" for t in tones]
    yield " ".join(f"đ{v} Đ{v.upper()}" for v in vowels)
    for path in sorted(SEEDS.glob("*.txt")):
        yield normalise(path.read_text(encoding="utf-8"))


def test_the_folded_field_folds_as_archive_text_fold(collection):
    """Solr's folded field (ICUFoldingFilter) has the words search.analysis folds (archive.text.fold),
    and its pairs field the pairs of them (VietnameseAnalyzer(pairs=True))."""
    for text in texts_to_compare():
        words = query_words(text, fold_them=True)
        assert analyse(collection, "text_vi_folded", text) == words
        assert analyse(collection, "text_vi_pairs", text) == ["_".join(p) for p in itertools.pairwise(words)]


def test_the_exact_field_splits_syllables_as_search_analysis(collection):
    """Text sent in canonical form gives Solr's exact field the syllables the Whoosh index has,
    "TP.HCM", "1.000" and web addresses included."""
    for text in texts_to_compare():
        assert analyse(collection, "text_vi", canonical(text)) == query_words(text)


def test_the_pairs_field_holds_neighbouring_folded_syllables(solr, collection):
    assert analyse(collection, "text_vi_pairs", "Xây dựng Đảng") == ["xay_dung", "dung_dang"]
    text = normalise(ARTICLES[0][2])
    words = query_words(text, fold_them=True)
    assert analyse(collection, "text_vi_pairs", text) == ["_".join(p) for p in itertools.pairwise(words)]
    assert lucene(solr, "text_pairs:xay_dung") == {1}
    assert lucene(solr, "text_pairs:dung_xay") == {4}  # "dựng xây": the same syllables, the other order
    assert lucene(solr, 'text_pairs:"xây dựng"') == {1}  # a query is paired (and folded) the same way
    assert lucene(solr, "text_pairs:xay") == set()  # no single syllables here


def test_the_words_field_holds_pyvi_compounds(solr, collection):
    assert analyse(collection, "text_vi_words", "Xây_dựng Đảng trong_sạch , vững_mạnh .") == [
        "xây_dựng",
        "đảng",
        "trong_sạch",
        "vững_mạnh",
    ]
    assert lucene(solr, "text_words:xây_dựng") == {1}
    assert lucene(solr, "text_words:chỉnh_đốn") == {1}
    # Word for word what the Whoosh index's exact field makes of segmented text, compounds and all.
    for text in texts_to_compare():
        segmented = canonical(segment(text))
        assert analyse(collection, "text_vi_words", segmented) == re.findall(r"[^\W_]+(?:_[^\W_]+)*", segmented)


def test_highlighting_marks_the_stored_text(solr):
    results = solr.search("trường", hl="true")
    assert "<mark>Trường</mark> Chính_trị" in results.highlighting["archive.article.2"]["text"][0]


def test_spelling_suggestions_come_from_the_folded_terms(solr):
    results = solr.search("text_folded:dagn", defType="lucene", spellcheck="true", **{"spellcheck.q": "dagn"})
    assert "dang" in str(results.spellcheck["suggestions"])


# --- facets, dates, shards ---------------------------------------------------------------
def test_the_documents_are_spread_over_both_shards(solr):
    counts = [solr.search("*:*", shards=shard, rows=0).hits for shard in ("shard1", "shard2")]
    assert all(counts) and sum(counts) == len(DOCUMENTS), counts


def test_facets_on_a_multivalued_field_count_across_both_shards(solr):
    results = solr.search("*:*", rows=0, facet="true", **{"facet.field": ["provinces_exact", "year_exact"]})
    provinces = results.facets["facet_fields"]["provinces_exact"]
    assert dict(zip(provinces[::2], provinces[1::2], strict=True)) == Counter(
        p for doc in DOCUMENTS for p in doc["provinces"]
    )
    years = results.facets["facet_fields"]["year_exact"]
    assert dict(zip(years[::2], years[1::2], strict=True)) == Counter(d["year"] for d in DOCUMENTS if "year" in d)
    # Filters match the field itself, with the counts of what is left.
    narrowed = solr.search("*:*", fq="provinces:ben-tre", rows=0, facet="true", **{"facet.field": "terms_exact"})
    assert narrowed.hits == 5


def test_undated_articles_sort_last_both_ways(solr):
    newest = [d["django_id"] for d in solr.search("*:*", sort="newest_first desc", rows=100).docs]
    oldest = [d["django_id"] for d in solr.search("*:*", sort="oldest_first asc", rows=100).docs]
    assert newest[-1] == oldest[-1] == "5"
    assert newest[0] == "8" and oldest[0] == "7"
    assert lucene(solr, "published:[2024-01-01T00:00:00Z TO *]") == {1, 3, 8}


def test_the_distributed_more_like_this_parser_reads_stored_text(solr):
    """{!mlt} fetches the document's stored fields (qf must name stored ones: text, title). Local
    parameters in q are parsed under defType=lucene only: edismax takes "{!mlt ...}" as words."""
    similar = pks(solr.search("{!mlt qf=text,title mintf=1 mindf=1}archive.article.1", defType="lucene", rows=100))
    assert similar and 1 not in similar
    assert not pks(solr.search("{!mlt qf=text mintf=1 mindf=1}archive.article.1"))  # edismax, the default


# --- haystack's own Solr backend on our schema -------------------------------------------
@pytest.fixture
def haystack_solr():
    """A haystack connection "solr" (haystack's stock Solr backend) to a fresh collection."""
    from haystack import connections

    name = f"test_{uuid.uuid4().hex[:8]}"
    call_command("solr_collection", "--url", SOLR_URL, "create", name, "--shards", 2, "--replicas", 1)
    connections.connections_info["solr"] = {
        "ENGINE": "haystack.backends.solr_backend.SolrEngine",
        "URL": f"{SOLR_URL}/{name}",
        "INCLUDE_SPELLING": True,
    }
    try:
        yield connections.reload("solr").get_backend()
    finally:
        connections.connections_info.pop("solr")
        connections.thread_local.connections.pop("solr", None)
        call_command("solr_collection", "--url", SOLR_URL, "delete", name)


@pytest.mark.needs_shared
def test_haystack_solr_backend_writes_and_reads_the_index_on_our_schema(haystack_solr, db):
    """The seed articles, imported as an editor would (so with their localities and terms), go
    through ArticleIndex and our backend's documents (the fields the schema copies left out)
    into the collection, and haystack's SolrSearchBackend, unchanged, reads it: facets,
    filters, sorts and spelling come back."""
    from haystack import connections
    from haystack.query import SearchQuerySet

    from archive.models import Article
    from search import facets
    from search.search_indexes import ArticleIndex
    from search.solr_backend import VietnameseSolrBackend

    call_command("import_articles", str(SEEDS), verbosity=0, stdout=io.StringIO(), stderr=io.StringIO())
    index = ArticleIndex()
    articles = list(index.index_queryset())
    assert articles
    VietnameseSolrBackend("solr", **connections.connections_info["solr"]).update(index, articles, commit=True)
    sqs = SearchQuerySet(using="solr")

    assert sqs.count() == len(articles)
    assert {r.model for r in sqs} == {Article}
    expected = Counter(p for a in articles for p in facets.PROVINCES.keys(a))
    assert expected, "the seeds name provinces"
    assert dict(sqs.facet("provinces").facet_counts()["fields"]["provinces"]) == expected
    province, count = expected.most_common(1)[0]
    assert sqs.filter(provinces__in=[province]).count() == count
    dated = sorted((a for a in articles if a.published_at), key=lambda a: a.published_at, reverse=True)
    newest = [int(r.pk) for r in sqs.order_by("-newest_first")]
    assert newest[: len(dated)] == [a.pk for a in dated]
    assert sqs.filter(text_folded="dang").count() > 0
    # A fresh query set: haystack keeps the suggestion of a query set's first run.
    assert SearchQuerySet(using="solr").spelling_suggestion("dagn") == "dang"


# --- the command: aliases, listing -------------------------------------------------------
def test_an_alias_switches_to_a_rebuilt_collection(collection, capsys):
    alias = f"alias_{uuid.uuid4().hex[:8]}"
    rebuilt = new_collection(shards=1, replicas=2, documents=DOCUMENTS[:1])
    through_alias = pysolr.Solr(f"{SOLR_URL}/{alias}", timeout=30)
    try:
        call_command("solr_collection", "--url", SOLR_URL, "alias", alias, collection)
        assert through_alias.search("*:*").hits == len(DOCUMENTS)
        call_command("solr_collection", "--url", SOLR_URL, "alias", alias, rebuilt)
        assert through_alias.search("*:*").hits == 1
        call_command("solr_collection", "--url", SOLR_URL, "list")
        assert re.search(rf"^{rebuilt}  ← {alias}$", capsys.readouterr().out, re.MULTILINE)
        with pytest.raises(Exception, match="points at"):
            call_command("solr_collection", "--url", SOLR_URL, "delete", rebuilt)
    finally:
        call_command("solr_collection", "--url", SOLR_URL, "delete", "--alias", alias)
        call_command("solr_collection", "--url", SOLR_URL, "delete", rebuilt)
    assert rebuilt not in SolrAdmin(SOLR_URL).collections()
    assert rebuilt not in SolrAdmin(SOLR_URL).configsets()


def test_reload_uploads_the_configset_again(collection, capsys):
    call_command("solr_collection", "--url", SOLR_URL, "reload", collection)
    assert f"Reloaded collection {collection}" in capsys.readouterr().out
    assert SolrAdmin(SOLR_URL).is_active(collection)


# --- a node going down -------------------------------------------------------------------
@pytest.mark.skipif(not os.environ.get("SOLR_CONTROL"), reason="needs tests/solr_cluster.py's own cluster")
def test_queries_are_answered_while_a_node_is_down(solr, collection):
    from tests.solr_cluster import nodes, start_node, stop_node

    admin = SolrAdmin(SOLR_URL)
    replicas = [r for shard in admin.status(collection)["shards"].values() for r in shard["replicas"].values()]
    for shard in admin.status(collection)["shards"].values():  # each shard has copies on two nodes
        assert len({r["node_name"] for r in shard["replicas"].values()}) == 2
    # A node other than SOLR_URL's (which the test talks to) that holds some of the collection.
    urls = os.environ["SOLR_URLS"].split(",")
    hosting = {r["base_url"] for r in replicas}
    number = next(n for n, url in enumerate(urls, 1) if n > 1 and url in hosting)
    stop_node(number)
    late = document(9, "Bài viết lưu khi một nút ngừng", "Biên tập viên lưu bài khi một nút ngừng.", None, [], [])
    try:
        assert [n["state"] for n in nodes()][number - 1] == "down"
        assert solr.search("*:*", rows=0).hits == len(DOCUMENTS)
        assert lucene(solr, "text_folded:(xay dung dang)") == {1}
        # Writes go on too, once a shard whose leader was there has elected another.
        add_with_retry(solr, {k: v for k, v in late.items() if v not in (None, [])})
        assert lucene(solr, "text_folded:(nut ngung)") == {9}
    finally:
        start_node(number)
    try:
        admin.wait_until_active(collection)
        # The node is back and its replicas caught up: it answers for the whole collection itself,
        # and each copy of the shard that got the new document has it.
        back = pysolr.Solr(f"{urls[number - 1]}/{collection}", timeout=30)
        assert back.search("*:*", rows=0).hits == len(DOCUMENTS) + 1
        assert eventually(lambda: sorted(copies_of(admin, collection, "archive.article.9")) == [0, 0, 1, 1])
    finally:
        solr.delete(id="archive.article.9", commit=True)


def copies_of(admin, collection, doc_id):
    """How many documents `doc_id` each replica holds, asking each core alone."""
    return [
        pysolr.Solr(f"{r['base_url']}/{r['core']}").search(f"id:{doc_id}", distrib="false").hits
        for shard in admin.status(collection)["shards"].values()
        for r in shard["replicas"].values()
    ]


def eventually(check, timeout=30):
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.5)
    return True


def add_with_retry(solr, doc, timeout=60):
    deadline = time.monotonic() + timeout
    while True:
        try:
            return solr.add([doc], commit=True)
        except pysolr.SolrError:
            if time.monotonic() > deadline:
                raise
            time.sleep(1)
