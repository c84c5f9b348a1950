from django.contrib import admin
from django.utils.html import format_html

from .forms import ImageForm
from .models import Image


@admin.register(Image)
class ImageAdmin(admin.ModelAdmin):
    form = ImageForm
    list_display = ("thumbnail", "key", "alt_text", "caption", "width", "height", "uploaded_at")
    search_fields = ("key", "alt_text", "caption")
    readonly_fields = ("thumbnail", "markdown", "width", "height")
    fields = ("file", "thumbnail", "alt_text", "caption", "credit", "key", "markdown")

    class Media:
        css = {"all": ("images/admin.css",)}  # the thumbnail size: no inline styles (CSP)

    @admin.display(description="Preview")
    def thumbnail(self, image: Image) -> str:
        if not image.file:
            return "—"
        return format_html(
            '<img src="{}" alt="{}" class="image-thumbnail">',
            image.file.url,
            image.alt_text,
        )

    @admin.display(description="Use in Markdown")
    def markdown(self, image: Image) -> str:
        if not image.key:
            return "Save first to get a key."
        return format_html("<code>![{}](image:{})</code>", image.alt_text, image.key)
