from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "watchworthy.core"
    verbose_name = "Site"
