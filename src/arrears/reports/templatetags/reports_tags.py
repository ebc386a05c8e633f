from decimal import Decimal, InvalidOperation

from django import template
from django.utils.html import format_html

register = template.Library()


@register.simple_tag
def report_cell(row, column):
    """A table cell as the page shows it: money with thousands separators, ratios as %."""
    value = row.get(column.key)
    if value is None or value == "":
        return "—"
    if column.kind == "percent":
        try:
            return f"{Decimal(str(value)) * 100:.2f}%"
        except InvalidOperation:
            return value
    if column.kind == "money":
        try:
            return f"{Decimal(str(value)):,.2f}"
        except InvalidOperation:
            return value
    if column.kind == "int" and isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, list | tuple):
        return "、".join(str(v) for v in value)
    if column.kind == "who":
        # A person's name as recorded (a login name where no name is set): not translated.
        return format_html('<span translate="no">{}</span>', value)
    return value


@register.simple_tag
def report_chart(table):
    """The table's chart as inline SVG (reports.charts), or "" when it has none."""
    from arrears.reports.charts import chart_svg

    return chart_svg(table) or ""


@register.filter
def is_numeric(column) -> bool:
    return column.kind in ("int", "money", "percent")


@register.filter
def get_item(mapping, key):
    return mapping.get(key) if hasattr(mapping, "get") else None
