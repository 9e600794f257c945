from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from archive.models import Article, ArticleLocality, ArticleTerm, Locality, Term

pytestmark = pytest.mark.django_db

MO_CAY_BAC = "Mỏ Cày Bắc cụ thể hóa thực hiện Nghị quyết Đại hội Đảng bộ huyện lần thứ XII"


def text_of(response):
    return response.content.decode()


def test_home_lists_the_five_seed_articles(client, seed_articles):
    page = text_of(client.get("/"))
    for title in seed_articles:
        assert title in page
    assert '<html lang="vi">' in page


def test_article_detail_shows_the_article_without_furniture(client, seed_articles):
    article = seed_articles[MO_CAY_BAC]
    page = text_of(client.get(article.get_absolute_url()))
    assert f"<h1>{MO_CAY_BAC}</h1>" in page
    assert "13/11/2020 07:03" in page
    assert "Báo Đồng Khởi" in page
    assert "Hương Thu" in page
    assert "Ngay từ đầu năm 2020" in page
    assert "<h2>Tập trung xây dựng Đảng</h2>" in page
    assert page.count("trao quà cho hộ nghèo ở xã Phú Mỹ.") == 1
    for furniture in ("BÌNH LUẬN", "Chia sẻ bài viết", "Ð"):
        assert furniture not in page


def test_article_without_date_says_so(client, seed_articles):
    article = seed_articles["Năng lực lãnh đạo và sức chiến đấu của tổ chức cơ sở đảng"]
    page = text_of(client.get(article.get_absolute_url()))
    assert "Không rõ ngày đăng" in page and "Việt Anh" in page and "Tin mới" not in page


def test_article_url_without_or_with_wrong_slug_redirects(client, seed_articles):
    article = seed_articles[MO_CAY_BAC]
    for url in (f"/articles/{article.pk}/", f"/articles/{article.pk}/sai-duong-dan/"):
        response = client.get(url)
        assert response.status_code == 301 and response["Location"] == article.get_absolute_url()


def test_drafts_are_not_public(client, seed_articles):
    article = seed_articles[MO_CAY_BAC]
    Article.objects.filter(pk=article.pk).update(status=Article.Status.DRAFT)
    assert client.get(article.get_absolute_url()).status_code == 404
    assert MO_CAY_BAC not in text_of(client.get("/"))
    assert MO_CAY_BAC not in text_of(client.get("/articles/"))


@pytest.mark.parametrize(
    "url",
    [
        "/articles/999999/x/",
        "/articles/?page=99999",
        "/articles/?page=abc",
        "/articles/?page=-1",
        "/years/2020/13/",
        "/years/0/",
        "/years/99999/",
        "/provinces/khong-co/",
        "/provinces/2025/ben-tre/",
        "/provinces/ben-tre/khong-co/",
        "/terms/2020-2019/",
        "/khong-co-trang-nay/",
    ],
)
def test_bad_addresses_are_a_vietnamese_404(client, seed_articles, url):
    response = client.get(url)
    assert response.status_code == 404
    assert "Không tìm thấy trang" in text_of(response)


def test_page_out_of_range_says_how_many_pages_there_are(client, seed_articles):
    assert "danh sách chỉ có 1 trang" in text_of(client.get("/articles/?page=99999"))


def test_article_list_paginates(client, db):
    Article.objects.bulk_create([Article(title=f"Bài {i}", body="x", slug=f"bai-{i}") for i in range(45)])
    first, third = text_of(client.get("/articles/")), text_of(client.get("/articles/?page=3"))
    assert "Trang 1/3" in first and 'rel="next"' in first
    assert third.count('class="article-item"') == 5


def link(article, locality):
    ArticleLocality.objects.create(article=article, locality=locality)


def test_browse_province_then_district_then_article(client, seed_articles):
    article = seed_articles[MO_CAY_BAC]
    mo_cay_bac = Locality.objects.get(kind="district", short_name="Mỏ Cày Bắc")
    link(article, mo_cay_bac)

    index = text_of(client.get(reverse("archive:province_index")))
    assert 'href="/provinces/ben-tre/"' in index and 'href="/provinces/2025/vinh-long/"' in index

    province_page = text_of(client.get("/provinces/ben-tre/"))
    assert 'href="/provinces/ben-tre/mo-cay-bac/"' in province_page
    assert MO_CAY_BAC in province_page and "Vĩnh Long" in province_page

    district_page = text_of(client.get("/provinces/ben-tre/mo-cay-bac/"))
    assert MO_CAY_BAC in district_page and article.get_absolute_url() in district_page
    assert "An Phú tập trung" not in district_page


