from django.apps import AppConfig


class DeskConfig(AppConfig):
    name = "watchworthy.desk"
    verbose_name = "Writing desk"
