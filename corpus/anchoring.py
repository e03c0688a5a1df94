"""Re-anchoring: where a quote of one revision of an article lies in the next, or that it lies nowhere.

Pure functions on strings; offsets are code points, as everywhere. The method follows Hypothesis's
fuzzy anchoring: a quote is found again by its text, its context (prefix and suffix) and its
position, each scored, with the quote weighing most. A quote that is not found, or that two places
match equally well, is *orphaned*: the caller keeps it on the old revision rather than guessing.

Text the diff kept from *another* place of the old text is never a candidate: it was a different
passage already (a deleted sentence's words that also occur in a sentence that stayed).

1. Unchanged neighbourhood: if the quote and its context lie in a stretch the diff left alone and the
   quote occurs once in the new text, it moves with the text.
2. The same quote elsewhere: once, it moves there if some of its context came along; several times,
   the one occurrence with its context intact wins (or the one with a side of it intact, when no other
   has either); two with a side each (a duplicated sentence) are ambiguous; else scores decide, only
   by a clear margin. Position never breaks a tie.
3. An edited quote: the stretch the diff maps the old span to, or failing that the best fuzzy match
   (rapidfuzz) in the whole text, if the quote is still mostly there and nothing else matches as well.
"""

from __future__ import annotations

import time
from bisect import bisect_right
from dataclasses import dataclass

from diff_match_patch import diff_match_patch
from rapidfuzz import fuzz

CONTEXT = 32
# Hypothesis's weights (its match-quote module): quote 50, prefix 20, suffix 20, position 2.
QUOTE_WEIGHT, PREFIX_WEIGHT, SUFFIX_WEIGHT, POSITION_WEIGHT = 50, 20, 20, 2
QUOTE_MIN = 0.7  # an edited quote must keep this much of its text (rapidfuzz ratio, 0..1)
SCORE_MIN = 0.6  # and its weighted score this much
CONTEXT_MIN = 0.5  # context a quote found once, away from where the diff puts it, must keep (0..1)
MARGIN = 0.1  # how much better than the runner-up the chosen place must be
MAX_OCCURRENCES = 1000
# Seconds: diff-match-patch returns a coarser but valid diff when it runs out. Line mode first (then
# characters within changed lines) diffs two 200,000-character revisions in 0.12 s against 3.5 s for
# characters alone (bench/reanchor.py's texts), so the limit is met only by texts with no common lines.
DIFF_TIMEOUT = 5.0


@dataclass(frozen=True)
class Anchor:
    """A quote as stored: its offsets in the old text, the quoted text and its context."""

    key: object
    start: int
    end: int
    exact: str
    prefix: str = ""
    suffix: str = ""


@dataclass(frozen=True)
class Placement:
    """Where an anchor lies in the new text. `status`: unchanged, moved, edited or orphaned."""

    key: object
    status: str
    start: int | None = None
    end: int | None = None
    exact: str = ""
    reason: str = ""  # for orphans: "deleted", "ambiguous", "not found"
    score: float = 0.0


