"""The search on SolrCloud (search.solr_backend) through the real page and API, on a collection of
two shards: the seed articles (linked as tests/search/test_search.py links them) rebuilt into it
with `rebuild_index`. test_search's and test_ranking's tests of what readers see run here too,
unchanged, with this module's `indexed` and `index_worker`; below them, what is Solr's own.
Run by `make test-solr`; skipped without SOLR_URL and SEARCH_ENGINE=solr."""

import os
import time
import uuid

import pysolr
import pytest
from django.conf import settings as django_settings
from django.core.management import call_command
from haystack import connections

from archive.models import Article
from search import outbox, solr_backend
from search.analysis import query_words
from search.backend import IndexBusy
from search.models import PendingChange
from search.plan import TIER, Boost, SearchRequest, Term, compile_query
from search.search_indexes import ArticleIndex
from search.solr.admin import SolrAdmin
from search.solr_backend import VietnameseSolrBackend, select_params
from search.syntax import parse
from tests.conftest import apply_pending, rebuild_index
from tests.search import test_search, test_search_places
from tests.search.test_forgiving import (  # noqa: F401 (run here on Solr)
    apart,
    articles,
    test_a_dropped_letter_finds_the_word_and_the_suggestion_corrects_it,
    test_a_name_standing_whole_nowhere_is_said,
    test_a_name_standing_whole_ranks_first,
    test_a_near_spelling_counts_in_the_words_standing_together,
    test_a_phrase_found_whole_is_not_forgiven,
    test_a_respelt_word_never_outranks_the_phrase_as_typed,
    test_a_slip_for_a_rarer_word_than_a_dozen_others_one_edit_away_finds_the_phrase,
    test_a_slip_in_a_name_joined_with_its_neighbour_leaves_the_neighbour_in_the_sequence,
    test_a_slip_that_makes_a_common_word_finds_the_phrase_it_breaks,
    test_a_slip_that_makes_another_word_still_finds_the_phrase,
    test_a_thousand_letters_answer_with_a_notice,
    test_a_wrong_word_beside_a_quotation_mark_is_left_out_whole,
    test_a_wrong_word_is_forgiven_though_every_word_finds_many_articles_apart,
    test_a_wrong_word_still_finds_the_article_and_says_which_word_is_missing,
    test_an_unknown_word_finds_the_phrase_through_a_spelling_rarer_than_those_searched_for,
    test_articles_with_every_word_come_first,
    test_exact_spelling_ranks_above_a_near_one,
    test_quoted_phrases_plus_words_and_not_stay_strict,
    test_the_right_spelling_is_found_among_several_commoner_ones,
    test_the_suggestion_keeps_capitals_and_accents,
    test_the_words_standing_together_rank_highest_among_those_missing_one,
)
from tests.search.test_ranking import (  # noqa: F401 (run here on Solr)
    test_a_phrase_with_slop_holds_its_words_in_order_with_few_between,
    test_exact_accents_rank_above_folded_matches,
    test_four_remembered_words_find_the_article_first,
    test_title_matches_weigh_more_than_body_matches,
    test_words_standing_together_rank_above_scattered_ones,
)
from tests.search.test_search import (  # noqa: F401 (the test_ functions: run here on Solr)
    MO_CAY_BAC,
    TRI_TON,
    api,
    test_admin_save_is_searchable_once_the_worker_applies_it,
    test_api_result_shape,
    test_chosen_filter_shows_and_can_be_removed,
    test_detail_page_shows_related_articles,
    test_did_you_mean,
    test_drafts_never_appear,
    test_empty_result_says_what_to_do,
    test_every_way_of_typing_finds_the_articles,
    test_facets_also_when_sorted_by_date,
    test_facets_count_and_narrow,
    test_facets_link_to_the_archive_pages,
    test_filters,
    test_highlighting_on_the_page,
    test_linking_a_locality_reindexes_the_article,
    test_malformed_queries_answer_without_error,
    test_markup_in_articles_and_queries_cannot_run,
    test_old_and_new_tone_placement_find_the_same_articles,
    test_operators_and_fields,
    test_page_past_the_end_says_how_many_pages_there_are,
    test_pagination,
    test_phrase_and_names,
    test_rolled_back_save_leaves_no_document,
    test_sort_by_date_puts_undated_articles_last,
    test_suggestion_keeps_the_rest_of_the_query_and_the_filters,
    test_too_long_query_says_it_was_cut,
    test_year_facet_follows_vietnam_time,
    titles,
)
from tests.search.test_search_places import (  # noqa: F401 (run here on Solr)
    test_the_count_is_of_the_same_search_in_the_other_province,
    test_the_new_province_says_so_and_links_the_old_one_with_its_count,
    test_the_old_province_says_so_and_links_the_new_one_with_its_count,
)

