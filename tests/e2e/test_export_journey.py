"""A researcher on a phone downloads a search's results and finds its feed: the "Tải về và
theo dõi" box, its tap targets, and a CSV that reads back with its diacritics."""

import csv
import io

import pytest
from playwright.sync_api import expect

from tests.e2e.test_journeys import MO_CAY_BAC, PHONE_WIDTH, assert_a_phone_box, download

pytestmark = pytest.mark.slow  # a browser or a server of its own: make test-fast leaves it out


def test_a_researcher_on_a_phone_downloads_the_results_as_csv(page, assert_accessible):
    page.set_viewport_size({"width": PHONE_WIDTH, "height": 800})
    page.goto("/search/?q=Mỏ+Cày+Bắc")
    feed = page.locator('head link[rel="alternate"][type="application/atom+xml"]').last
    expect(feed).to_have_attribute("href", "/search/feed/?q=M%E1%BB%8F+C%C3%A0y+B%E1%BA%AFc")

    box = page.get_by_role("region", name="Tải về và theo dõi")
    box.scroll_into_view_if_needed()
    names = ["CSV", "JSON lines", "RIS", "BibTeX", "CSL-JSON", "Theo dõi tìm kiếm này (Atom)"]
    assert_a_phone_box(page, assert_accessible, box, names, "search-downloads")

    table = download(page, box, "CSV")
    assert table.suggested_filename == "tim-kiem-mo-cay-bac.csv"
    rows = list(csv.DictReader(io.StringIO(table.path().read_text(encoding="utf-8-sig"))))
    assert [r["title"] for r in rows] == [MO_CAY_BAC]
    assert rows[0]["byline"] == "Hương Thu"
