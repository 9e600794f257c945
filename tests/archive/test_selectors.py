"""The read side: what a selector cannot find is a domain error, which the views answer with a 404."""

import pytest
from django.http import Http404

from archive import selectors
from tests.factories import make_article, make_superuser

pytestmark = pytest.mark.django_db


def test_what_is_not_there_is_not_found_without_http():
    with pytest.raises(selectors.NotFound):
        selectors.term(1900, 1905)
    assert not issubclass(selectors.NotFound, Http404)  # the views turn it into a 404


def test_a_draft_is_found_for_editors_only():
    draft = make_article(status="draft")
    from django.contrib.auth.models import AnonymousUser

    reader = AnonymousUser()
    with pytest.raises(selectors.NotFound):
        selectors.article_for(reader, draft.pk)
    editor = make_superuser()
    assert selectors.article_for(editor, draft.pk) == draft


def test_a_page_past_the_last_says_how_many_there_are():
    make_article()
    with pytest.raises(selectors.NotFound, match="chỉ có 1 trang"):
        selectors.page_of(selectors.article_list(), 2)
