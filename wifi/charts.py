"""Line charts drawn on the server as SVG: no JavaScript library, nothing from outside, and readable
by screen readers (role="img" with a <title> and a <desc> that says what the chart shows).

Colours come from classes styled in static/wifi/wifi.css (the CSP forbids style attributes); the
presentation attributes below are the fallback when the stylesheet is missing.
"""

import datetime
import math
from collections.abc import Sequence
from dataclasses import dataclass

from django.utils import timezone
from django.utils.dateformat import format as date_format
from django.utils.formats import number_format
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

WIDTH, HEIGHT = 480, 210
LEFT, RIGHT, TOP, BOTTOM = 56, 14, 12, 182  # the plot area
RIGHT_EDGE = WIDTH - RIGHT
X_TICKS = 6

Point = tuple[datetime.datetime, float | None]


def nice_ceiling(value: float) -> float:
    """The smallest of 1, 2, 5 × 10^k that is at least `value` (axis top), never below 1."""
    if value <= 1:
        return 1.0
    exponent = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 5, 10):
        if step * exponent >= value:
            return float(step * exponent)
    return float(10 * exponent)  # pragma: no cover - the loop always returns


def _label(value: float, unit: str) -> str:
    decimals = 0 if value == int(value) else 1
    return f"{number_format(value, decimal_pos=decimals)}{unit}"


def line_chart(
    *,
    chart_id: str,
    title: str,
    description: str,
    starts_at: datetime.datetime,
    ends_at: datetime.datetime,
    points: Sequence[Point],
    unit: str = "",
    y_max: float | None = None,
    tick_format: str = "H:i",
    dots: bool = False,
) -> SafeString:
    """An SVG line chart of `points` between `starts_at` and `ends_at`; None values are gaps in the line."""
    values = [v for _at, v in points if v is not None]
    top = y_max if y_max is not None else nice_ceiling(max(values, default=0))
    span = (ends_at - starts_at).total_seconds() or 1

    def x(at: datetime.datetime) -> float:
        return LEFT + (RIGHT_EDGE - LEFT) * (at - starts_at).total_seconds() / span

    def y(value: float) -> float:
        return BOTTOM - (BOTTOM - TOP) * min(value, top) / top

    parts = [
        f'<svg class="wifi-chart" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
        f'aria-labelledby="{chart_id}-title {chart_id}-desc" xmlns="http://www.w3.org/2000/svg" '
        'preserveAspectRatio="xMidYMid meet" focusable="false">',
        f'<title id="{chart_id}-title">{escape(title)}</title>',
        f'<desc id="{chart_id}-desc">{escape(description)}</desc>',
    ]
    # Horizontal grid and its labels: 0, half and the top of the axis.
    for fraction in (0, 0.5, 1):
        value = top * fraction
        gy = y(value)
        parts.append(
            f'<line class="wifi-chart__grid" x1="{LEFT}" y1="{gy:.1f}" x2="{RIGHT_EDGE}" y2="{gy:.1f}" '
            'stroke="#c3c8ce" stroke-width="1"/>'
        )
        parts.append(
            f'<text class="wifi-chart__label" x="{LEFT - 6}" y="{gy + 5:.1f}" text-anchor="end" '
            f'font-size="14" fill="#3d4349">{escape(_label(value, unit))}</text>'
        )
    # Time ticks.
    for i in range(X_TICKS + 1):
        at = starts_at + (ends_at - starts_at) * i / X_TICKS
        tx = x(at)
        anchor = "start" if i == 0 else "end" if i == X_TICKS else "middle"
        parts.append(
            f'<line class="wifi-chart__tick" x1="{tx:.1f}" y1="{BOTTOM}" x2="{tx:.1f}" y2="{BOTTOM + 4}" '
            'stroke="#8a9199" stroke-width="1"/>'
        )
        parts.append(
            f'<text class="wifi-chart__label" x="{tx:.1f}" y="{BOTTOM + 20}" text-anchor="{anchor}" '
            f'font-size="14" fill="#3d4349">{escape(date_format(timezone.localtime(at), tick_format))}</text>'
        )
    if not values:
        parts.append(
            f'<text class="wifi-chart__empty" x="{(LEFT + RIGHT_EDGE) / 2:.0f}" y="{(TOP + BOTTOM) / 2:.0f}" '
            f'text-anchor="middle" font-size="16" fill="#3d4349">{escape(_("No data for this period"))}</text>'
        )
    # The line, broken where there is no data.
    segment: list[str] = []
    singles: list[tuple[float, float]] = []

    def flush():
        if len(segment) > 1:
            parts.append(
                f'<polyline class="wifi-chart__line" points="{" ".join(segment)}" fill="none" '
                'stroke="#0a4fa6" stroke-width="2" stroke-linejoin="round"/>'
            )
        elif segment:
            singles.append(tuple(float(c) for c in segment[0].split(",")))
        segment.clear()

    for at, value in points:
        if value is None:
            flush()
            continue
        px, py = x(at), y(value)
        segment.append(f"{px:.1f},{py:.1f}")
        if dots:
            singles.append((px, py))
    flush()
    for px, py in dict.fromkeys(singles):
        parts.append(f'<circle class="wifi-chart__dot" cx="{px:.1f}" cy="{py:.1f}" r="3" fill="#0a4fa6"/>')
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every text above went through escape()


