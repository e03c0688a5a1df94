"""The dashboard matrix's kind cells, written in Python: a page draws seven for each of a hundred facts,
and as template nodes they were most of the page's rendering time.

Each kind's label is escaped once per page and each row's link once per row; a cell then joins those with
numbers, which need no escaping. With `format_html` escaping every part of every cell again, the cells
were a quarter of the template's time.
"""

from urllib.parse import quote

from django import template
from django.urls import reverse
from django.utils.html import escape
from django.utils.safestring import mark_safe

from annotate.templatetags.bars import escaped

register = template.Library()


def _counted(claims: int, articles: int) -> str:
    return f"{claims} claim{'s' if claims != 1 else ''} in {articles} article{'s' if articles != 1 else ''}"


@register.simple_tag
def matrix_cells(row, board):
    """One `<td>` per shown kind: claims·articles, linked to those claims with the dashboard's filters."""
    base = board.filters.querydict
    base["fact"] = row.fact.slug
    base.pop("kind", None)  # each cell links to its own kind's claims
    link = escape(f"{reverse('annotate:claim_list')}?{base.urlencode()}&kind=")
    kinds = board.filters.kinds
    basis = row.basis.kinds
    cells = []
    for cell in row.cells:
        kind = cell.kind
        if kinds and kind.slug not in kinds:
            continue
        classes = ("filled " if cell.claims else "") + ("basis " if kind.slug in basis else "")
        if not cell.claims:
            cells.append(f'<td class="cell {classes}k-{int(kind.pk)}"></td>')
            continue
        label, slug = escaped(kind.label), quote(kind.slug)
        counted = _counted(int(cell.claims), int(cell.articles))
        cells.append(
            f'<td class="cell {classes}k-{int(kind.pk)}"><a href="{link}{slug}" title="{label}: {counted}">'
            f"{int(cell.claims)}<small>·{int(cell.articles)}</small>"
            f'<span class="visually-hidden">: {counted}, {label}</span></a></td>'
        )
    return mark_safe("".join(cells))  # noqa: S308 (every part escaped above, or a number)
