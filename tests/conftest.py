import os
from pathlib import Path

import pytest
from django.core.management import call_command

SHARED = Path(os.environ.get("ARCHIVE_SHARED_DIR") or Path(__file__).resolve().parents[2] / "shared")
SEEDS = SHARED / "seeds"


MISSING_SHARED = f"The seed articles are read from {SEEDS}: put shared/ beside the project or set ARCHIVE_SHARED_DIR."


def pytest_sessionstart(session):
    if not SEEDS.is_dir() and os.environ.get("CI") == "true":  # in CI nothing may be skipped
        pytest.exit(MISSING_SHARED, returncode=4)


def pytest_collection_modifyitems(config, items):
    """Without ../shared the tests marked needs_shared are skipped, saying why; the rest run."""
    if SEEDS.is_dir():
        return
    skip = pytest.mark.skip(reason=MISSING_SHARED)
    for item in items:
        if item.get_closest_marker("needs_shared"):
            item.add_marker(skip)


@pytest.fixture(autouse=True)
def default_language_afterwards():
    """A test request in English leaves English active in the test's thread (LocaleMiddleware sets
    the language per request and does not undo it); the next test starts in the default language,
    as a new request or command process does."""
    yield
    from django.utils import translation

    translation.deactivate()


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """The test database starts with the real gazetteer, as every installation does."""
    with django_db_blocker.unblock():
        call_command("load_gazetteer", verbosity=0)


@pytest.fixture(scope="session", autouse=True)
def collected_static(tmp_path_factory):
    """Pages name static files by their hashed names, as deployed: collect them once, aside."""
    from django.test import override_settings

    root = tmp_path_factory.mktemp("static")
    with override_settings(STATIC_ROOT=root):
        call_command("collectstatic", interactive=False, verbosity=0)
        yield root


@pytest.fixture
def whoosh_index(settings, tmp_path):
    """A real Whoosh index in a temporary folder, for tests that build or query one."""
    from haystack import connections

    settings.HAYSTACK_CONNECTIONS = {
        "default": {"ENGINE": settings.HAYSTACK_CONNECTIONS["default"]["ENGINE"], "PATH": str(tmp_path / "whoosh")}
    }
    connections.reload("default")
    yield tmp_path / "whoosh"
    connections.reload("default")


@pytest.fixture
def gazetteer(transactional_db):
    """For a test outside a transaction: the gazetteer loaded again, as a transactional test before
    it emptied every table (the seed sources name provinces)."""
    call_command("load_gazetteer", verbosity=0)


@pytest.fixture
def seed_articles(db):
    call_command("loaddata", "sources", "seed_articles", verbosity=0)
    from archive.models import Article

    return {a.title: a for a in Article.objects.all()}


def rebuild_index():
    """`manage.py rebuild_index --noinput`, quietly: the index built from the database as it is."""
    call_command("rebuild_index", interactive=False, verbosity=0)


def apply_pending():
    """The index worker once, as `manage.py index_worker --once` does: apply what is pending."""
    call_command("index_worker", once=True, verbosity=0)


@pytest.fixture
def indexed(whoosh_index, db):
    """Rebuild the temporary index from the database as it is when called."""
    return rebuild_index


@pytest.fixture
def index_worker(whoosh_index):
    """Run the index worker once (apply_pending) when called."""
    return apply_pending


@pytest.fixture(scope="session", autouse=True)
def data_folder(tmp_path_factory):
    """The pages cache in a data folder of this run's own: two runs side by side (SQLite and
    PostgreSQL) must not keep pages for each other."""
    from django.conf import settings
    from django.test import override_settings

    folder = tmp_path_factory.mktemp("data")
    kept = {
        name: {**settings.CACHES[name], "LOCATION": folder / "cache" / name}  # type: ignore[dict-item]
        for name in ("pages", "related")
    }
    with override_settings(CACHES={**settings.CACHES, **kept}):
        yield folder


@pytest.fixture(autouse=True)
def fresh_page_cache(data_folder):
    """Each test starts with nothing kept by the pages: its database rolls back after it, the caches do not."""
    from django.core.cache import caches

    caches["pages"].clear()
    caches["related"].clear()


@pytest.fixture(autouse=True)
def no_search_limits(settings):
    """Searches are not limited in tests (a suite searches far faster than any reader); the tests
    of the limits (tests/config/test_limits.py) turn them on with small numbers."""
    settings.SEARCH_RATE = None
    settings.SEARCH_CONCURRENCY = 0
