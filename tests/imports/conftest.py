"""Helpers for the import tests: run an import from a file or from text, and read
back what it made in the same shape as ``independent.expected``."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from watchworthy.accounts.models import User
from watchworthy.discussion.models import Comment
from watchworthy.images.models import Image
from watchworthy.imports.disqus import disqus_import
from watchworthy.imports.models import ImportedObject, LegacyRedirect
from watchworthy.imports.wordpress import wordpress_import
from watchworthy.pages.models import Page
from watchworthy.reviews.models import Review, Tag


def import_path(path: Path, **options):
    with Path(path).open("rb") as stream:
        return wordpress_import(stream=stream, **options)


def import_disqus_path(path: Path, **options):
    with Path(path).open("rb") as stream:
        return disqus_import(stream=stream, **options)


@pytest.fixture
def write_file(tmp_path):
    """Write text (or bytes) to a file in tmp_path and return its path."""
    counter = iter(range(1_000_000))

    def write(content: str | bytes, *, name: str | None = None, encoding: str = "utf-8") -> Path:
        path = tmp_path / (name or f"export-{next(counter)}.xml")
        data = content.encode(encoding) if isinstance(content, str) else content
        path.write_bytes(data)
        return path

    return write


def everything() -> dict[str, int]:
    """How many rows of each kind an import can write."""
    return {
        "reviews": Review.objects.count(),
        "pages": Page.objects.count(),
        "comments": Comment.objects.count(),
        "users": User.objects.count(),
        "tags": Tag.objects.count(),
        "images": Image.objects.count(),
        "imported": ImportedObject.objects.count(),
        "redirects": LegacyRedirect.objects.count(),
    }


def imported_threads() -> Counter:
    """(review title, WordPress comment id, parent's WordPress id, status) per comment."""
    rows = list(
        ImportedObject.objects.filter(
            kind=ImportedObject.Kind.COMMENT, comment__isnull=False
        ).select_related("comment__review")
    )
    wp_of = {row.comment_id: row.data.get("wp_id", row.external_id) for row in rows}
    return Counter(
        (
            row.comment.review.title,
            wp_of[row.comment_id],
            wp_of.get(row.comment.parent_id),
            row.comment.status,
        )
        for row in rows
    )
