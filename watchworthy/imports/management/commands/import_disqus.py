"""manage.py import_disqus EXPORT.xml [--dry-run]"""

from __future__ import annotations

from functools import partial
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from watchworthy.imports.disqus import disqus_import

from ._progress import console_for, run_import


class Command(BaseCommand):
    help = (
        "Import a Disqus export as comments on the reviews they belong to (run "
        "import_wordpress first). All or nothing; safe to run again."
    )

    def add_arguments(self, parser):
        parser.add_argument("export", type=Path, help="The .xml file Disqus mails you.")
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Do everything, show the summary, then roll back: nothing is written.",
        )

    def handle(self, *args, export: Path, dry_run: bool, **options):
        if not export.is_file():
            raise CommandError(f"No such file: {export}")
        summary, elapsed = run_import(self.stdout, export, partial(disqus_import, dry_run=dry_run))
        title = (
            f"Dry run of {export.name} — nothing was written"
            if dry_run
            else f"Imported {export.name} ({summary.source}) in {elapsed:.1f} s"
        )
        summary.render(console_for(self.stdout), title=title)
