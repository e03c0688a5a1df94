"""Independent origins: what a fact really rests on, once relays and affiliations are followed.

Five outlets repeating a turnout figure through KCNA, Rodong Sinmun and Yonhap are not five sources:
they are one release of a North Korean state body, passed along. The rule, in pure functions:

- A claim rests on its **source** (whom the article attributes it to). The sources of its relay chain
  (`ClaimRelay`) carried it to the article: they add reach, never independence. A claim that names no
  source but a chain rests on the far end of its chain, as a relay: the relay is all it has.
- A source that belongs to another (its **affiliation**: Rodong Sinmun to the North Korean state) counts
  as the **root** of its affiliation tree; two sources with one root are one origin.
- The kind's role decides the rest (`dashboard/basis.py` reads the same roles): claims of a *relay* kind
  count only when nothing else supports the fact (then the relay is all there is); claims of an
  *unsourced* kind, and claims that name no registered source, are **unattributed**: counted apart,
  never an origin.
- A sensitive source is an origin like any other, shown by its pseudonym.

`origins()` takes plain values, so it is tested without a database; `for_facts()` applies it to every fact
of the dashboard from the dashboard's own per-fact aggregate (`dashboard.board`) and `far_ends()`, in a
fixed number of queries.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field
from typing import NamedTuple

from django.db.models import Count, QuerySet

from annotate.masking import mask_for
from annotate.models import KindRole, Source

ORIGIN, RELAY, UNSOURCED = KindRole.ORIGIN, KindRole.RELAY, KindRole.UNSOURCED


def root(source_id: int, parents: Mapping[int, int | None]) -> int:
    """The root of a source's affiliation tree. The registry refuses circles; should one be there anyway
    (written around the rules), its smallest id stands for it, so the answer is still one origin.

    >>> root(3, {3: 2, 2: 1})
    1
    >>> root(3, {3: 2, 2: 3})
    2
    """
    path, node = [], source_id
    while node is not None and node not in path:
        path.append(node)
        node = parents.get(node)
    if node is None:
        return path[-1]
    return min(path[path.index(node) :])


@dataclass(frozen=True)
class Origins:
    """A fact's independent origins (affiliation roots, by source id) and what counts beside them."""

    roots: frozenset[int] = frozenset()
    unattributed: int = 0  # claims that name no registered source, or of an unsourced kind
    articles: int = 0
    outlets: int = 0
    labels: tuple[str, ...] = field(default=(), compare=False)  # the roots as a reader may see them

    @property
    def count(self) -> int:
        return len(self.roots)

    @property
    def single_origin(self) -> bool:
        """Several outlets, one origin: the picture of circular reporting."""
        return self.outlets >= 2 and self.count == 1


class Support(NamedTuple):
    """What one claim (or several alike) rests on: its kind's role, its source, its relay chain."""

    role: str
    source: int | None
    chain: tuple[int, ...] = ()  # registry sources it passed through, nearest to the article first

    def rests_on(self) -> tuple[str, int] | None:
        """(role, source id) the claim counts by: its source, or, with none, the far end of its chain."""
        if self.role == UNSOURCED:
            return None
        if self.source is not None:
            return self.role, self.source
        return (RELAY, self.chain[-1]) if self.chain else None


def origins(
    supports: Iterable[Support],
    parents: Mapping[int, int | None],
    *,
    unattributed: int = 0,
    articles: int = 0,
    outlets: int = 0,
) -> Origins:
    """The origins of a fact whose claims rest on `supports`.

    >>> origins([Support("origin", 5), Support("origin", 6, (8,)), Support("relay", 9)], {6: 5}).roots
    frozenset({5})
    >>> origins([Support("relay", 9), Support("origin", None, (9, 7))], {}).roots
    frozenset({9, 7})
    >>> origins([Support("unsourced", 4), Support("origin", None)], {}).roots
    frozenset()
    """
    attributed = [found for support in supports if (found := support.rests_on()) is not None]
    independent = [pk for role, pk in attributed if role != RELAY]
    counted = independent or [pk for _, pk in attributed]
    return Origins(
        roots=frozenset(root(pk, parents) for pk in counted),
        unattributed=unattributed,
        articles=articles,
        outlets=outlets,
    )


