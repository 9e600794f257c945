"""A researcher on a phone asks for a province whose name means two (issue 14), and a reader
whose browser asks for English still reads Vietnamese until they choose English."""

import re

from playwright.sync_api import expect

from tests.e2e.test_journeys import MO_CAY_BAC, PHONE_WIDTH, assert_fits_a_phone, save_screenshot
from tests.e2e.test_newcomers import assert_targets_are_big_enough


def test_on_a_phone_the_old_province_links_the_new_one(page, assert_accessible):
    page.set_viewport_size({"width": PHONE_WIDTH, "height": 800})
    page.goto("/search/?province=Vĩnh+Long")
    notice = page.locator(".place-notice")
    expect(notice).to_contain_text("Kết quả cho tỉnh Vĩnh Long cũ (trước 01/7/2025).")
    expect(notice).to_be_in_viewport()
    assert_fits_a_phone(page)  # the long name wraps, the page does not scroll sideways
    save_screenshot(page, f"search-place-notice-{PHONE_WIDTH}px")
    assert_accessible(page)
    assert_targets_are_big_enough(page)

    new_province = re.compile(r"tỉnh Vĩnh Long mới \(gồm Vĩnh Long, Bến Tre, Trà Vinh cũ\): \d+ bài")
    link = notice.get_by_role("link", name=new_province)
    count = int(re.search(r"(\d+) bài", link.inner_text())[1])
    link.click()
    expect(page.locator(".count")).to_have_text(f"{count} kết quả")
    expect(page.get_by_role("link", name=MO_CAY_BAC)).to_be_visible()
    expect(page.locator(".place-notice")).to_contain_text("Xem tỉnh Vĩnh Long cũ (trước 01/7/2025)")


def test_on_a_phone_the_province_page_says_which_one_it_is(page, assert_accessible):
    page.set_viewport_size({"width": PHONE_WIDTH, "height": 800})
    page.goto("/provinces/2025/vinh-long/")
    expect(page.locator(".place-notice")).to_contain_text("Trang này là tỉnh Vĩnh Long mới")
    assert_fits_a_phone(page)
    save_screenshot(page, f"province-place-notice-{PHONE_WIDTH}px")
    assert_accessible(page)
    page.locator(".place-notice").get_by_role("link").click()
    expect(page).to_have_url(re.compile(r"/provinces/vinh-long/$"))
    expect(page.locator(".place-notice")).to_contain_text("Trang này là tỉnh Vĩnh Long cũ")


def test_an_english_browser_reads_vietnamese_until_the_reader_chooses_english(browser, archive):
    context = browser.new_context(base_url=archive, locale="en-US")
    try:
        page = context.new_page()
        page.goto("/")
        expect(page.locator("html")).to_have_attribute("lang", "vi")
        expect(page.get_by_role("link", name="Tìm kiếm", exact=True)).to_be_visible()
        page.get_by_label("Ngôn ngữ").select_option("en")
        page.get_by_role("button", name="Đổi").click()
        expect(page.locator("html")).to_have_attribute("lang", "en")
        page.goto("/search/?province=2025:vinh-long")  # remembered on the next page
        expect(page.locator(".place-notice")).to_contain_text("Results for the new Vĩnh Long province")
    finally:
        context.close()
