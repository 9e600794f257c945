"""What new users tripped over (issue 15), in a real browser: paragraphs typed in the admin, the
filters on a phone, and tap targets of at least 24×24 px (WCAG 2.2, 2.5.8)."""

import re
from urllib.parse import unquote_plus

import pytest
from playwright.sync_api import expect

from tests.e2e.test_journeys import MO_CAY_BAC, PHONE_WIDTH

pytestmark = pytest.mark.slow  # a browser or a server of its own: make test-fast leaves it out

# Every link and control a reader can tap, with its box and whether WCAG 2.5.8's "inline"
# exception covers it: a target shown inline inside a paragraph (<p>) that has words of its own
# outside links and buttons, so that the line height of the sentence sets its size ("Nay thuộc:
# Tỉnh Vĩnh Long", "Có phải bạn muốn tìm: …?"). Lists of links (navigation, facets, chips,
# related articles, results) are not running text and are not exempt; hidden targets are skipped.
MEASURE_TARGETS = """() => {
  const inRunningText = (el) => {
    if (getComputedStyle(el).display !== "inline") return false;
    let block = el.parentElement;
    while (block && getComputedStyle(block).display === "inline") block = block.parentElement;
    if (!block || block.tagName !== "P") return false;
    const words = block.cloneNode(true);
    words.querySelectorAll("a, button").forEach((target) => target.remove());
    return /\\p{L}/u.test(words.textContent);
  };
  return [...document.querySelectorAll("a[href], button, summary, select, input:not([type=hidden]), textarea")]
    .filter((el) => el.getClientRects().length && getComputedStyle(el).visibility !== "hidden")
    .map((el) => {
      const box = el.getBoundingClientRect();
      return {target: el.outerHTML.slice(0, 100), width: box.width, height: box.height, inline: inRunningText(el)};
    });
}"""


def assert_targets_are_big_enough(page):
    targets = page.evaluate(MEASURE_TARGETS)
    assert len(targets) > 10
    small = [t for t in targets if not t["inline"] and (t["width"] < 24 or t["height"] < 24)]
    assert not small, f"{page.url}: targets under 24×24 px: {small}"
    return targets


def test_every_target_on_a_phone_is_at_least_24_px_square(page):
    page.set_viewport_size({"width": PHONE_WIDTH, "height": 800})
    page.goto("/search/?q=xay+dung+dang&province=ben-tre")  # results, facets and a chosen filter (×)
    expect(page.get_by_role("list", name="Bộ lọc đang chọn")).to_be_visible()
    expect(page.locator(".facets .page-link").first).to_be_attached()
    assert_targets_are_big_enough(page)
    page.get_by_text("Tùy chọn").click()  # the options' fields too
    assert_targets_are_big_enough(page)

    page.goto("/search/?q=xay+dung+dang")
    page.get_by_role("link", name=MO_CAY_BAC).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(MO_CAY_BAC)
    page.wait_for_load_state("load")  # its own stylesheet (the citation box) too, on a slow machine
    targets = assert_targets_are_big_enough(page)
    exempt = [t["target"] for t in targets if t["inline"]]
    assert exempt and all("Nay thuộc" not in t for t in exempt)  # "Nay thuộc: <a>…</a>" is running text
    assert any("Tỉnh Vĩnh Long" in t for t in exempt), exempt


def test_on_a_phone_a_link_near_the_top_leads_to_the_filters(page, assert_accessible):
    page.set_viewport_size({"width": PHONE_WIDTH, "height": 800})
    page.goto("/search/?q=xay+dung+dang")
    to_filters = page.get_by_role("link", name="Thu hẹp kết quả")
    expect(to_filters).to_be_in_viewport()
    facets = page.get_by_role("complementary", name="Thu hẹp kết quả")
    assert facets.bounding_box()["y"] > to_filters.bounding_box()["y"]
    assert_accessible(page)

    to_filters.click()
    expect(page).to_have_url(re.compile(r"#filters$"))
    expect(facets.get_by_role("heading").first).to_be_in_viewport()
    facets.get_by_role("link", name="Tỉnh Bến Tre", exact=True).click()
    expect(page.get_by_role("list", name="Bộ lọc đang chọn")).to_contain_text("Bến Tre")

    page.set_viewport_size({"width": 1280, "height": 800})  # beside the results: no link needed
    expect(page.get_by_role("link", name="Thu hẹp kết quả")).to_be_hidden()
    expect(facets).to_be_in_viewport()


def test_two_paragraphs_typed_in_the_admin_are_two_paragraphs_on_the_page(page, django_user_model):
    from archive.models import Article

    django_user_model.objects.create_superuser("bientap", "bt@example.vn", "mật-khẩu-dài-2025")
    page.goto("/admin/")
    page.get_by_label("Tên đăng nhập").fill("bientap")
    page.get_by_label("Mật khẩu").fill("mật-khẩu-dài-2025")
    page.get_by_role("button", name="Đăng nhập").click()

    page.goto("/admin/archive/article/add/")
    title = "Chi bộ ấp Phú Thạnh sinh hoạt chuyên đề"
    first, second = "Chi bộ bàn cách đưa dịch vụ công đến từng hộ.", "Đảng viên hướng dẫn bà con cài ứng dụng."
    page.locator("#id_title").fill(title)
    page.locator("#id_body").fill(f"{first}\n\n{second}")
    with page.expect_request(lambda r: r.method == "POST" and "/admin/archive/article/add/" in r.url) as posted:
        page.get_by_role("button", name="Lưu lại", exact=True).click()
    assert "\r\n\r\n" in unquote_plus(posted.value.post_data)  # as browsers post a textarea
    expect(page.locator(".messagelist")).to_contain_text("thành công")

    article = Article.objects.get(title=title)
    assert article.body == f"{first}\n\n{second}"
    page.goto(article.get_absolute_url())
    body = page.locator("article > p:not(.meta):not(.lead):not(.byline)")
    expect(body).to_have_text([first, second])
