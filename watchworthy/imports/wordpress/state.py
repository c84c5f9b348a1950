"""What the parts of one WordPress import share: its options, the channel fields read
so far, the source its import records are keyed on, and the running summary."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from django.utils import timezone

from ..models import ImportedObject
from ..summary import ImportSummary


@dataclass
class ImportState:
    summary: ImportSummary
    dry_run: bool = False
    uploads: Path | None = None  # resolved; None when no --uploads was given
    now: datetime = field(default_factory=timezone.now)
    channel: dict[str, str] = field(default_factory=dict)  # first value of each field
    source: str = ""  # set by ensure_source()
    base_path: str = ""  # the blog's path below its domain, lower-cased ("" at the root)
    # Image files copied so far: not part of the transaction, removed by hand on failure.
    stored_files: list[str] = field(default_factory=list)

    def ensure_source(self) -> str:
        """What the import records are keyed on: the blog's ``base_blog_url`` (else
        ``base_site_url``, the channel link, or ``wordpress``), normalized."""
        if not self.source:
            base = (
                self.channel.get("base_blog_url")
                or self.channel.get("base_site_url")
                or self.channel.get("link")
                or "wordpress"
            )
            parts = urlsplit(base)
            if parts.netloc:
                self.source = f"{parts.scheme.lower()}://{parts.netloc.lower()}{parts.path}"
                self.source = self.source.rstrip("/")
                self.base_path = parts.path.rstrip("/").lower()
            else:
                self.source = base
            self.summary.source = self.source
        return self.source

    def row(self, kind: str, external_id: str) -> ImportedObject | None:
        """The import record of ``(kind, external_id)`` from this source, if any."""
        return ImportedObject.objects.filter(
            source=self.ensure_source(), kind=kind, external_id=external_id
        ).first()

    def new_row(self, kind: str, external_id: str, **fields: Any) -> ImportedObject:
        return ImportedObject.objects.create(
            source=self.ensure_source(), kind=kind, external_id=external_id, **fields
        )
