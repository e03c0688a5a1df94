"""Kind colours as a stylesheet, so that no page needs an inline style and the Content-Security-Policy
can forbid them all.

Pages name a kind by class: `k-<id>` sets `--k` (fills, chips, swatches), `l1-<id>` ... `l4-<id>` set
the colours of a highlight's stacked underlines (`--l1` innermost ... `--l4` outermost, see app.css).
Editors can change kinds at any time, so the colours cannot live in app.css; the stylesheet's URL
carries a hash of them, so browsers may keep it for good and still see a change at once.
"""

import hashlib
import re

from django.urls import reverse
from django.utils.functional import SimpleLazyObject

from .models import ProvenanceKind
from .rendering import SHOWN_LAYERS

COLOUR = re.compile(r"#[0-9A-Fa-f]{6}")  # as the model's constraint requires: nothing else reaches the CSS


def current() -> list[tuple]:
    """Every kind's id, colour and label, inactive kinds too (their claims keep them), in the kinds' order."""
    return list(ProvenanceKind.objects.order_by("order", "pk").values_list("pk", "colour", "label"))


def glyphs(kinds: list[tuple]) -> dict[int, str]:
    """Each kind's letter, the cue beside its colour at the start of a claim: the label's initial, or, when an
    earlier kind has it, the next letter of the label no kind has; a digit if every letter is taken."""
    taken, out = set(), {}
    for pk, _colour, *label in kinds:
        letters = [ch.upper() for ch in (label[0] if label else "") if ch.isalnum()]
        letter = next((ch for ch in letters if ch not in taken), None) or str(len(out) + 1)
        taken.add(letter)
        out[pk] = letter
    return out


def stylesheet(kinds: list[tuple]) -> str:
    rules = []
    letters = glyphs(kinds)
    for pk, colour, *_ in kinds:
        if COLOUR.fullmatch(colour):
            layers = "".join(f".l{n}-{pk}{{--l{n}:{colour}}}" for n in range(1, SHOWN_LAYERS + 1))
            # The letter is an alphanumeric character: nothing here can close the CSS string.
            rules.append(f'.k-{pk}{{--k:{colour};--kg:"{letters[pk]}"}}{layers}')
    return "\n".join(rules) + "\n"


def version(kinds: list[tuple[int, str]]) -> str:
    return hashlib.sha256(repr(kinds).encode()).hexdigest()[:12]


def url() -> str:
    """The stylesheet's URL for the kinds as they are now."""
    return f"{reverse('kinds_css')}?v={version(current())}"


def context(request) -> dict:
    """Template context processor: `kind_styles_url`, looked up only by a page that shows it."""
    return {"kind_styles_url": SimpleLazyObject(url)}
