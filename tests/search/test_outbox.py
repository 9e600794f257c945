import pytest
from django.core.management import CommandError, call_command
from django.db import transaction
from haystack import connections
from haystack.query import SearchQuerySet

from archive.extraction import link_articles
from archive.models import Article, ArticleLocality, Locality
from search import outbox
from search.backend import IndexBusy
from search.models import PendingChange
from tests.factories import make_article

pytestmark = pytest.mark.django_db


def indexed_ids():
    return sorted(int(i.rpartition(".")[2]) for i in SearchQuerySet().all().values_list("id", flat=True)[:1000])


def pending():
    return list(PendingChange.objects.values_list("article_id", flat=True))


def test_a_save_records_a_pending_change_in_its_own_transaction(whoosh_index):
    article = make_article(title="Hội nghị")
    assert pending() == [article.pk]
    with pytest.raises(RuntimeError), transaction.atomic():
        make_article(title="Không lưu")
        raise RuntimeError
    assert pending() == [article.pk]


def test_links_imports_and_deletes_are_recorded(whoosh_index, seed_articles):
    PendingChange.objects.all().delete()
    article = seed_articles["Tri Tôn quan tâm công tác xây dựng Đảng"]
    ArticleLocality.objects.create(
        article=article, locality=Locality.objects.get(kind="district", short_name="Vân Hồ")
    )
    link_articles([article])  # bulk link changes announce themselves
    pk = article.pk
    article.delete()
    assert set(pending()) == {pk}
    assert len(pending()) >= 3


def test_changes_to_what_documents_show_are_recorded(whoosh_index, seed_articles):
    from archive.models import Term

    article = seed_articles["Tri Tôn quan tâm công tác xây dựng Đảng"]
    term = Term.objects.create(start_year=2020, end_year=2025)
    van_ho = Locality.objects.get(kind="district", short_name="Vân Hồ")
    PendingChange.objects.all().delete()
    article.terms.add(term)  # no post_save for the link row: m2m_changed
    assert pending() == [article.pk]
    PendingChange.objects.all().delete()
    term.end_year = 2026
    term.save()  # the years are the term facet's key
    assert pending() == [article.pk]
    PendingChange.objects.all().delete()
    van_ho.articles.add(article)  # from the other side
    assert pending() == [article.pk]


def test_a_link_moves_its_article_version_so_check_index_sees_a_lost_change(whoosh_index, seed_articles, index_worker):
    index_worker()
    article = seed_articles["Tri Tôn quan tâm công tác xây dựng Đảng"]
    ArticleLocality.objects.create(
        article=article, locality=Locality.objects.get(kind="district", short_name="Vân Hồ")
    )
    PendingChange.objects.all().delete()  # as if the change were lost
    assert outbox.compare().stale == [article.pk]


def test_the_worker_applies_changes_in_order_then_forgets_them(whoosh_index, seed_articles, index_worker):
    index_worker()
    assert indexed_ids() == sorted(a.pk for a in seed_articles.values()) and pending() == []
    draft = seed_articles["Tri Tôn quan tâm công tác xây dựng Đảng"]
    draft.status = Article.Status.DRAFT
    draft.save()
    deleted = seed_articles["Năng lực lãnh đạo và sức chiến đấu của tổ chức cơ sở đảng"]
    deleted.delete()
    assert outbox.apply_pending() > 0
    assert draft.pk not in indexed_ids() and deleted.pk not in indexed_ids() and pending() == []


def test_a_busy_index_loses_nothing(whoosh_index, seed_articles, monkeypatch):
    backend = connections["default"].get_backend()
    monkeypatch.setattr(backend, "WRITE_LOCK_WAIT", 0.1)
    backend.setup()
    holder = backend.index.writer()  # another process's writer, as far as Whoosh can tell
    try:
        with pytest.raises(IndexBusy):
            outbox.apply_pending()
        assert len(pending()) == len(seed_articles)
    finally:
        holder.cancel()
    assert outbox.apply_all() == len(seed_articles)
    assert len(indexed_ids()) == len(seed_articles)


