"""Render an article's text with its claims as <mark> runs, keeping textContent == Article.text."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from html import escape

from django.utils.safestring import SafeString, mark_safe

from .masking import mask_for
from .models import Claim, ProvenanceKind
from .spans import passages, segments, touched

STATUS_LABELS = dict(Claim.Status.choices)
QUOTE_CHARS = 110  # of a claim's quote in the sidebar
PROPOSED = ' <span class="badge">proposed</span>'


@dataclass(slots=True)
class Highlight:
    """What the reading view shows of a claim: read as one row, without building model instances."""

    pk: int
    start: int
    end: int
    exact: str
    status: str
    kind: ProvenanceKind
    source_label: str
    fact_statement: str
    proposed: bool = False  # the source is a name the annotator typed, not registered yet


def highlights(claims, kinds: dict[int, ProvenanceKind], user, limit: int | None = None) -> list[Highlight]:
    """The claims of a queryset as Highlights in text order, sensitive sources masked for `user`.

    The reading view shows every claim of an article; at a thousand claims, model instances with
    their related rows cost more than everything else on the page.
    """
    mask = mask_for(user)
    rows = claims.order_by("start", "-end", "pk").values_list(
        "pk", "start", "end", "exact", "status", "kind_id", "annotator_id", "source_id", "source__name",
        "source__sensitive", "proposed_source", "fact__statement", "proposed_fact",
    )  # fmt: skip
    if limit is not None:
        rows = rows[:limit]
    return [
        Highlight(
            pk,
            start,
            end,
            exact,
            status,
            kinds[kind_id],
            mask.source(source_id, source, sensitive) if source_id else mask.text(proposed_source, author),
            mask.text(fact) if fact else mask.text(proposed_fact, author),
            bool(proposed_source),
        )
        for (pk, start, end, exact, status, kind_id, author, source_id, source, sensitive, proposed_source, fact,
             proposed_fact) in rows
    ]  # fmt: skip


def drawn(claims, kinds: dict[int, ProvenanceKind], user) -> list[Highlight]:
    """Like `highlights`, with only what the body draws of each claim: no quote and no fact, which only the
    sidebar shows (a narrower read, and no join with the facts)."""
    mask = mask_for(user)
    rows = claims.order_by("start", "-end", "pk").values_list(
        "pk", "start", "end", "status", "kind_id", "annotator_id", "source_id", "source__name", "source__sensitive",
        "proposed_source",
    )  # fmt: skip
    return [
        Highlight(
            pk,
            start,
            end,
            "",
            status,
            kinds[kind_id],
            mask.source(source_id, source, sensitive) if source_id else mask.text(proposed_source, author),
            "",
            bool(proposed_source),
        )
        for (pk, start, end, status, kind_id, author, source_id, source, sensitive, proposed_source) in rows
    ]


def claim_list_html(claims: list[Highlight]) -> SafeString:
    """The sidebar's list items, one per claim in text order (the same markup a template would give)."""
    parts = []
    chips: dict[tuple[int, str], str] = {}  # the same kind and status give the same markup
    for claim in claims:
        quote = claim.exact if len(claim.exact) <= QUOTE_CHARS else claim.exact[: QUOTE_CHARS - 1] + "…"
        fact = f' · <span class="fact-ref">{escape(claim.fact_statement)}</span>' if claim.fact_statement else ""
        if (key := (claim.kind.pk, claim.status)) not in chips:
            status = escape(STATUS_LABELS.get(claim.status, claim.status))
            chips[key] = (
                f'<span class="chip k-{claim.kind.pk}">{escape(claim.kind.label)}</span> '
                f'<span class="status status-{escape(claim.status)}">{status}</span> '
            )
        parts.append(
            f'<li id="item-{claim.pk}"><a href="#claim-{claim.pk}" data-claim="{claim.pk}" '
            f'data-span="{claim.start} {claim.end}">'
            f'{chips[key]}<span class="quote">{escape(quote)}</span> '
            f'<span class="source">{escape(claim.source_label or "No source named")}'
            f"{PROPOSED if claim.proposed else ''}{fact}</span></a></li>"
        )
    return mark_safe("".join(parts))  # noqa: S308 -- every piece of text above went through escape()


# Beyond this many claims over one run of text, more underlines and names add noise, not information:
# the innermost ones are drawn and named, the rest counted (the popover lists them all). app.css draws
# this many underline layers and kind_styles.py defines a class for each.
SHOWN_LAYERS = 4


@lru_cache(maxsize=4096)
def _mark_classes(kinds: tuple[int, ...]) -> str:
    # The innermost claim tints the background (k-); every covering claim adds an underline in its kind's
    # colour (l1- innermost, ...), stacked outermost lowest, so overlaps stay readable instead of mixing
    # fills. Classes, not a style attribute: the Content-Security-Policy forbids inline styles.
    layers = "".join(f" l{depth}-{pk}" for depth, pk in enumerate(reversed(kinds), start=1))
    return f" k-{kinds[-1]}{layers}"


def _status(claims) -> str:
    """A run's status as drawn (app.css): the innermost claim still standing, "rejected" when none is."""
    if not claims:
        return ""
    # From the innermost outwards: the first standing claim is usually the innermost or the next one, so
    # this does not read every claim of a deep run (as a list of them all did: a quarter of article_html).
    status = next((s for c in reversed(claims) if (s := getattr(c, "status", "")) != REJECTED), REJECTED)
    return f' data-status="{status}"'


