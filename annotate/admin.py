from django.contrib import admin

from .fact_services import unname_fact_slugs
from .models import Fact, ProvenanceKind, Source, SourceAlias, can_see_sensitive
from .names import name_key


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

    def has_delete_permission(self, request, obj=None):
        # A protected source's aliases stay: without one, texts that name the person so would show it.
        return not (obj is not None and obj.sensitive) and super().has_delete_permission(request, obj)


@admin.register(Source)
class SourceAdmin(ShowsSourceNames, admin.ModelAdmin):
    list_display = ["name", "kind", "affiliation", "sensitive", "created"]
    list_filter = ["kind", "sensitive"]
    search_fields = ["name", "aliases__name", "description"]
    list_select_related = ["kind", "affiliation"]
    # The model's clean() refuses an affiliation that would go round in a circle.
    autocomplete_fields = ["affiliation"]
    inlines = [SourceAliasInline]

    def has_delete_permission(self, request, obj=None):
        # Merge duplicates instead (Sources page): claims move over and the name stays as an alias.
        return False

    def save_model(self, request, obj, form, change):
        stored = Source.objects.filter(pk=obj.pk).first() if change else None
        # Every name it had: a protected source keeps them all, as the sources page does (`SourceForm`).
        request._former_names = [stored.name, *stored.aliases.values_list("name", flat=True)] if stored else []
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        source = form.instance
        if source.sensitive:  # a name renamed or an alias edited away stays, as an alias
            kept = {source.key, *source.aliases.values_list("key", flat=True)}
            for name in getattr(request, "_former_names", []):
                if name_key(name) not in kept:
                    SourceAlias.objects.create(source=source, name=name, key=name_key(name))
                    kept.add(name_key(name))
            unname_fact_slugs()  # a name it protects now may be in a fact's web address


@admin.register(Fact)
class FactAdmin(ShowsSourceNames, admin.ModelAdmin):
    """Statements and notes may name sensitive sources: only for those who may see them."""

    list_display = ["statement", "slug", "created"]
    search_fields = ["statement", "slug", "note"]
    filter_horizontal = ["conflicts"]

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        unname_fact_slugs()  # a slug typed here may spell a protected name
