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

`origins()` takes plain values, so it is tested without a database; `for_facts()` reads them for every
fact of the dashboard in a fixed number of queries.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import NamedTuple

from django.db.models import BigIntegerField, BooleanField, Case, Count, Exists, OuterRef, Q, QuerySet, Subquery, When
from django.db.models.functions import Coalesce

from annotate.masking import mask_for
from annotate.models import KindRole, Source
from annotate.relays import ClaimRelay

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


def for_facts(linked: QuerySet, user, roles: Mapping[int, str]) -> dict[int, Origins]:
    """The origins of every fact among `linked` claims, their labels masked for `user`.

    Four queries whatever the number of facts, claims and chain lengths: the distinct (fact, kind,
    source, far end of the chain of a claim without a source), the per-fact counts, the affiliation
    tree, the roots' names. The database reduces a million claims to the few distinct supports.
    """
    relays = ClaimRelay.objects.filter(claim=OuterRef("pk"))
    far_end = Subquery(relays.order_by("-position").values("source_id")[:1])
    unsourced = [pk for pk, role in roles.items() if role == UNSOURCED]
    relaying = [pk for pk, role in roles.items() if role == RELAY]
    # The database applies `Support.rests_on` itself (unsourced kinds out; no source: the chain's far end, as a
    # relay), so that only the distinct (fact, relay or not, source) come back: at a million claims, reading
    # (fact, kind, source, far end) instead returned several times the rows for Python to go through.
    rows = (
        linked.exclude(kind_id__in=unsourced)
        .annotate(
            rests_on=Coalesce("source_id", far_end, output_field=BigIntegerField()),
            relayed=Case(
                When(Q(kind_id__in=relaying) | Q(source__isnull=True), then=True),
                default=False,
                output_field=BooleanField(),
            ),
        )
        .filter(rests_on__isnull=False)
        .values_list("fact_id", "relayed", "rests_on")
        .distinct()
        .order_by()
    )
    supports = defaultdict(list)
    for fact_id, relayed, source_id in rows:
        supports[fact_id].append(Support(RELAY if relayed else ORIGIN, source_id))
    counts = (
        linked.annotate(relayed=Exists(relays))
        .values("fact_id")
        .annotate(
            articles=Count("article_id", distinct=True),
            outlets=Count("article__outlet_id", distinct=True),
            unattributed=Count("pk", filter=Q(source__isnull=True, relayed=False) | Q(kind_id__in=unsourced)),
        )
        .order_by()
    )
    parents = dict(Source.objects.exclude(affiliation=None).values_list("pk", "affiliation_id"))
    result = {
        row["fact_id"]: origins(
            supports[row["fact_id"]],
            parents,
            unattributed=row["unattributed"],
            articles=row["articles"],
            outlets=row["outlets"],
        )
        for row in counts
    }
    return _labelled(result, user)


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