def describe(values: Sequence[float | None], *, what: str, unit: str, period: str) -> str:
    """A one-sentence summary of a series for the chart's <desc>: average, lowest and highest."""
    present = [v for v in values if v is not None]
    if not present:
        return _("%(what)s over %(period)s: no data.") % {"what": what, "period": period}
    return _("%(what)s over %(period)s: average %(avg)s, lowest %(min)s, highest %(max)s.") % {
        "what": what,
        "period": period,
        "avg": _label(round(sum(present) / len(present), 1), unit),
        "min": _label(round(min(present), 1), unit),
        "max": _label(round(max(present), 1), unit),
    }


@dataclass(frozen=True)
class Chart:
    title: str
    svg: SafeString


# (attribute of SeriesPoint, title, unit, fixed axis top)
_MEASURES = (
    ("availability", gettext_lazy("Availability"), " %", 100.0),
    ("clients", gettext_lazy("Connected clients"), "", None),
    ("latency_ms", gettext_lazy("Latency"), " ms", None),
)


def series_charts(series, *, chart_id: str, period: str, tick_format: str, dots: bool = False) -> list[Chart]:
    """Availability, clients and latency of a `wifi.reports.Series`, one chart each; none when the period has no
    measure at all (three flat lines on a 0–1 axis would read as "down", not as "not polled")."""
    if all(getattr(p, attribute) is None for p in series.points for attribute, *_rest in _MEASURES):
        return []
    charts = []
    for attribute, title, unit, y_max in _MEASURES:
        points = [(p.at, getattr(p, attribute)) for p in series.points]
        full_title = _("%(what)s — %(period)s") % {"what": title, "period": period}
        charts.append(
            Chart(
                title=full_title,
                svg=line_chart(
                    chart_id=f"{chart_id}-{attribute}",
                    title=full_title,
                    description=describe([v for _at, v in points], what=str(title), unit=unit, period=period),
                    starts_at=series.starts_at,
                    ends_at=series.ends_at,
                    points=points,
                    unit=unit,
                    y_max=y_max,
                    tick_format=tick_format,
                    dots=dots,
                ),
            )
        )
    return charts


BAR_WIDTH = 400  # narrower than the line charts: drawn at a phone's width, its 15-unit text stays readable
BAR_ROW = 42  # a label line above each bar: long site and theme names stay readable on a phone
BAR_VALUE_SPACE = 72


def bar_chart(
    *, chart_id: str, title: str, description: str, bars: Sequence[tuple[str, float | None]], unit: str = ""
) -> SafeString:
    """A horizontal SVG bar chart, one bar per (label, value), longest bar = the largest value; None draws no bar
    and writes "—". The figures' table beside it is the accessible alternative (the <desc> says so)."""
    top = max((v for _label_text, v in bars if v is not None), default=0) or 1
    height = max(len(bars), 1) * BAR_ROW + 4
    usable = BAR_WIDTH - BAR_VALUE_SPACE
    parts = [
        f'<svg class="bar-chart" viewBox="0 0 {BAR_WIDTH} {height}" role="img" '
        f'aria-labelledby="{chart_id}-title {chart_id}-desc" xmlns="http://www.w3.org/2000/svg" focusable="false">',
        f'<title id="{chart_id}-title">{escape(title)}</title>',
        f'<desc id="{chart_id}-desc">{escape(description)}</desc>',
    ]
    for index, (label, value) in enumerate(bars):
        y = index * BAR_ROW
        width = usable * (value or 0) / top
        parts.append(
            f'<text class="bar-chart__label" x="0" y="{y + 15}" font-size="15" fill="#3d4349">{escape(label)}</text>'
        )
        if width:
            parts.append(
                f'<rect class="bar-chart__bar" x="0" y="{y + 20}" width="{width:.1f}" height="17" fill="#0a4fa6"/>'
            )
        text = "—" if value is None else _label(value, unit)
        parts.append(
            f'<text class="bar-chart__value" x="{width + 6:.1f}" y="{y + 34}" font-size="15" '
            f'fill="#3d4349">{escape(text)}</text>'
        )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every text above went through escape()
