from django.contrib import admin

from .models import Claim, Fact, ProvenanceKind, ReviewEvent, Source, SourceAlias


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
    list_display = ["label", "slug", "shortcut", "colour", "order", "active"]
    list_editable = ["order", "active"]
    search_fields = ["label", "slug", "definition"]

    def has_delete_permission(self, request, obj=None):
        # Deactivate instead: a kind's claims must keep their label.
        return False


class SourceAliasInline(admin.TabularInline):
    model = SourceAlias
    extra = 1


@admin.register(Source)
class SourceAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "sensitive", "created"]
    list_filter = ["kind", "sensitive"]
    search_fields = ["name", "aliases__name", "description"]
    list_select_related = ["kind"]
    inlines = [SourceAliasInline]

    def has_delete_permission(self, request, obj=None):
        # Merge duplicates instead (Sources page): claims move over and the name stays as an alias.
        return False


@admin.register(Fact)
class FactAdmin(admin.ModelAdmin):
    list_display = ["statement", "slug", "created"]
    search_fields = ["statement", "slug", "note"]
    filter_horizontal = ["conflicts"]

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Claim)
class ClaimAdmin(ReadOnlyAdmin):
    list_display = ["exact", "kind", "source", "fact", "article", "annotator", "status", "created"]
    list_filter = ["status", "kind"]
    search_fields = ["exact", "source__name", "fact__statement", "note"]
    list_select_related = ["kind", "source", "fact", "article", "annotator"]


@admin.register(ReviewEvent)
class ReviewEventAdmin(ReadOnlyAdmin):
    list_display = ["at", "actor", "action", "claim_ref", "article"]
    list_filter = ["action"]
    list_select_related = ["actor", "article"]
