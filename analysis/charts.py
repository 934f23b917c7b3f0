"""Small server-side SVG charts: no JavaScript, no CDN, no chart package.

Each function returns an ``<svg>`` string whose text is escaped here. The charts are drawn
in a narrow coordinate system (``WIDTH`` units) and scale to the page width, so labels stay
legible on a 360 px phone; long Vietnamese labels are wrapped on whole words above their
bar rather than squeezed beside it. Every chart carries ``role="img"``, a ``<title>`` and a
``<desc>`` (its text alternative); pages show the same numbers in a table next to it.

Pure module: numbers are formatted by the ``number`` callable the caller passes (the web
layer passes Babel's Vietnamese formatting), so this module imports no Flask.
"""
from __future__ import annotations

import itertools
import textwrap
from html import escape
from typing import Callable, Sequence

WIDTH = 360
FONT = 'font-family="system-ui, -apple-system, \'Segoe UI\', Roboto, \'Noto Sans\', Arial, sans-serif"'
#: Okabe–Ito colours, safe for the common colour-vision deficiencies; the first is the bar colour.
PALETTE = ("#0b4f9c", "#d55e00", "#009e73", "#cc79a7", "#7a6400", "#56b4e9", "#4a5560", "#a3161a")
BAR_COLOUR = PALETTE[0]
INK = "#1b1f24"
MUTED = "#555d66"
_ids = itertools.count(1)


def _number(value) -> str:
    return f"{value:g}" if isinstance(value, float) else str(value)


def _wrap(label: str, width: int = 40, lines: int = 3) -> list[str]:
    wrapped = textwrap.wrap(str(label), width) or [""]
    if len(wrapped) > lines:
        wrapped = wrapped[:lines]
        wrapped[-1] = wrapped[-1][: width - 1].rstrip() + "…"
    return wrapped


def _open(height: float, title: str, description: str, extra_class: str = "") -> tuple[str, str]:
    """The ``<svg>`` opening with its accessible name; returns (markup, id prefix)."""
    prefix = f"chart{next(_ids)}"
    classes = f"chart {extra_class}".strip()
    head = (f'<svg class="{classes}" xmlns="http://www.w3.org/2000/svg" '
            f'viewBox="0 0 {WIDTH} {height:.0f}" role="img" '
            f'aria-labelledby="{prefix}-t {prefix}-d" {FONT} font-size="14">'
            f'<title id="{prefix}-t">{escape(title)}</title>'
            f'<desc id="{prefix}-d">{escape(description)}</desc>')
    return head, prefix


def bar_chart(items: Sequence[tuple[str, float]], *, title: str, description: str = "",
              number: Callable = _number, suffix: Callable | None = None) -> str:
    """Horizontal bars, one per (label, value), the label above its bar, the value after it.

    ``suffix(value)`` may add text after the value, e.g. the share "(42 %)".
    """
    if not description:
        description = "; ".join(f"{label}: {number(value)}" for label, value in items)
    top = max((value for _, value in items if value is not None), default=0) or 1
    rows, y = [], 4.0
    value_room = 96
    for label, value in items:
        lines = _wrap(label)
        for line in lines:
            y += 17
            rows.append(f'<text x="0" y="{y:.0f}" fill="{INK}">{escape(line)}</text>')
        y += 5
        length = (WIDTH - value_room) * (value or 0) / top
        rows.append(f'<rect x="0" y="{y:.0f}" width="{max(length, 1 if value else 0):.1f}" height="16" '
                    f'fill="{BAR_COLOUR}" rx="2"/>')
        text = number(value if value is not None else 0) + (suffix(value) if suffix else "")
        rows.append(f'<text x="{length + 6:.1f}" y="{y + 13:.0f}" fill="{INK}">{escape(text)}</text>')
        y += 22
    head, _ = _open(y + 4, title, description)
    return head + "".join(rows) + "</svg>"


def column_chart(items: Sequence[tuple[str, float]], *, title: str, description: str = "",
                 number: Callable = _number, ticks: int = 4) -> str:
    """Vertical columns over time (one per day), a few date labels under them."""
    if not description:
        description = "; ".join(f"{label}: {number(value)}" for label, value in items)
    height, base, left = 200, 168, 36
    top = max((value for _, value in items), default=0) or 1
    count = max(len(items), 1)
    step = (WIDTH - left - 4) / count
    parts = [f'<line x1="{left}" y1="{base}" x2="{WIDTH}" y2="{base}" stroke="{MUTED}"/>',
             f'<text x="{left - 4}" y="14" text-anchor="end" fill="{MUTED}" font-size="12">{escape(number(top))}</text>',
             f'<text x="{left - 4}" y="{base}" text-anchor="end" fill="{MUTED}" font-size="12">0</text>']
    for index, (_, value) in enumerate(items):
        bar = (base - 8) * value / top
        parts.append(f'<rect x="{left + index * step + step * 0.1:.1f}" y="{base - bar:.1f}" '
                     f'width="{max(step * 0.8, 1):.1f}" height="{bar:.1f}" fill="{BAR_COLOUR}"/>')
    every = max(1, -(-count // ticks))
    shown = sorted({0, count - 1, *range(0, count, every)}) if items else []
    for index in shown:  # a label too close to the last one would overlap it
        if index < len(items) and (index == count - 1 or count - 1 - index >= every):
            anchor = "end" if index == count - 1 and count > 1 else "start" if index == 0 else "middle"
            x = left + index * step + (step if anchor == "end" else 0 if anchor == "start" else step / 2)
            parts.append(f'<text x="{x:.1f}" y="{base + 20}" text-anchor="{anchor}" fill="{INK}" '
                         f'font-size="12">{escape(str(items[index][0]))}</text>')
    head, _ = _open(height, title, description)
    return head + "".join(parts) + "</svg>"


def stacked_bars(rows: Sequence[str], series: Sequence[str], values: Sequence[Sequence[float]], *,
                 title: str, description: str = "", number: Callable = _number) -> str:
    """One 100 % bar per row (a matrix row), split by series (the scale), with a legend.

    ``values[r][s]`` is the count of row ``r`` in series ``s``.
    """
    if not description:
        description = "; ".join(
            f"{row}: " + ", ".join(f"{name} {number(v)}" for name, v in zip(series, line))
            for row, line in zip(rows, values))
    parts, y = [], 4.0
    for name_index, name in enumerate(series):  # the legend, one entry a line
        y += 18
        colour = PALETTE[name_index % len(PALETTE)]
        parts.append(f'<rect x="0" y="{y - 11:.0f}" width="12" height="12" fill="{colour}"/>'
                     f'<text x="18" y="{y:.0f}" fill="{INK}">{escape(_wrap(name, 44, 1)[0])}</text>')
    y += 8
    for row, line in zip(rows, values):
        for text in _wrap(row):
            y += 17
            parts.append(f'<text x="0" y="{y:.0f}" fill="{INK}">{escape(text)}</text>')
        y += 5
        total, x = sum(line) or 1, 0.0
        for name_index, value in enumerate(line):
            width = WIDTH * value / total
            if width > 0:
                parts.append(f'<rect x="{x:.1f}" y="{y:.0f}" width="{width:.1f}" height="16" '
                             f'fill="{PALETTE[name_index % len(PALETTE)]}"/>')
            x += width
        y += 24
    head, _ = _open(y + 4, title, description)
    return head + "".join(parts) + "</svg>"
