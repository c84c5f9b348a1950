from django.apps import AppConfig


class PagesConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "watchworthy.pages"
    verbose_name = "Pages"

    def ready(self) -> None:
        from watchworthy.core.changes import track

        from .models import Page

        track(Page)
