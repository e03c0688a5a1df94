"""Re-anchoring: 10,000 claims on a 200,000-character article through a revision, against the diff alone.

It builds an article of sentences (English, Hangul, emoji), tags 10,000 claims on it (whole sentences
and parts of them), and revises it the way outlets do: a paragraph inserted at the top, 2% of the
sentences edited (a figure changed), five paragraphs deleted, three sentences duplicated. It then places
every claim in the new text with `corpus.anchoring.reanchor` and checks each placement against where
the sentence really went. The baseline, measured in the same run, is the least any re-anchoring does:
one diff of the two texts (diff-match-patch, as ours) and one `str.find` of each quote. No database.
"""

from __future__ import annotations

import random
import sys
import time
from collections import Counter

import common

sys.path.insert(0, str(common.ROOT))

from corpus.anchoring import Anchor, Mapping, reanchor  # noqa: E402

LENGTH = 200_000
CLAIMS = 10_000
RUNS = 3
TARGET = 10  # × the diff and the finds: the scoring of ambiguous and edited quotes on top of them

WHO = ["KCNA", "A resident of {p}", "Analysts", "The ministry", "A trader in {p}", "Yonhap", "Officials in {p}"]
SAID = ["said", "reported", "claimed", "wrote", "denied", "confirmed"]
WHAT = ["turnout was {n}.{m}% in {p}", "{n} candidates stood unopposed", "rice rose {n}% in {p}", "{n},{m}00 attended"]
HANGUL = ["조선중앙통신은 투표율이 {n}.{m}%라고 보도했다", "{p}의 주민 {n}명은 반대표가 불가능하다고 말했다"]
PLACES = ["Pyongyang", "Hyesan", "Kaesong", "Nampo", "Sinuiju", "혜산", "평양"]
EMOJI = ["", "", "", " 🗳️", " 📈", " 🇰🇵"]


def sentence(rng: random.Random, number: int) -> str:
    fill = {"p": rng.choice(PLACES), "n": rng.randint(1, 99), "m": rng.randint(10, 99)}
    if rng.random() < 0.3:
        body = rng.choice(HANGUL).format(**fill)
    else:
        body = f"{rng.choice(WHO).format(**fill)} {rng.choice(SAID)} that {rng.choice(WHAT).format(**fill)}"
    return f"{body} (#{number}){rng.choice(EMOJI)}."


def article(rng: random.Random) -> list[list[str]]:
    """Paragraphs of sentences, about LENGTH characters in all; every sentence unique by its number."""
    paragraphs, size, n = [], 0, 0
    while size < LENGTH:
        paragraph = [sentence(rng, n + i) for i in range(rng.randint(3, 7))]
        n += len(paragraph)
        paragraphs.append(paragraph)
        size += sum(len(s) + 1 for s in paragraph) + 1
    return paragraphs


def text_of(paragraphs: list[list[str]]) -> tuple[str, dict[str, int]]:
    """The text, and where each sentence starts in it (its last occurrence: a duplicate's original)."""
    text, where = [], {}
    at = 0
    for paragraph in paragraphs:
        for s in paragraph:
            where[s] = at
            text.append(s + " ")
            at += len(s) + 1
        text.append("\n")
        at += 1
    return "".join(text), where


def revise(rng: random.Random, paragraphs: list[list[str]]) -> tuple[list[list[str]], set[str], set[str], set[str]]:
    """The revised paragraphs; the sentences edited, deleted, and duplicated."""
    new = [list(p) for p in paragraphs]
    deleted = set()
    for index in sorted(rng.sample(range(1, len(new)), 5), reverse=True):
        deleted |= set(new.pop(index))
    edited = set()
    for paragraph in new:
        for i, s in enumerate(paragraph):
            if rng.random() < 0.02:
                edited.add(s)
                paragraph[i] = s.replace("(#", "(updated #", 1)
    duplicated = set()
    for paragraph in rng.sample(new, 3):
        paragraph.insert(0, paragraph[-1])  # a copy at the paragraph's start; the original keeps its context
        duplicated.add(paragraph[-1])
    new.insert(0, ["UPDATE: this report was revised after publication.", "The ministry has since commented."])
    return new, edited, deleted, duplicated


