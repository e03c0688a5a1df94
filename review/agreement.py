"""Inter-annotator agreement on span tagging: span matching, Cohen's kappa, Krippendorff's alpha.

Pure functions, no database. Spans are half-open code-point intervals [start, end) of one text;
match spans of different texts separately.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from itertools import combinations
from typing import Protocol


class Interval(Protocol):
    @property
    def start(self) -> int: ...
    @property
    def end(self) -> int: ...


@dataclass(frozen=True)
class Span:
    """One annotator's tag of [start, end) with a provenance kind; `ref` (e.g. a claim id) is not compared."""

    annotator: str
    start: int
    end: int
    kind: str
    ref: object = field(compare=False, default=None)

    def __post_init__(self):
        if not 0 <= self.start < self.end:
            raise ValueError(f"The span {self.start}-{self.end} is empty or reversed.")


@dataclass(frozen=True)
class Unit:
    """Spans by different annotators that mark the same stretch of text, at most one per annotator."""

    spans: tuple[Span, ...]

    @property
    def start(self) -> int:
        return min(s.start for s in self.spans)

    @property
    def end(self) -> int:
        return max(s.end for s in self.spans)

    @property
    def annotators(self) -> frozenset[str]:
        return frozenset(s.annotator for s in self.spans)

    @property
    def kinds(self) -> dict[str, str]:
        return {s.annotator: s.kind for s in self.spans}


def iou(a: Interval, b: Interval) -> float:
    """Intersection over union of two half-open intervals; 0.0 when they share no code point."""
    inter = min(a.end, b.end) - max(a.start, b.start)
    if inter <= 0:
        return 0.0
    return inter / ((a.end - a.start) + (b.end - b.start) - inter)


def match_units(spans: Iterable[Span], *, mode: str = "overlap", threshold: float = 0.5) -> list[Unit]:
    """Group spans of different annotators into units, sorted by (start, end).

    `mode="exact"` pairs spans with identical (start, end); `mode="overlap"` pairs spans with IoU >= threshold.
    Greedy and deterministic: cross-annotator pairs are taken by IoU descending, then by position, and two
    clusters merge only if they share no annotator and every cross pair of the merged cluster qualifies.
    Quadratic in the number of spans.
    """
    if mode not in ("exact", "overlap"):
        raise ValueError(f"Unknown mode {mode!r}; expected 'exact' or 'overlap'.")
    if not 0 < threshold <= 1:
        raise ValueError(f"The threshold must lie in (0, 1], not {threshold}.")

    def qualifies(a: Span, b: Span) -> bool:
        if mode == "exact":
            return (a.start, a.end) == (b.start, b.end)
        return iou(a, b) >= threshold

    spans = sorted(spans, key=lambda s: (s.start, s.end, s.annotator, s.kind))
    pairs = sorted(
        (-iou(a, b), i, j)
        for (i, a), (j, b) in combinations(enumerate(spans), 2)
        if a.annotator != b.annotator and qualifies(a, b)
    )
    owner = list(range(len(spans)))
    members = {i: [i] for i in owner}
    for _, i, j in pairs:
        ci, cj = owner[i], owner[j]
        if ci == cj:
            continue
        left, right = [spans[k] for k in members[ci]], [spans[k] for k in members[cj]]
        if {s.annotator for s in left} & {s.annotator for s in right}:
            continue
        if not all(qualifies(a, b) for a in left for b in right):
            continue
        for k in members[cj]:
            owner[k] = ci
        members[ci] += members.pop(cj)
    units = [Unit(tuple(sorted((spans[k] for k in ks), key=lambda s: s.annotator))) for ks in members.values()]
    return sorted(units, key=lambda u: (u.start, u.end, [(s.annotator, s.kind) for s in u.spans]))


def cohen_kappa(pairs: Iterable[tuple[Hashable, Hashable]]) -> float | None:
    """Cohen's kappa for two coders' (value_a, value_b) pairs.

    None when undefined: no pairs, or expected agreement p_e == 1 (both coders used one and the same value).
    """
    pairs = list(pairs)
    n = len(pairs)
    agree = sum(a == b for a, b in pairs)
    first, second = Counter(a for a, _ in pairs), Counter(b for _, b in pairs)
    chance = sum(first[v] * second[v] for v in first)  # p_e * n**2
    if n == 0 or chance == n * n:
        return None
    return (n * agree - chance) / (n * n - chance)


