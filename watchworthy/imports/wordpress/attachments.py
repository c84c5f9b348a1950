"""What an attachment becomes: an ``images.Image`` when ``--uploads`` holds its file,
else a "missing" import record that keeps its original URL (import again with
``--uploads`` later and only the missing ones are looked for).

The file is looked for under the uploads folder as ``_wp_attached_file`` names it,
else by the part of its URL after ``/wp-content/uploads/``; a path leading outside
the folder is refused, and a file Pillow cannot verify is "not an image". A dry run
copies nothing: a file found counts as found. Copied files are not part of the
transaction, so they are listed in :attr:`ImportState.stored_files` for the importer
to delete if the import fails.
"""

from __future__ import annotations

import warnings
from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import unquote, urlsplit

from django.core.files import File
from PIL import Image as PILImage

from watchworthy.core.sanitize import html_to_text
from watchworthy.images.models import Image

from .. import wxr
from ..common import legacy_keys, normalize_path
from ..models import ImportedObject
from .items import ItemKind, Written

UPLOADS_MARKER = "/wp-content/uploads/"


def _url(item: wxr.Item) -> str:
    return item.attachment_url or item.guid


def _label(item: wxr.Item, key: str) -> str:
    return f"{item.title or key}: {_url(item)}"


class Attachments(ItemKind):
    kind = ImportedObject.Kind.ATTACHMENT
    target = "image"

    def deleted_here(self, row: ImportedObject) -> bool:
        # A missing attachment never had an image; one whose image is gone was deleted.
        return row.image_id is None and "missing" not in row.data

    def still_current(self, row: ImportedObject) -> bool:
        # A missing file is looked for again whenever --uploads is given.
        return row.image_id is not None or self.state.uploads is None

    def keep_unchanged(self, item: wxr.Item, row: ImportedObject) -> None:
        if row.image_id is not None:
            self.state.summary.images_found += 1
        else:
            reason = row.data.get("missing", "missing")
            self.state.summary.missing_image(f"{_label(item, row.external_id)} ({reason})")

    def write(self, item: wxr.Item, key: str, row: ImportedObject | None) -> Written:
        url = _url(item)
        image = Image.objects.filter(pk=row.image_id).first() if row and row.image_id else None
        alt = (
            item.meta.get("_wp_attachment_image_alt", "").strip()
            or item.title
            or PurePosixPath(urlsplit(url).path).stem
            or "Imported image"
        )[:300]
        caption = html_to_text(item.excerpt)[:300]
        data: dict[str, Any] = {"url": url, "title": item.title, "wp_parent": item.post_parent}
        if image is None:
            image = self._bring_file(item, key, data, alt=alt, caption=caption)
        else:
            if (image.alt_text, image.caption) != (alt, caption):
                image.alt_text, image.caption = alt, caption
                image.save(update_fields=["alt_text", "caption"])
            self.state.summary.images_found += 1
        return Written(image, data, self._redirects(item, key, url) if image is not None else [])

    def _bring_file(
        self, item: wxr.Item, key: str, data: dict[str, Any], *, alt: str, caption: str
    ) -> Image | None:
        """Copy the attachment's file in as an image, or say in ``data`` why not."""
        found, reason = self.find_upload(item, _url(item))
        if found is None:
            data["missing"] = reason
            self.state.summary.missing_image(f"{_label(item, key)} ({reason})")
            return None
        if self.state.dry_run:
            self.state.summary.images_found += 1  # it would be copied
            data["missing"] = "dry run"
            return None
        image = self.store_image(found, alt=alt, caption=caption)
        self.state.summary.images_found += 1
        return image

    @staticmethod
    def _redirects(item: wxr.Item, key: str, url: str) -> list[tuple[str, int]]:
        keys = [(k, 0) for k in legacy_keys(item.link)]
        if key.isdigit():
            keys.append((f"?attachment_id={int(key)}", 1))
        upload_path = urlsplit(url).path
        if UPLOADS_MARKER in upload_path:
            keys.append((normalize_path(upload_path), 0))
        return keys

    # --- files ------------------------------------------------------------------------

    def store_image(self, path: Path, *, alt: str, caption: str) -> Image:
        with path.open("rb") as handle:
            # Stored by save(), which makes the WebP sizes from this open file rather
            # than reading the stored copy back (from object storage, a download).
            image = Image(alt_text=alt, caption=caption, file=File(handle, name=path.name))
            image.save()
        self.state.stored_files.extend(
            name for name in (image.file.name, *image.renditions.values()) if name
        )
        return image

    def find_upload(self, item: wxr.Item, url: str) -> tuple[Path | None, str]:
        """The attachment's file under ``--uploads``, or None and the reason."""
        uploads = self.state.uploads
        if uploads is None:
            return None, "no --uploads folder given"
        relative = item.meta.get("_wp_attached_file", "").strip()
        if not relative:
            path = unquote(urlsplit(url).path)
            relative = path.split(UPLOADS_MARKER, 1)[1] if UPLOADS_MARKER in path else ""
        if not relative:
            return None, "no uploads path in the export"
        for base in (uploads, uploads / "uploads", uploads / "wp-content/uploads"):
            candidate = (base / relative).resolve()
            if not candidate.is_relative_to(uploads):
                self.state.summary.oddity(
                    "attachment path outside the uploads folder (refused)", relative
                )
                return None, "path outside the uploads folder"
            if candidate.is_file():
                return (candidate, "") if _is_image(candidate) else (None, "not an image")
        return None, "file not found under --uploads"


def _is_image(path: Path) -> bool:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", PILImage.DecompressionBombWarning)
            with PILImage.open(path) as picture:
                picture.verify()
    except Exception:
        return False
    return True