def far_ends(live: QuerySet, unsourced: Iterable[int]) -> dict[int, dict[int | None, int]]:
    """By fact, how many of the `live` claims that name no source rest on each far end of their relay chain
    (None: a name still proposed, which is no origin but makes the claim attributed all the same).

    The one part of the origins that the dashboard's summaries do not keep: one query over the claims that
    name no source, whose chains' lengths and far ends the relay table's triggers keep on the claim and a
    partial index (`claim_unsourced`) holds.
    """
    chained = live.filter(fact__isnull=False, source__isnull=True, chain_length__gt=0).exclude(
        kind_id__in=list(unsourced)
    )
    found = defaultdict(dict)
    for fact_id, end_id, n in chained.values_list("fact_id", "chain_end_id").annotate(n=Count("pk")).order_by():
        found[fact_id][end_id] = n
    return found


class Tally(NamedTuple):
    """What the dashboard's per-fact aggregate gives the origins: the distinct sources of claims of an
    origin kind and of a relay kind, the claims of an unsourced kind or naming no source, and the reach."""

    origin_sources: Collection[int]
    relay_sources: Collection[int]
    bare: int  # claims that name no source (with or without a chain) or are of an unsourced kind
    articles: int
    outlets: int


def for_facts(tallies: Mapping[int, Tally], far: Mapping[int, Mapping[int | None, int]], user) -> dict[int, Origins]:
    """The origins of every fact, from its tally and the far ends of its claims' chains; labels masked for
    `user`. Two queries whatever the number of facts, claims and chain lengths: the affiliation tree and the
    roots' names.
    """
    parents = dict(Source.objects.exclude(affiliation=None).values_list("pk", "affiliation_id"))
    return _labelled(tallied(tallies, far, parents), user)


class _Roots(dict):
    """Each source's root, found once however many facts rest on it."""

    def __init__(self, parents: Mapping[int, int | None]):
        super().__init__()
        self.parents = parents

    def __missing__(self, source_id: int) -> int:
        self[source_id] = found = root(source_id, self.parents)
        return found


def tallied(
    tallies: Mapping[int, Tally], far: Mapping[int, Mapping[int | None, int]], parents: Mapping[int, int | None]
) -> dict[int, Origins]:
    """`origins()` of every fact, computed from the tallies directly: a tally already sorts its sources by
    the role `Support.rests_on` gives them (sources of an origin kind; relays: sources of a relay kind and
    the far ends of chains), so the rule reads: the roots of the origin sources, or of the relays when
    there are none. At 2,000 facts of a million claims this is a tenth of the time of building a `Support`
    per source; tests hold it equal to `origins()`."""
    roots = _Roots(parents)
    result = {}
    for fact_id, tally in tallies.items():
        ends = far.get(fact_id, {})
        counted = tally.origin_sources or [*tally.relay_sources, *(pk for pk in ends if pk is not None)]
        result[fact_id] = Origins(
            roots=frozenset(roots[pk] for pk in counted),
            unattributed=tally.bare - sum(ends.values()),
            articles=tally.articles,
            outlets=tally.outlets,
        )
    return result


def _labelled(result: dict[int, Origins], user) -> dict[int, Origins]:
    mask = mask_for(user)
    roots = {pk for found in result.values() for pk in found.roots}
    names = {
        pk: mask.source(pk, name, sensitive)
        for pk, name, sensitive in Source.objects.filter(pk__in=roots).values_list("pk", "name", "sensitive")
    }
    return {
        fact_id: Origins(
            found.roots,
            found.unattributed,
            found.articles,
            found.outlets,
            tuple(sorted((names[pk] for pk in found.roots), key=str.lower)),
        )
        for fact_id, found in result.items()
    }