def krippendorff_alpha_nominal(units: Iterable[Sequence[Hashable]]) -> float | None:
    """Krippendorff's alpha for nominal values, via the coincidence matrix (Krippendorff 2011).

    Each unit is the values its coders assigned, missing values left out; units with fewer than two values
    are dropped. None when undefined: fewer than two pairable values, or no expected disagreement (D_e == 0,
    i.e. every pairable value is the same).
    """
    coincidences: Counter[tuple[Hashable, Hashable]] = Counter()
    for values in units:
        m = len(values)
        if m < 2:
            continue
        for i, j in combinations(range(m), 2):
            coincidences[values[i], values[j]] += Fraction(1, m - 1)
            coincidences[values[j], values[i]] += Fraction(1, m - 1)
    totals: Counter[Hashable] = Counter()
    for (c, _), o in coincidences.items():
        totals[c] += o
    n = sum(totals.values())
    observed = sum(o for (c, k), o in coincidences.items() if c != k)
    expected = n * n - sum(t * t for t in totals.values())  # sum over c != k of n_c * n_k
    if n < 2 or expected == 0:
        return None
    return float(1 - (n - 1) * observed / expected)


@dataclass(frozen=True)
class Disagreement:
    """A unit that some annotator did not tag (`missing`), or whose annotators chose different kinds."""

    unit: Unit
    missing: tuple[str, ...]
    kinds_differ: bool

    @property
    def reason(self) -> str:
        parts = []
        if self.missing:
            parts.append("missed by " + ", ".join(self.missing))
        if self.kinds_differ:
            parts.append("kinds: " + ", ".join(f"{a}={k}" for a, k in self.unit.kinds.items()))
        return "; ".join(parts)


@dataclass
class Report:
    """Agreement of all annotators on one text; statistics are None where undefined."""

    annotators: list[str]
    units: list[Unit]
    span_f1: float | None  # mean pairwise F1 of span matching; needs 2+ annotators
    matched_units: int  # units tagged by 2+ annotators
    kappa: float | None  # Cohen's kappa on kinds of units both tagged; exactly 2 annotators only
    alpha: float | None  # Krippendorff's nominal alpha on kinds
    observed: float | None  # fraction of matched units whose kinds all agree
    disagreements: list[Disagreement]


def agreement(spans: Iterable[Span], *, mode: str = "overlap", threshold: float = 0.5) -> Report:
    """Match spans into units and measure how far the annotators agree on spans and on kinds."""
    spans = list(spans)
    annotators = sorted({s.annotator for s in spans})
    units = match_units(spans, mode=mode, threshold=threshold)
    disagreements = []
    for u in units:
        missing = tuple(a for a in annotators if a not in u.annotators)
        differ = len(set(u.kinds.values())) > 1
        if missing or differ:
            disagreements.append(Disagreement(u, missing, differ))
    return _report([(annotators, units)], disagreements)


def pool(reports: Iterable[Report]) -> Report:
    """One report over several texts: their units together, each text's annotators compared where they all tagged.

    Its `disagreements` stay with the per-text reports and are left empty here.
    """
    return _report([(r.annotators, r.units) for r in reports], [])


def _report(texts: list[tuple[list[str], list[Unit]]], disagreements: list[Disagreement]) -> Report:
    annotators = sorted({a for names, _ in texts for a in names})
    units = [u for _, text_units in texts for u in text_units]
    matched = [u for u in units if len(u.spans) >= 2]

    # Pairwise span F1, counting only the texts both annotators of a pair tagged.
    both, tagged = Counter(), Counter()
    for names, text_units in texts:
        for a, b in combinations(names, 2):
            both[a, b] += sum({a, b} <= u.annotators for u in text_units)
            tagged[a, b] += sum((a in u.annotators) + (b in u.annotators) for u in text_units)
    pairs = [pair for pair in combinations(annotators, 2) if tagged[pair]]
    span_f1 = sum(2 * both[pair] / tagged[pair] for pair in pairs) / len(pairs) if pairs else None

    kappa = None
    if len(annotators) == 2:
        a, b = annotators
        kappa = cohen_kappa((u.kinds[a], u.kinds[b]) for u in matched)

    same = [len(set(u.kinds.values())) == 1 for u in matched]
    return Report(
        annotators=annotators,
        units=units,
        span_f1=span_f1,
        matched_units=len(matched),
        kappa=kappa,
        alpha=krippendorff_alpha_nominal([list(u.kinds.values()) for u in units]),
        observed=sum(same) / len(same) if same else None,
        disagreements=disagreements,
    )
