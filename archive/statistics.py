"""The statistics page: published articles per province (2025 and before) per year, per newspaper,
and the most named officials, with the bar charts that draw them.

summary() -> a dict of plain rows, computed in a fixed number of SQL queries (one per table,
whatever the archive's size) and kept in the pages cache until the next save (archive/cache.py).
bars(items) -> the geometry of a horizontal bar chart (drawn by templates/archive/_bar_chart.html).
"""

from dataclasses import dataclass

from django.db.models import Count
from django.db.models.functions import ExtractYear

from archive import cache, selectors
from archive.models import Article, ArticleLocality, Locality
from archive.text import sort_key

TOP = 15  # bars in a chart (the tables list every row)
TOP_OFFICIALS = 20


def _provinces(era: str, scope: str) -> dict:
    """{"years": [...], "rows": [{name, url, by_year: [...], undated, total}]}: every province of
    `era`, the most articles first. An article naming two places of one province counts once."""
    counted = (
        ArticleLocality.objects.filter(
            article__status=Article.Status.PUBLISHED, **{f"locality__{scope}__isnull": False}
        )
        .annotate(year=ExtractYear("article__published_at"))
        .values_list(f"locality__{scope}", "year")
        .annotate(n=Count("article", distinct=True))
        .order_by()
    )
    totals = selectors.unit_counts(scope)  # distinct articles over all years (kept, shared with the province index)
    by_unit: dict[int, dict] = {}
    years: set[int] = set()
    for unit, year, n in counted:
        by_unit.setdefault(unit, {})[year] = n
        if year is not None:
            years.add(year)
    ordered_years = sorted(years)
    rows = []
    for unit in Locality.objects.filter(era=era, kind=Locality.Kind.PROVINCE):
        counts = by_unit.get(unit.pk, {})
        rows.append(
            {
                "name": unit.name,
                "short_name": unit.short_name,
                "url": unit.get_absolute_url(),
                "by_year": [counts.get(y, 0) for y in ordered_years],
                "undated": counts.get(None, 0),
                "total": totals.get(unit.pk, 0),
            }
        )
    rows.sort(key=lambda r: (-r["total"], sort_key(r["short_name"])))
    return {"years": ordered_years, "rows": rows}


def _sources() -> list[dict]:
    counted = (
        Article.objects.filter(status=Article.Status.PUBLISHED)
        .values_list("source__name", "source__code")
        .annotate(n=Count("pk"))
        .order_by("-n", "source__name")
    )
    return [{"name": name, "code": code or "", "n": n} for name, code, n in counted]  # name None: no newspaper


def _officials() -> list[dict]:
    return [
        {"name": o.name, "url": o.get_absolute_url(), "n": o.n}
        for o in selectors.officials().only("pk", "name", "slug")[:TOP_OFFICIALS]
    ]


def _compute() -> dict:
    years = selectors.archive_years()
    return {
        "articles": sum(y["n"] for y in years["years"]) + years["undated"],
        "years": sorted(years["years"], key=lambda y: y["year"]),
        "undated": years["undated"],
        "current": _provinces(Locality.Era.CURRENT, "current_province"),
        "legacy": _provinces(Locality.Era.LEGACY, "province"),
        "sources": _sources(),
        "officials": _officials(),
    }


def summary() -> dict:
    return cache.remembered("statistics", _compute)


@dataclass
class BarRow:
    label: str
    n: int
    url: str
    y: float
    width: float


@dataclass
class BarChart:
    rows: list[BarRow]
    height: int
    label_width: int = 150
    plot_width: int = 170
    row_height: int = 26

    @property
    def width(self):
        return self.label_width + self.plot_width + 50


def bars(items: list[tuple[str, int, str]], limit: int = TOP) -> BarChart:
    """A horizontal bar per (label, count, url), the first `limit` of them."""
    shown = [i for i in items if i[1]][:limit]
    top = max((n for _l, n, _u in shown), default=1) or 1
    chart = BarChart([], 0)
    chart.rows = [
        BarRow(label, n, url, i * chart.row_height, round(chart.plot_width * n / top, 1))
        for i, (label, n, url) in enumerate(shown)
    ]
    chart.height = max(1, len(shown)) * chart.row_height
    return chart
