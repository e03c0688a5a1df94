from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError

from . import review
from .models import Claim, Fact, ProvenanceKind, ReviewEvent, Source, SourceAlias, can_see_sensitive
from .services import StaleEdit


class ShowsSourceNames:
    """For pages that show sources' names or free text that may hold them: only for those who may see them.

    The admin shows rows as they are stored, so it is closed to staff without the permission rather
    than masked."""

    def has_view_permission(self, request, obj=None):
        return can_see_sensitive(request.user) and super().has_view_permission(request, obj)

    def has_change_permission(self, request, obj=None):
        return can_see_sensitive(request.user) and super().has_change_permission(request, obj)


class ReadOnlyAdmin(admin.ModelAdmin):
    """For rows that change only through the app's services, which keep versions and the audit trail."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ProvenanceKind)
class ProvenanceKindAdmin(admin.ModelAdmin):
    list_display = ["label", "slug", "role", "shortcut", "colour", "order", "active"]
    list_editable = ["order", "active"]
    list_filter = ["role", "active"]
    search_fields = ["label", "slug", "definition"]

    def has_delete_permission(self, request, obj=None):
        # Deactivate instead: a kind's claims must keep their label.
        return False


class SourceAliasInline(admin.TabularInline):
    model = SourceAlias
    extra = 1


@admin.register(Source)
class SourceAdmin(ShowsSourceNames, admin.ModelAdmin):
    list_display = ["name", "kind", "sensitive", "created"]
    list_filter = ["kind", "sensitive"]
    search_fields = ["name", "aliases__name", "description"]
    list_select_related = ["kind"]
    inlines = [SourceAliasInline]

    def has_delete_permission(self, request, obj=None):
        # Merge duplicates instead (Sources page): claims move over and the name stays as an alias.
        return False


@admin.register(Fact)
class FactAdmin(ShowsSourceNames, admin.ModelAdmin):
    """Statements and notes may name sensitive sources: only for those who may see them."""

    list_display = ["statement", "slug", "created"]
    search_fields = ["statement", "slug", "note"]
    filter_horizontal = ["conflicts"]

    def has_delete_permission(self, request, obj=None):
        return False


def _review_action(decision: str, reason: str, description: str):
    """An admin action that decides every selected claim through the review service (versions, audit trail)."""

    @admin.action(description=description, permissions=["review"])
    def action(modeladmin, request, queryset):
        done, refused = 0, []
        for pk, version in queryset.values_list("pk", "version"):
            try:
                review.decide(claim_id=pk, version=version, editor=request.user, decision=decision, reason=reason)
                done += 1
            except (StaleEdit, PermissionDenied, ValidationError) as exc:
                refused.append(f"claim {pk}: {' '.join(getattr(exc, 'messages', [str(exc)]))}")
        modeladmin.message_user(request, f"{done} claim{'s' if done != 1 else ''} updated.", messages.SUCCESS)
        if refused:
            modeladmin.message_user(request, "Not changed: " + "; ".join(refused), messages.WARNING)

    action.__name__ = f"{decision}_{reason or 'claims'}"
    return action


@admin.register(Claim)
class ClaimAdmin(ShowsSourceNames, ReadOnlyAdmin):
    """Claims change only through the app (tagging, review), so every change is versioned and audited."""

    list_display = ["exact_short", "kind", "source", "fact", "article", "annotator", "status", "reviewer", "created"]
    list_filter = ["status", "kind", "review_reason", "article__outlet", "annotator", "reviewer", "created"]
    search_fields = ["exact", "source__name", "fact__statement", "note", "annotator__username", "article__title"]
    list_select_related = ["kind", "source", "fact", "article", "annotator", "reviewer"]
    date_hierarchy = "created"
    actions = [
        _review_action("accept", "", "Accept the selected claims"),
        _review_action("reject", "duplicate", "Reject the selected claims as duplicates"),
        _review_action("reject", "not_a_claim", "Reject the selected claims as not claims"),
    ]

    @admin.display(description="quote", ordering="exact")
    def exact_short(self, claim):
        return claim.exact[:80] + ("…" if len(claim.exact) > 80 else "")

    def has_review_permission(self, request):
        return request.user.has_perm("annotate.review_claim")

    def get_readonly_fields(self, request, obj=None):
        return [field.name for field in self.model._meta.fields]


@admin.register(ReviewEvent)
class ReviewEventAdmin(ShowsSourceNames, ReadOnlyAdmin):
    """The audit trail, read-only: who did what to which claim, and when, with the state before and after."""

    list_display = ["at", "actor", "action", "claim_ref", "article"]
    list_filter = ["action", "actor", "at"]
    search_fields = ["claim_ref", "actor__username", "article__title"]
    list_select_related = ["actor", "article"]
    date_hierarchy = "at"
    readonly_fields = ["claim", "claim_ref", "article", "actor", "action", "before", "after", "at"]
