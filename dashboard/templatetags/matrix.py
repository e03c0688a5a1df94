"""The dashboard matrix's kind cells, written in Python: a page draws seven for each of a hundred facts,
and as template nodes they were most of the page's rendering time."""

from urllib.parse import quote

from django import template
from django.template.defaultfilters import pluralize
from django.urls import reverse
from django.utils.html import format_html, format_html_join

register = template.Library()


@register.simple_tag
def matrix_cells(row, board):
    """One `<td>` per shown kind: claims·articles, linked to those claims with the dashboard's filters."""
    base = board.filters.querydict
    base["fact"] = row.fact.slug
    base.pop("kind", None)  # each cell links to its own kind's claims
    # The row's query once, each cell's kind added to it: copying a QueryDict for each of 700 cells was a
    # third of the cells' time.
    claims_url = f"{reverse('annotate:claim_list')}?{base.urlencode()}&kind="
    shown = [cell for cell in row.cells if not board.filters.kinds or cell.kind.slug in board.filters.kinds]

    def cell_html(cell):
        classes = ("filled " if cell.claims else "") + ("basis " if cell.kind.slug in row.basis.kinds else "")
        if not cell.claims:
            return format_html('<td class="cell {}k-{}"></td>', classes, cell.kind.pk)
        counted = f"{cell.claims} claim{pluralize(cell.claims)} in {cell.articles} article{pluralize(cell.articles)}"
        return format_html(
            '<td class="cell {}k-{}"><a href="{}{}" title="{}: {}">{}<small>·{}</small>'
            '<span class="visually-hidden">: {}, {}</span></a></td>',
            classes,
            cell.kind.pk,
            claims_url,
            quote(cell.kind.slug),
            cell.kind.label,
            counted,
            cell.claims,
            cell.articles,
            counted,
            cell.kind.label,
        )

    return format_html_join("", "{}", ((cell_html(cell),) for cell in shown))
