"""Uploaded images: every one has alt text, and is stored at a few widths for srcset.

Reviews reference an image by its key in Markdown, ``![Alt](image:KEY "Caption")``;
works use one as a poster and reviews as a cover. Alt text is required because the
critics' readers include people on screen readers, and an image without a text
alternative is a hole in the review for them.
"""

from __future__ import annotations

import io
import logging
from collections.abc import Iterable
from functools import partial
from pathlib import PurePosixPath
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile, File
from django.core.files.storage import Storage
from django.db import models, router, transaction
from django.template.loader import render_to_string
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import slugify
from PIL import Image as PILImage

from .decoding import for_the_web, upright

logger = logging.getLogger(__name__)

# Sizes hint for srcset: full width on phones, the text column (about 46rem) beyond.
SIZES = "(max-width: 48rem) 100vw, 46rem"


class ImageQuerySet(models.QuerySet["Image"]):
    def by_key(self, keys: Iterable[str]) -> dict[str, Image]:
        return {image.key: image for image in self.filter(key__in=keys)}


class Image(models.Model):
    key = models.SlugField(
        max_length=80,
        unique=True,
        blank=True,
        help_text="Used in Markdown as ![Alt](image:KEY). Made from the file name if empty.",
    )
    file = models.ImageField(upload_to="images/%Y/%m/", width_field="width", height_field="height")
    alt_text = models.CharField(
        max_length=300,
        help_text="What the image shows, for readers who cannot see it. Required.",
    )
    caption = models.CharField(max_length=300, blank=True)
    credit = models.CharField(max_length=200, blank=True)
    width = models.PositiveIntegerField(editable=False, default=0)
    height = models.PositiveIntegerField(editable=False, default=0)
    # {"480": "images/2026/11/key-480.webp", ...}: the smaller copies made at upload.
    renditions = models.JSONField(default=dict, editable=False, blank=True)
    uploaded_at = models.DateTimeField(auto_now_add=True)

    objects = ImageQuerySet.as_manager()

    class Meta:
        ordering = ["-uploaded_at"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(alt_text=""), name="image_alt_text_required"
            ),
        ]

    def __str__(self) -> str:
        return self.key

    def save(self, *args: Any, **kwargs: Any) -> None:
        """Save the row, the original file and its WebP renditions as one: when any
        of it fails, the files this save wrote are deleted again, and the row is
        rolled back."""
        if not self.key and self.file.name:  # a FieldFile is true when it has a name
            self.key = self._unique_key(PurePosixPath(self.file.name).stem)
        file_changed = bool(self.file) and not getattr(self.file, "_committed", True)
        # The bytes being stored, still at hand: the renditions are made from them, not
        # from a download of what was just written (on object storage, a round trip
        # and a second copy of the file).
        pending = self.file if file_changed else None
        renditions_before = self.renditions
        # An upload in a request (the writing desk) leaves the WebP copies to the task
        # worker: see images.tasks.make_renditions_later.
        later = getattr(self, "renditions_later", False)
        written: list[str] = []
        using = kwargs.get("using") or router.db_for_write(type(self), instance=self)
        try:
            with transaction.atomic(using=using):
                super().save(*args, **kwargs)
                if later:
                    transaction.on_commit(partial(_enqueue_renditions, self.pk), using=using)
                elif file_changed or (self.file and not self.renditions):
                    self.renditions = self.make_renditions(source=pending)
                    written.extend(self.renditions.values())
                    super().save(update_fields=["renditions"])
        except BaseException:
            if file_changed and getattr(self.file, "_committed", False) and self.file.name:
                written.append(self.file.name)  # the original, written by pre_save()
            _delete_files(self.file.storage, written)
            self.renditions = renditions_before
            raise

    def _unique_key(self, stem: str) -> str:
        base = slugify(stem)[:70] or "image"
        key, n = base, 2
        while Image.objects.filter(key=key).exclude(pk=self.pk).exists():
            key, n = f"{base}-{n}", n + 1
        return key

    def make_renditions(self, *, source: File[bytes] | None = None) -> dict[str, str]:
        """Store WebP copies at each configured width smaller than the original, read
        from ``source`` (the file being saved) or else from storage. If one fails, the
        copies already stored are deleted before the error goes on."""
        storage = self.file.storage
        stem = PurePosixPath(self.file.name or "image")
        original_file = source if source is not None else self.file
        made: dict[str, str] = {}
        try:
            with original_file.open("rb"), PILImage.open(original_file) as opened:
                original = for_the_web(upright(opened))
                for width in settings.WATCHWORTHY_IMAGE_WIDTHS:
                    if width >= original.width:
                        continue
                    height = round(original.height * width / original.width)
                    copy = original.resize((width, height), PILImage.Resampling.LANCZOS)
                    buffer = io.BytesIO()
                    copy.save(buffer, "WEBP", quality=82)
                    made[str(width)] = storage.save(
                        str(stem.with_name(f"{stem.stem}-{width}.webp")),
                        ContentFile(buffer.getvalue()),
                    )
        except BaseException:
            _delete_files(storage, made.values())
            raise
        return made

    @property
    def srcset(self) -> str:
        storage = self.file.storage
        entries = [
            f"{storage.url(name)} {width}w"
            for width, name in sorted(self.renditions.items(), key=lambda item: int(item[0]))
        ]
        entries.append(f"{self.file.url} {self.width}w")
        return ", ".join(entries)

    def html(self, *, alt: str = "", caption: str = "", as_figure: bool = True) -> SafeString:
        """The image as HTML: a <figure> with caption, or a bare responsive <img>."""
        rendered = render_to_string(
            "images/figure.html",
            {
                "image": self,
                "alt": alt or self.alt_text,
                "caption": caption if caption else self.caption,
                "as_figure": as_figure,
                "sizes": SIZES,
            },
        )
        return mark_safe(rendered.strip())  # noqa: S308 - our template, autoescaped


def _enqueue_renditions(image_id: int) -> None:
    from .tasks import make_renditions_later

    make_renditions_later.enqueue(image_id)


def _delete_files(storage: Storage, names: Iterable[str]) -> None:
    """Delete what a failed save wrote; a file that cannot be deleted is logged, so
    the error that caused the failure is the one that is raised."""
    for name in names:
        try:
            storage.delete(name)
        except Exception:  # OSError on a disk; botocore's errors on object storage
            logger.exception("Could not delete %s after a failed image save", name)
