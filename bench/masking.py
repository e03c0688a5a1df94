"""The mask's search for protected names in free text: the trie-shaped pattern against a flat alternation.

    .venv/bin/python bench/masking.py              # prints the section and writes results/masking.json
    .venv/bin/python bench/suite.py --steps ''     # then RESULTS.md, written again from every section

Every text a reader without the permission is shown (a fact's statement, a claim's note, a source's
description) is searched for every registered protected name and alias. Two registries: names that share a
long prefix, as the synthetic corpus's do ("Synthetic In-country informant source 003"), and names shaped
like real ones ("Kim Chol-su", "a Hyesan resident"), which share shorter ones. The texts are fact
statements and notes, one in twenty naming someone in the registry. Each pattern searches every text's
skeleton (as `Mask.text` does), median of repeated passes; the two must find the same names in the same
places (a property test holds them to a brute-force search as well). Compiling each pattern is timed too:
the first request after the registry changes pays it, once in each process.
No database: the mask's pattern is a pure function of the names.
"""

from __future__ import annotations

import os
import random
import re
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("SECRET_KEY", "bench-masking-" + os.urandom(8).hex())  # no request is served

import common  # noqa: E402
import django  # noqa: E402

django.setup()

from annotate.masking import _flat, _keys, _pattern, skeleton  # noqa: E402

FAMILY = ["Kim", "Ri", "Pak", "Choe", "Jong", "Kang", "Han", "Jo", "Yun", "Jang"]
GIVEN = ["Chol", "Yong", "Song", "Myong", "Kwang", "Hyok", "Il", "Su", "Ho", "Jun", "Nam", "Hui"]
PLACES = ["Hyesan", "Hoeryong", "Musan", "Sinuiju", "Chongjin", "Wonsan", "Hamhung", "Kaesong"]
ROLES = ["resident", "trader", "official", "smuggler", "teacher", "soldier"]


def registries(rng: random.Random, size: int) -> dict[str, list[str]]:
    kinds = ["In-country informant", "Defector testimony", "Anonymous official"]
    prefixed = [f"Synthetic {kinds[i % 3]} source {i:03d}" for i in range(size)]
    people = {f"{rng.choice(FAMILY)} {rng.choice(GIVEN)}-{rng.choice(GIVEN).lower()}" for _ in range(size * 2)}
    places = {f"{place} {role}" for place in PLACES for role in ROLES}
    realistic = sorted(people)[: size - len(places)] + sorted(places)
    return {"shared prefix": prefixed, "shaped like real names": realistic}


def texts(rng: random.Random, names: list[str], count: int) -> list[str]:
    words = ["the", "turnout", "was", "reported", "by", "state", "media", "while", "residents", "said", "staged"]
    out = []
    for i in range(count):
        body = " ".join(rng.choice(words) for _ in range(rng.randint(8, 60)))
        out.append(f"{rng.choice(names)} told us that {body}" if i % 20 == 0 else body.capitalize() + ".")
    return out


def passes(pattern, folded: list[str], runs: int) -> list[float]:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        for text in folded:
            pattern.search(text)
        times.append(time.perf_counter() - start)
    return times


def main(argv: list[str] | None = None) -> int:
    parser = common.parser(__doc__)
    parser.add_argument("--names", type=int, default=1000, help="protected names in each registry (1,000)")
    parser.add_argument("--texts", type=int, default=2000, help="texts searched in a pass (2,000)")
    parser.add_argument("--runs", type=int, default=3, help="passes of each pattern (3)")
    args = common.parse(parser, argv)
    rng = random.Random(1)
    comparisons, notes = [], []
    for label, names in registries(rng, args.names).items():
        keys = _keys(names)
        registry = f"{len(names):,} protected names ({len(keys):,} forms looked for)"
        folded = [skeleton(text) for text in texts(rng, names, args.texts)]
        builds = {"trie": [], "flat": []}
        for _ in range(3):  # what the first request after a change of the registry pays, once per process
            for name, build in (("trie", _pattern.__wrapped__), ("flat", _flat)):
                re.purge()  # `re` keeps what it compiled: each build from nothing
                start = time.perf_counter()
                build(keys)
                builds[name].append(time.perf_counter() - start)
        trie, flat = _pattern(keys), _flat(keys)
        times = {name: passes(pattern, folded, args.runs) for name, pattern in (("trie", trie), ("flat", flat))}
        differ = sum([m.span() for m in trie.finditer(t)] != [m.span() for m in flat.finditer(t)] for t in folded)
        comparisons += [
            common.comparison(
                f"{args.texts:,} texts searched for {registry}, {label}: trie vs flat",
                common.ms(times["trie"], "the pattern as a trie"),
                common.ms(times["flat"], "one alternative per name"),
                target="(reported)",
            ),
            common.must(f"Texts where the two find different names, {label}", differ, "texts"),
            common.comparison(
                f"Compiling the pattern of {registry}, {label}: trie vs flat",
                common.ms(builds["trie"], "the pattern as a trie"),
                common.ms(builds["flat"], "one alternative per name"),
                target="(reported)",
            ),
        ]
        per_text = {name: sorted(t)[len(t) // 2] / args.texts * 1e6 for name, t in times.items()}
        notes.append(
            f"- {label.capitalize()}: {per_text['trie']:.1f} µs a text as a trie, {per_text['flat']:,.0f} µs as a "
            f"flat alternation ({per_text['flat'] / per_text['trie']:,.0f}× as long)."
        )
    return common.write_section(
        "masking",
        args.output,
        title="Masking",
        setup=__doc__.split("\n\n", 2)[2],
        comparisons=comparisons,
        notes=notes,
    )


if __name__ == "__main__":
    sys.exit(main())
