from django.contrib import admin
from django.shortcuts import redirect
from django.urls import reverse

from .models import SiteSettings, SupportLink


@admin.register(SiteSettings)
class SiteSettingsAdmin(admin.ModelAdmin):
    fieldsets = (
        (None, {"fields": ("site_name", "tagline", "about", "support_heading")}),
        ("Feeds", {"fields": ("feed_content",)}),
        (
            "Discussion",
            {
                "fields": (
                    "comments_close_after_days",
                    "comments_newest_first",
                    "comments_per_page",
                    "comment_mail",
                    "comment_mail_hourly_limit",
                    "comment_max_links",
                    "comment_blocklist",
                )
            },
        ),
    )

    def has_add_permission(self, request) -> bool:
        return not SiteSettings.objects.exists()

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def changelist_view(self, request, extra_context=None):
        """There is only one row: go straight to it."""
        settings, _ = SiteSettings.objects.get_or_create(pk=1)
        return redirect(reverse("admin:core_sitesettings_change", args=[settings.pk]))


@admin.register(SupportLink)
class SupportLinkAdmin(admin.ModelAdmin):
    list_display = ("label", "kind", "url", "position", "is_active")
    list_editable = ("position", "is_active")
