from django.contrib import admin

from .models import Article, Outlet


@admin.register(Outlet)
class OutletAdmin(admin.ModelAdmin):
    list_display = ["name", "homepage"]
    search_fields = ["name"]


@admin.register(Article)
class ArticleAdmin(admin.ModelAdmin):
    list_display = ["title", "outlet", "published", "language", "independent", "created"]
    list_filter = ["outlet", "language", "independent"]
    list_editable = ["independent"]
    search_fields = ["title", "outlet__name", "author"]
    list_select_related = ["outlet"]
    # The text is frozen once imported: every claim's offsets point into it.
    readonly_fields = ["text", "text_sha256", "source_file", "created", "updated"]