def claims(rng: random.Random, text: str, where: dict[str, int]) -> list[tuple[Anchor, str]]:
    sentences = list(where)
    result = []
    for key in range(CLAIMS):
        s = rng.choice(sentences)
        a = rng.randrange(0, max(1, len(s) // 3))
        b = rng.randrange(max(a + 5, 2 * len(s) // 3), len(s) + 1)
        start, end = where[s] + a, where[s] + b
        anchor = Anchor(key, start, end, text[start:end], text[max(0, start - 32) : start], text[end : end + 32])
        result.append((anchor, s))
    return result


def measure(args) -> dict:
    rng = random.Random(args.seed)
    paragraphs = article(rng)
    old, where = text_of(paragraphs)
    tagged = claims(rng, old, where)
    revised, edited, gone, duplicated = revise(rng, paragraphs)
    new, new_where = text_of(revised)
    anchors = [anchor for anchor, _ in tagged]
    placements, ours, baseline = None, [], []
    for _ in range(args.runs):
        started = time.perf_counter()
        Mapping(old, new)
        for anchor in anchors:
            new.find(anchor.exact)
        baseline.append(time.perf_counter() - started)
        started = time.perf_counter()
        placements = reanchor(old, new, anchors)
        ours.append(time.perf_counter() - started)
    wrong = 0
    for (anchor, s), placement in zip(tagged, placements, strict=True):
        if s in gone:
            wrong += placement.status != "orphaned"
        elif s in duplicated and placement.status == "orphaned":
            continue  # ambiguous is a right answer for a duplicate; the copy's place is not
        elif s not in edited:
            expected = new_where[s] + (anchor.start - where[s])
            wrong += (placement.start, placement.end) != (expected, expected + len(anchor.exact))
        elif placement.status != "orphaned":
            wrong += not new[placement.start : placement.end].strip()
    return {
        "old": len(old),
        "new": len(new),
        "ours": ours,
        "baseline": baseline,
        "statuses": Counter(p.status for p in placements),
        "wrong": wrong,
        "edited": sum(s in edited for _, s in tagged),
        "gone": sum(s in gone for _, s in tagged),
        "duplicated": sum(s in duplicated for _, s in tagged),
    }


def report(args, m: dict) -> int:
    ours, baseline = common.ms(m["ours"], "reanchor()"), common.ms(m["baseline"], "diff + str.find")
    comparisons = [
        common.comparison(
            f"{CLAIMS:,} claims, {m['old']:,} → {m['new']:,} characters",
            ours,
            baseline,
            target=f"≤ {TARGET}×",
            limit=TARGET,
        ),
        common.must("claims placed anywhere but where their sentence went", m["wrong"], "claims"),
    ]
    statuses = ", ".join(f"{n:,} {status}" for status, n in sorted(m["statuses"].items()))
    notes = [
        f"Outcome: {statuses}. Of the claims, {m['edited']:,} quote a sentence that was edited (a figure changed)"
        f", {m['gone']:,} one that was deleted (which must be orphaned) and {m['duplicated']:,} one that was "
        "copied elsewhere (which must stay on the original, whose context is intact, or be orphaned as ambiguous; "
        "never moved to the copy).",
        "",
        "Each placement is checked against the sentence's real new position: an unchanged quote must land "
        "exactly there, a deleted one must be orphaned, an edited one must be orphaned or land "
        "on text. The baseline is one diff of the two texts and one `str.find` per quote.",
    ]
    setup = (
        f"One article of {m['old']:,} characters (English, Hangul, emoji) with {CLAIMS:,} claims, revised once; "
        f"median of {args.runs} runs, no database."
    )
    return common.write_section(
        "reanchor", args.output, title="Re-anchoring", setup=setup, comparisons=comparisons, notes=notes
    )


def main(argv: list[str] | None = None) -> int:
    parser = common.parser(__doc__)
    parser.add_argument("--runs", type=int, default=RUNS, help=f"repetitions (default {RUNS})")
    parser.add_argument("--seed", type=int, default=1, help="random seed")
    args = common.parse(parser, argv)
    return report(args, measure(args))


if __name__ == "__main__":
    sys.exit(main())
