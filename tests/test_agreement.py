"""Inter-annotator agreement: span matching, Cohen's kappa, Krippendorff's alpha. Pure functions, no database."""

import itertools

import pytest

from review.agreement import (
    Disagreement,
    Span,
    agreement,
    cohen_kappa,
    iou,
    krippendorff_alpha_nominal,
    match_units,
    pool,
)


def table(cells):
    """Expand a contingency table {(a, b): count} into a list of (a, b) pairs."""
    return [pair for pair, count in cells.items() for _ in range(count)]


def shape(units):
    return [[(s.annotator, s.start, s.end) for s in u.spans] for u in units]


# Cohen's kappa


def test_kappa_wikipedia_worked_example():
    # Wikipedia, "Cohen's kappa", simple worked example: 50 proposals, A and B both yes 20, A yes B no 5,
    # A no B yes 10, both no 15. p_o = 35/50 = 0.7; p_e = 0.5*0.6 + 0.5*0.4 = 0.5; kappa = 0.2/0.5 = 0.4.
    pairs = table({("yes", "yes"): 20, ("yes", "no"): 5, ("no", "yes"): 10, ("no", "no"): 15})
    assert cohen_kappa(pairs) == pytest.approx(0.4)


@pytest.mark.parametrize(
    "cells, expected",
    [
        # Both tables agree on 60 of 100 items (Wikipedia, "Cohen's kappa", same percentages but different
        # numbers). Rows are A, columns B. By hand:
        # A yes 60/no 40, B yes 70/no 30: p_e = .6*.7 + .4*.3 = .54, kappa = (.6 - .54)/(1 - .54) = 0.1304.
        ({("yes", "yes"): 45, ("yes", "no"): 15, ("no", "yes"): 25, ("no", "no"): 15}, 0.06 / 0.46),
        # A yes 60/no 40, B yes 30/no 70: p_e = .6*.3 + .4*.7 = .46, kappa = (.6 - .46)/(1 - .46) = 0.2593.
        ({("yes", "yes"): 25, ("yes", "no"): 35, ("no", "yes"): 5, ("no", "no"): 35}, 0.14 / 0.54),
    ],
)
def test_kappa_same_observed_agreement_different_marginals(cells, expected):
    assert cohen_kappa(table(cells)) == pytest.approx(expected)
    assert round(cohen_kappa(table(cells)), 4) in (0.1304, 0.2593)


def test_kappa_is_symmetric_in_the_two_coders():
    pairs = table({("yes", "yes"): 45, ("yes", "no"): 15, ("no", "yes"): 25, ("no", "no"): 15})
    assert cohen_kappa([(b, a) for a, b in pairs]) == pytest.approx(cohen_kappa(pairs))


def test_kappa_perfect_and_systematic_disagreement():
    assert cohen_kappa([("a", "a"), ("b", "b")]) == 1.0
    # p_o = 0, p_e = 0.5: kappa = -0.5/0.5
    assert cohen_kappa([("a", "b"), ("b", "a")]) == -1.0


def test_kappa_undefined_without_pairs_or_when_chance_agreement_is_certain():
    assert cohen_kappa([]) is None
    assert cohen_kappa([("a", "a")] * 5) is None


def test_kappa_defined_when_one_coder_varies():
    # A: a,a,b; B: a,a,a. p_o = 2/3, p_e = (2/3)(1) + (1/3)(0) = 2/3: kappa = 0, not undefined.
    assert cohen_kappa([("a", "a"), ("a", "a"), ("b", "a")]) == 0.0


# Krippendorff's alpha


def test_alpha_krippendorff_2011_nominal_with_missing_values():
    # Krippendorff (2011), "Computing Krippendorff's Alpha-Reliability", nominal data, 4 observers, 12 units,
    # missing values (.) left out. Published: alpha = 0.743. By hand: unit 12 has one value and drops out;
    # n = 40, n_1..n_5 = 9, 13, 10, 5, 3; disagreeing coincidences 2 (unit 2) + 4 (unit 6) + 2 (unit 8) = 8;
    # alpha = 1 - (40 - 1) * 8 / (40**2 - (81 + 169 + 100 + 25 + 9)) = 1 - 312/1216 = 0.7434.
    rows = {
        "A": "1 2 3 3 2 1 4 1 2 . . .",
        "B": "1 2 3 3 2 2 4 1 2 5 . 3",
        "C": ". 3 3 3 2 3 4 2 2 5 1 .",
        "D": "1 2 3 3 2 4 4 1 2 5 1 .",
    }
    columns = zip(*(row.split() for row in rows.values()), strict=True)
    units = [[int(v) for v in column if v != "."] for column in columns]
    alpha = krippendorff_alpha_nominal(units)
    assert round(alpha, 3) == 0.743
    assert alpha == pytest.approx(1 - 312 / 1216)


