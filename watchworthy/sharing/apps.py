from django.apps import AppConfig


class SharingConfig(AppConfig):
    name = "watchworthy.sharing"
    verbose_name = "Sharing and search engines"