def test_current_province_finds_articles_of_the_provinces_merged_into_it(client, seed_articles):
    link(
        seed_articles[MO_CAY_BAC],
        Locality.objects.get(kind="commune", short_name="Phú Mỹ", district__short_name="Mỏ Cày Bắc"),
    )
    page = text_of(client.get("/provinces/2025/vinh-long/"))
    assert MO_CAY_BAC in page and "Tỉnh Bến Tre" in page and "Tỉnh Trà Vinh" in page
    assert MO_CAY_BAC not in text_of(client.get("/provinces/2025/an-giang/"))


def test_article_detail_lists_its_localities_and_current_province(client, seed_articles):
    article = seed_articles[MO_CAY_BAC]
    link(article, Locality.objects.get(kind="district", short_name="Mỏ Cày Bắc"))
    page = text_of(client.get(article.get_absolute_url()))
    assert "Huyện Mỏ Cày Bắc, Bến Tre" in page and 'href="/provinces/2025/vinh-long/"' in page


def test_browse_by_year_and_month(client, seed_articles):
    years = text_of(client.get("/years/"))
    for year in ("2019", "2020", "2021"):
        assert f'href="/years/{year}/"' in years
    year_page = text_of(client.get("/years/2020/"))
    assert MO_CAY_BAC in year_page and 'href="/years/2020/11/"' in year_page
    assert "Tri Tôn quan tâm" not in year_page
    assert MO_CAY_BAC in text_of(client.get("/years/2020/11/"))
    assert MO_CAY_BAC not in text_of(client.get("/years/2020/10/"))


