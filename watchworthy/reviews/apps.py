from django.apps import AppConfig


class ReviewsConfig(AppConfig):
    name = "watchworthy.reviews"
    verbose_name = "Reviews"

    def ready(self) -> None:
        from watchworthy.core.changes import track

        from .models import Review, Tag

        track(Review, Tag, m2m=[Review.tags])
        from . import signals  # noqa: F401
