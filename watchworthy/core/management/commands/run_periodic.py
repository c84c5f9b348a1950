"""``manage.py run_periodic``: run the periodic jobs now (for cron or the worker)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from watchworthy.core import periodic
from watchworthy.core.publishing import announce_due


class Command(BaseCommand):
    help = (
        "Announce scheduled reviews whose time has come and run the periodic jobs "
        "(comment digests). Requests do this too; run it from cron or the worker when "
        "the site may be quiet."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--all", action="store_true", help="Run every job, due or not.")

    def handle(self, *args: Any, **options: Any) -> None:
        published = announce_due()
        ran = periodic.run_due(force=options["all"])
        self.stdout.write(
            f"Published {published} scheduled item{'s' if published != 1 else ''}; "
            f"ran: {', '.join(ran) or 'nothing due'}."
        )
