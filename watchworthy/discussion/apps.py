from django.apps import AppConfig


class DiscussionConfig(AppConfig):
    name = "watchworthy.discussion"
    verbose_name = "Discussion"

    def ready(self) -> None:
        from watchworthy.core.changes import track

        from .models import Comment

        track(Comment)
