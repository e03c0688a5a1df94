"""The two roles of the app, as Django groups with their permissions.

Kept in step with the code on every migrate, so a new permission reaches existing installs.
"""

from django.contrib.auth.models import Group, Permission
from django.db.models import Q

REVIEWER = "reviewer"
EDITOR = "editor"

REVIEWER_PERMISSIONS = [
    "corpus.view_outlet",
    "corpus.view_article",
    "annotate.view_provenancekind",
    "annotate.view_claim",
    "annotate.add_claim",
    "annotate.change_claim",
    "annotate.delete_claim",
    "annotate.view_source",
    "annotate.view_fact",
    "annotate.export_claims",
]
EDITOR_PERMISSIONS = REVIEWER_PERMISSIONS + [
    "corpus.add_outlet",
    "corpus.change_outlet",
    "corpus.add_article",
    "corpus.change_article",
    "annotate.add_provenancekind",
    "annotate.change_provenancekind",
    "annotate.review_claim",
    "annotate.view_reviewevent",
    "annotate.view_sensitive_source",
    "annotate.add_source",
    "annotate.change_source",
    "annotate.add_sourcealias",
    "annotate.change_sourcealias",
    "annotate.delete_sourcealias",
    "annotate.add_fact",
    "annotate.change_fact",
]


def _permissions(names: list[str]) -> list[Permission]:
    query = Q()
    for name in names:
        app_label, codename = name.split(".")
        query |= Q(content_type__app_label=app_label, codename=codename)
    found = list(Permission.objects.filter(query))
    if len(found) != len(names):
        missing = set(names) - {f"{p.content_type.app_label}.{p.codename}" for p in found}
        raise RuntimeError(f"permissions missing: {', '.join(sorted(missing))}")
    return found


def ensure_roles(**kwargs) -> None:
    """Create or update the reviewer and editor groups (post_migrate handler)."""
    for name, perms in ((REVIEWER, REVIEWER_PERMISSIONS), (EDITOR, EDITOR_PERMISSIONS)):
        group, _ = Group.objects.get_or_create(name=name)
        group.permissions.set(_permissions(perms))