def test_alpha_krippendorff_2011_binary_two_observers():
    # Krippendorff (2011), binary data, 2 observers, 10 units. Published: alpha = 0.095.
    # Coincidences: o_00 = 10, o_01 = o_10 = 4, o_11 = 2; n_0 = 14, n_1 = 6, n = 20;
    # alpha = 1 - (20 - 1) * 8 / (2 * 14 * 6) = 1 - 152/168 = 0.0952.
    a = [0, 1, 0, 0, 0, 0, 0, 0, 1, 0]
    b = [1, 1, 1, 0, 0, 1, 0, 0, 0, 0]
    alpha = krippendorff_alpha_nominal(zip(a, b, strict=True))
    assert round(alpha, 3) == 0.095
    assert alpha == pytest.approx(16 / 168)


def test_alpha_ignores_order_of_values_and_units():
    units = [[1, 2, 2], [3, 3], [1, 1, 1], [2, 3]]
    shuffled = [list(reversed(u)) for u in reversed(units)]
    assert krippendorff_alpha_nominal(shuffled) == pytest.approx(krippendorff_alpha_nominal(units))


def test_alpha_perfect_agreement_and_undefined_cases():
    assert krippendorff_alpha_nominal([["x", "x"], ["y", "y", "y"]]) == 1.0
    assert krippendorff_alpha_nominal([]) is None
    assert krippendorff_alpha_nominal([["x"], ["y"]]) is None  # nothing pairable
    assert krippendorff_alpha_nominal([["x", "x"], ["x", "x", "x"]]) is None  # one value only: D_e == 0


# Span matching


def test_span_ref_is_not_compared_and_empty_spans_are_rejected():
    assert Span("alice", 0, 5, "state_media", ref=1) == Span("alice", 0, 5, "state_media", ref=2)
    with pytest.raises(ValueError):
        Span("alice", 5, 5, "state_media")
    with pytest.raises(ValueError):
        Span("alice", 6, 5, "state_media")


def test_iou():
    s = lambda start, end: Span("a", start, end, "k")  # noqa: E731
    assert iou(s(0, 10), s(0, 10)) == 1.0
    assert iou(s(0, 10), s(5, 10)) == 0.5
    assert iou(s(0, 10), s(5, 15)) == pytest.approx(5 / 15)
    assert iou(s(0, 10), s(10, 20)) == 0.0  # adjacent, half-open
    assert iou(s(0, 10), s(30, 40)) == 0.0


def test_exact_mode_matches_only_identical_offsets():
    spans = [Span("alice", 0, 10, "x"), Span("bob", 0, 10, "x"), Span("alice", 20, 30, "x"), Span("bob", 20, 29, "x")]
    assert shape(match_units(spans, mode="exact")) == [
        [("alice", 0, 10), ("bob", 0, 10)],
        [("bob", 20, 29)],
        [("alice", 20, 30)],
    ]
    assert shape(match_units(spans)) == [[("alice", 0, 10), ("bob", 0, 10)], [("alice", 20, 30), ("bob", 20, 29)]]


def test_overlap_threshold_is_inclusive():
    at = [Span("alice", 0, 10, "x"), Span("bob", 5, 10, "x")]  # IoU 5/10 = 0.5
    below = [Span("alice", 0, 100, "x"), Span("bob", 50, 101, "x")]  # IoU 50/101 = 0.495
    assert len(match_units(at)) == 1
    assert len(match_units(below)) == 2
    assert len(match_units(below, threshold=0.49)) == 1
    assert len(match_units(at, threshold=0.51)) == 2


