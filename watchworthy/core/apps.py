from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "watchworthy.core"
    verbose_name = "Site"

    def ready(self) -> None:
        from django.core.signals import request_finished, request_started
        from django.db.backends.signals import connection_created

        from . import links
        from .changes import content_changed, track
        from .models import (
            SiteSettings,
            SupportLink,
            forget_on_change,
            request_began,
            request_ended,
        )
        from .prepared import plan_once_per_connection
        from .publishing import forget_next_due

        track(SiteSettings, SupportLink)
        request_started.connect(request_began, dispatch_uid="core.site_settings.began")
        request_finished.connect(request_ended, dispatch_uid="core.site_settings.ended")
        request_started.connect(links.request_began, dispatch_uid="core.links.began")
        request_finished.connect(links.request_ended, dispatch_uid="core.links.ended")
        content_changed.connect(forget_next_due, dispatch_uid="core.publishing.next_due")
        connection_created.connect(plan_once_per_connection, dispatch_uid="core.prepared.plan")
        content_changed.connect(forget_on_change, dispatch_uid="core.site_settings.changed")
