from decimal import Decimal, InvalidOperation

from django import template

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
    return value


@register.filter
def is_numeric(column) -> bool:
    return column.kind in ("int", "money", "percent")


@register.filter
def get_item(mapping, key):
    return mapping.get(key) if hasattr(mapping, "get") else None