SOLR_URL = os.environ.get("SOLR_URL", "")
if not SOLR_URL or os.environ.get("SEARCH_ENGINE") != "solr":
    pytest.skip(
        "needs SolrCloud: run `make test-solr` (tests/solr_cluster.py sets SEARCH_ENGINE=solr and SOLR_URL)",
        allow_module_level=True,
    )
CONFIGURED = dict(django_settings.HAYSTACK_CONNECTIONS["default"])  # as SEARCH_ENGINE=solr made it

pytestmark = pytest.mark.django_db
AN_PHU = "An Phú tập trung chuẩn bị tốt Đại hội Đảng bộ các cấp"
archive = test_search.archive  # the seeds, linked to localities, an official and a term; then indexed() below
vinh_long = test_search_places.vinh_long  # articles in the old and the new Vĩnh Long; then indexed() below


@pytest.fixture(scope="module")
def collection():
    """A collection of its own, two shards of one replica each."""
    name = f"test_backend_{uuid.uuid4().hex[:8]}"
    SolrAdmin(SOLR_URL).create_collection(name, shards=2, replicas=1)
    yield name
    SolrAdmin(SOLR_URL).delete_collection(name)


def use_default(settings, url, **options):
    """The default connection as SEARCH_ENGINE=solr made it, on another collection (or address)."""
    settings.HAYSTACK_CONNECTIONS = {"default": {**CONFIGURED, "URL": url, **options}}
    connections.reload("default")
    return connections["default"].get_backend()


def test_the_settings_chose_solr():
    assert CONFIGURED["ENGINE"] == "search.solr_backend.VietnameseSolrEngine"
    assert CONFIGURED["URL"] == f"{SOLR_URL.rstrip('/')}/{os.environ.get('SOLR_COLLECTION') or 'archive'}"
    assert isinstance(connections["default"].get_backend(), VietnameseSolrBackend)


@pytest.fixture
def solr(settings, collection):
    """haystack's default connection on the empty collection, as SEARCH_ENGINE=solr makes it."""
    backend = use_default(settings, f"{SOLR_URL}/{collection}")
    backend.conn.delete(q="*:*", commit=True)
    yield backend
    connections.reload("default")


@pytest.fixture
def indexed(solr):
    """The imported tests (and test_search's `archive` fixture) call this: it rebuilds the collection."""
    return rebuild_index


@pytest.fixture
def index_worker(solr):
    """The worker once, then at once what Solr's own soft commit does within a second (tested below)."""

    def apply():
        apply_pending()
        solr.conn.commit(softCommit=True)

    return apply


def eventually(check, timeout=15):
    """Writes are searchable after Solr's soft commit (each second): wait for it, within reason."""
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, "not searchable in time"
        time.sleep(0.3)


def execute(backend, q, **options):
    required, ranking = compile_query(parse(q))
    return backend.execute(SearchRequest(required=required, ranking=ranking, **options))


# --- what a reader sees ------------------------------------------------------------------
def test_facets_count_across_both_shards(client, archive, solr):
    on_shards = [solr.conn.search("*:*", shards=shard, rows=0).hits for shard in ("shard1", "shard2")]
    assert all(on_shards) and sum(on_shards) == 5, on_shards
    data = api(client, q="dang")
    provinces = {f["label"]: f["count"] for f in data["facets"]["provinces"]}
    assert provinces == {"Tỉnh Bến Tre": 1, "Tỉnh An Giang": 1}
    assert {f["label"] for f in data["facets"]["provinces_2025"]} == {"Tỉnh Vĩnh Long", "Tỉnh An Giang"}
    assert {f["label"]: f["count"] for f in data["facets"]["year"]} == {"2019": 1, "2020": 1, "2021": 1}
    assert [f["label"] for f in data["facets"]["terms"]] == ["2020-2025"]
    assert [f["label"] for f in data["facets"]["officials"]] == ["Trần Thị Sol"]
    # A facet's link narrows the results to it.
    bến_tre = next(f for f in data["facets"]["provinces"] if f["label"] == "Tỉnh Bến Tre")
    assert [r["title"] for r in client.get("/api/search/" + bến_tre["url"]).json()["results"]] == [MO_CAY_BAC]


