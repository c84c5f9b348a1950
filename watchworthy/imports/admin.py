"""What imports brought in, and the old links: visible, searchable, deletable."""

from django.contrib import admin

from .models import ImportedObject, LegacyRedirect


@admin.register(ImportedObject)
class ImportedObjectAdmin(admin.ModelAdmin):
    list_display = ("kind", "external_id", "source", "target_display", "imported_at", "updated_at")
    list_filter = ("kind", "source")
    search_fields = ("external_id", "link", "source")
    list_select_related = ("review", "page", "image", "comment", "user", "tag")
    raw_id_fields = ("user", "tag", "review", "page", "image", "comment")
    readonly_fields = ("digest", "imported_at", "updated_at")

    @admin.display(description="Now")
    def target_display(self, row: ImportedObject) -> str:
        target = row.target
        if target is not None:
            return str(target)
        if row.kind == ImportedObject.Kind.ATTACHMENT and "missing" in row.data:
            return f"missing: {row.data.get('url', '')}"
        return "deleted here"


@admin.register(LegacyRedirect)
class LegacyRedirectAdmin(admin.ModelAdmin):
    list_display = ("old_path", "review", "page", "comment", "image", "priority", "source")
    search_fields = ("old_path",)
    list_filter = ("source",)
    raw_id_fields = ("review", "page", "comment", "image")
    list_select_related = ("review", "page", "comment", "image")
