"""``manage.py load_demo``: fill the site with the demo critic, works and reviews."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from watchworthy.demo.content import load_demo
from watchworthy.reviews.models import Review


class Command(BaseCommand):
    help = (
        "Load the demo content: a critic, a fictional two-part anime with characters and "
        "recaps, three reviews (Watch, Avoid, Skip), images drawn by code, site settings "
        "and support links. Safe to run again: existing demo rows are updated in place."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="Do nothing if the database already has any review (for first-start scripts).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["if_empty"] and Review.objects.exists():
            self.stdout.write("Database already has reviews; demo not loaded.")
            return
        verbose = options["verbosity"] >= 2
        counts = load_demo(stdout=self.stdout if verbose else None)
        created = sum(counts["created"].values())
        updated = sum(counts["updated"].values())
        details = ", ".join(
            f"{kind.replace('_', ' ')} {counts['created'][kind]}+{counts['updated'][kind]}"
            for kind in counts["created"]
        )
        self.stdout.write(
            self.style.SUCCESS(f"Demo loaded: {created} rows created, {updated} updated.")
        )
        if options["verbosity"] >= 1:
            self.stdout.write(f"(created+updated) {details}")
