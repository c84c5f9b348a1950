from django.apps import AppConfig


class BackupsConfig(AppConfig):
    name = "watchworthy.backups"
    verbose_name = "Backups"
