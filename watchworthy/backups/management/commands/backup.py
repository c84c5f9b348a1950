"""``manage.py backup OUT``: the whole site (database and media) in one archive."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from watchworthy.backups.services import backup_write
from watchworthy.backups.snapshot import BackupError

from ._bars import progress_bars


class Command(BaseCommand):
    help = (
        "Write a consistent online backup of the database and the media to OUT "
        "(.tar, or .tar.gz for a compressed one). See docs/backups.md."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("out", type=Path, help="the archive to write (must not exist)")
        parser.add_argument("--no-progress", action="store_true", help="no progress bar")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            with progress_bars(not options["no_progress"]) as progress:
                result = backup_write(out=options["out"], progress=progress)
        except BackupError as error:
            raise CommandError(f"Backup failed: {error}.") from error
        rows = sum(result.counts.values())
        self.stdout.write(
            f"Wrote {result.path}: {result.size / 1e6:.1f} MB in {result.seconds:.1f} s "
            f"({rows:,} rows, {result.media_files:,} media files of "
            f"{result.media_bytes / 1e6:.1f} MB)."
        )
