from django.apps import AppConfig


class ImagesConfig(AppConfig):
    name = "watchworthy.images"
    verbose_name = "Images"

    def ready(self) -> None:
        from watchworthy.core.changes import track

        from . import checks  # noqa: F401 - registers the upload-limit checks
        from .models import Image

        track(Image)
