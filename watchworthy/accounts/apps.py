from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "watchworthy.accounts"
    verbose_name = "Accounts"
