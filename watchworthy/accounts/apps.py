from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "watchworthy.accounts"
    verbose_name = "Accounts"

    def ready(self) -> None:
        from watchworthy.core.changes import track

        from .models import User

        # A sign-in saves last_login only; that changes nothing a reader sees.
        track(User, ignore_fields={"last_login"})
