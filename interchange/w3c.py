"""One claim as a W3C Web Annotation (JSON-LD), from the record `interchange.columns` declares.

The kind is the classifying body; the source, a describing body that says whether it is sensitive and
whether its name was withheld, so an import never takes a pseudonym for a name. The target is the
article, with a TextQuoteSelector and a TextPositionSelector in code points. The columns that have a
W3C term go under our prov: namespace, empty ones left out.
"""

from __future__ import annotations

from django.conf import settings

from annotate.masking import mask_for
from annotate.models import Claim

from .columns import AT, COLUMNS, NAMES, Names, Reader, cells, instance_row

ANNO_CONTEXT = "http://www.w3.org/ns/anno.jsonld"
NS = f"{settings.PROVENANCE_VOCABULARY}#"  # our own terms
KIND_NS = f"{settings.PROVENANCE_VOCABULARY}/kind#"  # each kind of source is a term of this one
CONTEXT = [ANNO_CONTEXT, {"prov": NS}]
# Our terms, by column, and the one the record has no column for: the reviewer's note.
TERMS = {column.name: column.w3c for column in COLUMNS if column.w3c}
REVIEW_NOTE = "reviewNote"


def _source_body(item: dict, row: tuple, reader: Reader) -> dict:
    body = {"type": "TextualBody", "purpose": "describing", "format": "text/plain", "value": item["source"]}
    if item["source_kind"]:
        body["prov:sourceKind"] = item["source_kind"]
    if not row[AT.source_id]:
        body["prov:sourceProposed"] = True
    elif reader.names.sources[row[AT.source_id]][1]:
        body["prov:sourceSensitive"] = True
        if not reader.mask.reveal:
            body["prov:sourceProtected"] = True
    return body


def annotation(row: tuple, reader: Reader, base_url: str) -> dict:
    """A fetched row as a W3C Web Annotation, without the @context (a collection's covers it)."""
    item = dict(zip(NAMES, cells(row, reader), strict=True))
    body = [{"type": "SpecificResource", "purpose": "classifying", "source": KIND_NS + item["kind"]}]
    if item["source"]:
        body.append(_source_body(item, row, reader))
    selectors = [
        {"type": "TextQuoteSelector", "exact": item["exact"], "prefix": item["prefix"], "suffix": item["suffix"]},
        {"type": "TextPositionSelector", "start": item["start"], "end": item["end"]},
    ]
    result = {
        "id": f"{base_url}/claims/{item['claim_id']}",
        "type": "Annotation",
        "motivation": "classifying",
        "creator": {"type": "Person", "nickname": item["annotator"]},
        "created": item["created_at"],
        "modified": item["updated_at"],
        "body": body,
        "target": {
            "type": "SpecificResource",
            "source": item["article_url"] or f"{base_url}/articles/{item['article_slug']}/",
            "prov:article": item["article_slug"],
            "selector": selectors,
        },
    }
    extras = {f"prov:{term}": item[name] for name, term in TERMS.items()}
    extras[f"prov:{REVIEW_NOTE}"] = reader.mask.text(row[AT.review_note], row[AT.reviewer_id])
    result.update((key, value) for key, value in extras.items() if value)
    return result


def w3c_annotation(claim: Claim, user, *, base_url: str) -> dict:
    """One claim as a W3C Web Annotation in JSON-LD, with its own @context, as `user` may see it.

    Load the claim with `export.with_export_related`. `base_url` (scheme and host, no trailing slash)
    makes the annotation's id and, for an article without a source URL, the target's source.
    """
    reader = Reader(Names.of(claim), mask_for(user))
    return {"@context": CONTEXT} | annotation(instance_row(claim), reader, base_url.rstrip("/"))
