"""Browser tests: Debian's Chromium, driven by Playwright, against a live server holding the
archive as `make run` sets it up. Without Chromium or axe-core they are skipped, and say how to
install them; with CI=true they fail instead."""

import io
import os
from pathlib import Path

import pytest
from django.core.management import call_command
from playwright.sync_api import sync_playwright

# Playwright's sync API keeps an event loop in the test thread, where Django then refuses the ORM.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

PROJECT = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
AXE = PROJECT / "node_modules/axe-core/axe.min.js"
# Without the background-networking flags Chromium keeps calling out, and this network refuses it.
CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-gpu",
    "--disable-quic",
]


def require(present, what, install):
    if present:
        return
    if os.environ.get("CI", "").lower() in {"1", "true", "yes"}:
        pytest.fail(f"{what} is not installed, and CI must run the browser tests ({install}).", pytrace=False)
    pytest.skip(f"{what} is not installed, so the browser tests were skipped ({install}).")


@pytest.fixture(scope="session")
def browser():
    require(CHROMIUM.exists(), "Chromium", "apt-get install chromium")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        yield browser
        browser.close()


@pytest.fixture
def archive(transactional_db, live_server, whoosh_index, settings):
    """The gazetteer, the seed articles with their links and the search index, served live."""
    from archive.extraction.localities import gazetteer

    # The live server serves static files from their source folders by their plain names;
    # whitenoise serving the hashed, collected ones is tested in tests/config/test_serving.py.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }

    gazetteer.cache_clear()  # read once per process, but each browser test loads it anew
    call_command("setup_archive", stdout=io.StringIO())
    return live_server.url


@pytest.fixture
def page(browser, archive):
    """A fresh tab of a reader whose browser asks for Vietnamese. Anything the page's
    Content-Security-Policy blocks fails the test."""
    context = browser.new_context(base_url=archive, locale="vi-VN")
    context.set_default_timeout(5000)
    page = context.new_page()
    blocked = []

    def note_blocked(message):
        if "Content Security Policy" in message.text:
            blocked.append(message.text)

    page.on("console", note_blocked)
    yield page
    context.close()
    assert not blocked, f"The Content-Security-Policy blocked: {blocked}"


@pytest.fixture(scope="session")
def assert_accessible():
    """A check that axe-core finds nothing serious or critical on a page as it is shown."""
    require(AXE.exists(), "axe-core", "apt-get install npm, then make test installs it")
    axe = AXE.read_text()

    def check(page):
        page.evaluate(axe)
        found = page.evaluate("axe.run({resultTypes: ['violations']})")["violations"]
        serious = [
            f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']]}"
            for v in found
            if v["impact"] in ("serious", "critical")
        ]
        assert not serious, f"{page.url}:\n" + "\n".join(serious)

    return check
