from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "watchworthy.api"
    verbose_name = "Read API"

    def ready(self) -> None:
        from watchworthy.core.changes import content_changed

        from .validators import content_moved

        content_changed.connect(content_moved, dispatch_uid="api.validators")
