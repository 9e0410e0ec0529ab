"""wifi.charts.bar_chart: one bar per value scaled to the largest, texts escaped, an empty value drawn as a dash."""

import re

from django.utils import translation

from wifi.charts import BAR_VALUE_SPACE, BAR_WIDTH, bar_chart


def test_bars_are_scaled_to_the_largest_value_and_every_text_is_escaped():
    with translation.override("fr"):
        svg = bar_chart(
            chart_id="c", title="Titre <b>", description="Desc & co",
            bars=[("<script>alert(1)</script>", 10), ("Deux", 2.5), ("Rien", None)], unit=" h",
        )  # fmt: skip
    assert (
        svg.startswith('<svg class="bar-chart"') and 'role="img"' in svg and 'aria-labelledby="c-title c-desc"' in svg
    )
    assert "<script>" not in svg and "&lt;script&gt;" in svg and "Titre &lt;b&gt;" in svg and "Desc &amp; co" in svg
    widths = [float(w) for w in re.findall(r'<rect[^>]* width="([\d.]+)"', svg)]
    assert widths == [BAR_WIDTH - BAR_VALUE_SPACE, (BAR_WIDTH - BAR_VALUE_SPACE) / 4]  # no bar for None
    assert ">10 h<" in svg and ">2,5 h<" in svg and ">—<" in svg


def test_a_chart_of_zeros_draws_no_bar():
    svg = bar_chart(chart_id="z", title="t", description="d", bars=[("A", 0), ("B", 0)])
    assert "<rect" not in svg and svg.count(">0<") == 2
