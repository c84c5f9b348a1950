from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "watchworthy.core"
    verbose_name = "Site"

    def ready(self) -> None:
        from .changes import track
        from .models import SiteSettings, SupportLink

        track(SiteSettings, SupportLink)
