"""The server-drawn cramps-per-week chart."""

import re
from datetime import date, timedelta
from xml.etree import ElementTree

from crampcare.charts import WeekBar, cramps_per_week_svg

SVG = "{http://www.w3.org/2000/svg}"


def weeks(counts):
    start = date(2026, 3, 2)
    return [WeekBar(start + timedelta(weeks=i), n, n + 2) for i, n in enumerate(counts)]


def test_chart_is_valid_svg_with_a_text_equivalent():
    svg = cramps_per_week_svg(weeks([0, 3, 1, 5]))
    root = ElementTree.fromstring(str(svg))
    assert root.get("role") == "img"
    assert root.find(f"{SVG}title").text == "Cramps per week"
    desc = root.find(f"{SVG}desc").text
    assert desc.startswith("9 cramps over 4 weeks")
    assert "week of 9 Mar: 3" in desc


def test_bars_are_proportional_and_labelled_with_numbers():
    root = ElementTree.fromstring(str(cramps_per_week_svg(weeks([2, 4]))))
    bars = root.findall(f"{SVG}rect")
    heights = [float(bar.get("height")) for bar in bars]
    assert heights[1] == 2 * heights[0]
    values = [t.text for t in root.findall(f"{SVG}text") if t.get("class") == "chart-value"]
    assert values == ["2", "4"]


def test_empty_weeks_draw_an_empty_axis_without_error():
    svg = str(cramps_per_week_svg(weeks([0, 0, 0])))
    assert "0 cramps over 3 weeks" in svg
    assert all(float(h) == 0 for h in re.findall(r'<rect[^>]*height="([\d.]+)"', svg))


def test_no_style_attributes_for_the_csp():
    assert "style=" not in str(cramps_per_week_svg(weeks([1, 2, 3] * 10)))
