"""What a fact rests on: its basis of kinds and the flags the dashboard shows.

A fact repeated by five articles that all relay one state-media release rests on one kind, not five
reports. Relaying kinds (a news agency passing on someone else's words, an outlet's own reporting
of what others said) add reach, not independence, so they count only when nothing else supports
the fact: then the relay is all there is.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

RELAYING_KINDS = frozenset({"news_agency", "outlet_reporting"})
UNSOURCED_KINDS = frozenset({"unsourced_quote"})


@dataclass(frozen=True)
class Basis:
    kinds: frozenset[str]  # the kinds the fact rests on, after the relaying rule
    named_sources: int  # distinct named sources among its claims

    @property
    def unsourced(self) -> bool:
        """Nothing but unattributed assertions support the fact."""
        return bool(self.kinds) and self.kinds <= UNSOURCED_KINDS

    @property
    def one_kind_only(self) -> bool:
        """All support comes from a single kind of source (e.g. state media alone)."""
        return len(self.kinds) == 1 and not self.unsourced

    @property
    def corroborated(self) -> bool:
        """Two or more independent, attributable kinds of source support the fact."""
        return len(self.kinds - UNSOURCED_KINDS) >= 2

    @property
    def one_source_only(self) -> bool:
        """Every attributed claim names the same single source."""
        return self.named_sources == 1

    def flags(self) -> list[str]:
        """Machine names of the flags that apply, in the order the dashboard shows them."""
        names = ["unsourced", "one_kind_only", "one_source_only", "corroborated"]
        return [name for name in names if getattr(self, name)]


def basis(kinds: Iterable[str], named_sources: int = 0) -> Basis:
    """The basis of a fact whose claims are of `kinds` (slugs) and name `named_sources` sources.

    >>> sorted(basis({"state_media", "news_agency"}).kinds)
    ['state_media']
    >>> sorted(basis({"news_agency"}).kinds)
    ['news_agency']
    """
    kinds = frozenset(kinds)
    independent = kinds - RELAYING_KINDS
    return Basis(kinds=independent or kinds, named_sources=named_sources)
