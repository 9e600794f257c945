"""A reader on a phone cites an article: the "Trích dẫn" box, its tap targets, and a download."""

import re

import pytest
import rispy
from playwright.sync_api import expect

from tests.e2e.test_journeys import MO_CAY_BAC, PHONE_WIDTH, assert_a_phone_box, download

pytestmark = pytest.mark.slow  # a browser or a server of its own: make test-fast leaves it out


def test_a_reader_on_a_phone_copies_a_citation_and_downloads_it(page, assert_accessible):
    page.set_viewport_size({"width": PHONE_WIDTH, "height": 800})
    page.goto("/articles/")
    page.get_by_role("link", name=MO_CAY_BAC).click()
    expect(page.locator('meta[name="citation_title"]')).to_have_attribute("content", MO_CAY_BAC)
    permalink = page.locator('meta[name="DC.identifier"]').get_attribute("content")
    assert re.fullmatch(r"http://[^/]+/articles/\d+/", permalink)

    box = page.get_by_role("region", name="Trích dẫn")
    box.scroll_into_view_if_needed()
    expect(box).to_contain_text(f"Hương Thu (13/11/2020), “{MO_CAY_BAC}”, Báo Đồng Khởi, truy cập ngày")
    expect(box).to_contain_text(f"Hương Thu. (2020, November 13). {MO_CAY_BAC}. Báo Đồng Khởi. {permalink}")
    assert_a_phone_box(page, assert_accessible, box, ["RIS", "BibTeX", "CSL-JSON"], "article-citation")

    ris = download(page, box, "RIS")
    assert re.fullmatch(r"huongthu2020mocay-\d+\.ris", ris.suggested_filename)
    (entry,) = rispy.loads(ris.path().read_text(encoding="utf-8"))
    assert (entry["title"], entry["urls"]) == (MO_CAY_BAC, [permalink])
