"""``manage.py publish_due``: announce scheduled reviews and pages whose time has come."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from watchworthy.core.publishing import announce_due, next_due


class Command(BaseCommand):
    help = (
        "Publish scheduled reviews and pages whose time has passed, so that the search "
        "index, caches and other subscribers hear of them. Pages already go public on "
        "time without it; run it every minute from cron or the task worker."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        count = announce_due()
        upcoming = next_due()
        self.stdout.write(
            f"Published {count} scheduled item{'s' if count != 1 else ''}. "
            + (f"Next one at {upcoming:%Y-%m-%d %H:%M %Z}." if upcoming else "Nothing scheduled.")
        )
