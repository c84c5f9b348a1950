from django.apps import AppConfig


class PageCacheConfig(AppConfig):
    name = "watchworthy.pagecache"
    verbose_name = "Page cache"

    def ready(self) -> None:
        from watchworthy.core.changes import content_changed

        from .invalidation import forget_changed_pages

        content_changed.connect(forget_changed_pages, dispatch_uid="pagecache.forget")