def test_frequencies_are_the_collections_across_both_shards(archive, solr):
    """The forgiving search's look-up (Solr's /terms handler): the collection's size and each
    known term's document count, summed over the shards; a term no article holds is left out."""
    on_shards = [solr.conn.search("*:*", shards=shard, rows=0).hits for shard in ("shard1", "shard2")]
    documents, counts = solr.frequencies("text_folded", {"dang", "xyzzy"})
    assert all(on_shards) and documents == sum(on_shards) == 5
    assert counts == {"dang": solr.conn.search("text_folded:dang", defType="lucene", rows=0).hits}
    assert counts["dang"] > 1


def test_pages_never_repeat_in_any_order_across_the_shards(client, archive, indexed):
    Article.objects.bulk_create(
        [Article(title=f"Tin Đảng bộ số {i}", body="Đảng bộ xã họp.", slug=f"t{i}") for i in range(30)]
    )
    indexed()
    for sort in ("relevance", "newest", "oldest"):
        first, second = api(client, q="Đảng bộ", sort=sort), api(client, q="Đảng bộ", page=2, sort=sort)
        assert first["count"] == 35 and first["pages"] == 2 and len(first["results"]) == 20
        assert len(second["results"]) == 15
        assert len({r["id"] for r in first["results"] + second["results"]}) == 35


def test_did_you_mean_with_diacritics_keeps_them(client, archive):
    assert api(client, q="xây dựgn Đảng")["suggestion"] == "xây dựng Đảng"  # Solr's exact dictionary
    assert api(client, q="Tri Tôn")["suggestion"] is None


# --- the index follows the database ------------------------------------------------------
def test_drafts_never_reach_solr(client, archive, solr):
    draft = Article.objects.create(title="Bản nháp về công tác cán bộ", body="Chưa duyệt.", status="draft")
    article = Article.objects.get(title=TRI_TON)
    article.status = Article.Status.DRAFT
    article.save()
    apply_pending()  # no commit: Solr's soft commit shows it
    eventually(lambda: f"archive.article.{article.pk}" not in solr.indexed_ids())
    assert TRI_TON not in titles(client, q="Tri Tôn")
    assert f"archive.article.{draft.pk}" not in solr.indexed_ids()
    assert titles(client, q='"Bản nháp về công tác cán bộ"') == []
    assert len(solr.indexed_ids()) == 4
    call_command("check_index", verbosity=0)  # the collection matches the database (or it raises)


def test_a_save_is_searchable_once_the_worker_applies_it(client, archive):
    Article.objects.create(title="Hội nghị hòa giải ở cơ sở", body="Tổ hòa giải ấp Phú Hòa họp bàn.")
    assert "Hội nghị hòa giải ở cơ sở" not in titles(client, q="to hoa giai")  # the request wrote no index
    apply_pending()
    eventually(lambda: titles(client, q="to hoa giai")[:1] == ["Hội nghị hòa giải ở cơ sở"])


def test_rebuild_drops_documents_of_deleted_articles(client, archive, indexed, solr):
    Article.objects.filter(title=TRI_TON).delete()
    PendingChange.objects.all().delete()  # as if the worker never ran: only the rebuild can drop it
    indexed()
    assert TRI_TON not in titles(client, q="xay dung dang")
    assert len(solr.indexed_ids()) == 4


@pytest.mark.django_db(transaction=True)  # the processes read the articles on connections of their own
def test_a_rebuild_on_two_processes_sends_every_article_once(seed_articles, solr, monkeypatch):
    monkeypatch.setattr(solr_backend, "CHUNK", 2)  # three batches for two forked processes
    published = Article.objects.filter(status=Article.Status.PUBLISHED).values_list("pk", flat=True)
    assert len(published) >= 5
    assert solr.rebuild(ArticleIndex(), workers=2) == len(published)
    assert solr.indexed_ids() == {f"archive.article.{pk}" for pk in published}
    assert solr.conn.search("*:*", rows=0).hits == len(published)


