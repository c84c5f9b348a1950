"""manage.py export_wordpress OUT.xml"""

from __future__ import annotations

import os
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from watchworthy.imports.export import wordpress_export


class Command(BaseCommand):
    help = (
        "Write every review, page, tag, comment and image reference as a WordPress "
        "export (WXR 1.2) that WordPress's importer (Tools > Import) accepts."
    )

    def add_arguments(self, parser):
        parser.add_argument("out", type=Path, help="Where to write the .xml file.")

    def handle(self, *args, out: Path, **options):
        partial = out.with_name(out.name + ".partial")
        try:
            with partial.open("wb") as stream:
                counts = wordpress_export(out=stream)
            os.replace(partial, out)
        except OSError as error:
            raise CommandError(f"Cannot write {out}: {error}") from error
        finally:
            partial.unlink(missing_ok=True)
        parts = ", ".join(
            f"{counts[name]} {name}"
            for name in ("posts", "pages", "comments", "attachments", "tags", "authors")
        )
        self.stdout.write(f"Wrote {out}: {parts}.")
