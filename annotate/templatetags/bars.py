"""Stacked bars without inline styles: each segment's share of its bar as a class (app.css's g-<percent>)."""

from django import template

register = template.Library()


@register.filter
def shares(items, count):
    """[(item, percent)] for a bar's segments; `count` names each item's number: an attribute or an index.

    `cells|shares:"claims"` reads cell.claims, `pairs|shares:1` reads pair[1]. A segment too small for a
    whole percent gets 0 and keeps its minimum width.
    """
    items = list(items)
    numbers = [item[count] if isinstance(count, int) else getattr(item, count) for item in items]
    total = sum(numbers)
    return [(item, round(100 * n / total) if total else 0) for item, n in zip(items, numbers, strict=True)]