def test_one_annotators_overlapping_spans_stay_separate_units():
    spans = [Span("alice", 0, 10, "x"), Span("alice", 2, 10, "y"), Span("bob", 0, 10, "x")]
    assert shape(match_units(spans)) == [[("alice", 0, 10), ("bob", 0, 10)], [("alice", 2, 10)]]
    assert shape(match_units(spans[:2])) == [[("alice", 0, 10)], [("alice", 2, 10)]]


def test_best_pair_wins_when_a_span_could_match_two():
    # bob 1-10 has IoU 0.9 with alice 0-10 and 1.0 with alice 1-10: the better pair is taken first.
    spans = [Span("alice", 0, 10, "x"), Span("alice", 1, 10, "x"), Span("bob", 1, 10, "x")]
    assert shape(match_units(spans)) == [[("alice", 0, 10)], [("alice", 1, 10), ("bob", 1, 10)]]


def test_three_annotators_form_one_unit():
    spans = [Span("carol", 1, 10, "z"), Span("alice", 0, 10, "x"), Span("bob", 0, 9, "y")]
    [unit] = match_units(spans)
    assert shape([unit]) == [[("alice", 0, 10), ("bob", 0, 9), ("carol", 1, 10)]]
    assert (unit.start, unit.end) == (0, 10)
    assert unit.annotators == frozenset({"alice", "bob", "carol"})
    assert unit.kinds == {"alice": "x", "bob": "y", "carol": "z"}


def test_units_stay_tight_when_matches_chain():
    # alice-bob and bob-carol both have IoU 7/13 = 0.54, but alice-carol only 4/16 = 0.25:
    # carol may not join through bob.
    spans = [Span("alice", 0, 10, "x"), Span("bob", 3, 13, "x"), Span("carol", 6, 16, "x")]
    assert shape(match_units(spans)) == [[("alice", 0, 10), ("bob", 3, 13)], [("carol", 6, 16)]]


def test_matching_is_independent_of_input_order():
    spans = [
        Span("alice", 0, 10, "x", ref=1),
        Span("bob", 3, 13, "x", ref=2),
        Span("carol", 6, 16, "y", ref=3),
        Span("alice", 4, 12, "y", ref=4),
        Span("bob", 30, 40, "x", ref=5),
        Span("carol", 30, 40, "x", ref=6),
    ]
    expected = match_units(spans)
    for permutation in itertools.permutations(spans):
        units = match_units(permutation)
        assert units == expected
        assert [[s.ref for s in u.spans] for u in units] == [[s.ref for s in u.spans] for u in expected]


def test_match_units_rejects_bad_arguments():
    with pytest.raises(ValueError):
        match_units([], mode="fuzzy")
    with pytest.raises(ValueError):
        match_units([], threshold=0)
    assert match_units([]) == []


# agreement() end to end


SM, TT, INF = "state_media", "think_tank", "informant"


def two_annotators():
    return [
        Span("alice", 0, 10, SM, ref="a1"),
        Span("bob", 0, 10, SM, ref="b1"),
        Span("alice", 20, 30, TT, ref="a2"),
        Span("bob", 21, 30, SM, ref="b2"),  # IoU 0.9, different kind
        Span("alice", 40, 50, SM, ref="a3"),
        Span("bob", 40, 50, SM, ref="b3"),
        Span("alice", 60, 70, INF, ref="a4"),  # bob missed it
        Span("bob", 80, 90, TT, ref="b4"),  # alice missed it
        Span("alice", 100, 110, TT, ref="a5"),
        Span("bob", 100, 110, TT, ref="b5"),
    ]


def test_agreement_two_annotators():
    report = agreement(two_annotators())
    assert report.annotators == ["alice", "bob"]
    assert [(u.start, u.end) for u in report.units] == [(0, 10), (20, 30), (40, 50), (60, 70), (80, 90), (100, 110)]
    assert report.matched_units == 4
    # 4 matched of 5 + 5 spans: 2*4/10
    assert report.span_f1 == pytest.approx(0.8)
    # Kinds of the 4 matched units: (SM,SM) (TT,SM) (SM,SM) (TT,TT). p_o = 3/4;
    # alice SM 2 TT 2, bob SM 3 TT 1: p_e = (2*3 + 2*1)/16 = 1/2; kappa = (3/4 - 1/2)/(1/2) = 0.5.
    assert report.kappa == pytest.approx(0.5)
    # n = 8, n_SM = 5, n_TT = 3, one disagreeing unit of 2 values: alpha = 1 - 7*2/(64 - 25 - 9) = 16/30.
    assert report.alpha == pytest.approx(16 / 30)
    assert report.observed == pytest.approx(3 / 4)

    assert [(d.unit.start, d.missing, d.kinds_differ) for d in report.disagreements] == [
        (20, (), True),
        (60, ("bob",), False),
        (80, ("alice",), False),
    ]
    assert [d.reason for d in report.disagreements] == [
        "kinds: alice=think_tank, bob=state_media",
        "missed by bob",
        "missed by alice",
    ]
    assert [s.ref for s in report.disagreements[0].unit.spans] == ["a2", "b2"]