def test_rebuild_through_an_alias_fills_a_new_collection_and_switches(client, seed_articles, settings):
    """The alias moves to a collection made for the rebuild; the one it left stays until the
    next rebuild (searches in flight), older ones are deleted with their configsets."""
    admin = SolrAdmin(SOLR_URL)
    alias, first = f"alias_{uuid.uuid4().hex[:8]}", f"test_first_{uuid.uuid4().hex[:8]}"
    admin.create_collection(first, shards=2, replicas=1)
    admin.create_alias(alias, first)
    use_default(settings, f"{SOLR_URL}/{alias}")
    made = []
    try:
        for _ in range(2):
            rebuild_index()
            made.append(admin.aliases()[alias])
            assert titles(client, q="xay dung dang")[0] == TRI_TON
            assert api(client)["count"] == 5
            time.sleep(1)  # a new collection's name has the second it was made in
        # Soft commits, off while the collection filled, are on again: an edit is searchable soon.
        connections["default"].get_backend().remove(Article.objects.get(title=TRI_TON))
        eventually(lambda: api(client)["count"] == 4)
        assert first not in made and made[0] != made[1] and all(m.startswith(f"{alias}_") for m in made)
        assert admin.collections().count(made[0]) == 1  # the one the alias left is kept
        rebuild_index()
        made.append(admin.aliases()[alias])
        assert made[0] not in admin.collections() and made[0] not in admin.configsets()
        assert made[1] in admin.collections() and first in admin.collections()  # not one of the rebuild's
    finally:
        admin.delete_alias(alias)
        for name in {first, *made} & set(admin.collections()):
            admin.delete_collection(name)
        connections.reload("default")


def test_solr_down_is_a_503_and_no_change_is_lost(client, archive, settings):
    use_default(settings, "http://127.0.0.1:9/solr/archive", TIMEOUT=2)  # nothing listens there
    response = client.get("/api/search/", {"q": "dang"})
    assert response.status_code == 503 and "Tìm kiếm tạm thời không hoạt động" in response.json()["error"]
    page = client.get("/search/", {"q": "dang"})
    assert page.status_code == 503 and "Tìm kiếm tạm thời không hoạt động" in page.content.decode()
    assert client.get(archive[MO_CAY_BAC].get_absolute_url()).status_code == 200  # without related articles
    Article.objects.create(title="Bài lưu khi Solr ngừng", body="Nội dung.")
    waiting = PendingChange.objects.count()
    assert waiting
    with pytest.raises(IndexBusy):
        outbox.apply_pending()
    assert PendingChange.objects.count() == waiting  # kept for the next try
    with pytest.raises(pysolr.SolrError):  # check_index cannot list the index: an error, not "all missing"
        call_command("check_index", verbosity=0)


@pytest.mark.skipif(not os.environ.get("SOLR_CONTROL"), reason="needs tests/solr_cluster.py's own cluster")
def test_a_shard_without_any_copy_is_a_503_and_writes_wait(client, archive, solr, collection):
    """One replica a shard: with the node holding one of them stopped, searches cannot be whole
    (503, not a partial answer) and a write to it is IndexBusy; once back, both work again."""
    from tests.solr_cluster import start_node, stop_node

    admin = SolrAdmin(SOLR_URL)
    urls = os.environ["SOLR_URLS"].split(",")
    hosting = {r["base_url"] for s in admin.status(collection)["shards"].values() for r in s["replicas"].values()}
    number = next(n for n, url in enumerate(urls, 1) if n > 1 and url in hosting)  # the test talks to node 1
    stop_node(number)
    try:
        assert client.get("/api/search/", {"q": "dang"}).status_code == 503
        with pytest.raises(IndexBusy):
            solr.update(ArticleIndex(), ArticleIndex().index_queryset())  # some of them belong to that shard
    finally:
        start_node(number)
    admin.wait_until_active(collection)
    assert api(client, q="dang")["count"] == 5


# --- the same answers as Whoosh ----------------------------------------------------------
QUERIES = [
    "xay dung dang",
    "xây dựng Đảng",
    "Trần Thị Sol",
    '"ngo cong thuc"',
    "Ngô Công Thức",
    "Mỏ Cày Bắc",
    "An Phú",
    "nghị quyết",
    "Đảng -Tôn",
    "Sol OR Liêm",
    "title:tri",
    "author:ngo chuan",
    "đại hội đảng bộ",
    "lãnh đạo sức chiến đấu",
    "-dang",
]
UNAMBIGUOUS = {  # the top result either engine must give
    "Trần Thị Sol": MO_CAY_BAC,
    "Ngô Công Thức": AN_PHU,
    "Mỏ Cày Bắc": MO_CAY_BAC,
    "xây dựng Đảng": TRI_TON,
    "nghị quyết": "Đưa Nghị quyết vào cuộc sống bằng nhiều giải pháp thiết thực",
    "An Phú": AN_PHU,
}


