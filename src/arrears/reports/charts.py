"""A report table's chart (`Table.chart`) as an inline SVG drawn on the server with pygal
(PyPI, pinned in requirements.lock): no JavaScript, nothing fetched at run time, so a page
works offline and a phone draws it like any image. The table stays beside it with the exact
figures; the chart's numbers are for drawing only.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from django.utils.safestring import SafeString, mark_safe

from arrears.reports.registry import Table

_SCRIPT = re.compile(r"<script\b.*?</script>", re.S | re.I)
MAX_BARS = 30  # more categories than this: the first 30 (the table has them all)


def _number(value) -> float | None:
    if value is None or value == "":
        return None
    try:
        return float(Decimal(str(value)))  # drawing only: the table shows the exact figure
    except (InvalidOperation, ValueError):
        return None


def chart_svg(table: Table) -> SafeString | None:
    """The table's chart as inline SVG markup, or None when it has none or nothing to draw."""
    spec = table.chart
    if spec is None or not table.rows:
        return None
    import pygal
    from pygal.style import Style

    labels = {c.key: str(c.label) for c in table.columns}
    rows = list(table.rows)[:MAX_BARS]
    kind = {"bar": pygal.Bar, "line": pygal.Line, "stacked": pygal.StackedBar}.get(
        spec.kind, pygal.Bar
    )
    style = Style(
        background="transparent",
        plot_background="transparent",
        font_family="system-ui, 'Noto Sans SC', 'PingFang SC', sans-serif",
        colors=("#2f6fad", "#d9822b", "#3a9a5b", "#b0413e", "#7d5ba6", "#6b7280"),
        label_font_size=13,
        legend_font_size=13,
        major_label_font_size=13,
        value_font_size=10,
    )
    chart = kind(
        style=style,
        width=480,
        height=280,
        js=(),  # no script from anywhere: a static picture
        disable_xml_declaration=True,
        explicit_size=False,
        legend_at_bottom=True,
        legend_at_bottom_columns=min(len(spec.series), 4),
        show_legend=len(spec.series) > 1,
        x_label_rotation=30 if len(rows) > 4 else 0,
        truncate_label=10,
        print_values=False,
        margin=8,
        title=None,
    )
    chart.x_labels = [str(r.get(spec.x, "")) for r in rows]
    drawn = False
    for key in spec.series:
        values = [_number(r.get(key)) for r in rows]
        drawn = drawn or any(v for v in values)
        chart.add(labels.get(key, key), values)
    if not drawn:
        return None
    # pygal writes its tooltip configuration as an inline script even with js=(): drop it,
    # the picture needs none (and a page must run no script it did not ship).
    svg = _SCRIPT.sub("", chart.render(is_unicode=True))
    return mark_safe(svg)  # noqa: S308 — pygal builds it with xml.etree, which escapes text
