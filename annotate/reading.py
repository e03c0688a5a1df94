"""The reading view sends an article a window at a time: the first passages of the body and the first claims
of the sidebar, the rest on demand (htmx), so that a page's cost does not grow with the whole article.

The body: passages (`spans.passages`) from the start until `WINDOW` code points are covered; each run of
passages not sent is a gap, an empty link (its label is drawn by CSS, so the body's textContent is still
only article text) that loads them when it scrolls into view or is followed, and without JavaScript leads to
the page opened at that passage (`?from=N`). The sidebar: the first `SIDEBAR` claims in text order, then a
"Show more claims" link that appends the next ones after the last shown (a cursor, so tags added meanwhile
are neither skipped nor repeated). The counts cover every claim the reader may see.
"""

from __future__ import annotations

import threading
from collections import OrderedDict

from django.db.models import Count, Q
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.views.decorators.http import require_GET

from config.input import number
from corpus.models import Article

from .forms import ClaimForm
from .models import Claim, ProvenanceKind
from .rendering import article_html, claim_list_html, drawn, highlights
from .spans import passages, window

WINDOW = 6_000  # code points of text sent at once: a few screens; a short article is sent whole
SIDEBAR = 50  # claims listed at once in the sidebar


def gap_html(article: Article, lo: int, hi: int) -> SafeString:
    """The placeholder of the passages in [lo, hi): loaded when revealed or clicked, a link without htmx."""
    if lo >= hi:
        return mark_safe("")
    page = article.get_absolute_url()
    fragment = reverse("annotate:article_passages", args=[article.slug])
    return format_html(
        '<a class="passage-gap" id="gap-{}" href="{}?from={}#passage-{}" hx-get="{}?from={}&amp;to={}" '
        'hx-trigger="revealed, click" hx-swap="outerHTML" data-from="{}" data-to="{}" '
        'aria-label="Show the text from character {} to {}"></a>',
        lo, page, lo, lo, fragment, lo, hi, lo, hi, f"{lo + 1:,}", f"{hi:,}",
    )  # fmt: skip


def with_gaps(article: Article, body: SafeString, lo: int, hi: int, begin: int, stop: int) -> SafeString:
    """The passages [lo, hi) with gaps for [begin, lo) and [hi, stop) (one join: the body may be 1 MB)."""
    if begin >= lo and hi >= stop:
        return body
    return mark_safe("".join([gap_html(article, begin, lo), body, gap_html(article, hi, stop)]))  # noqa: S308


def body_html(request, article: Article, kinds: dict, *, at: int = 0, stop: int | None = None, through: int = 0):
    """The window of passages from the one holding `at`: about WINDOW code points, at least up to `through`,
    never past `stop`. Returns its html (without gaps: see `with_gaps`) and its bounds (lo, hi)."""
    text, bounds = article.text, passages(article.text)
    stop = len(text) if stop is None else stop
    lo, hi = window(bounds, at, stop, WINDOW, through)
    visible = Claim.objects.on(article, request.user).anchored()
    claims = drawn(visible.filter(start__lt=hi, end__gt=lo), kinds, request.user)
    return rendered(text, claims, lo, hi), lo, hi


class Rendered:
    """The last bodies rendered in this process, each under everything its markup is made from: the text, the
    window, and for each claim what is drawn of it (as masked for the reader who asked). Only a reader whose
    claims look exactly the same gets the same markup back, so nothing one reader may see reaches another
    who may not, and no write needs to invalidate anything: a changed claim, source name, status or kind
    label is another key. The key is compared whole on a hit (no digest that two inputs could share)."""

    def __init__(self, entries: int = 32, chars: int = 8_000_000):
        self.entries, self.chars = entries, chars
        self.bodies: OrderedDict[tuple, SafeString] = OrderedDict()
        self.lock = threading.Lock()

    def get(self, text: str, claims: list, lo: int, hi: int) -> SafeString:
        drawn = tuple(
            (c.pk, c.start, c.end, c.status, c.kind.pk, c.kind.label, c.kind.slug, c.source_label) for c in claims
        )
        # The window's text is all of the text its markup depends on (its passages are cut from `lo` on).
        key = (text[lo:hi], lo, hi, drawn)
        with self.lock:
            if (body := self.bodies.get(key)) is not None:
                self.bodies.move_to_end(key)
                return body
        body = article_html(text, claims, window=(lo, hi))
        with self.lock:
            self.bodies[key] = body
            while len(self.bodies) > self.entries or sum(len(b) for b in self.bodies.values()) > self.chars:
                self.bodies.popitem(last=False)
        return body

    def clear(self) -> None:
        with self.lock:
            self.bodies.clear()


