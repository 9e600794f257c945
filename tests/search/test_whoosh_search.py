"""The array evaluation of a search (search.whoosh_search) on a real index of several segments:
what it counts and pages is what the database holds, whichever segment a document is in."""

import datetime
import re
from dataclasses import replace

import numpy as np
import pytest
from whoosh.query import Phrase as WhooshPhrase

from archive.models import Article, ArticleLocality, Locality
from search import facets, query, whoosh_search
from search.forms import SearchForm
from search.plan import AllOf, AnyOf, Boost, Phrase, SearchRequest, Term
from search.syntax import parse

pytestmark = pytest.mark.django_db
BODY = "Chi bộ ấp họp bàn việc xây dựng Đảng ở cơ sở. " * 3


def found(params, offset=0, limit=20):
    form = SearchForm(params)
    assert form.is_valid(), form.errors
    return query.search(form, parse(form.cleaned_data.get("q") or ""), offset, limit)


@pytest.fixture
def segments(indexed, index_worker):
    """30 articles in the rebuilt segment, 10 more written by the worker (a second segment), and one
    of the first edited (its old document deleted in the first segment, the new one in the last)."""
    ben_tre = Locality.objects.get(era=Locality.Era.LEGACY, kind=Locality.Kind.PROVINCE, short_name="Bến Tre")
    first = [Article.objects.create(title=f"Tin {i}", body=BODY) for i in range(30)]
    indexed()
    later = [Article.objects.create(title=f"Tin mới {i}", body=BODY) for i in range(10)]
    for article in first[:5] + later[:3]:
        ArticleLocality.objects.create(article=article, locality=ben_tre)
    first[0].title = "Tin đã sửa"
    first[0].save()
    index_worker()
    return first + later


def test_counts_and_facets_follow_the_database_across_segments(segments):
    result = found({"q": "xay dung dang"})
    assert result.count == Article.objects.count() == 40
    assert dict(result.facets["provinces"]) == {"ben-tre": 8}
    assert found({"q": "xay dung dang", "province": "Bến Tre"}).count == 8
    assert found({"q": "tin da sua"}).ids == [segments[0].pk]


def test_pages_never_repeat_or_skip_across_the_reranked_head(segments, monkeypatch):
    monkeypatch.setattr(whoosh_search, "RERANK", 7)  # the phrases are weighed on the first 7 only
    pages = [found({"q": "xây dựng Đảng"}, offset, 6).ids for offset in range(0, 42, 6)]
    seen = [pk for page in pages for pk in page]
    assert sorted(seen) == sorted(a.pk for a in segments)


def test_a_phrase_in_the_ranking_lifts_the_articles_where_it_stands(indexed):
    scattered = Article.objects.create(title="Một", body="Kinh tế tăng. " * 4 + "Phát triển nhanh. " * 4)
    together = Article.objects.create(title="Hai", body="Ngày mới. " * 4 + "Phát triển kinh tế. " * 2)
    indexed()
    plain = SearchRequest(required=Term("text_folded", "kinh"))
    assert query.engine().execute(plain).ids[0] == scattered.pk  # more of the word
    request = SearchRequest(required=plain.required, ranking=(Boost(Phrase("text_folded", ("trien", "kinh")), 4.0),))
    assert query.engine().execute(request).ids == [together.pk, scattered.pk]


def test_a_deep_requests_constant_tier_is_weighed_past_the_head_of_the_weighted_phrases(indexed, monkeypatch):
    """A forgiving search's tiers outrank any score: for a deep request read on the first
    TIER_RERANK, else on the first RERANK like the weighted phrases."""
    scattered = [Article.objects.create(title=f"Rời {i}", body="Kinh tế tăng. " * 6 + "Phát triển.") for i in range(3)]
    together = Article.objects.create(title="Liền", body="Ngày mới. " * 6 + "Phát triển kinh tế.")
    indexed()
    monkeypatch.setattr(whoosh_search, "RERANK", 2)
    tier = Boost(Phrase("text_folded", ("trien", "kinh")), 1e6, constant=True)
    request = SearchRequest(required=Term("text_folded", "kinh"), ranking=(tier,), deep=True)
    assert query.engine().execute(request).ids[0] == together.pk
    shallow = query.engine().execute(replace(request, deep=False))
    assert shallow.ids[0] in {a.pk for a in scattered} and together.pk in shallow.ids  # weighed on two only
    monkeypatch.setattr(whoosh_search, "TIER_RERANK", 2)  # the tier on the first two only: out of its reach
    assert query.engine().execute(request).ids[0] in {a.pk for a in scattered}