class Mapping:
    """Old offsets to new ones, from one diff of the two texts."""

    def __init__(self, old: str, new: str):
        dmp = diff_match_patch()
        dmp.Diff_Timeout = DIFF_TIMEOUT
        self.old_len, self.new_len = len(old), len(new)
        self.runs = []  # (old_start, old_end, new_start, equal) for runs of the old text
        self.equal_new = []  # (new_start, new_end, old_start) of the runs the diff left alone
        started = time.monotonic()
        diffs = dmp.diff_main(old, new, True)
        # A diff cut short may call a kept passage changed: then only evidence that needs no diff counts.
        self.coarse = time.monotonic() - started >= DIFF_TIMEOUT * 0.9
        i = j = 0
        for op, chunk in diffs:
            n = len(chunk)
            if op == 0:
                self.runs.append((i, i + n, j, True))
                self.equal_new.append((j, j + n, i))
                i, j = i + n, j + n
            elif op == -1:
                self.runs.append((i, i + n, j, False))
                i += n
            else:
                j += n
        self.starts = [run[0] for run in self.runs]
        self.new_starts = [run[0] for run in self.equal_new]

    def _run(self, i: int):
        k = bisect_right(self.starts, i) - 1
        return self.runs[k] if k >= 0 and i < self.runs[k][1] else None

    def position(self, i: int) -> int:
        """Where old offset `i` lands: shifted inside unchanged runs, at the gap where text was deleted."""
        run = self._run(i)
        if run is None:
            return self.new_len
        old_start, _, new_start, equal = run
        return new_start + (i - old_start) if equal else new_start

    def end_position(self, end: int) -> int:
        """Where an exclusive end lands (after the last kept character before it)."""
        run = self._run(end - 1) if end > 0 else None
        if run and run[3]:
            return run[2] + (end - 1 - run[0]) + 1
        return self.position(end)

    def elsewhere(self, start: int, end: int, old_start: int, old_end: int) -> bool:
        """Whether new text [start, end) is old text the diff kept, none of it from old [old_start, old_end).

        Such text was in the old version already, as another passage: a quote cannot have moved there.
        """
        k = bisect_right(self.new_starts, start) - 1
        while start < end:
            if k < 0 or k >= len(self.equal_new) or not self.equal_new[k][0] <= start < self.equal_new[k][1]:
                return False  # inserted text: it may be where the quote went
            new_start, new_end, origin = self.equal_new[k]
            was = origin + (start - new_start)
            if was < old_end and origin + (min(end, new_end) - new_start) > old_start:
                return False
            start, k = new_end, k + 1
        return True

    def untouched(self, start: int, end: int) -> int | None:
        """The shift of [start, end) if one unchanged run holds all of it, else None."""
        run = self._run(start)
        if run and run[3] and end <= run[1]:
            return run[2] - run[0]
        return None


def _similarity(a: str, b: str) -> float:
    if not a and not b:
        return 1.0
    return fuzz.ratio(a, b) / 100


def _context_score(anchor: Anchor, new: str, start: int, end: int) -> float:
    before = new[max(0, start - len(anchor.prefix)) : start] if anchor.prefix else ""
    after = new[end : end + len(anchor.suffix)] if anchor.suffix else ""
    prefix = _similarity(anchor.prefix, before)
    suffix = _similarity(anchor.suffix, after)
    return (PREFIX_WEIGHT * prefix + SUFFIX_WEIGHT * suffix) / (PREFIX_WEIGHT + SUFFIX_WEIGHT)


def _score(anchor: Anchor, new: str, start: int, end: int, expected: int) -> float:
    quote = _similarity(anchor.exact, new[start:end])
    context = _context_score(anchor, new, start, end)
    position = 1 - min(1.0, abs(start - expected) / max(1, len(new)))
    total = QUOTE_WEIGHT * quote + (PREFIX_WEIGHT + SUFFIX_WEIGHT) * context + POSITION_WEIGHT * position
    return total / (QUOTE_WEIGHT + PREFIX_WEIGHT + SUFFIX_WEIGHT + POSITION_WEIGHT)


def occurrences(text: str, quote: str, limit: int = MAX_OCCURRENCES) -> list[int]:
    found, at = [], text.find(quote)
    while at >= 0 and len(found) < limit:
        found.append(at)
        at = text.find(quote, at + 1)
    return found


def _placed(anchor: Anchor, start: int, end: int, new: str, score: float = 1.0) -> Placement:
    exact = new[start:end]
    if exact != anchor.exact:
        return Placement(anchor.key, "edited", start, end, exact, score=score)
    status = "unchanged" if (start, end) == (anchor.start, anchor.end) else "moved"
    return Placement(anchor.key, status, start, end, exact, score=score)


def _sides(anchor: Anchor, new: str, at: int) -> tuple[bool, bool]:
    """Whether the prefix and the suffix are found intact around an occurrence at `at`."""
    end = at + len(anchor.exact)
    return new[max(0, at - len(anchor.prefix)) : at] == anchor.prefix, new[
        end : end + len(anchor.suffix)
    ] == anchor.suffix


