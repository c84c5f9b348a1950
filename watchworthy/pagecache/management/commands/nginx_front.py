"""Print the nginx configuration of the page-file front (docs/deploy.md)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from watchworthy.pagecache.front import Front, render


class Command(BaseCommand):
    help = "Print the nginx front for the page files (WATCHWORTHY_PAGE_FILES; docs/deploy.md)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--server-name", default="_")
        parser.add_argument("--app", default="127.0.0.1:8000", help="host:port of the app")
        parser.add_argument(
            "--listen", default="listen 80;", help="listen (and ssl_*) lines, as in nginx"
        )
        parser.add_argument("--https", action="store_true", help="add HSTS, as the app does")
        parser.add_argument("--media", default="", help="the media folder nginx serves")
        parser.add_argument("--pages", default="", help="default: WATCHWORTHY_PAGE_FILES")

    def handle(self, *args: Any, **options: Any) -> None:
        pages = options["pages"] or settings.WATCHWORTHY_PAGE_FILES
        if not pages:
            raise CommandError("set WATCHWORTHY_PAGE_FILES (or give --pages)")
        try:
            text = render(
                Front(
                    pages=pages,
                    app=options["app"],
                    listen=options["listen"].replace("\\n", "\n"),
                    server_name=options["server_name"],
                    https=options["https"],
                    media=options["media"],
                )
            )
        except ValueError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(text, ending="")
