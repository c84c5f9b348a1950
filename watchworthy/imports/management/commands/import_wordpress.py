"""manage.py import_wordpress EXPORT.xml [--uploads DIR] [--dry-run]"""

from __future__ import annotations

from functools import partial
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from watchworthy.imports.wordpress import wordpress_import

from ._progress import console_for, run_import


class Command(BaseCommand):
    help = (
        "Import a WordPress export (WXR 1.0 to 1.2): posts become reviews, pages pages, "
        "comments keep their threads, old links redirect. All or nothing; run it again "
        "with a newer export to bring in what changed."
    )

    def add_arguments(self, parser):
        parser.add_argument("export", type=Path, help="The .xml file from Tools > Export.")
        parser.add_argument(
            "--uploads",
            type=Path,
            help="The blog's wp-content/uploads folder, to bring the images in.",
        )
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Do everything, show the summary, then roll back: nothing is written.",
        )

    def handle(self, *args, export: Path, uploads: Path | None, dry_run: bool, **options):
        if not export.is_file():
            raise CommandError(f"No such file: {export}")
        if uploads is not None and not uploads.is_dir():
            raise CommandError(f"--uploads is not a folder: {uploads}")
        summary, elapsed = run_import(
            self.stdout, export, partial(wordpress_import, uploads=uploads, dry_run=dry_run)
        )
        title = (
            f"Dry run of {export.name} — nothing was written"
            if dry_run
            else f"Imported {export.name} from {summary.source} in {elapsed:.1f} s"
        )
        summary.render(console_for(self.stdout), title=title)
