"""The default kinds' colours stay apart for every reader, and every kind has a second cue beside colour.

Differences are CIEDE2000 between the kinds' colours as they are (normal vision) and as a deuteranope
and a protanope see them (Machado, Oliveira and Fernandes 2009, full severity), computed by ColorAide.
"""

import itertools

import pytest
from coloraide import Color

from annotate import kind_styles
from annotate.models import ProvenanceKind

pytestmark = pytest.mark.django_db

MIN_DELTA_E = 10
VISIONS = [None, "deutan", "protan"]


def seen(colour: str, vision: str | None) -> Color:
    color = Color(colour)
    return color if vision is None else color.filter(vision, 1.0, method="machado")


@pytest.mark.parametrize("vision", VISIONS, ids=["normal", "deuteranopia", "protanopia"])
def test_every_pair_of_kind_colours_is_at_least_delta_e_10_apart(vision):
    kinds = list(ProvenanceKind.objects.values_list("label", "colour"))
    assert len(kinds) == 9
    close = [
        (a, b, round(delta, 1))
        for (a, ca), (b, cb) in itertools.combinations(kinds, 2)
        if (delta := seen(ca, vision).delta_e(seen(cb, vision), method="2000")) < MIN_DELTA_E
    ]
    assert not close, close


def test_every_kind_has_its_own_letter_in_the_stylesheet():
    kinds = kind_styles.current()
    letters = kind_styles.glyphs(kinds)
    assert len(set(letters.values())) == len(kinds)
    assert [letters[pk] for pk, *_ in kinds] == ["S", "I", "T", "U", "F", "E", "N", "O", "D"]
    css = kind_styles.stylesheet(kinds)
    for pk, colour, _label in kinds:
        assert f'.k-{pk}{{--k:{colour};--kg:"{letters[pk]}"}}' in css


def test_a_kind_whose_initial_is_taken_gets_another_letter_of_its_label():
    kinds = [(1, "#000000", "State media"), (2, "#111111", "Satellite imagery"), (3, "#222222", "SS")]
    assert kind_styles.glyphs(kinds) == {1: "S", 2: "A", 3: "3"}
