"""Server-side SVG bar charts: no script, no external resource; the numbers are also in a
table beside each chart, and the SVG carries a title and a description for screen readers.

Each chart has a visible heading above it. Each bar's label is written on its own line(s)
above the bar, across the chart's whole width, wrapped rather than cut: a long service name
or reason stays whole however narrow the screen (the SVG is scaled to its column, and its
viewBox is narrow enough to stay legible at 375 px). Only a label longer than MAX_LINES
lines is shortened, with its full text in the bar's <title> and in the description."""

import textwrap

from django import template
from django.utils.formats import number_format

register = template.Library()

CHART_WIDTH = 360
FONT_SIZE = 13
# A line's box is ~1.5 font sizes tall, ~15 units of it above the baseline.
LINE_HEIGHT = 20
ASCENT = 15
BAR_HEIGHT = 18
GAP = 10
MAX_LINES = 3
# Room left of the labels' origin: some capitals ("J") are drawn a unit left of it.
LEFT_MARGIN = 2
NARROW = frozenset("iljtfr.,;:'!|() -")
WIDE = frozenset("mwMW@%")


def text_width(text: str, size: int = FONT_SIZE) -> float:
    """A generous estimate of the width of `text` in the portal's font (Marianne, or the
    sans-serif it falls back to): wider than it draws, so that nothing overflows."""
    width = 0.0
    for char in text:
        if char in NARROW:
            width += 0.36
        elif char in WIDE:
            width += 0.95
        elif char.isupper() or char.isdigit():
            width += 0.74
        else:
            width += 0.6
    return width * size


def wrap(text: str, width: float) -> tuple[list[str], bool]:
    """(lines of `text` each narrower than `width`, whether the text was shortened)."""
    columns = max(1, int(width / text_width("n")))
    while columns > 1:
        lines = textwrap.wrap(text, columns, break_long_words=True) or [""]
        if all(text_width(line) <= width for line in lines):
            break
        columns -= 1
    else:
        lines = textwrap.wrap(text, 1) or [""]
    if len(lines) <= MAX_LINES:
        return lines, False
    last = lines[MAX_LINES - 1]
    while last and text_width(last + " …") > width:
        last = last[:-1]
    return [*lines[:MAX_LINES - 1], last.rstrip() + " …"], True


@register.inclusion_tag("dashboards/_bar_chart.html")
def bar_chart(chart_id: str, title: str, items, unit: str = ""):
    """`items`: (label, value) pairs; bars are scaled on the largest value."""
    items = [(str(label), value) for label, value in items if value is not None]
    top = max((value for _label, value in items), default=0) or 1
    values = [number_format(value, decimal_pos=1 if isinstance(value, float) else 0) + unit
              for _label, value in items]
    # Room for the longest value after the longest bar.
    value_room = max((text_width(value) for value in values), default=0) + 8
    bar_room = CHART_WIDTH - value_room
    bars, y = [], 0
    for (label, value), shown in zip(items, values, strict=True):
        lines, shortened = wrap(label, CHART_WIDTH)
        label_lines = [{"text": line, "y": y + n * LINE_HEIGHT + ASCENT}
                       for n, line in enumerate(lines)]
        bar_y = y + len(lines) * LINE_HEIGHT + 3
        width = max(1, round(bar_room * value / top))
        bars.append({"label": label, "lines": label_lines, "shortened": shortened,
                     "bar_y": bar_y, "width": width, "value": shown,
                     "value_x": width + 6, "value_y": bar_y + BAR_HEIGHT - 5})
        y = bar_y + BAR_HEIGHT + GAP
    height = max(y, LINE_HEIGHT + 8)
    summary = "; ".join(f"{bar['label']} : {bar['value']}" for bar in bars)
    return {"chart_id": chart_id, "title": title, "bars": bars, "height": height,
            "width": CHART_WIDTH, "view_x": -LEFT_MARGIN,
            "view_width": CHART_WIDTH + LEFT_MARGIN, "bar_height": BAR_HEIGHT,
            "font_size": FONT_SIZE, "summary": summary}
