"""Highlight segments and span checks: pure functions, no database."""

import re
from dataclasses import dataclass

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from annotate.rendering import article_html
from annotate.spans import SpanError, check_span, context, passages, segments, touched


@dataclass
class C:
    pk: int
    start: int
    end: int


def runs(length, claims):
    return [(s.start, s.end, [c.pk for c in s.claims]) for s in segments(length, claims)]


def test_no_claims_is_one_plain_run():
    assert runs(10, []) == [(0, 10, [])]


def test_empty_text_has_no_runs():
    assert runs(0, []) == []
    assert runs(0, [C(1, 0, 1)]) == []


def test_overlapping_claims_share_the_middle_run():
    assert runs(10, [C(1, 0, 6), C(2, 4, 10)]) == [(0, 4, [1]), (4, 6, [1, 2]), (6, 10, [2])]


def test_nested_claim_is_listed_inside_its_outer_claim():
    assert runs(10, [C(2, 3, 5), C(1, 1, 8)]) == [(0, 1, []), (1, 3, [1]), (3, 5, [1, 2]), (5, 8, [1]), (8, 10, [])]


def test_adjacent_claims_stay_separate_runs():
    assert runs(6, [C(1, 0, 3), C(2, 3, 6)]) == [(0, 3, [1]), (3, 6, [2])]


def test_identical_spans_cover_the_same_run():
    assert runs(4, [C(1, 0, 4), C(2, 0, 4)]) == [(0, 4, [1, 2])]


def test_runs_tile_the_text_exactly():
    claims = [C(i, (i * 7) % 90, (i * 7) % 90 + 1 + i % 13) for i in range(1, 60)]
    result = segments(100, claims)
    assert result[0].start == 0 and result[-1].end == 100
    assert all(a.end == b.start for a, b in zip(result, result[1:], strict=False))
    for seg in result:
        expected = {c.pk for c in claims if c.start <= seg.start and seg.end <= c.end}
        assert {c.pk for c in seg.claims} == expected


def test_claims_outside_the_text_are_ignored():
    assert runs(5, [C(1, 3, 9)]) == [(0, 5, [])]


EMOJI_HANGUL = "Vote 👍🏽 in 북한 선거 🇰🇵 — turnout 99.63%."


def test_astral_characters_and_hangul_count_as_code_points():
    start = EMOJI_HANGUL.index("turnout")
    assert start == 22  # 👍 and 🏽 are one code point each, the flag is two
    check_span(EMOJI_HANGUL, start, start + 7, "turnout")
    hangul = EMOJI_HANGUL.index("북한 선거")
    check_span(EMOJI_HANGUL, hangul, hangul + 5, "북한 선거")
    seg = runs(len(EMOJI_HANGUL), [C(1, hangul, hangul + 5)])
    assert seg[1] == (hangul, hangul + 5, [1])


@pytest.mark.parametrize(
    ("start", "end", "exact", "message"),
    [
        (5, 5, "", "empty or reversed"),
        (6, 2, "x", "empty or reversed"),
        (-1, 3, "abc", "empty or reversed"),
        (30, 60, "x" * 30, "outside the text"),
        (0, 4, "Vota", "does not match"),
        # UTF-16 offsets from a browser that forgot to convert: off by the emoji's extra units.
        (26, 33, "turnout", "does not match"),
    ],
)
def test_bad_spans_are_refused_with_a_reason(start, end, exact, message):
    with pytest.raises(SpanError, match=message):
        check_span(EMOJI_HANGUL, start, end, exact)


def test_context_is_32_code_points_each_side():
    text = "a" * 40 + "CLAIM" + "b" * 40
    prefix, suffix = context(text, 40, 45)
    assert prefix == "a" * 32 and suffix == "b" * 32
    assert context("xCLAIMy", 1, 6) == ("x", "y")


@pytest.mark.parametrize(
    ("quote", "before", "after"),
    [
        ("In a rare move", "SEOUL (Nov. 28, 2023) - ", ", North Korea said so."),  # "Nov." ends no sentence
        ("said so", "SEOUL (Nov. 28, 2023) - In a rare move, North Korea ", "."),
        ("agreed", "Dr. Kim ", " at 99.63 percent."),  # nor do "Dr." and "99.63"
        ("Next line", "", ""),  # a line break ends one
        ("63 percent", "Dr. Kim agreed at 99.", "."),  # a span may start inside a decimal
    ],
)
def test_sentence_around_skips_abbreviations_and_decimals(quote, before, after):
    from annotate.spans import sentence_around

    text = "SEOUL (Nov. 28, 2023) - In a rare move, North Korea said so. Dr. Kim agreed at 99.63 percent.\nNext line"
    start = text.index(quote)
    assert sentence_around(text, start, start + len(quote)) == (before, after)


def test_sweep_matches_a_direct_count_on_random_overlaps():
    import random

    rng = random.Random(5)
    claims = []
    for pk in range(300):
        start = rng.randrange(0, 990)
        claims.append(C(pk=pk, start=start, end=min(1000, start + rng.randint(1, 200))))
    assert len(segments(1000, claims)) > 400
    for seg in segments(1000, claims):
        expected = sorted(
            (c for c in claims if c.start <= seg.start and seg.end <= c.end),
            key=lambda c: (c.start - c.end, c.start, c.pk),
        )
        assert list(seg.claims) == expected


# ---- passages: what a tag re-renders -------------------------------------------------------------


def test_passages_tile_the_text_and_end_at_line_breaks():
    text = ("word " * 100 + "\n\n") * 5 + "tail without a break " * 40
    bounds = passages(text)
    assert bounds[0][0] == 0 and bounds[-1][1] == len(text)
    assert all(a[1] == b[0] for a, b in zip(bounds, bounds[1:], strict=False))
    assert all(text[hi - 2 : hi] == "\n\n" for _, hi in bounds[:-1])
    assert passages("") == [(0, 0)] and passages("short") == [(0, 5)]
    assert touched(bounds, 0, 1) == bounds[:1] and touched(bounds, bounds[1][0] - 1, bounds[1][0] + 1) == bounds[:2]


@dataclass
class K:
    pk: int
    label: str = "State media"
    slug: str = "state_media"


@dataclass
class H:
    pk: int
    start: int
    end: int
    kind: K


def _passages_of(html: str) -> dict[str, str]:
    return dict(
        re.findall(r'<span class="passage" id="(passage-\d+)"[^>]*>(.*?)</span>(?=<span class="passage"|$)', html, re.S)
    )


@settings(max_examples=60, deadline=None, derandomize=True)
@given(
    paragraphs=st.lists(st.text(alphabet="ab 가😀", min_size=0, max_size=300), min_size=1, max_size=8),
    spans=st.lists(st.tuples(st.integers(0, 3000), st.integers(1, 900)), max_size=30),
    tag=st.tuples(st.integers(0, 3000), st.integers(1, 900)),
)
def test_a_fragment_renders_the_touched_passages_exactly_as_the_page_does(paragraphs, spans, tag):
    text = "\n".join(paragraphs) + "x"
    claims = [H(i, s % len(text), min(len(text), s % len(text) + n), K(1 + i % 3)) for i, (s, n) in enumerate(spans)]
    start = tag[0] % len(text)
    end = min(len(text), start + tag[1])
    page = _passages_of(article_html(text, claims))
    fragment = _passages_of(article_html(text, claims, around=(start, end)).replace(' hx-swap-oob="true"', ""))
    assert fragment and all(page[key] == html for key, html in fragment.items())
    expected = {f"passage-{lo}" for lo, _ in touched(passages(text), start, end)}
    assert set(fragment) == expected
