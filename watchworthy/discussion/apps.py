from django.apps import AppConfig


class DiscussionConfig(AppConfig):
    name = "watchworthy.discussion"
    verbose_name = "Discussion"

    def ready(self) -> None:
        from watchworthy.core import periodic
        from watchworthy.core.changes import track

        from .models import Comment
        from .notifications import send_digests_task

        track(Comment)
        # Digests are due hourly or daily; checking every five minutes is enough.
        periodic.register("comment-digests", every=300, run=send_digests_task.enqueue)
