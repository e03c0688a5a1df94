"""Stacked bars without inline styles: each segment's share of its bar as a class (app.css's g-<percent>)."""

from django import template
from django.template.defaultfilters import pluralize
from django.utils.html import format_html, format_html_join

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


@register.simple_tag
def kind_bar(segments, full: bool = False):
    """A stacked bar of claims per kind: `segments` are cells with .kind, .claims and (maybe) .articles.

    Written here rather than as a template: the dashboard draws one per fact and per article, and the
    template's nodes were most of its rendering time.
    """
    segments = list(segments)

    def title(cell) -> str:
        text = f"{cell.kind.label}: {cell.claims} claim{pluralize(cell.claims)}"
        articles = getattr(cell, "articles", 0)
        return text + (f" in {articles} article{pluralize(articles)}" if articles else "")

    return format_html(
        '<span class="stack{}" role="img" aria-label="{}">{}</span>',
        " full" if full else "",
        ", ".join(f"{cell.kind.label} {cell.claims}" for cell in segments),
        format_html_join(
            "",
            '<span class="stack-seg k-{} g-{}" title="{}"></span>',
            ((cell.kind.pk, share, title(cell)) for cell, share in shares(segments, "claims")),
        ),
    )
