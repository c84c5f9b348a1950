"""``manage.py restore IN``: an archive from ``manage.py backup`` into an empty site."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from watchworthy.backups.services import restore_read, verify_archive
from watchworthy.backups.snapshot import BackupError

from ._bars import progress_bars


class Command(BaseCommand):
    help = (
        "Restore a backup into an empty site (a new database and empty media), after "
        "checking every member of the archive. See docs/backups.md."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("archive", type=Path, help="an archive written by manage.py backup")
        parser.add_argument(
            "--check", action="store_true", help="only check the archive; restore nothing"
        )
        parser.add_argument("--no-progress", action="store_true", help="no progress bar")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            with progress_bars(not options["no_progress"]) as progress:
                if options["check"]:
                    manifest = verify_archive(options["archive"], progress)
                    self.stdout.write(
                        f"{options['archive']} is whole: {len(manifest['members'])} members "
                        f"match the manifest of {manifest['created_at']}."
                    )
                    return
                result = restore_read(archive=options["archive"], progress=progress)
        except BackupError as error:
            raise CommandError(f"Restore refused: {error}.") from error
        for warning in result.warnings:
            self.stderr.write(f"warning: {warning}")
        rows = sum(result.counts.values())
        self.stdout.write(
            f"Restored {rows:,} rows and {result.media_files:,} media files "
            f"in {result.seconds:.1f} s."
        )
