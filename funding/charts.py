"""The FEDER pages' charts, drawn on the server as SVG (no JavaScript library, nothing from outside), in the manner
of wifi.charts: role="img" with a <title> and a <desc>, colours from classes of static/funding/dashboard.css (the
CSP forbids style attributes) with presentation attributes as the fallback.

Money charts take `Decimal` amounts and write them to the cent in French format; the geometry is integer or
Decimal arithmetic, never a float. Each bar says what it is in words next to it (« Prévu : 49 200,00 € »), so
that neither the colour nor the length is the only way to read it; the page's tables give every figure.
"""

import datetime
import textwrap
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.utils.formats import date_format
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from funding.templatetags.funding_dashboard import euros_text

WIDTH = 400  # drawn at a phone's width, like wifi.charts.bar_chart: its text stays readable
TENTH = Decimal("0.1")


@dataclass(frozen=True)
class Chart:
    title: str
    svg: SafeString


@dataclass(frozen=True)
class Bar:
    label: str  # what the bar is, written before its amount: "Planned"
    amount: Decimal
    kind: str  # a CSS modifier: planned, realised, retained, feder…


@dataclass(frozen=True)
class BarGroup:
    label: str  # "1. Licence, bornes et serveurs", "Total"
    bars: Sequence[Bar]


def _open(chart_id: str, title: str, description: str, height: int, css: str) -> list[str]:
    return [
        f'<svg class="{css}" viewBox="0 0 {WIDTH} {height}" role="img" '
        f'aria-labelledby="{chart_id}-title {chart_id}-desc" xmlns="http://www.w3.org/2000/svg" focusable="false">',
        f'<title id="{chart_id}-title">{escape(title)}</title>',
        f'<desc id="{chart_id}-desc">{escape(description)}</desc>',
    ]


def _lines(text: str, width: int = 46) -> list[str]:
    """A label cut into lines that fit the chart's width (SVG text does not wrap)."""
    return textwrap.wrap(text, width) or [""]


GROUP_LINE = 18
BAR_ROW = 36
BAR_HEIGHT = 14


def amounts_chart(*, chart_id: str, title: str, description: str, groups: Sequence[BarGroup]) -> SafeString:
    """Horizontal bars of amounts, grouped (an expense line: its planned, realised and retained amounts), all on one
    scale: the longest bar is the largest amount. Each bar has its name and amount written above it."""
    top = max((bar.amount for group in groups for bar in group.bars), default=Decimal(0)) or Decimal(1)
    height = sum(GROUP_LINE * len(_lines(g.label)) + BAR_ROW * len(g.bars) + 10 for g in groups) + 4
    parts = _open(chart_id, title, description, height, "funding-chart")
    y = 0
    for group in groups:
        for line in _lines(group.label):
            y += GROUP_LINE
            parts.append(
                f'<text class="funding-chart__group" x="0" y="{y - 4}" font-size="15" font-weight="700" '
                f'fill="#1e2327">{escape(line)}</text>'
            )
        for bar in group.bars:
            width = (Decimal(WIDTH - 2) * max(bar.amount, Decimal(0)) / top).quantize(TENTH, rounding=ROUND_HALF_UP)
            text = _("%(what)s: %(amount)s") % {"what": bar.label, "amount": euros_text(bar.amount)}
            parts.append(
                f'<text class="funding-chart__label" x="0" y="{y + 15}" font-size="14" fill="#3d4349">'
                f"{escape(text)}</text>"
            )
            if width:
                parts.append(
                    f'<rect class="funding-chart__bar funding-chart__bar--{bar.kind}" x="0" y="{y + 20}" '
                    f'width="{width}" height="{BAR_HEIGHT}" fill="#0a4fa6"/>'
                )
            else:  # a zero still shows where the bar would start
                parts.append(
                    f'<line class="funding-chart__zero" x1="1" y1="{y + 20}" x2="1" y2="{y + 20 + BAR_HEIGHT}" '
                    'stroke="#3d4349" stroke-width="2"/>'
                )
            y += BAR_ROW
        y += 10
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every text above went through escape()


@dataclass(frozen=True)
class GanttRow:
    label: str
    planned_start: datetime.date | None
    planned_end: datetime.date | None
    actual_start: datetime.date | None
    actual_end: datetime.date | None


GANTT_LEFT, GANTT_RIGHT = 4, WIDTH - 8
GANTT_BAR = 12
AXIS_SPACE = 40


