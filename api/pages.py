"""Page-numbered lists: a page of a queryset with its count and the links to the pages beside it."""

import math

from django.http import HttpRequest


def page_url(request: HttpRequest, page: int | None) -> str:
    """This request's URL, filters and all, at another page (or at none: the whole collection)."""
    query = request.GET.copy()
    query.pop("page", None)
    if page is not None:
        query["page"] = str(page)
    return request.build_absolute_uri(request.path + (f"?{query.urlencode()}" if query else ""))


def last_page(count: int, size: int) -> int:
    return max(1, math.ceil(count / size))


def paginate(request: HttpRequest, queryset, page: int, size: int) -> tuple[list, dict]:
    """One page of `queryset`, and its `count`, `next` and `previous`; past the end, an empty page.

    Past the end the page is not fetched at all, so no offset, however large, reaches the database.
    """
    count = queryset.count()
    start = (page - 1) * size
    items = list(queryset[start : start + size]) if start < count else []
    links = {
        "count": count,
        "next": page_url(request, page + 1) if page * size < count else None,
        "previous": page_url(request, min(page - 1, last_page(count, size))) if page > 1 and count else None,
    }
    return items, links
