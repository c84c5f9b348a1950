from typing import Any

from django.apps import AppConfig
from django.db.models.signals import post_migrate


class SearchConfig(AppConfig):
    name = "watchworthy.search"
    verbose_name = "Search"

    def ready(self) -> None:
        from watchworthy.core.changes import content_changed

        from .index import fill_if_empty, follow_changes

        content_changed.connect(follow_changes, dispatch_uid="search.follow")

        def fill(sender: Any, **kwargs: Any) -> None:
            fill_if_empty(using=kwargs.get("using", "default"))

        post_migrate.connect(fill, sender=self, dispatch_uid="search.fill", weak=False)
