from django.contrib import admin

from .models import Claim, ProvenanceKind, ReviewEvent


@admin.register(ProvenanceKind)
class ProvenanceKindAdmin(admin.ModelAdmin):
    list_display = ["label", "slug", "shortcut", "colour", "order", "active"]
    list_editable = ["order", "active"]
    search_fields = ["label", "slug", "definition"]

    def has_delete_permission(self, request, obj=None):
        # Deactivate instead: a kind's claims must keep their label.
        return False


@admin.register(Claim)
class ClaimAdmin(admin.ModelAdmin):
    """Read-only: claims change through the app, which bumps their version and records the audit trail."""

    list_display = ["exact", "kind", "source_name", "article", "annotator", "status", "created"]
    list_filter = ["status", "kind"]
    search_fields = ["exact", "source_name", "note"]
    list_select_related = ["kind", "article", "annotator"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ReviewEvent)
class ReviewEventAdmin(admin.ModelAdmin):
    list_display = ["at", "actor", "action", "claim_ref", "article"]
    list_filter = ["action"]
    list_select_related = ["actor", "article"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
