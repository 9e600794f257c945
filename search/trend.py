"""A subject over time: how many articles match each of up to three queries per year or month,
absolutely and as a share of every article of that period (with the same filters).

parse_params(query_dict) -> (queries, filters, by), or BadTrend with errors by parameter.
compute(queries, filters, by) -> Trend: periods, one Series per query, every period's total.
chart(trend, show) -> Chart: the SVG's bars and axis (drawn by templates/search/trend.html).
csv_rows(trend) -> the numbers as CSV rows.

Counts come from the search engine in one request per query (and one for the totals): the plan of
search.query with a facet on `year` or `month` (search.facets), so they are the search
page's counts, whatever the engine.
"""

import datetime
from dataclasses import dataclass, field, replace
from urllib.parse import urlencode

from django.urls import reverse
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from search import facets, query
from search.forms import SearchForm
from search.syntax import parse

MAX_QUERIES = 3
FILTERS = (*facets.PARAMETERS, "from", "to")
GRANULARITIES = {"year": gettext_lazy("Theo năm"), "month": gettext_lazy("Theo tháng")}
SHOWS = {"count": gettext_lazy("Số bài"), "share": gettext_lazy("Tỉ lệ trên mọi bài của kỳ")}
MAX_PERIODS = 600  # months (50 years): past this the axis asks for years instead


class BadTrend(ValueError):
    def __init__(self, errors: dict[str, str]):
        super().__init__("; ".join(errors.values()))
        self.errors = errors


@dataclass
class Period:
    key: str  # "2020" or "2020-03", as the facet holds it
    label: str
    first: datetime.date
    last: datetime.date


@dataclass
class Series:
    query: str
    counts: list[int]
    shares: list[float]  # percent of the period's articles
    urls: list[str]
    undated: int  # matches without a date: on no period
    total: int


@dataclass
class Trend:
    queries: list[str]
    filters: dict[str, str]
    by: str
    periods: list[Period] = field(default_factory=list)
    totals: list[int] = field(default_factory=list)
    series: list[Series] = field(default_factory=list)

    def rows(self):
        """(period, total, [(count, share, url) per query]) per period, for the table."""
        for i, period in enumerate(self.periods):
            yield period, self.totals[i], [(s.counts[i], s.shares[i], s.urls[i]) for s in self.series]


def parse_params(params) -> tuple[list[str], dict[str, str], str]:
    """A QueryDict's queries (`q`, repeated), filters and granularity (`by`)."""
    queries = [q.strip() for q in params.getlist("q") if q.strip()]
    if len(queries) > MAX_QUERIES:
        raise BadTrend({"q": _("Chỉ so sánh được tối đa %(max)d câu tìm kiếm một lúc.") % {"max": MAX_QUERIES}})
    by = params.get("by") or "year"
    if by not in GRANULARITIES:
        raise BadTrend({"by": _("Chọn year (theo năm) hoặc month (theo tháng).")})
    filters = {k: params[k].strip() for k in FILTERS if params.get(k, "").strip()}
    return queries, filters, by


def _form(filters: dict, q: str) -> SearchForm:
    form = SearchForm({**filters, "q": q})
    if not form.is_valid():
        raise BadTrend(form.errors_by_parameter())
    return form


def _counts(form: SearchForm, q: str, facet: str) -> tuple[dict[str, int], int]:
    """({period key: matches}, every match) of one query."""
    request = replace(query.build(form, parse(q), 0, 0), ranking=(), facets=(facet,), facet_limit=0)
    found = query.engine().execute(request)
    return {str(k): n for k, n in found.facets.get(facet, []) if k}, found.count


def _period(key: str, by: str) -> Period:
    first, last = facets.period(key)
    return Period(key, facets.BY_FIELD[by].labels([key])[key][0], first, last)


