from django.apps import AppConfig


class ImportsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "watchworthy.imports"
    verbose_name = "Imports and legacy links"

    def ready(self) -> None:
        from watchworthy.core.changes import track

        from .models import LegacyRedirect

        track(LegacyRedirect)