def _same_quote(anchor: Anchor, new: str, found: list[int], mapping: Mapping) -> Placement:
    """Step 2: the quote occurs more than once; its context must single one occurrence out.

    One occurrence with both sides of its context intact wins. Two with one side each (a duplicated
    sentence: the first copy keeps the prefix, the second the suffix) are ambiguous, whatever the scores.
    """
    n = len(anchor.exact)
    sides = {at: _sides(anchor, new, at) for at in found}
    both = [at for at, (p, s) in sides.items() if p and s]
    one = [at for at, (p, s) in sides.items() if p or s]
    if len(both) == 1:
        return _placed(anchor, both[0], both[0] + n, new)
    if len(both) > 1 or len(one) > 1:
        return Placement(anchor.key, "orphaned", reason="ambiguous")
    if mapping.coarse:
        return Placement(anchor.key, "orphaned", reason="ambiguous")
    if len(one) == 1:  # one place kept a side of the context, no other kept any
        return _placed(anchor, one[0], one[0] + n, new)
    ranked = sorted(((_context_score(anchor, new, at, at + n), at) for at in found), reverse=True)
    (best, at), runner_up = ranked[0], ranked[1][0]
    if best - runner_up < MARGIN:
        return Placement(anchor.key, "orphaned", reason="ambiguous")
    return _placed(anchor, at, at + n, new, best)


def _edited(anchor: Anchor, new: str, mapping: Mapping) -> Placement:
    """Step 3: the quote itself changed; look where the diff put it, then anywhere."""
    expected = mapping.position(anchor.start)
    start, end = expected, mapping.end_position(anchor.end)
    while start < end and new[start].isspace():
        start += 1
    while end > start and new[end - 1].isspace():
        end -= 1
    if end > start and _similarity(anchor.exact, new[start:end]) >= QUOTE_MIN:
        score = _score(anchor, new, start, end, expected)
        if score >= SCORE_MIN:
            return _placed(anchor, start, end, new, score)
    best = None if mapping.coarse else fuzz.partial_ratio_alignment(anchor.exact, new, score_cutoff=QUOTE_MIN * 100)
    if best is None or best.dest_end <= best.dest_start:
        return Placement(anchor.key, "orphaned", reason="deleted" if end <= start else "not found")
    if mapping.elsewhere(best.dest_start, best.dest_end, anchor.start, anchor.end):
        return Placement(anchor.key, "orphaned", reason="deleted" if end <= start else "not found")
    start, end = best.dest_start, best.dest_end
    # Blank the match out and look again: a second place that matches as well makes it ambiguous.
    rest = new[:start] + "\0" * (end - start) + new[end:]
    second = fuzz.partial_ratio_alignment(anchor.exact, rest, score_cutoff=QUOTE_MIN * 100)
    score = _score(anchor, new, start, end, expected)
    if second is not None:
        other = _score(anchor, rest, second.dest_start, second.dest_end, expected)
        if score - other < MARGIN:
            return Placement(anchor.key, "orphaned", reason="ambiguous")
    if score < SCORE_MIN:
        return Placement(anchor.key, "orphaned", reason="not found")
    return _placed(anchor, start, end, new, score)


def place(anchor: Anchor, new: str, mapping: Mapping) -> Placement:
    """Where one anchor lies in `new` (see the module's docstring for the three steps)."""
    found = occurrences(new, anchor.exact) if anchor.exact else []
    found = [at for at in found if not mapping.elsewhere(at, at + len(anchor.exact), anchor.start, anchor.end)]
    window = (max(0, anchor.start - len(anchor.prefix)), anchor.end + len(anchor.suffix))
    shift = mapping.untouched(*window)
    if shift is not None and len(found) == 1:
        return _placed(anchor, anchor.start + shift, anchor.end + shift, new)
    if len(found) == 1:
        # Found once, but elsewhere: the same words in another sentence are not the quote unless some of
        # its context came along (a deleted sentence's words may occur once in another).
        at = found[0]
        sides = _sides(anchor, new, at)
        if (
            all(sides)
            or not mapping.coarse
            and (any(sides) or _context_score(anchor, new, at, at + len(anchor.exact)) >= CONTEXT_MIN)
        ):
            return _placed(anchor, at, at + len(anchor.exact), new)
        return _edited(anchor, new, mapping)
    if len(found) > 1:
        return _same_quote(anchor, new, found, mapping)
    return _edited(anchor, new, mapping)


def reanchor(old: str, new: str, anchors: list[Anchor]) -> list[Placement]:
    """Place every anchor of `old` in `new`, one diff for all of them."""
    mapping = Mapping(old, new)
    return [place(anchor, new, mapping) for anchor in anchors]