def test_a_tally_counts_the_matches_holding_a_phrase(indexed):
    Article.objects.create(title="Rời", body="Kinh tế tăng. Phát triển.")
    Article.objects.create(title="Liền", body="Phát triển kinh tế.")
    Article.objects.create(title="Khác", body="Phát triển kinh tế. Ngày mới.")
    indexed()
    request = SearchRequest(
        required=Term("text_folded", "tang"),
        tally=(Phrase("text_folded", ("trien", "kinh")), Term("text_folded", "trien"), Term("text_folded", "moi")),
    )
    assert query.engine().execute(request).tallies == [0, 1, 0]
    assert query.engine().execute(replace(request, required=Term("text_folded", "kinh"))).tallies == [2, 3, 1]


def test_newest_first_puts_undated_articles_last_the_latest_added_first(indexed):
    when = datetime.datetime(2024, 5, 1, tzinfo=datetime.UTC)
    old = Article.objects.create(title="Cũ", body=BODY, published_at=when)
    new = Article.objects.create(title="Mới", body=BODY, published_at=when + datetime.timedelta(days=1))
    undated = [Article.objects.create(title=f"Không ngày {i}", body=BODY) for i in range(2)]
    indexed()
    assert found({"q": "dang", "sort": "newest"}).ids == [new.pk, old.pk, undated[1].pk, undated[0].pk]
    assert found({"q": "dang", "sort": "oldest"}).ids == [old.pk, new.pk, undated[0].pk, undated[1].pk]
    assert found({"q": "dang", "from": "2024-05-02"}).ids == [new.pk]
    assert found({"q": "dang", "to": "2024-05-01"}).ids == [old.pk]


def test_an_index_with_no_documents_yet_finds_nothing(client, whoosh_index, db):
    response = client.get("/api/search/", {"q": "xây dựng Đảng", "province": "Bến Tre", "sort": "newest"})
    assert response.status_code == 200
    assert response.json()["count"] == 0
    assert found({"q": ""}).ids == []


def test_the_search_page_says_what_a_date_range_or_sort_does_to_undated_articles(client, indexed):
    dated = Article.objects.create(
        title="Có ngày", body=BODY, published_at=datetime.datetime(2024, 5, 1, tzinfo=datetime.UTC)
    )
    undated = [Article.objects.create(title=f"Không ngày {i}", body=BODY) for i in range(2)]
    indexed()
    page = client.get("/search/", {"q": "dang", "from": "2024-01-01"}).content.decode()
    assert "2 bài không rõ ngày đăng không có trong khoảng này." in page
    link = re.search(r'href="(\?[^"]*undated=1[^"]*)"', page)[1].replace("&amp;", "&")
    assert "from=" not in link
    listed = client.get("/api/search/" + link).json()
    assert sorted(r["id"] for r in listed["results"]) == sorted(a.pk for a in undated)
    assert (
        "2 bài không rõ ngày đăng được xếp cuối."
        in client.get("/search/", {"q": "dang", "sort": "newest"}).content.decode()
    )
    assert "không rõ ngày đăng" not in client.get("/search/", {"q": "dang"}).content.decode()
    assert found({"q": "dang", "undated": "1"}).count == 2 and dated.pk not in found({"q": "dang", "undated": "1"}).ids


def test_a_phrase_matches_where_whooshs_own_phrase_query_does_in_every_segment(segments):
    backend = query.engine()
    view = backend._view()
    for words in [("xay", "dung", "dang"), ("so", "chi", "bo"), ("dang", "xay"), ("dang", "xay", "dung"), ("sua",)]:
        phrase = Phrase("text_folded", words) if len(words) > 1 else Term("text_folded", words[0])
        ours = whoosh_search.execute(view, SearchRequest(required=phrase, limit=0), int)
        theirs = set(view.searcher.docs_for_query(WhooshPhrase("text_folded", list(words)))) & set(
            np.flatnonzero(view.alive).tolist()
        )
        assert ours.count == len(theirs), words
    assert found({"q": '"xây dựng Đảng"'}).count == 40
    assert found({"q": '"Đảng xây"'}).count == 0