def gantt_chart(
    *,
    chart_id: str,
    title: str,
    description: str,
    rows: Sequence[GanttRow],
    today: datetime.date,
    period: tuple[datetime.date, datetime.date],
) -> SafeString:
    """A Gantt chart: per row, the planned bar (outlined, above) and the actual bar (solid, below; still going on:
    up to today), years along the axis and a dashed line for today. `period` is always shown (the operation's
    execution period); dates outside it widen the axis."""
    dates = [d for r in rows for d in (r.planned_start, r.planned_end, r.actual_start, r.actual_end) if d]
    first = min([*dates, period[0], today])
    last = max([*dates, period[1], today])
    span = max((last - first).days, 1)

    def x(day: datetime.date) -> int:
        return GANTT_LEFT + (GANTT_RIGHT - GANTT_LEFT) * (day - first).days // span

    legend_planned, legend_actual = pgettext("dates", "Planned"), pgettext("dates", "Actual")
    row_heights = [GROUP_LINE * len(_lines(r.label)) + 2 * GANTT_BAR + 16 for r in rows]
    body_top = 30
    height = body_top + sum(row_heights) + AXIS_SPACE
    parts = _open(chart_id, title, description, height, "funding-gantt")
    # The legend says which bar is which by its shape as well as its colour: outlined = planned, solid = actual.
    parts.append(
        f'<rect class="funding-gantt__planned" x="{GANTT_LEFT}" y="6" width="22" height="{GANTT_BAR}" fill="none" '
        'stroke="#0a4fa6" stroke-width="2"/>'
        f'<text class="funding-gantt__label" x="{GANTT_LEFT + 28}" y="17" font-size="14" fill="#3d4349">'
        f"{escape(legend_planned)}</text>"
        f'<rect class="funding-gantt__actual" x="150" y="6" width="22" height="{GANTT_BAR}" fill="#1b6d3a"/>'
        f'<text class="funding-gantt__label" x="178" y="17" font-size="14" fill="#3d4349">'
        f"{escape(legend_actual)}</text>"
    )
    axis_y = body_top + sum(row_heights)
    # A grid line and its label at each 1 January inside the axis.
    for year in range(first.year + 1, last.year + 1):
        gx = x(datetime.date(year, 1, 1))
        parts.append(
            f'<line class="funding-gantt__grid" x1="{gx}" y1="{body_top}" x2="{gx}" y2="{axis_y + 4}" '
            'stroke="#c3c8ce" stroke-width="1"/>'
            f'<text class="funding-gantt__label" x="{gx}" y="{axis_y + 18}" text-anchor="middle" font-size="13" '
            f'fill="#3d4349">{year}</text>'
        )
    y = body_top
    for row, row_height in zip(rows, row_heights, strict=True):
        for line in _lines(row.label):
            y += GROUP_LINE
            parts.append(
                f'<text class="funding-gantt__phase" x="{GANTT_LEFT}" y="{y - 4}" font-size="14" font-weight="700" '
                f'fill="#1e2327">{escape(line)}</text>'
            )
        if row.planned_start and row.planned_end:
            px = x(row.planned_start)
            parts.append(
                f'<rect class="funding-gantt__planned" x="{px}" y="{y}" width="{max(x(row.planned_end) - px, 2)}" '
                f'height="{GANTT_BAR}" fill="none" stroke="#0a4fa6" stroke-width="2"/>'
            )
        if row.actual_start:
            ax = x(row.actual_start)
            end = row.actual_end or today
            parts.append(
                f'<rect class="funding-gantt__actual" x="{ax}" y="{y + GANTT_BAR + 4}" '
                f'width="{max(x(end) - ax, 2)}" height="{GANTT_BAR}" fill="#1b6d3a"/>'
            )
        y = y - GROUP_LINE * len(_lines(row.label)) + row_height
    tx = x(today)
    today_label = _("Today (%(date)s)") % {"date": date_format(today, "SHORT_DATE_FORMAT")}
    parts.append(
        f'<line class="funding-gantt__today" x1="{tx}" y1="{body_top}" x2="{tx}" y2="{axis_y + 22}" '
        'stroke="#b3261e" stroke-width="2" stroke-dasharray="4 3"/>'
        f'<text class="funding-gantt__today-label" x="{tx}" y="{axis_y + 36}" '
        f'text-anchor="{"end" if tx > WIDTH // 2 else "start"}" font-size="13" fill="#b3261e">'
        f"{escape(today_label)}</text>"
    )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every text above went through escape()
