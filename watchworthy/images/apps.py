from django.apps import AppConfig


class ImagesConfig(AppConfig):
    name = "watchworthy.images"
    verbose_name = "Images"
