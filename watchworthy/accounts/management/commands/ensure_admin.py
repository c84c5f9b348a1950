"""Make sure a local admin account exists and say how to sign in with it.

Used by `make run` on a laptop. The password is random, kept in the data folder
(var/admin-login.txt, never committed) so that every `make run` can show it again.
"""

import secrets
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Create the local admin account if there is none, and print its login."

    def add_arguments(self, parser):
        parser.add_argument("--username", default="admin")
        parser.add_argument(
            "--site", default="http://127.0.0.1:8000", help="Where the site is served."
        )

    def handle(self, *args, username: str, site: str, **options):
        User = get_user_model()
        login_file = Path(settings.DATA_DIR) / "admin-login.txt"
        user = User.objects.filter(username=username).first()
        if user is None:
            password = secrets.token_urlsafe(12)
            user = User.objects.create_superuser(
                username=username, email="", password=password, display_name="Site admin"
            )
            login_file.parent.mkdir(parents=True, exist_ok=True)
            login_file.write_text(f"{username}\n{password}\n")
            login_file.chmod(0o600)
        saved = login_file.read_text().split() if login_file.exists() else []
        url = f"{site.rstrip('/')}/admin/"
        if len(saved) == 2 and saved[0] == username and user.check_password(saved[1]):
            self.stdout.write(
                self.style.SUCCESS(f"Admin: {url}  username: {username}  password: {saved[1]}")
            )
            self.stdout.write(f"Write reviews at {site.rstrip('/')}/desk/ with the same login.")
        else:
            self.stdout.write(
                f"Admin: {url}  username: {username} (password changed since; "
                f"reset it with: manage.py changepassword {username})"
            )