def test_any_of_words_scores_each_match_as_the_sum_of_its_words_in_every_segment(segments):
    """Any of several words (an article's related ones ask for its title's) is summed from their
    postings: the same scores, to the last bit, as its words evaluated one by one and added."""
    view = query.engine()._view()
    words = (
        Term("text_folded", "tin"),
        Term("title_folded", "moi"),
        Term("text_folded", "sua"),
        Term("text", "nowhere"),
    )
    mask, score = whoosh_search._Scorer(view)(AnyOf(words))
    parts = [whoosh_search._Scorer(view)(AllOf((word,))) for word in words]  # AllOf of one: the general path
    assert np.array_equal(mask, np.logical_or.reduce([m for m, _s in parts]))
    assert np.array_equal(score, np.sum([s for _m, s in parts], axis=0) * mask)
    assert mask.sum() == 40 and (score[mask] > 0).all()


def test_all_of_leaves_the_parts_after_one_that_nothing_matches_unread(segments):
    """A slip's respelt phrases are asked only where the query's other words stand in order."""
    view = query.engine()._view()
    scorer = whoosh_search._Scorer(view).on(np.flatnonzero(view.alive))
    phrase = Phrase("text_folded", ("xay", "dung", "dang"))
    mask, score = scorer(AllOf((Term("text_folded", "nowhere"), phrase)))
    assert not mask.any() and not score.any() and not scorer.known(phrase)
    mask, score = scorer(AllOf((Term("text_folded", "xay"), phrase)))
    assert mask.sum() == 40 and (score > 0).all() and scorer.known(phrase)


def test_a_view_keeps_the_scores_of_any_of_words_within_its_bound(segments, monkeypatch):
    """What an any-of match's words score is kept with the view (related articles ask for the same
    common words again and again), up to SCORED_MAX postings: past it, what was kept is dropped."""
    monkeypatch.setattr(whoosh_search, "SCORED_MAX", 50)  # "tin" is in 40 documents, "moi" in 10 titles
    view = query.engine()._view()
    words = AnyOf((Term("text_folded", "tin"), Term("title_folded", "moi"), Term("text_folded", "sua")))
    first = whoosh_search._Scorer(view)(words)
    again = whoosh_search._Scorer(view)(words)
    assert np.array_equal(first[0], again[0]) and np.array_equal(first[1], again[1])
    assert 0 < view._scored.held <= 50


def test_a_new_view_of_the_same_segments_takes_what_the_last_one_worked_out_and_a_save_drops_it(
    segments, index_worker
):
    """What a view works out is kept for the next view of the same segments (the workers a server
    forks after its warm-up, a searcher reopened); once a save has changed the segments, it is not."""
    engine = query.engine()
    words = AnyOf((Term("text_folded", "tin"), Term("title_folded", "moi")))
    before = whoosh_search._Scorer(engine._view())(words)
    held = engine._view()._scored.held
    engine._current[1].searcher.close()
    engine._current = None  # as a worker's first search after the warm-up closed its searcher
    reopened = engine._view()
    assert reopened._scored.held == held > 0
    assert all(map(np.array_equal, whoosh_search._Scorer(reopened)(words), before))
    Article.objects.create(title="Tin mới nữa", body=BODY)
    index_worker()
    assert engine._view()._scored.held == 0
    assert whoosh_search._Scorer(engine._view())(words)[0].sum() == 41


def test_a_view_joins_a_words_postings_and_positions_of_every_segment_within_its_bound(segments, monkeypatch):
    """A word's postings and positions, every segment's side by side, are kept with the view (a
    query asks for its words again on each head and in each phrase), up to JOINED_MAX: past it,
    what was kept is dropped. A phrase weighed on a few documents finds there what it finds everywhere."""
    view = query.engine()._view()
    phrase = Phrase("text_folded", ("xay", "dung", "dang"))
    everywhere = whoosh_search._Scorer(view)(phrase)[0]
    some = np.flatnonzero(view.alive)[::3]  # in both segments
    assert np.array_equal(whoosh_search._Scorer(view).on(some)(phrase)[0], everywhere[some])
    assert everywhere[some].all() and set(view._all) == {("text_folded", w) for w in phrase.words}
    monkeypatch.setattr(whoosh_search, "JOINED_MAX", 100)  # each word: 40 postings, 120 positions
    view._all.clear()
    assert np.array_equal(whoosh_search._Scorer(view).on(some)(phrase)[0], everywhere[some])
    assert len(view._all) == 1


