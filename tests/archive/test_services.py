"""The write rules in archive.services, called without the admin or the importer around them."""

import pytest
from django.core.exceptions import ValidationError

from archive import services
from archive.models import Article, DismissedLink
from search.models import PendingChange
from tests.factories import make_article

pytestmark = pytest.mark.django_db


def test_an_article_gets_its_slug_and_no_empty_url_before_a_bulk_save():
    article = services.prepare_article(Article(title="Đại hội Chi bộ", body="x", original_url=""))
    assert (article.slug, article.original_url) == ("dai-hoi-chi-bo", None)


def test_touched_articles_move_their_version_and_are_announced_once():
    article = make_article()
    before = article.updated_at
    PendingChange.objects.all().delete()
    services.articles_touched([article.pk])
    article.refresh_from_db()
    assert article.updated_at > before
    assert list(PendingChange.objects.values_list("article_id", flat=True)) == [article.pk]
    services.articles_touched([article.pk], announce=False)
    assert PendingChange.objects.count() == 1


def test_a_version_other_than_the_one_opened_is_refused():
    article = make_article()
    services.check_version(article.pk, article.updated_at.isoformat())
    with pytest.raises(ValidationError) as refused:
        services.check_version(article.pk, "2000-01-01T00:00:00+00:00")
    assert refused.value.code == "stale"
    article.delete()
    with pytest.raises(ValidationError) as refused:
        services.check_version(article.pk, "2000-01-01T00:00:00+00:00")
    assert refused.value.code == "deleted"


def test_a_dismissed_link_is_remembered_until_the_editor_links_it_again():
    from archive.models import ArticleTerm, Term

    article, term = make_article(), Term.objects.create(start_year=2020, end_year=2025)
    services.dismiss_link(article.pk, DismissedLink.Kind.TERM, term.pk)
    services.dismiss_link(article.pk, DismissedLink.Kind.TERM, term.pk)  # once is enough
    assert DismissedLink.objects.filter(article=article).count() == 1
    services.editor_linked(ArticleTerm(article=article, term=term), DismissedLink.Kind.TERM, "term")
    assert not DismissedLink.objects.filter(article=article).exists()
