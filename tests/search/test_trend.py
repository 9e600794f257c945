"""The trend view (search.trend): counts per year or month from the engine's facets, as a share of
the period's articles, an SVG whose bars link to those articles' search, a table and a CSV; bad
input (four queries, an unknown granularity or filter) is a 400 that says why."""

import csv
import io
import re
from urllib.parse import parse_qs, urlsplit

import pytest
from django.http import QueryDict

from archive.models import ArticleLocality, Locality
from search import trend

MO_CAY_BAC = "Mỏ Cày Bắc cụ thể hóa thực hiện Nghị quyết Đại hội Đảng bộ huyện lần thứ XII"

pytestmark = pytest.mark.django_db


@pytest.fixture
def archive(seed_articles, indexed):
    """The seeds (three dated: 2019, 2020, 2021), Mỏ Cày Bắc linked to its district, then indexed."""
    ArticleLocality.objects.create(
        article=seed_articles[MO_CAY_BAC], locality=Locality.objects.get(kind="district", short_name="Mỏ Cày Bắc")
    )
    indexed()
    return seed_articles


def test_counts_per_year_with_their_share_of_the_year(archive):
    found = trend.compute(["Đảng", "Tri Tôn"], {}, "year")
    assert [p.key for p in found.periods] == ["2019", "2020", "2021"]
    assert found.totals == [1, 1, 1]
    dang, tri_ton = found.series
    assert dang.counts == [1, 1, 1] and dang.shares == [100.0, 100.0, 100.0]
    assert tri_ton.counts == [0, 0, 1] and tri_ton.shares == [0.0, 0.0, 100.0]
    assert dang.undated == 2  # the two undated seed articles match but sit on no period
    link = parse_qs(urlsplit(tri_ton.urls[2]).query)
    assert link == {"q": ["Tri Tôn"], "from": ["2021-01-01"], "to": ["2021-12-31"]}


def test_months_fill_the_gaps_and_a_date_range_narrows_the_links(archive):
    found = trend.compute(["Đảng"], {"from": "2020-11-10"}, "month")
    assert [p.key for p in found.periods] == ["2020-11", "2020-12", *[f"2021-{m:02d}" for m in range(1, 8)]]
    assert found.series[0].counts[0] == 1 and sum(found.series[0].counts) == 2
    assert found.series[0].urls[0].endswith("from=2020-11-10&to=2020-11-30")


def test_a_province_filter_counts_only_its_articles(archive):
    found = trend.compute(["Đảng"], {"province": "Bến Tre"}, "year")
    assert [p.key for p in found.periods] == ["2020"]
    assert found.series[0].counts == [1]


def test_four_queries_are_refused():
    params = QueryDict("q=a&q=b&q=c&q=d")
    with pytest.raises(trend.BadTrend) as error:
        trend.parse_params(params)
    assert "tối đa 3" in error.value.errors["q"]


def test_the_page_draws_an_svg_whose_bars_link_to_the_search(client, archive):
    page = client.get("/search/trend/", {"q": ["Đảng", "Tri Tôn"], "by": "year"})
    assert page.status_code == 200
    html = page.content.decode()
    assert "<svg" in html and "<script" not in html and "style=" not in html
    bars = re.findall(r'<a href="([^"]+)" aria-label="([^"]+)" class="bar-link">', html)
    assert len(bars) == 6
    assert not re.search(r'(x|y|width|height)="[0-9]+,', html)  # coordinates are not localised numbers
    assert any("Tri Tôn" in label and "2021" in label for _u, label in bars)
    target = next(u for u, label in bars if "Tri Tôn" in label and "2021" in label).replace("&amp;", "&")
    results = client.get(target)
    assert results.status_code == 200
    assert results.content.decode().count('class="article-item"') == 1
    assert "quan tâm công tác" in results.content.decode()
    assert "<table" in html and "Mọi bài" in html
    share = client.get("/search/trend/", {"q": "Đảng", "show": "share"})
    assert share.status_code == 200 and "100,0%" in share.content.decode()


def test_the_csv_holds_the_numbers(client, archive):
    response = client.get("/search/trend/csv/", {"q": ["Đảng", "Tri Tôn"]})
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0] == ["kỳ", "mọi bài", "Đảng: số bài", "Đảng: tỉ lệ (%)", "Tri Tôn: số bài", "Tri Tôn: tỉ lệ (%)"]
    assert rows[3] == ["2021", "1", "1", "100.00", "1", "100.00"]


@pytest.mark.parametrize(
    "params",
    [
        "q=a&q=b&q=c&q=d",
        "q=a&by=week",
        "q=a&show=pie",
        "q=a&province=Atlantis",
        "q=a&from=2020-13-01",
        "q=a&term=1999",
    ],
)
def test_bad_input_is_a_clear_400(client, archive, params):
    page = client.get("/search/trend/?" + params)
    assert page.status_code == 400
    assert 'role="alert"' in page.content.decode()
    assert client.get("/search/trend/csv/?" + params).status_code in (200, 400)


def test_four_queries_in_the_csv_are_a_400_with_the_reason(client, archive):
    response = client.get("/search/trend/csv/?q=a&q=b&q=c&q=d")
    assert response.status_code == 400
    assert "tối đa 3" in response.json()["errors"]["q"]


def test_no_query_shows_the_form(client, archive):
    page = client.get("/search/trend/")
    assert page.status_code == 200
    assert "Nhập một đến ba câu tìm kiếm" in page.content.decode()


def test_in_english(client, archive, settings):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"  # the language switch's choice
    page = client.get("/search/trend/?q=Đảng")
    html = page.content.decode()
    assert "Trend over time" in html and "each bar links to those articles" in html
    four = client.get("/search/trend/?q=a&q=b&q=c&q=d")
    assert four.status_code == 400 and "At most 3 queries can be compared at once." in four.content.decode()


def test_matches_without_a_date_are_counted_beside_an_empty_chart(client, archive):
    page = client.get("/search/trend/", {"q": 'title:"sức chiến đấu"'})
    html = page.content.decode()
    assert page.status_code == 200 and "<svg" not in html
    assert "Không có bài nào có ngày đăng khớp" in html and "1 bài không rõ ngày" in html
