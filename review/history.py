"""A claim's audit trail as a page shows it: each event's changes, field by field, through the mask.

Snapshots keep what a claim said at the time, including names a source had then and has since lost,
so each value is masked again for the reader: a source's name is shown only if it still names a
public source and no sensitive one, a sensitive source by its pseudonym, free text redacted.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from annotate.masking import Mask, mask_for
from annotate.models import Claim, Fact, ProvenanceKind, ReviewEvent, Source, SourceAlias
from annotate.names import name_key, pseudonym

SHOWN_FIELDS = [
    ("kind", "Kind"),
    ("source", "Source"),
    ("fact", "Fact"),
    ("via", "Via"),
    ("directness", "Directness"),
    ("note", "Note"),
    ("status", "Status"),
    ("review_reason", "Reason"),
    ("review_note", "Review note"),
]
LABELS = {
    "status": dict(Claim.Status.choices),
    "review_reason": dict(Claim.Reason.choices),
    "directness": dict(Claim.Directness.choices),
}

RENAMED_FACT = "a fact since given a new address"


@dataclass(frozen=True, slots=True)
class HistoryRow:
    at: dt.datetime
    actor: str
    action: str
    changes: list[tuple[str, str, str]]  # (field, was, now)


class _Names:
    """What the reader may see of the source names in a set of snapshots."""

    def __init__(self, snapshots: list[dict], mask: Mask):
        self.mask = mask
        keys = {name_key(s["source"]) for s in snapshots if s.get("source")}
        keys |= {name_key(name) for s in snapshots for name, _ in _chain(s)}
        self.public, self.hidden = set(), set()
        rows = [*Source.objects.filter(key__in=keys).values_list("key", "sensitive")]
        rows += SourceAlias.objects.filter(key__in=keys).values_list("key", "source__sensitive")
        for key, sensitive in rows:
            (self.hidden if sensitive else self.public).add(key)
        ids = {s.get("source_id") for s in snapshots if s.get("source_id")}
        ids |= {pk for s in snapshots for _, pk in _chain(s) if pk}
        self.sensitive_ids = dict(Source.objects.filter(pk__in=ids, sensitive=True).values_list("pk", "name"))

    def source(self, snapshot: dict) -> str:
        return self.name(snapshot.get("source") or "", snapshot.get("source_id"))

    def chain(self, snapshot: dict, author: int) -> str:
        """The relay chain then, nearest to the article first; a chain kept as free text by older snapshots."""
        if isinstance(snapshot.get("via"), str):
            return self.mask.text(snapshot["via"], author)
        return " ← ".join(self.name(name, pk) if pk else self.mask.text(name, author) for name, pk in _chain(snapshot))

    def name(self, name: str, pk: int | None) -> str:
        if not name or self.mask.reveal:
            return name
        if pk in self.sensitive_ids:
            return self.mask.source(pk, self.sensitive_ids[pk], True)
        key = name_key(name)
        return name if key in self.public and key not in self.hidden else pseudonym(None)


def _chain(snapshot: dict) -> list[tuple[str, int | None]]:
    """(name, source id or None for a proposal) for each relay a snapshot recorded."""
    via = snapshot.get("via")
    if not isinstance(via, list):
        return []
    return list(zip(via, snapshot.get("via_ids") or [None] * len(via), strict=False))


def rows(claim: Claim, user) -> list[HistoryRow]:
    """The claim's events, oldest first, with what each changed as `user` may see it."""
    events = list(ReviewEvent.objects.filter(claim_ref=claim.pk).select_related("actor").order_by("at", "pk"))
    mask = mask_for(user)
    snapshots = [s for e in events for s in (e.before, e.after) if s]
    names = _Names(snapshots, mask)
    kinds = dict(ProvenanceKind.objects.values_list("slug", "label"))
    slugs = {s.get("fact") for s in snapshots if s.get("fact")}
    facts = {slug: mask.text(statement) for slug, statement in Fact.objects.filter(slug__in=slugs).values_list(
        "slug", "statement")}  # fmt: skip
    author = claim.annotator_id

    def shown(snapshot: dict) -> dict:
        """A snapshot's values as the reader may see them, as labels."""
        fact = snapshot.get("fact") or ""
        return {
            "kind": kinds.get(snapshot.get("kind"), snapshot.get("kind") or ""),
            "source": names.source(snapshot) or mask.text(snapshot.get("proposed_source", ""), author),
            # A slug no fact has any more was given up because it spelt a name protected since: not shown.
            "fact": facts.get(fact, fact if mask.reveal else RENAMED_FACT)
            if fact
            else mask.text(snapshot.get("proposed_fact", ""), author),
            "via": names.chain(snapshot, author),
            "directness": LABELS["directness"].get(snapshot.get("directness"), ""),
            "note": mask.text(snapshot.get("note") or "", author),
            "status": LABELS["status"].get(snapshot.get("status"), snapshot.get("status") or ""),
            "review_reason": LABELS["review_reason"].get(snapshot.get("review_reason"), ""),
            "review_note": mask.text(snapshot.get("review_note") or ""),
        }

    result = []
    for event in events:
        before, after = shown(event.before or {}), shown(event.after or {})
        changes = [(label, before[key], after[key]) for key, label in SHOWN_FIELDS if before[key] != after[key]]
        if origin := (event.after or {}).get("origin"):  # an accepted suggestion: which, by which engine, how sure
            edited = ", edited" if origin.get("edited") else ""
            shown_origin = f"{origin.get('engine')}, score {origin.get('score')}{edited}"
            changes.append(("Suggested by", "", shown_origin))
        result.append(HistoryRow(event.at, event.actor.get_username(), event.get_action_display(), changes))
    return result