REJECTED = Claim.Status.REJECTED


def _drawn(layers: list[tuple]) -> tuple[str, str, str, str]:
    """The classes, claim ids, title and kind of a run whose innermost claims are `layers` (meta tuples)."""
    # The innermost claims' ids; the popover asks for every claim at data-at, however deep.
    return (
        _mark_classes(tuple([m[2] for m in layers])),
        " ".join([m[0] for m in layers]),
        "; ".join([m[1] for m in layers]),
        layers[-1][3],
    )


def _meta(claims) -> dict[int, tuple]:
    """What a run needs of each claim (id, title text, kind id, kind), escaped once per kind and source
    rather than once per run it covers (claims share a few kinds and sources)."""
    titles: dict[tuple, tuple[str, str]] = {}
    meta = {}
    for claim in claims:
        kind, label = claim.kind, getattr(claim, "source_label", "")
        if (named := titles.get((kind.pk, label))) is None:
            named = titles[kind.pk, label] = (escape(kind.label + (f": {label}" if label else "")), escape(kind.slug))
        meta[id(claim)] = (str(claim.pk), named[0], kind.pk, named[1])
    return meta


def _bounds(text: str, around: tuple[int, int] | None, window: tuple[int, int] | None) -> list[tuple[int, int]]:
    """The passages to render: all, those `around` touches, or those that begin in `window`."""
    bounds = passages(text)
    if around is not None:
        return touched(bounds, *around)
    if window is not None:
        return [(a, b) for a, b in bounds if window[0] <= a < window[1]] or [(window[0], window[0])]
    return bounds


def article_html(
    text: str, claims, *, around: tuple[int, int] | None = None, window: tuple[int, int] | None = None
) -> SafeString:
    """The article body's inner HTML: passages of plain text runs, <mark> runs and an empty anchor per claim.

    Each passage (`spans.passages`) is a <span id="passage-N"> that adds nothing to textContent. With
    `window` (passage boundaries lo, hi), only the passages in [lo, hi) are rendered; with `around` (a
    span of the text), only the passages it touches, each marked as an htmx out-of-band swap of the same
    passage on the page. Either way `claims` need only be those over the passages rendered.
    """
    bounds = _bounds(text, around, window)
    lo, hi = bounds[0][0], bounds[-1][1]
    claims = [claim for claim in claims if claim.start < hi and lo < claim.end]
    starts: dict[int, list] = {}
    for claim in claims:
        starts.setdefault(claim.start, []).append(claim)
    meta = _meta(claims)
    markup = "&" in text or "<" in text or ">" in text
    ends = {claim.end for claim in claims}
    swap = ' hx-swap-oob="true"' if around is not None else ""
    parts: list[str] = []
    # Most boundaries under dense claims open or close an outer claim and leave the innermost ones as they
    # were: what a run draws of those is built once per set of innermost claims, not once per run. On 1,000
    # dense claims over 3,100 characters (bench/pages.py's dense_spans), the same output in 6.5 ms instead
    # of 7.0 (best of 30, interleaved with the previous version, on the shared 2-core machine).
    shown: dict[tuple, tuple[str, str, str, str]] = {}
    cuts = {start for start, _ in bounds}
    for seg in segments(len(text), claims, cuts | {hi}):
        if seg.start < lo or seg.start >= hi:
            continue
        if seg.start in cuts:
            parts.append(
                ("</span>" if seg.start != lo else "") + f'<span class="passage" id="passage-{seg.start}"{swap}>'
            )
        for claim in starts.get(seg.start, ()):
            # Empty, so it adds nothing to textContent, but /articles/<slug>/#claim-<id> lands here.
            parts.append(f'<span class="anchor" id="claim-{claim.pk}"></span>')
        chunk = text[seg.start : seg.end]
        if markup:  # element content: only & < > need escaping, and most texts have none
            chunk = escape(chunk, quote=False)
        if not seg.claims:
            parts.append(chunk)
            continue
        innermost = seg.claims[-SHOWN_LAYERS:]
        key = tuple(map(id, innermost))
        if (drawn := shown.get(key)) is None:
            drawn = shown[key] = _drawn([meta[k] for k in key])
        classes, ids, labels, kind = drawn
        if hidden := len(seg.claims) - len(innermost):
            labels += f"; and {hidden} more"
        depth = f' data-depth="{len(seg.claims)}"' if len(seg.claims) > 1 else ""
        # Rounded, slightly spaced edges where a claim begins or ends keep adjacent claims apart.
        edges = "".join((" hl-start" if seg.start in starts else "", " hl-end" if seg.end in ends else ""))
        parts.append(
            f'<mark class="hl{classes}{edges}" data-claims="{ids}" data-at="{seg.start}" data-kind="{kind}"{depth}'
            f"{_status(seg.claims)}"
            f' title="{labels}">{chunk}</mark>'
        )
    if not parts:  # an empty text: one empty passage
        parts.append(f'<span class="passage" id="passage-0"{swap}>')
    parts.append("</span>")
    return mark_safe("".join(parts))  # noqa: S308 -- every piece of text above went through escape()
