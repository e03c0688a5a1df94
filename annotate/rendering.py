"""Render an article's text with its claims as <mark> runs, keeping textContent == Article.text."""

from __future__ import annotations

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from .spans import segments

UNDERLINE = 3  # px per stacked underline of overlapping claims


def _mark_style(covering) -> str:
    # The innermost claim tints the background; every covering claim adds an underline in its kind's
    # colour, stacked outermost lowest, so overlaps stay readable instead of mixing fills.
    inner = covering[-1].kind.colour
    shadows = ",".join(
        f"inset 0 -{UNDERLINE * depth}px {claim.kind.colour}" for depth, claim in enumerate(reversed(covering), start=1)
    )
    return f"--k:{inner};box-shadow:{shadows}"


def article_html(text: str, claims) -> SafeString:
    """The article body's inner HTML: plain text runs, <mark> runs, and an empty anchor per claim."""
    claims = list(claims)
    starts: dict[int, list] = {}
    for claim in claims:
        starts.setdefault(claim.start, []).append(claim)
    ends = {claim.end for claim in claims}
    parts: list[str] = []
    for seg in segments(len(text), claims):
        for claim in starts.get(seg.start, ()):
            # Empty, so it adds nothing to textContent, but /articles/<slug>/#claim-<id> lands here.
            parts.append(f'<span class="anchor" id="claim-{claim.pk}"></span>')
        chunk = escape(text[seg.start : seg.end])
        if not seg.claims:
            parts.append(chunk)
            continue
        inner = seg.claims[-1]
        ids = " ".join(str(c.pk) for c in seg.claims)
        labels = "; ".join(
            c.kind.label + (f": {c.source_label}" if getattr(c, "source_label", "") else "") for c in seg.claims
        )
        depth = f' data-depth="{len(seg.claims)}"' if len(seg.claims) > 1 else ""
        # Rounded, slightly spaced edges where a claim begins or ends keep adjacent claims apart.
        edges = "".join((" hl-start" if seg.start in starts else "", " hl-end" if seg.end in ends else ""))
        parts.append(
            f'<mark class="hl{edges}" data-claims="{ids}" data-kind="{escape(inner.kind.slug)}"{depth} '
            f'style="{escape(_mark_style(seg.claims))}" title="{escape(labels)}">{chunk}</mark>'
        )
    return mark_safe("".join(parts))  # noqa: S308 -- every piece of text above went through escape()
