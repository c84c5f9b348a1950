from django.apps import AppConfig


class SpoilersConfig(AppConfig):
    name = "watchworthy.spoilers"
    verbose_name = "Spoiler shield"