BODIES = Rendered()
rendered = BODIES.get


def cursor(value: str) -> tuple[int, int, int] | None:
    """A sidebar cursor "start.end.pk" (the last claim shown), or None."""
    parts = [number(p) for p in value.split(".")] if value else []
    return tuple(parts) if len(parts) == 3 and None not in parts else None  # type: ignore[return-value]


def claims_after(visible, after: tuple[int, int, int] | None, kinds: dict, user):
    """The next claims of the sidebar in text order (start, longest first, id) after `after`, and the cursor
    of the page after them (None at the end)."""
    if after is not None:
        start, end, pk = after
        visible = visible.filter(Q(start__gt=start) | Q(start=start, end__lt=end) | Q(start=start, end=end, pk__gt=pk))
    rows = highlights(visible, kinds, user, limit=SIDEBAR + 1)
    shown = rows[:SIDEBAR]
    more = f"{shown[-1].start}.{shown[-1].end}.{shown[-1].pk}" if len(rows) > SIDEBAR else None
    return shown, more


def reading_context(request, article: Article, *, at: int = 0, through: int = 0, after=None) -> dict:
    """What the reading view's template needs: a window of the body, a page of the sidebar, every count."""
    kinds = list(ProvenanceKind.objects.all())
    by_pk = {k.pk: k for k in kinds}
    body, lo, hi = body_html(request, article, by_pk, at=at, through=through)
    visible = Claim.objects.on(article, request.user).anchored()
    listed, more = claims_after(visible, after, by_pk, request.user)
    per_kind = dict(visible.order_by().values_list("kind_id").annotate(n=Count("pk")))
    return {
        "article": article,
        "claim_total": sum(per_kind.values()),
        "claim_items": claim_list_html(listed),
        "claims_after": more,
        "claims_from": after is not None,
        "body": with_gaps(article, body, lo, hi, 0, len(article.text)),
        "kinds": kinds,
        "active_kinds": [k for k in kinds if k.active],
        "legend": [(kind, per_kind.get(kind.pk, 0)) for kind in kinds if kind.active or per_kind.get(kind.pk)],
        "can_tag": request.user.has_perm("annotate.add_claim"),
        "tag_form": ClaimForm(auto_id="tag-%s"),
    }


def sidebar_page(request, article: Article):
    """The next claims of the sidebar (htmx: appended to the list, with the next "Show more" link)."""
    kinds = {k.pk: k for k in ProvenanceKind.objects.all()}
    visible = Claim.objects.on(article, request.user).anchored()
    listed, more = claims_after(visible, cursor(request.GET.get("after", "")), kinds, request.user)
    context = {"article": article, "claim_items": claim_list_html(listed), "claims_after": more}
    return render(request, "annotate/article_detail.html#claims-page", context)


@require_GET
def article_passages(request, slug):
    """The passages of a gap [from, to) (htmx): a window of them, from the passage holding ?at= or the
    start of ?claim= when they lie in the gap, with gaps for the rest. Without htmx, the page at ?from=."""
    article = get_object_or_404(Article, slug=slug)
    length = len(article.text)
    lo = min(max(number(request.GET.get("from", "")) or 0, 0), length)
    lo = next((a for a, b in passages(article.text) if a <= lo < b), lo)  # a boundary, as a gap's ends are
    if not request.htmx:
        return HttpResponseRedirect(f"{article.get_absolute_url()}?from={lo}#passage-{lo}")
    to = number(request.GET.get("to", ""))
    hi = length if to is None or not lo < to <= length else to
    at = number(request.GET.get("at", ""))
    claim = number(request.GET.get("claim", ""))
    if claim is not None:
        found = Claim.objects.on(article, request.user).filter(pk=claim).anchored().first()
        at = found.start if found is not None else None
        if at is None or not lo <= at < hi:  # not in this gap (or not to be seen): the gap stays as it was
            return HttpResponse(gap_html(article, lo, hi))
    at = at if at is not None and lo <= at < hi else lo
    kinds = {k.pk: k for k in ProvenanceKind.objects.all()}
    body, first, last = body_html(request, article, kinds, at=at, stop=hi)
    return HttpResponse(with_gaps(article, body, first, last, lo, hi))
