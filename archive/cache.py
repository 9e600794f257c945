"""What the browse pages keep between requests: counts and lists that change only when articles,
their links or the units, people and terms they name are saved or deleted.

Everything is kept in the "pages" cache under the current *generation*, a random token that any
such save or delete replaces (`invalidate`), so a page never shows what was true before a save.
The token lives in the same cache, which gunicorn's workers share, so a save in one process is
seen by all at once."""

import hashlib
import uuid

from django.core.cache import caches
from django.db import transaction
from django.db.models import signals

from archive.models import (
    Article,
    ArticleLocality,
    ArticleOfficial,
    ArticleTerm,
    Locality,
    Official,
    Source,
    Term,
)
from archive.signals import articles_changed

GENERATION = "generation"


def _cache():
    return caches["pages"]


def _generation():
    token = _cache().get(GENERATION)
    if token is None:
        _cache().add(GENERATION, uuid.uuid4().hex, None)
        token = _cache().get(GENERATION)
    return token


def remembered(key: str, compute):
    """`compute()`, kept under `key` until the next change (`compute` must not return None)."""
    full_key = f"{_generation()}:{hashlib.sha1(key.encode()).hexdigest()}"
    value = _cache().get(full_key)
    if value is None:
        value = compute()
        _cache().set(full_key, value)
    return value


def _new_generation():
    _cache().set(GENERATION, uuid.uuid4().hex, None)


def invalidate(**kwargs):
    """A new generation now, so this transaction reads its own change, and again once it commits:
    a page another process built meanwhile from the data before the commit is dropped too."""
    _new_generation()
    if transaction.get_connection().in_atomic_block:
        transaction.on_commit(_new_generation)


def connect():
    """Invalidate on every save or delete the pages show (called once, when the app is ready). An
    official's positions are edited in the official's form, whose save commits after them."""
    for model in (Article, ArticleLocality, ArticleOfficial, ArticleTerm, Locality, Official, Source, Term):
        signals.post_save.connect(invalidate, sender=model, dispatch_uid=f"pages-save-{model.__name__}")
        signals.post_delete.connect(invalidate, sender=model, dispatch_uid=f"pages-delete-{model.__name__}")
    for field in (Article.localities, Article.officials, Article.terms):
        signals.m2m_changed.connect(invalidate, sender=field.through, dispatch_uid=f"pages-m2m-{field.field.name}")
    articles_changed.connect(invalidate, dispatch_uid="pages-articles-changed")
