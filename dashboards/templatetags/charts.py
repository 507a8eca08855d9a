"""Server-side SVG bar charts: no script, no external resource; the numbers are also in a
table beside each chart, and the SVG carries a title and a description for screen readers."""

from django import template
from django.utils.formats import number_format

register = template.Library()

BAR_HEIGHT = 22
GAP = 8
LABEL_WIDTH = 150
CHART_WIDTH = 520


@register.inclusion_tag("dashboards/_bar_chart.html")
def bar_chart(chart_id: str, title: str, items, unit: str = ""):
    """`items`: (label, value) pairs; bars are scaled on the largest value."""
    items = [(str(label), value) for label, value in items if value is not None]
    top = max((value for _label, value in items), default=0) or 1
    width = CHART_WIDTH - LABEL_WIDTH - 60
    bars = []
    for index, (label, value) in enumerate(items):
        bars.append({
            "label": label[:28],
            "value": number_format(value, decimal_pos=1 if isinstance(value, float) else 0),
            "y": index * (BAR_HEIGHT + GAP),
            "width": max(1, round(width * value / top)),
        })
    height = max(len(bars), 1) * (BAR_HEIGHT + GAP)
    summary = "; ".join(f"{bar['label']} : {bar['value']}{unit}" for bar in bars)
    return {"chart_id": chart_id, "title": title, "bars": bars, "height": height,
            "width": CHART_WIDTH, "label_width": LABEL_WIDTH, "bar_height": BAR_HEIGHT,
            "unit": unit, "summary": summary}
