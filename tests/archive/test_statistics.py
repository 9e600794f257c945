"""The statistics page (archive.statistics): articles per province (2025 and before) per year, per
newspaper and the most named officials, as SVG charts and tables, in a bounded number of SQL queries
whatever the archive's size, kept until the next save."""

import re

import pytest

from archive import statistics
from archive.models import Article, ArticleLocality, ArticleOfficial, Locality, Official

pytestmark = pytest.mark.django_db
MO_CAY_BAC = "Mỏ Cày Bắc cụ thể hóa thực hiện Nghị quyết Đại hội Đảng bộ huyện lần thứ XII"
TRI_TON = "Tri Tôn quan tâm công tác xây dựng Đảng"


@pytest.fixture
def linked(seed_articles):
    mo_cay = Locality.objects.get(kind="district", short_name="Mỏ Cày Bắc")
    tri_ton = Locality.objects.get(kind="district", short_name="Tri Tôn")
    ArticleLocality.objects.create(article=seed_articles[MO_CAY_BAC], locality=mo_cay)
    ArticleLocality.objects.create(article=seed_articles[MO_CAY_BAC], locality=mo_cay.province)  # counted once
    ArticleLocality.objects.create(article=seed_articles[TRI_TON], locality=tri_ton)
    sol = Official.objects.create(name="Trần Thị Sol")
    for title in (MO_CAY_BAC, TRI_TON):
        ArticleOfficial.objects.create(article=seed_articles[title], official=sol)
    return seed_articles


def row(table, name):
    return next(r for r in table["rows"] if r["name"] == name)


def test_the_counts(linked):
    stats = statistics.summary()
    assert stats["articles"] == 5 and stats["undated"] == 2
    assert stats["legacy"]["years"] == [2020, 2021]
    ben_tre = row(stats["legacy"], "Tỉnh Bến Tre")
    assert ben_tre["by_year"] == [1, 0] and ben_tre["total"] == 1 and ben_tre["undated"] == 0
    assert row(stats["legacy"], "Tỉnh An Giang")["by_year"] == [0, 1]
    assert row(stats["current"], "Tỉnh Vĩnh Long")["total"] == 1
    assert stats["officials"][0]["name"] == "Trần Thị Sol" and stats["officials"][0]["n"] == 2
    assert sum(s["n"] for s in stats["sources"]) == 5


def test_the_page_draws_charts_and_tables(client, linked):
    page = client.get("/statistics/")
    assert page.status_code == 200
    html = page.content.decode()
    assert html.count("<svg") == 5 and "<script" not in html and "style=" not in html
    assert "Tỉnh Bến Tre" in html and "Trần Thị Sol" in html
    assert re.search(r'<a href="/years/2020/" aria-label="2020: 1">', html)
    assert html.count("<table") == 4
    assert not re.search(r'(x|y|width|height)="[0-9]+,', html)  # coordinates are not localised numbers


def test_a_bounded_number_of_queries_whatever_the_size_kept_until_the_next_save(
    client, linked, django_assert_max_num_queries, django_assert_num_queries
):
    with django_assert_max_num_queries(12) as first:
        client.get("/statistics/")
    tri_ton = Locality.objects.get(kind="district", short_name="Tri Tôn")
    for index in range(30):
        article = Article.objects.create(title=f"Bài {index}", body="Nội dung.", status=Article.Status.PUBLISHED)
        ArticleLocality.objects.create(article=article, locality=tri_ton)
    with django_assert_max_num_queries(len(first.captured_queries)):
        page = client.get("/statistics/")
    assert "35 bài đã đăng" in page.content.decode()
    with django_assert_num_queries(0):  # kept: nothing is read again
        client.get("/statistics/")