def test_the_same_matches_and_top_results_as_whoosh(archive, solr, tmp_path):
    from search.backend import VietnameseWhooshBackend

    whoosh = VietnameseWhooshBackend("default", PATH=str(tmp_path / "whoosh"))
    whoosh.rebuild(ArticleIndex())
    title = {a.pk: a.title for a in Article.objects.all()}
    for q in QUERIES:
        on_solr, on_whoosh = execute(solr, q, limit=50), execute(whoosh, q, limit=50)
        assert on_solr.count == on_whoosh.count and set(on_solr.ids) == set(on_whoosh.ids), q
        if q in UNAMBIGUOUS:
            assert title[on_solr.ids[0]] == title[on_whoosh.ids[0]] == UNAMBIGUOUS[q], q
    facets = ("provinces", "year", "districts", "source")
    for q in ("dang", ""):
        assert execute(solr, q, facets=facets).facets == execute(whoosh, q, facets=facets).facets
    for sort in ("newest", "oldest"):
        assert execute(solr, "dang", sort=sort).ids[:3] == execute(whoosh, "dang", sort=sort).ids[:3]


def test_documents_carry_the_canonical_text_once(archive, solr):
    """One tone placement and pyvi's compounds, in the text alone: Solr's copyFields make the
    folded, paired and compound fields and the facets' "_exact" twins from it."""
    article = Article.objects.get(title=TRI_TON)
    doc = solr.document(ArticleIndex(), article)
    assert "_" in doc["text"]  # pyvi's compounds
    assert query_words(doc["title"]) == query_words(TRI_TON)
    assert not {"text_folded", "text_pairs", "text_words", "title_folded", "year_exact"} & set(doc)
    for q in ("text_words:xây_dựng", "text_pairs:xay_dung", "text_folded:xay", "title_folded:tri"):
        hits = solr.conn.search(q, defType="lucene", fl="django_id", rows=50).docs
        assert article.pk in {int(d["django_id"]) for d in hits}, q
    counts = solr.conn.search("*:*", rows=0, facet="true", **{"facet.field": "year_exact"}).facets
    assert str(article.published_at.year) in counts["facet_fields"]["year_exact"][::2]


def test_a_tier_counts_its_weight_and_adds_no_words(archive, solr):
    """A constant tier (a million, as search.plan's TIER) is worth that for every document it
    matches and nothing for the others; written "^=1e+06", the standard parser read ^=1 and the
    words "e" and "06"."""
    ranking = (Boost(Term("text_folded", "sol"), TIER, constant=True),)
    params = select_params(SearchRequest(ranking=ranking, limit=100))
    found = solr.conn.search(params.pop("q"), **{**params, "fl": "django_id,tier:query($tiers,0)"}).docs
    holding = set(execute(solr, "sol", limit=100).ids)
    tiers = {int(doc["django_id"]): doc["tier"] for doc in found}
    assert len(tiers) == 5 and 0 < len(holding) < 5
    assert tiers == {pk: TIER if pk in holding else 0.0 for pk in tiers}
    assert set(solr.execute(SearchRequest(ranking=ranking)).ids[: len(holding)]) == holding  # first


def test_tiers_keep_the_order_the_score_gives_within_them(archive, solr):
    """Documents of the same tiers keep the order of the rest of their score: summed with the
    tiers, that score would be lost in a 32-bit float (16 million + 2.5 is 16 million)."""
    by_score = solr.execute(SearchRequest(required=Term("text_folded", "dang"))).ids
    assert len(by_score) > 2 and by_score != sorted(by_score, key=lambda pk: f"archive.article.{pk}")
    tiers = tuple(Boost(Term("text_folded", "dang"), TIER, constant=True) for _ in range(16))
    assert solr.execute(SearchRequest(required=Term("text_folded", "dang"), ranking=tiers)).ids == by_score


def test_a_page_of_results_takes_no_round_for_fields(archive, solr):
    """The page's ids come with the shards' first answer (fl is the unique key alone): no second
    request to each shard for stored fields (Solr's GET_FIELDS phase)."""
    required, ranking = compile_query(parse("dang"))
    params = select_params(SearchRequest(required=required, ranking=ranking, facets=("provinces",)))
    found = solr.conn.search(params.pop("q"), **{**params, "debug": "track"})
    assert found.hits == 5 and "EXECUTE_QUERY" in found.debug["track"]
    assert "GET_FIELDS" not in found.debug["track"]
