from django.contrib import admin

from .models import Character, Genre, Platform, Season, Work


class SeasonInline(admin.TabularInline):
    model = Season
    extra = 0
    fields = ("number", "label", "episode_count", "release_date", "air_dates", "recap")


class CharacterInline(admin.StackedInline):
    model = Character
    extra = 0
    fields = (("name", "aliases", "position"), "description", ("first_season", "first_episode"))

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        """Offer only this work's seasons as a character's first appearance."""
        if db_field.name == "first_season":
            work_id = request.resolver_match.kwargs.get("object_id")
            kwargs["queryset"] = Season.objects.filter(work_id=work_id).select_related("work")
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


@admin.register(Work)
class WorkAdmin(admin.ModelAdmin):
    list_display = ("title", "kind", "year", "original_title")
    list_filter = ("kind", "platforms", "genres")
    search_fields = ("title", "original_title")
    prepopulated_fields = {"slug": ("title",)}
    autocomplete_fields = ("poster",)
    filter_horizontal = ("platforms", "genres")
    inlines = [SeasonInline, CharacterInline]
    fieldsets = (
        (
            None,
            {
                "fields": (
                    "title",
                    "slug",
                    ("original_title", "original_language"),
                    "kind",
                    "year",
                    "synopsis",
                    "poster",
                )
            },
        ),
        ("Where and what", {"fields": ("platforms", "genres")}),
        ("External ids", {"fields": (("imdb_id", "tmdb_id"), ("anilist_id", "mal_id"))}),
    )


@admin.register(Platform)
class PlatformAdmin(admin.ModelAdmin):
    list_display = ("name", "url")
    prepopulated_fields = {"slug": ("name",)}
    search_fields = ("name",)


@admin.register(Genre)
class GenreAdmin(admin.ModelAdmin):
    prepopulated_fields = {"slug": ("name",)}
    search_fields = ("name",)
