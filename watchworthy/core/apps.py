from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "watchworthy.core"
    verbose_name = "Site"

    def ready(self) -> None:
        from .changes import content_changed, track
        from .models import SiteSettings, SupportLink
        from .publishing import forget_next_due

        track(SiteSettings, SupportLink)
        content_changed.connect(forget_next_due, dispatch_uid="core.publishing.next_due")
