"""A researcher follows a subject: search → its trend chart → a bar → those articles; and a reader
signs up (confirming the address from a real e-mail), saves a search and receives its alert over
a real SMTP server on loopback (aiosmtpd), then unsubscribes from the e-mail's link."""

import datetime
import re

import pytest
from django.core.management import call_command
from django.utils import timezone
from playwright.sync_api import expect

from archive.models import Article
from tests.e2e.test_journeys import PHONE_WIDTH, assert_fits_a_phone, save_screenshot
from tests.search.test_alerts import body_of, smtp  # noqa: F401 (the SMTP server fixture)

TRI_TON = "Tri Tôn quan tâm công tác xây dựng Đảng"


@pytest.fixture(autouse=True)
def no_account_rate(settings):
    settings.ACCOUNT_RATE = None


def test_search_then_its_trend_then_a_bar_lists_those_articles(page, assert_accessible):
    page.set_viewport_size({"width": PHONE_WIDTH, "height": 800})
    page.goto("/search/?q=xây+dựng+Đảng")
    page.get_by_role("link", name="Xu hướng").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Xu hướng theo thời gian")
    page.wait_for_load_state("load")  # its own stylesheet (tools.css) too, before measuring
    chart = page.locator("svg.trend-chart")
    expect(chart).to_be_visible()
    table = page.get_by_role("table", name="Các con số của biểu đồ")
    expect(table.get_by_role("rowheader")).to_have_text(["2019", "2020", "2021"])
    assert_fits_a_phone(page)
    assert_accessible(page)
    save_screenshot(page, f"trend-{PHONE_WIDTH}px")

    bar = chart.locator('a[aria-label*="2021"] rect')  # the link's shape: an SVG <a> has no box of its own
    bar.scroll_into_view_if_needed()
    bar.click()
    expect(page).to_have_url(re.compile(r"/search/\?q=.*&from=2021-01-01&to=2021-12-31$"))
    results = page.locator(".results .article-title")
    expect(results).to_have_count(1)
    expect(results).to_have_text(TRI_TON)


def test_sign_up_save_a_search_and_receive_its_alert(page, archive, smtp, settings, index_worker, assert_accessible):  # noqa: F811
    settings.SITE_URL = archive
    Article.objects.update(created_at=timezone.now() - datetime.timedelta(days=30))  # the seeds are old news
    page.set_viewport_size({"width": PHONE_WIDTH, "height": 800})

    page.goto("/")
    page.get_by_role("link", name="Đăng ký").click()
    page.get_by_label("Địa chỉ e-mail").fill("ban.doc@example.vn")
    page.get_by_label("Mật khẩu", exact=True).fill("Lưu-trữ-2025-an-toàn")
    page.get_by_label("Nhập lại mật khẩu").fill("Lưu-trữ-2025-an-toàn")
    assert_accessible(page)
    page.get_by_role("button", name="Đăng ký").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Mời bạn kiểm tra hộp thư")
    assert len(smtp.messages) == 1
    confirm = re.search(r"http://\S+/accounts/confirm/\S+", body_of(smtp.messages[0]))[0]
    page.goto(confirm)
    expect(page.get_by_role("heading", level=1)).to_have_text("Tìm kiếm đã lưu")

    page.goto("/search/?q=xây+dựng+Đảng")
    page.get_by_role("button", name="Lưu tìm kiếm").click()
    expect(page.get_by_role("status").filter(has_text="Đã lưu tìm kiếm")).to_be_visible()
    page.wait_for_load_state("load")
    assert_fits_a_phone(page)
    page.get_by_role("link", name="Tìm kiếm đã lưu").click()
    expect(page.get_by_role("link", name="“xây dựng Đảng”")).to_be_visible()
    assert_accessible(page)

    fresh = Article.objects.create(
        title="Chợ Lách nâng cao chất lượng sinh hoạt chi bộ",
        body="Công tác xây dựng Đảng ở cơ sở được chú trọng.",
        status=Article.Status.PUBLISHED,
    )
    index_worker()
    call_command("send_alerts", verbosity=0)
    assert len(smtp.messages) == 2
    alert = body_of(smtp.messages[1])
    assert "Chợ Lách nâng cao chất lượng sinh hoạt chi bộ" in alert and TRI_TON not in alert
    page.goto(re.search(rf"{re.escape(archive)}/articles/{fresh.pk}/\S*", alert)[0])
    expect(page.get_by_role("heading", level=1)).to_have_text("Chợ Lách nâng cao chất lượng sinh hoạt chi bộ")

    page.get_by_role("button", name="Đăng xuất").click()
    page.goto(re.search(r"http://\S+/search/alerts/unsubscribe/\S+", alert)[0])
    page.get_by_role("button", name="Hủy nhận thư báo").click()
    expect(page.get_by_role("status")).to_contain_text("không nhận thư báo")
    call_command("send_alerts", verbosity=0)
    assert len(smtp.messages) == 2


def test_the_statistics_page_on_a_phone(page, assert_accessible):
    page.set_viewport_size({"width": PHONE_WIDTH, "height": 800})
    page.goto("/")
    page.get_by_role("link", name="Thống kê").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Thống kê")
    page.wait_for_load_state("load")
    expect(page.locator("svg.bar-chart")).to_have_count(5)
    assert_fits_a_phone(page)
    assert_accessible(page)
    save_screenshot(page, f"statistics-{PHONE_WIDTH}px")
