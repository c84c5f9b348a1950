from django.contrib import admin

from .models import Page


@admin.register(Page)
class PageAdmin(admin.ModelAdmin):
    list_display = ("title", "slug", "status", "published_at", "body_format")
    list_filter = ("status", "body_format")
    search_fields = ("title", "body")
    prepopulated_fields = {"slug": ("title",)}
    fieldsets = (
        (None, {"fields": ("title", "slug", "body_format", "body")}),
        ("Publishing", {"fields": (("status", "published_at"), "author")}),
    )