def test_agreement_exact_mode_splits_the_shifted_span():
    report = agreement(two_annotators(), mode="exact")
    assert report.matched_units == 3
    assert report.span_f1 == pytest.approx(0.6)
    # (SM,SM) (SM,SM) (TT,TT): p_o = 1, p_e = (2*2 + 1*1)/9 = 5/9: kappa = 1.
    assert report.kappa == 1.0
    assert report.alpha == 1.0
    assert [(d.unit.start, d.unit.end, d.missing) for d in report.disagreements] == [
        (20, 30, ("bob",)),
        (21, 30, ("alice",)),
        (60, 70, ("bob",)),
        (80, 90, ("alice",)),
    ]


def test_agreement_three_annotators():
    spans = [
        Span("alice", 0, 10, SM),
        Span("bob", 0, 10, SM),
        Span("carol", 0, 10, TT),
        Span("alice", 20, 30, SM),
    ]
    report = agreement(spans)
    # pairs: alice-bob 2*1/(2+1), alice-carol 2*1/(2+1), bob-carol 2*1/(1+1): mean 7/9
    assert report.span_f1 == pytest.approx(7 / 9)
    assert report.kappa is None
    # one unit (SM, SM, TT): n = 3, n_SM = 2, n_TT = 1; o_SM,TT + o_TT,SM = 4/2; alpha = 1 - 2*2/(9 - 5) = 0
    assert report.alpha == pytest.approx(0.0)
    assert report.observed == 0.0
    assert report.disagreements == [
        Disagreement(report.units[0], (), True),
        Disagreement(report.units[1], ("bob", "carol"), False),
    ]
    assert report.disagreements[1].reason == "missed by bob, carol"


# Edge cases


def test_agreement_without_spans():
    report = agreement([])
    assert report.annotators == [] and report.units == [] and report.disagreements == []
    assert report.matched_units == 0
    assert report.span_f1 is None and report.kappa is None and report.alpha is None and report.observed is None


def test_agreement_with_one_annotator():
    report = agreement([Span("alice", 0, 10, SM), Span("alice", 5, 15, TT)])
    assert report.annotators == ["alice"]
    assert len(report.units) == 2
    assert report.matched_units == 0
    assert report.span_f1 is None and report.kappa is None and report.alpha is None and report.observed is None
    assert report.disagreements == []


def test_agreement_on_a_single_category_leaves_chance_corrected_statistics_undefined():
    spans = [Span(who, start, start + 10, SM) for who in ("alice", "bob") for start in (0, 20, 40)]
    report = agreement(spans)
    assert report.span_f1 == 1.0
    assert report.observed == 1.0
    assert report.kappa is None  # p_e == 1
    assert report.alpha is None  # D_e == 0
    assert report.disagreements == []


def test_pool_counts_each_pair_only_on_the_texts_both_tagged():
    first = agreement([Span("a", 0, 10, "x"), Span("b", 0, 10, "x"), Span("a", 20, 30, "y"), Span("b", 20, 30, "z")])
    second = agreement([Span("a", 0, 10, "x"), Span("c", 0, 10, "x")])
    pooled = pool([first, second])
    assert pooled.annotators == ["a", "b", "c"]
    assert pooled.matched_units == 3
    assert pooled.span_f1 == 1.0  # c never saw the first text: not counted as missing there
    assert pooled.kappa is None  # three reviewers: alpha, not kappa
    assert pooled.observed == pytest.approx(2 / 3)
    assert pooled.alpha == krippendorff_alpha_nominal([["x", "x"], ["y", "z"], ["x", "x"]])
    assert pooled.disagreements == []