def test_month_follows_vietnam_time(client, db):
    # 00:30 on 1 December in Hà Nội is still November in UTC.
    Article.objects.create(
        title="Bài nửa đêm", body="x", published_at=datetime(2020, 12, 1, 0, 30, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh"))
    )
    assert "Bài nửa đêm" in text_of(client.get("/years/2020/12/"))


def test_browse_by_term(client, seed_articles):
    term = Term.objects.create(start_year=2020, end_year=2025)
    ArticleTerm.objects.create(article=seed_articles[MO_CAY_BAC], term=term)
    assert 'href="/terms/2020-2025/"' in text_of(client.get("/terms/"))
    page = text_of(client.get("/terms/2020-2025/"))
    assert MO_CAY_BAC in page and "Tri Tôn quan tâm" not in page


def test_english_is_available(client, seed_articles):
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    page = text_of(client.get("/"))
    assert '<html lang="en">' in page and "Latest articles" in page


def test_markup_in_articles_is_escaped(client, db):
    article = Article.objects.create(title="<script>alert(1)</script>", body="<b>đậm</b>")
    page = text_of(client.get(article.get_absolute_url()))
    assert "<script>alert(1)</script>" not in page and "&lt;script&gt;" in page


def test_province_lists_are_in_vietnamese_order(client, db):
    page = text_of(client.get("/provinces/"))
    assert page.index(">Tỉnh Cà Mau<") < page.index(">Tỉnh Cao Bằng<") < page.index(">Thành phố Đà Nẵng<")
    home = text_of(client.get("/"))
    assert home.index(">Hà Nội<") < home.index(">Huế<")


def test_years_too_far_off_are_a_404(client, db):
    assert client.get("/years/1/").status_code == 404
    assert client.get("/years/9999/12/").status_code == 404


def test_official_page_lists_positions_newest_first_with_their_articles(client, seed_articles):
    from archive.extraction import link_articles
    from archive.models import Official, Position

    link_articles(Article.objects.all())
    sol = Official.objects.get(name="Trần Thị Sol")
    later = seed_articles["Tri Tôn quan tâm công tác xây dựng Đảng"]  # a later article states another position
    Position.objects.create(
        official=sol,
        title="Bí thư Huyện ủy Mỏ Cày Bắc",
        article=later,
        stated_on=later.published_at.date(),
        origin="editor",
    )
    detail = text_of(client.get(seed_articles[MO_CAY_BAC].get_absolute_url()))
    assert f'href="{sol.get_absolute_url()}">Trần Thị Sol</a>' in detail
    page = text_of(client.get(sol.get_absolute_url()))
    assert (
        page.index("Bí thư Huyện ủy Mỏ Cày Bắc")
        < page.index("13/11/2020")
        < page.index("Phó bí thư Thường trực Huyện ủy Mỏ Cày Bắc")
    )
    assert 'href="/provinces/ben-tre/mo-cay-bac/">Huyện Mỏ Cày Bắc, Bến Tre</a>' in page
    assert f'href="{seed_articles[MO_CAY_BAC].get_absolute_url()}"' in page

    later.status = Article.Status.DRAFT
    later.save()
    page = text_of(client.get(sol.get_absolute_url()))
    assert "Tri Tôn quan tâm" not in page and "Bí thư Huyện ủy Mỏ Cày Bắc<" not in page  # drafts stay private
    assert client.get(f"/officials/{sol.pk}/").status_code == 301
    liem = Official.objects.get(name="Cao Quang Liêm")  # named only in the article now a draft
    assert client.get(liem.get_absolute_url()).status_code == 404


def test_official_index_filters_by_name_without_diacritics(client, seed_articles):
    from archive.extraction import link_articles

    link_articles(Article.objects.all())
    everyone = text_of(client.get("/officials/"))
    assert "Trần Thị Sol" in everyone and "Cao Quang Liêm" in everyone
    found = text_of(client.get("/officials/?q=tran+thi+sol"))
    assert "Trần Thị Sol" in found and "Cao Quang Liêm" not in found
    assert "Không có cán bộ nào như vậy." in text_of(client.get("/officials/?q=khong+ai"))
    assert client.get("/officials/?page=99").status_code == 404


def test_year_index_counts_the_undated_articles_and_links_to_them(client, seed_articles):
    Article.objects.create(title="Bài nháp không ngày", body="x", status=Article.Status.DRAFT)
    years = text_of(client.get("/years/"))
    assert '<a href="/years/undated/">Không rõ ngày</a> <span class="n">2</span>' in years  # drafts are not counted
    assert "2 bài không ghi ngày đăng" in years
    assert 'href="/years/undated/">Không rõ ngày</a> (2)' in text_of(client.get("/"))

    undated = text_of(client.get("/years/undated/"))
    assert "Năng lực lãnh đạo và sức chiến đấu" in undated and "Đưa Nghị quyết vào cuộc sống" in undated
    assert MO_CAY_BAC not in undated and "Bài nháp không ngày" not in undated
    assert "2 bài viết" in undated


def test_no_undated_row_when_every_article_has_a_date(client, db):
    Article.objects.create(title="Bài có ngày", body="x", published_at=datetime(2020, 1, 2, tzinfo=ZoneInfo("UTC")))
    assert "Không rõ ngày" not in text_of(client.get("/years/"))
    assert "Chưa có bài viết nào." in text_of(client.get("/years/undated/"))


def test_a_place_counts_its_undated_articles_and_lists_them_by_year(client, seed_articles):
    mo_cay_bac = Locality.objects.get(kind="district", short_name="Mỏ Cày Bắc")
    undated = seed_articles["Năng lực lãnh đạo và sức chiến đấu của tổ chức cơ sở đảng"]
    for article in (seed_articles[MO_CAY_BAC], undated):
        link(article, mo_cay_bac)

    for url in ("/provinces/ben-tre/", "/provinces/ben-tre/mo-cay-bac/", "/provinces/2025/vinh-long/"):
        page = text_of(client.get(url))
        assert '<a href="?year=2020">2020</a> <span class="n">1</span>' in page
        assert '<a href="?year=undated">Không rõ ngày</a> <span class="n">1</span>' in page

    only_undated = text_of(client.get("/provinces/ben-tre/mo-cay-bac/?year=undated"))
    assert undated.title in only_undated and MO_CAY_BAC not in only_undated
    assert "Bài không rõ ngày đăng" in only_undated and 'aria-current="page">Không rõ ngày' in only_undated
    of_2020 = text_of(client.get("/provinces/ben-tre/?year=2020"))
    assert MO_CAY_BAC in of_2020 and undated.title not in of_2020 and "Bài viết năm 2020" in of_2020
    assert "Chưa có bài viết nào." in text_of(client.get("/provinces/ben-tre/?year=2019"))
    assert "Không rõ ngày" not in text_of(client.get("/provinces/an-giang/"))


@pytest.mark.parametrize("year", ["abc", "0", "99999", "undated2"])
def test_a_bad_year_of_a_place_is_a_404(client, db, year):
    response = client.get(f"/provinces/ben-tre/?year={year}")
    assert response.status_code == 404 and "Ngày tháng không hợp lệ." in text_of(response)


def test_a_position_stated_by_several_articles_is_one_row_with_the_latest(client, seed_articles):
    from archive.models import ArticleOfficial, Official, Position

    sol = Official.objects.create(name="Trần Thị Sol")
    for title in (MO_CAY_BAC, "Tri Tôn quan tâm công tác xây dựng Đảng", "An Phú tập trung chuẩn bị tốt Đại hội"):
        article = next(a for t, a in seed_articles.items() if t.startswith(title))
        ArticleOfficial.objects.create(article=article, official=sol)
        Position.objects.create(official=sol, title="Bí thư Huyện ủy", article=article, stated_on=article.published_at)
    latest = seed_articles["Tri Tôn quan tâm công tác xây dựng Đảng"]
    page = text_of(client.get(sol.get_absolute_url()))
    assert page.count("<td>Bí thư Huyện ủy</td>") == 1
    assert f'<a href="{latest.get_absolute_url()}">{latest.title}</a> <span class="n">và 2 bài khác</span>' in page