def test_an_article_that_cannot_be_indexed_does_not_hold_up_the_others(whoosh_index, seed_articles, monkeypatch):
    from search.search_indexes import ArticleIndex

    broken = seed_articles["Tri Tôn quan tâm công tác xây dựng Đảng"]
    original = ArticleIndex.prepare_newest_first

    def prepare_newest_first(self, obj):
        if obj.pk == broken.pk:
            raise ValueError("bad data")
        return original(self, obj)

    monkeypatch.setattr(ArticleIndex, "prepare_newest_first", prepare_newest_first)
    for _attempt in range(outbox.MAX_ATTEMPTS):
        outbox.apply_all()
    assert pending() == [broken.pk]
    assert "bad data" in PendingChange.objects.get().error
    assert len(indexed_ids()) == len(seed_articles) - 1
    assert outbox.compare().failing == [broken.pk]
    monkeypatch.setattr(ArticleIndex, "prepare_newest_first", original)  # the data is mended and saved again
    broken.save()
    outbox.apply_all()
    assert pending() == [] and not outbox.compare()


def test_check_index_reports_and_repairs_drift(client, whoosh_index, seed_articles, index_worker, capsys):
    index_worker()
    call_command("check_index")
    assert "The index matches the database." in capsys.readouterr().out
    one, two, three = list(seed_articles.values())[:3]
    PendingChange.objects.all().delete()
    with transaction.atomic():  # changes the index never heard of (as if the outbox row were lost)
        Article.objects.filter(pk=one.pk).update(title="Đã sửa ngoài luồng")
        Article.objects.filter(pk=two.pk).delete()
        Article.objects.filter(pk=three.pk).update(status=Article.Status.DRAFT)
        PendingChange.objects.all().delete()
    drift = outbox.compare()
    assert (drift.missing, drift.extra) == ([], sorted([two.pk, three.pk]))
    assert drift.stale == []  # update() kept updated_at: a stale document needs a newer row
    Article.objects.filter(pk=one.pk).update(updated_at=one.updated_at.replace(year=2030))
    PendingChange.objects.all().delete()
    assert outbox.compare().stale == [one.pk]
    with pytest.raises(CommandError, match="check_index --repair"):
        call_command("check_index")
    call_command("check_index", repair=True)
    assert "the index matches the database" in capsys.readouterr().out
    assert not outbox.compare()
    results = client.get("/api/search/", {"q": "ngoai luong"}).json()["results"]
    assert results[0]["title"] == "Đã sửa ngoài luồng"


def test_a_rebuild_leaves_nothing_pending_and_matches(whoosh_index, seed_articles, indexed):
    assert len(pending()) > 0
    indexed()
    assert pending() == [] and not outbox.compare()


def test_a_deep_outbox_is_applied_in_large_batches_segmented_ahead(whoosh_index, seed_articles, monkeypatch):
    from search import segmentation
    from search.models import Segmentation

    monkeypatch.setattr(outbox, "BATCH", 1)
    monkeypatch.setattr(outbox, "DEEP_BATCH", 2)
    Segmentation.objects.all().delete()
    limits: list[int] = []
    ahead: list[tuple[int, str]] = []
    apply_pending, keep_made = outbox.apply_pending, segmentation._keep_made

    def apply_some(limit):
        limits.append(limit)
        return apply_pending(limit)

    def keep_made_ahead(texts, made):
        ahead.extend(texts)
        keep_made(texts, made)

    monkeypatch.setattr(outbox, "apply_pending", apply_some)
    monkeypatch.setattr(segmentation, "_keep_made", keep_made_ahead)
    assert outbox.apply_all() == len(seed_articles) == 5
    assert pending() == [] and not outbox.compare()
    assert limits == [2, 2, 2, 2]  # the last finds nothing left
    # The first batch is segmented as it is written, the next ones in the other process meanwhile.
    first = sorted(seed_articles.values(), key=lambda a: a.pk)[:2]
    assert sorted(pk for pk, _text in ahead) == sorted(a.pk for a in seed_articles.values() if a not in first)
    for article in seed_articles.values():
        assert Segmentation.objects.get(article=article).text == segmentation.segment(article.search_text(byline=True))
