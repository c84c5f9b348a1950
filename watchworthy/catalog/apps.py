from django.apps import AppConfig


class CatalogConfig(AppConfig):
    name = "watchworthy.catalog"
    verbose_name = "Catalog"

    def ready(self) -> None:
        from watchworthy.core.changes import track

        from .models import Character, Genre, Platform, Season, Work

        track(Work, Season, Character, Platform, Genre, m2m=[Work.platforms, Work.genres])
