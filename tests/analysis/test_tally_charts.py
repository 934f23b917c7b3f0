"""The SVG charts: escaped text, accessible names, the numbers in the text alternative."""
from __future__ import annotations

import xml.etree.ElementTree as ET

from analysis import charts

SVG = "{http://www.w3.org/2000/svg}"


def test_bar_chart_is_valid_svg_with_a_text_alternative():
    svg = charts.bar_chart([("Đồng ý <một phần> & hơn", 3), ("Không", 0)], title="Ý kiến", number=str)
    root = ET.fromstring(svg)
    assert root.get("role") == "img"
    assert root.find(f"{SVG}title").text == "Ý kiến"
    assert root.find(f"{SVG}desc").text == "Đồng ý <một phần> & hơn: 3; Không: 0"
    assert [t.text for t in root.iter(f"{SVG}text")][:2] == ["Đồng ý <một phần> & hơn", "3"]


def test_long_labels_wrap_on_words_within_three_lines():
    label = "Quy định về vốn góp tối thiểu của thành viên hợp tác xã và việc trả lại vốn góp khi ra khỏi"
    root = ET.fromstring(charts.bar_chart([(label, 1)], title="t"))
    lines = [t.text for t in root.iter(f"{SVG}text")][:-1]
    assert 1 < len(lines) <= 3 and all(len(line) <= 40 for line in lines)
    assert " ".join(lines).startswith("Quy định về vốn góp")


def test_column_chart_labels_do_not_crowd_the_last_one():
    items = [(f"{m:02d}/2025", m) for m in range(1, 32)]
    root = ET.fromstring(charts.column_chart(items, title="t", ticks=4))
    labels = [t.text for t in root.iter(f"{SVG}text") if t.text and "/" in t.text]
    assert labels[0] == "01/2025" and labels[-1] == "31/2025" and len(labels) <= 5
    assert "25/2025" not in labels  # six columns from the last: too close


def test_stacked_bars_and_empty_charts():
    svg = charts.stacked_bars(["Điều 5"], ["Đồng ý", "Không"], [[2, 0]], title="Ma trận")
    assert ET.fromstring(svg).find(f"{SVG}desc").text == "Điều 5: Đồng ý 2, Không 0"
    assert ET.fromstring(charts.bar_chart([], title="Trống")).get("role") == "img"
    assert ET.fromstring(charts.column_chart([], title="Trống")).get("role") == "img"


HOSTILE = '<script>alert("x")</script><img src=x onerror=alert(1)>'


def _no_markup_from(label: str, svg: str) -> None:
    """The SVG is well-formed and the hostile text is only text, never an element."""
    root = ET.fromstring(svg)
    tags = {element.tag.replace(SVG, "") for element in root.iter()}
    assert not tags & {"script", "img", "foreignObject"}
    assert "<script>" not in svg and "&lt;script&gt;" in svg


def test_every_chart_escapes_labels_and_titles():
    """The dashboards mark these strings safe (Markup): this is what makes that true."""
    _no_markup_from(HOSTILE, charts.bar_chart([(HOSTILE, 2)], title=HOSTILE, description=HOSTILE))
    _no_markup_from(HOSTILE, charts.column_chart([(HOSTILE, 2), ("b", 1)], title=HOSTILE))
    _no_markup_from(HOSTILE, charts.stacked_bars([HOSTILE], [HOSTILE, "Không"], [[1, 2]], title=HOSTILE))
