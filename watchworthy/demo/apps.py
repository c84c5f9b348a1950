from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "watchworthy.demo"
    verbose_name = "Demo content"