def test_a_few_matches_facets_are_counted_from_their_own_entries_as_from_every_entry(segments, monkeypatch):
    asked = [{"q": "xay dung dang"}, {"q": "tin moi"}, {"q": "tin", "province": "Bến Tre"}, {"q": "tin da sua"}]
    monkeypatch.setattr(whoosh_search, "FEW_MATCHES", 0)  # every facet entry looked at
    everywhere = [found(params).facets for params in asked]
    monkeypatch.setattr(whoosh_search, "FEW_MATCHES", 10**6)  # the matches' own entries
    assert [found(params).facets for params in asked] == everywhere
    assert dict(everywhere[0]["provinces"]) == {"ben-tre": 8} and dict(everywhere[2]["provinces"]) == {"ben-tre": 8}
    assert everywhere[1]["provinces"] == [("ben-tre", 3)] and everywhere[3]["provinces"] == [("ben-tre", 1)]


def test_warming_reads_what_searches_use_then_closes_the_searcher(segments, settings):
    before = found({"q": "xây dựng Đảng", "province": "Bến Tre", "sort": "newest"})
    query.engine()._current = None  # as a new process: nothing read yet
    whoosh_search._segments.clear()
    whoosh_search._derived.clear()
    settings.SEARCH_WARM_SECONDS = 0
    query.warm()
    arrays = list(whoosh_search._segments.values())
    assert arrays and all(a.facets.keys() >= set(facets.BY_FIELD) and not a.postings for a in arrays)
    assert query.engine()._current is None  # a forked worker opens its own files
    settings.SEARCH_WARM_SECONDS = 60
    query.warm()
    assert all(("text_folded", "dang") in a.positions and ("title_folded", "tin") in a.postings for a in arrays)
    assert found({"q": "xây dựng Đảng", "province": "Bến Tre", "sort": "newest"}) == before


def test_warming_then_reads_the_words_of_every_title_for_related_articles(segments, index_worker, monkeypatch):
    """A title's syllables (in titles and in the text) and its compounds (in the text), which its
    article's related ones ask for, are read without positions in every segment."""
    Article.objects.create(title="Xây dựng Đảng ở cơ sở", body=BODY)
    index_worker()  # a third segment
    monkeypatch.setattr(whoosh_search, "WARM_FIELDS", {})  # none of the commonest words first
    query.engine()._current = None
    whoosh_search._segments.clear()
    whoosh_search._derived.clear()
    query.warm()
    arrays = list(whoosh_search._segments.values())
    wanted = {("title_folded", "sua"), ("text_folded", "sua"), ("text_folded", "xay"), ("text", "xây_dựng")}
    assert len(arrays) == 3 and all(wanted <= a.postings.keys() and not a.positions for a in arrays)


def test_a_warming_that_fails_still_closes_the_searcher(segments, monkeypatch):
    def broken(view, facets, seconds):
        raise OSError("unreadable segment")

    found({"q": "dang"})  # a searcher is open
    monkeypatch.setattr(whoosh_search, "warm", broken)
    with pytest.raises(OSError):
        query.warm()
    assert query.engine()._current is None  # nothing open is handed to the forked workers
    assert found({"q": "dang"}).count == 40


def test_facet_values_come_most_first_then_by_key_up_to_the_limit(indexed):
    units = list(Locality.objects.filter(era=Locality.Era.LEGACY, kind=Locality.Kind.PROVINCE).order_by("slug")[:4])
    for i, unit in enumerate([units[3], units[3], units[2], units[0], units[1]]):
        ArticleLocality.objects.create(article=Article.objects.create(title=f"Tin {i}", body=BODY), locality=unit)
    indexed()
    counts = query.engine().execute(SearchRequest(facets=("provinces",), facet_limit=3)).facets
    assert counts["provinces"] == [(units[3].slug, 2), (units[0].slug, 1), (units[1].slug, 1)]
