"""What a fact rests on: its basis of kinds and the flags the dashboard shows.

A fact repeated by five articles that all relay one state-media release rests on one kind, not five
reports. What a kind of source does is data, its *role*, never its slug or label (editors may rename
both): an **origin** says something of its own (state media, an informant, a think tank), a **relay**
passes on what others said (a news agency, an outlet reporting what it was told), and **unsourced**
means nobody identifiable stands behind it. Relays add reach, not independence, so they count only
when nothing else supports the fact: then the relay is all there is.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

ORIGIN, RELAY, UNSOURCED = "origin", "relay", "unsourced"
ROLES = [
    (ORIGIN, "Origin: says something of its own"),
    (RELAY, "Relay: passes on what others said"),
    (UNSOURCED, "Unsourced: no identifiable source"),
]


@dataclass(frozen=True)
class Basis:
    kinds: frozenset[str]  # the kinds the fact rests on, after the relaying rule
    unsourced_kinds: frozenset[str]  # those of them that stand for no identifiable source
    named_sources: int  # distinct named sources among its claims

    @property
    def unsourced(self) -> bool:
        """Nothing but unattributed assertions support the fact."""
        return bool(self.kinds) and self.kinds <= self.unsourced_kinds

    @property
    def one_kind_only(self) -> bool:
        """All support comes from a single kind of source (e.g. state media alone)."""
        return len(self.kinds) == 1 and not self.unsourced

    @property
    def corroborated(self) -> bool:
        """Two or more independent, attributable kinds of source support the fact."""
        return len(self.kinds - self.unsourced_kinds) >= 2

    @property
    def one_source_only(self) -> bool:
        """Every attributed claim names the same single source."""
        return self.named_sources == 1

    def flags(self) -> list[str]:
        """Machine names of the flags that apply, in the order the dashboard shows them."""
        names = ["unsourced", "one_kind_only", "one_source_only", "corroborated"]
        return [name for name in names if getattr(self, name)]


def basis(kinds: Iterable[str], named_sources: int = 0, *, roles: Mapping[str, str]) -> Basis:
    """The basis of a fact whose claims are of `kinds` (slugs, each with its role in `roles`) and name
    `named_sources` sources.

    >>> roles = {"state_media": "origin", "news_agency": "relay"}
    >>> sorted(basis({"state_media", "news_agency"}, roles=roles).kinds)
    ['state_media']
    >>> sorted(basis({"news_agency"}, roles=roles).kinds)
    ['news_agency']
    """
    kinds = frozenset(kinds)
    independent = frozenset(kind for kind in kinds if roles[kind] != RELAY)
    unsourced = frozenset(kind for kind in kinds if roles[kind] == UNSOURCED)
    return Basis(kinds=independent or kinds, unsourced_kinds=unsourced, named_sources=named_sources)