def _periods(keys: set[str], by: str) -> list[Period]:
    """Every period from the first key to the last, those without articles included."""
    valid = sorted(k for k in keys if (k.isdigit() if by == "year" else len(k) == 7 and k[:4].isdigit()))
    if not valid:
        return []
    first, last = _period(valid[0], by), _period(valid[-1], by)
    if by == "year":
        return [_period(str(y), by) for y in range(first.first.year, last.first.year + 1)]
    months = (last.first.year - first.first.year) * 12 + last.first.month - first.first.month + 1
    if months > MAX_PERIODS:
        raise BadTrend(
            {"by": _("Khoảng thời gian quá dài để xem theo tháng: hãy xem theo năm hoặc chọn từ ngày, đến ngày.")}
        )
    keys_out = []
    year, month = first.first.year, first.first.month
    for _i in range(months):
        keys_out.append(f"{year}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return [_period(k, by) for k in keys_out]


def search_link(filters: dict, q: str, period: Period | None = None) -> str:
    params = {"q": q, **filters} if q else dict(filters)
    if period is not None:
        start, end = period.first, period.last
        if filters.get("from"):
            start = max(start, datetime.date.fromisoformat(filters["from"]))
        if filters.get("to"):
            end = min(end, datetime.date.fromisoformat(filters["to"]))
        params.update({"from": start.isoformat(), "to": end.isoformat()})
    return reverse("search:page") + "?" + urlencode(params)


def compute(queries: list[str], filters: dict[str, str], by: str) -> Trend:
    trend = Trend(queries, filters, by)
    if not queries:
        return trend
    forms = [_form(filters, q) for q in queries]  # every parameter checked before any search
    facet = by
    totals, _all = _counts(_form(filters, ""), "", facet)
    counted = [_counts(form, q, facet) for form, q in zip(forms, queries, strict=True)]
    trend.periods = _periods(set(totals) | {k for c, _n in counted for k in c}, by)
    trend.totals = [totals.get(p.key, 0) for p in trend.periods]
    for q, (counts, count) in zip(queries, counted, strict=True):
        per_period = [counts.get(p.key, 0) for p in trend.periods]
        trend.series.append(
            Series(
                query=q,
                counts=per_period,
                shares=[100 * n / t if t else 0.0 for n, t in zip(per_period, trend.totals, strict=True)],
                urls=[search_link(filters, q, p) for p in trend.periods],
                undated=count - sum(counts.values()),
                total=count,
            )
        )
    return trend


# --- the chart -----------------------------------------------------------------------------------
@dataclass
class Bar:
    x: float
    y: float
    width: float
    height: float
    series: int
    label: str  # what a screen reader and the tooltip say
    url: str


@dataclass
class Chart:
    width: int
    height: int
    plot_top: int
    plot_bottom: int
    plot_left: int
    bars: list[Bar]
    ticks: list[tuple[float, str]]  # (y, label) of the value axis
    labels: list[tuple[float, str]]  # (x, label) of the time axis
    title: str
    description: str


PLOT_HEIGHT = 220
LEFT, TOP, BOTTOM = 56, 12, 40
MIN_WIDTH = 640


def _nice_max(value: float) -> float:
    if value <= 0:
        return 1
    step = 10 ** (len(str(int(value))) - 1) if value >= 1 else 0.1
    for factor in (1, 2, 2.5, 5, 10):
        if value <= step * factor:
            return step * factor
    return step * 10


def _number(value: float, share: bool) -> str:
    """As the reader's language writes numbers (Vietnamese: 1.234 and 12,5%)."""
    return number_format(value, 1) + "%" if share else number_format(int(value), force_grouping=True)


def chart(trend: Trend, show: str = "count") -> Chart | None:
    if not trend.periods or not any(any(s.counts) for s in trend.series):
        return None  # no dated match: nothing to draw
    share = show == "share"
    columns = len(trend.series)
    bar = 10 if columns > 1 else 14
    width = max(MIN_WIDTH, LEFT + (bar * columns + 8) * len(trend.periods) + 16)
    group = (width - LEFT - 16) / len(trend.periods)
    bar_width = min(24, (group - 6) / columns)
    values = [s.shares if share else s.counts for s in trend.series]
    highest = max(max(v) for v in values)
    top = _nice_max(highest if share else max(4, highest))  # counts: whole numbers on the axis
    bars = []
    for s_index, (series, series_values) in enumerate(zip(trend.series, values, strict=True)):
        for p_index, period in enumerate(trend.periods):
            value = series_values[p_index]
            height = PLOT_HEIGHT * value / top
            x = LEFT + p_index * group + (group - bar_width * columns) / 2 + s_index * bar_width
            label = _("“%(query)s”, %(period)s: %(count)s bài (%(share)s số bài của kỳ)") % {
                "query": series.query,
                "period": period.label,
                "count": _number(series.counts[p_index], False),
                "share": _number(series.shares[p_index], True),
            }
            bars.append(
                Bar(
                    round(x, 1),
                    round(TOP + PLOT_HEIGHT - height, 1),
                    round(bar_width, 1),
                    round(height, 1),
                    s_index,
                    label,
                    series.urls[p_index],
                )
            )
    ticks = [(round(TOP + PLOT_HEIGHT * (1 - f), 1), _number(top * f, share)) for f in (0, 0.25, 0.5, 0.75, 1)]
    every = max(1, round(len(trend.periods) / 12))
    if trend.by == "month" and len(trend.periods) > 12:
        labels = [
            (round(LEFT + i * group + group / 2, 1), str(p.first.year))
            for i, p in enumerate(trend.periods)
            if p.first.month == 1 or i == 0
        ]
    else:
        labels = [
            (round(LEFT + i * group + group / 2, 1), p.label) for i, p in enumerate(trend.periods) if i % every == 0
        ]
    what = _("tỉ lệ trên mọi bài của kỳ") if share else _("số bài")
    title = _("Số bài khớp theo thời gian") if not share else _("Tỉ lệ bài khớp theo thời gian")
    description = _("%(what)s của %(queries)s, từ %(first)s đến %(last)s; mỗi cột dẫn tới các bài ấy.") % {
        "what": what,
        "queries": ", ".join(f"“{q}”" for q in trend.queries),
        "first": trend.periods[0].label,
        "last": trend.periods[-1].label,
    }
    return Chart(
        width,
        TOP + PLOT_HEIGHT + BOTTOM,
        TOP,
        TOP + PLOT_HEIGHT,
        LEFT,
        bars,
        ticks,
        labels,
        title,
        description[:1].upper() + description[1:],
    )


def csv_rows(trend: Trend):
    header = [_("kỳ"), _("mọi bài")]
    for q in trend.queries:
        header += [f"{q}: " + _("số bài"), f"{q}: " + _("tỉ lệ (%)")]
    yield header
    for period, total, cells in trend.rows():
        row = [period.key, total]
        for count, share, _url in cells:
            row += [count, f"{share:.2f}"]
        yield row
