"""What readers and editors do, in a real browser: each journey checks what the pages show,
runs axe-core on them, and leaves screenshots in var/screenshots/ for people to look at."""

import re
import time
from pathlib import Path
from urllib.parse import urlencode

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.slow  # a browser or a server of its own: make test-fast leaves it out

SCREENSHOTS = Path(__file__).resolve().parents[2] / "var/screenshots"
PHONE_WIDTH = 375
MO_CAY_BAC = "Mỏ Cày Bắc cụ thể hóa thực hiện Nghị quyết Đại hội Đảng bộ huyện lần thứ XII"


def save_screenshot(page, name):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SCREENSHOTS / f"{name}.png", full_page=True)


def result_count(page):
    return int(re.match(r"\d+", page.locator(".count").inner_text())[0])


def search_until_found(page, query, title, seconds=5.0):
    """Search for `query` until `title` is among the results, and return the link to it.

    An editor's save reaches the search index through the index worker, after the save is
    committed: the worker runs here, as it runs beside the site, before each search."""
    from django.core.management import call_command

    deadline = time.monotonic() + seconds
    while True:
        call_command("index_worker", once=True, verbosity=0)
        page.goto("/search/?" + urlencode({"q": query}))
        link = page.locator(".results .article-title", has_text=title)
        if link.count() or time.monotonic() > deadline:
            expect(link).to_have_count(1)
            return link
        page.wait_for_timeout(200)


