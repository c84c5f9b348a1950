from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "watchworthy.web"
    verbose_name = "Public site"