def test_search_from_the_home_page_and_open_a_highlighted_result(page, assert_accessible):
    page.goto("/")
    assert_accessible(page)
    page.get_by_role("searchbox", name="Tìm bài viết").fill("xay dung dang")
    page.keyboard.press("Enter")

    expect(page).to_have_url(re.compile(r"/search/\?q=xay\+dung\+dang$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Tìm kiếm")
    assert result_count(page) >= 2
    first = page.locator(".results .article-item").first
    # Typed without diacritics, highlighted as written.
    expect(first.locator("mark").first).to_have_text(re.compile("xây|dựng|Đảng", re.IGNORECASE))
    assert_accessible(page)
    save_screenshot(page, "search-results")

    title = first.locator(".article-title").inner_text()
    first.locator(".article-title").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(title)
    expect(page.locator("article .meta time")).to_be_visible()
    assert_accessible(page)
    save_screenshot(page, "article")


def test_narrow_by_a_province_and_remove_the_filter(page, assert_accessible):
    page.goto("/search/?q=xay+dung+dang")
    everything = result_count(page)
    facets = page.get_by_role("complementary", name="Thu hẹp kết quả")
    facets.get_by_role("link", name="Tỉnh Bến Tre", exact=True).click()

    expect(page).to_have_url(re.compile(r"province=ben-tre"))
    chosen = page.get_by_role("list", name="Bộ lọc đang chọn")
    expect(chosen).to_contain_text("Bến Tre")
    narrowed = result_count(page)
    assert 0 < narrowed < everything
    for meta in page.locator(".results .meta").all():
        expect(meta).to_contain_text("Bến Tre")
    assert_accessible(page)

    chosen.get_by_role("link", name="Bỏ lọc Tỉnh Bến Tre").click()
    expect(page.get_by_role("list", name="Bộ lọc đang chọn")).to_have_count(0)
    assert result_count(page) == everything


def test_browse_from_province_to_district_to_article(page, assert_accessible):
    page.goto("/")
    page.get_by_role("navigation", name="Điều hướng chính").get_by_role("link", name="Địa phương").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Địa phương")
    page.get_by_role("link", name="Tỉnh Bến Tre", exact=True).click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Tỉnh Bến Tre")
    assert_accessible(page)
    page.get_by_role("link", name="Huyện Mỏ Cày Bắc").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Huyện Mỏ Cày Bắc")
    expect(page.get_by_role("navigation", name="Vị trí")).to_contain_text("Tỉnh Bến Tre")
    page.get_by_role("link", name=MO_CAY_BAC).click()

    expect(page.get_by_role("heading", level=1)).to_have_text(MO_CAY_BAC)
    expect(page.locator("article")).to_contain_text("Tập trung xây dựng Đảng")


def test_an_editor_adds_an_article_and_readers_find_it(page, django_user_model):
    from django.contrib.auth.models import Group

    from archive.roles import EDITORS

    editor = django_user_model.objects.create_user("bientap", password="mật-khẩu-dài-2025", is_staff=True)
    editor.groups.add(Group.objects.get(name=EDITORS))

    page.goto("/admin/")
    page.get_by_label("Tên đăng nhập").fill("bientap")
    page.get_by_label("Mật khẩu").fill("mật-khẩu-dài-2025")
    page.get_by_role("button", name="Đăng nhập").click()
    expect(page.get_by_role("link", name="Bài viết")).to_be_visible()

    page.goto("/admin/archive/article/add/")
    title = "Chi bộ ấp Phú Thạnh tổ chức sinh hoạt chuyên đề về chuyển đổi số"
    page.locator("#id_title").fill(title)
    page.locator("#id_body").fill(
        "Chi bộ bàn cách đưa dịch vụ công trực tuyến đến từng hộ dân.\n\nĐảng viên nhận hướng dẫn bà con cài ứng dụng."
    )
    page.get_by_role("button", name="Lưu lại", exact=True).click()
    expect(page.locator(".messagelist")).to_contain_text("thành công")

    search_until_found(page, "chuyen doi so", title).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(title)
    expect(page.locator("article")).to_contain_text("dịch vụ công trực tuyến")


def test_an_unknown_address_shows_the_archives_own_404_in_vietnamese(page, assert_accessible):
    response = page.goto("/khong-co-trang-nay/")
    assert response.status == 404
    expect(page.locator("html")).to_have_attribute("lang", "vi")
    expect(page.get_by_role("heading", level=1)).to_have_text("Không tìm thấy trang")
    expect(page.get_by_text("Trang bạn tìm không có trong kho lưu trữ.")).to_be_visible()
    expect(page.get_by_role("link", name="Lưu trữ tin xây dựng Đảng")).to_be_visible()
    assert_accessible(page)


def assert_fits_a_phone(page):
    assert page.evaluate("document.scrollingElement.scrollWidth") <= PHONE_WIDTH


MIN_TAP = 24  # px, WCAG 2.2 target size (minimum)


def assert_a_phone_box(page, assert_accessible, box, names, screenshot):
    """`box` links to `names`, each a target a finger can hit; the page fits a phone and passes
    axe-core; a screenshot of it is kept as `screenshot`-375px."""
    links = box.get_by_role("link")
    expect(links).to_have_text(names)
    for link in links.all():
        size = link.bounding_box()
        assert size["width"] >= MIN_TAP and size["height"] >= MIN_TAP, (link.inner_text(), size)
    assert_fits_a_phone(page)
    assert_accessible(page)
    save_screenshot(page, f"{screenshot}-{PHONE_WIDTH}px")


def download(page, box, name):
    """The file the link `name` in `box` downloads."""
    with page.expect_download() as downloaded:
        box.get_by_role("link", name=name).click()
    return downloaded.value


def test_search_and_article_fit_a_phone(page, assert_accessible):
    page.set_viewport_size({"width": PHONE_WIDTH, "height": 800})
    page.goto("/search/?q=xay+dung+dang")
    expect(page.get_by_role("searchbox", name="Từ khóa")).to_be_in_viewport()
    expect(page.locator(".results .article-item").first).to_be_in_viewport()
    assert_fits_a_phone(page)
    assert_accessible(page)
    save_screenshot(page, f"search-results-{PHONE_WIDTH}px")

    page.locator(".results .article-title").first.click()
    expect(page.locator("article h1")).to_be_in_viewport()
    assert_fits_a_phone(page)
    assert_accessible(page)
    save_screenshot(page, f"article-{PHONE_WIDTH}px")
