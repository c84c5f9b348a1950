"""The run of a WordPress import: one transaction, each record of the file to the
part that handles it (see the package docstring), and what is left for the end."""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO

from django.db import transaction

from watchworthy.core.changes import mark_changed_ids
from watchworthy.images.models import Image
from watchworthy.reviews.models import Review

from .. import wxr
from ..common import ImportFailed
from ..models import ImportedObject
from ..summary import ImportSummary
from ..xmlstream import StreamInfo, XMLImportError
from .attachments import Attachments
from .batch import Held, PostBatch
from .comments import CommentImport
from .items import ItemImport
from .people import People
from .posts import Pages, Posts
from .state import ImportState

Kind = ImportedObject.Kind
COVER_BATCH = 1000


class _DryRun(Exception):
    pass


def wordpress_import(
    *,
    stream: BinaryIO,
    uploads: Path | None = None,
    dry_run: bool = False,
    progress: Callable[[int], None] | None = None,
) -> ImportSummary:
    """Import a WXR file from ``stream``; return what was (or would be) done."""
    importer = WordPressImporter(uploads=uploads, dry_run=dry_run)
    return importer.run(stream, progress=progress)


class WordPressImporter:
    def __init__(self, *, uploads: Path | None = None, dry_run: bool = False) -> None:
        self.state = ImportState(
            summary=ImportSummary(dry_run=dry_run),
            dry_run=dry_run,
            uploads=Path(uploads).resolve() if uploads else None,
        )
        self.info = StreamInfo()
        self.saw_wxr = False
        self.people = People(self.state)
        self.items = ItemImport(self.state)
        self.posts = Posts(self.state, self.people)
        self.pages = Pages(self.state, self.people)
        self.attachments = Attachments(self.state, self.people)
        self.comments = CommentImport(self.state, self.people)
        self.batch = PostBatch(self.state, self.items, self.posts, self.comments, self.post_alone)

    @property
    def summary(self) -> ImportSummary:
        return self.state.summary

    # --- the run -----------------------------------------------------------------------

    def run(
        self, stream: BinaryIO, *, progress: Callable[[int], None] | None = None
    ) -> ImportSummary:
        current = "the file"
        try:
            with transaction.atomic():
                for record in wxr.read_wxr(stream, progress=progress, info=self.info):
                    current = self._describe(record)
                    self.handle(record)
                current = "finishing the import"
                self.finish()
                if self.state.dry_run:
                    raise _DryRun
        except _DryRun:
            pass
        except XMLImportError as error:
            self._discard_files()
            raise ImportFailed(f"Cannot read the export: {error}. Nothing was imported.") from error
        except ImportFailed:
            self._discard_files()
            raise
        except Exception as error:
            self._discard_files()
            current = self.batch.where or current
            raise ImportFailed(
                f"Import stopped at {current}: {type(error).__name__}: {error}. "
                "Nothing was imported."
            ) from error
        return self.summary

    @staticmethod
    def _describe(record: wxr.Record) -> str:
        if isinstance(record, wxr.Item):
            return record.describe()
        if isinstance(record, wxr.Author):
            return f"author “{record.login}” (line {record.line})"
        if isinstance(record, wxr.Term):
            return f"term “{record.name}” (line {record.line})"
        return f"<{record.name}> (line {record.line})"

    def _discard_files(self) -> None:
        """Uploaded copies are not part of the transaction: remove them by hand."""
        storage = Image._meta.get_field("file").storage
        for name in self.state.stored_files:
            # OSError on a disk, botocore's errors on object storage: the import's
            # own error is the one to report.
            with contextlib.suppress(Exception):
                storage.delete(name)
        self.state.stored_files.clear()

    # --- records ----------------------------------------------------------------------

    def handle(self, record: wxr.Record) -> None:
        if not (isinstance(record, wxr.Item) and record.post_type in ("post", "")):
            self.batch.flush()  # what comes next sees the posts before it written
        if isinstance(record, wxr.ChannelField):
            self.channel_field(record)
            return
        if not isinstance(record, wxr.Item) or record.has_wxr:
            self.saw_wxr = True
        if isinstance(record, wxr.Author):
            self.people.author(record)
        elif isinstance(record, wxr.Term):
            self.people.term(record)
        elif isinstance(record, wxr.Item):
            self.item(record)

    def channel_field(self, record: wxr.ChannelField) -> None:
        self.state.channel.setdefault(record.name, record.value)
        if record.name == "wxr_version":
            self.saw_wxr = True
            if record.value not in wxr.KNOWN_VERSIONS:
                self.summary.oddity("unknown wp:wxr_version (read as WXR 1.2)", f"“{record.value}”")

    def item(self, item: wxr.Item) -> None:
        post_type = item.post_type
        if not post_type:
            self.summary.oddity("item without wp:post_type (imported as a post)", item.describe())
            post_type = "post"
        if item.status == "auto-draft":
            self.summary.skipped["auto-drafts"] += 1
            return
        if post_type == "post":
            self.post(item)
        elif post_type == "page":
            self.page(item)
        elif post_type == "attachment":
            self.items.put(item, self.attachments)
        else:
            self.summary.skipped[f"“{post_type}” items"] += 1
            if item.comments:
                self.summary.skipped["comments on skipped items"] += len(item.comments)

    def post(self, item: wxr.Item) -> None:
        """Posts go through the batch (:mod:`.batch`)."""
        self.batch.add(item)

    def post_alone(self, held: Held, row: ImportedObject | None) -> None:
        """One post the batch does not write itself (see :mod:`.batch`)."""
        row = self.items.put(held.item, self.posts, found=(held.key, held.version, row))
        if row is not None and row.review_id is not None:
            self.summary.absorb(held.counted)
            self.comments.put(
                held.item, row.external_id, review_pk=row.review_id, incoming=held.incoming
            )

    def page(self, item: wxr.Item) -> None:
        if item.comments:
            self.summary.skipped["comments on pages (pages have no discussion)"] += len(
                item.comments
            )
        self.items.put(item, self.pages)

    # --- the end ----------------------------------------------------------------------

    def finish(self) -> None:
        self.batch.flush()
        if not self.saw_wxr:
            raise ImportFailed(
                "This is an RSS feed without WordPress (wp:) elements, not a WordPress "
                "export (WXR). Nothing was imported."
            )
        if "wxr_version" not in self.state.channel:
            self.summary.oddity(
                "no wp:wxr_version (WordPress's importer refuses such files; read as WXR 1.2 "
                "because the channel has wp: elements)"
            )
        for prefix, line in self.info.undeclared_prefixes.items():
            self.summary.oddity(
                "undeclared namespace prefix (elements using it were ignored)",
                f"“{prefix}:” first at line {line}",
            )
        self.comments.mark_redirects()
        assign_covers(self.state.ensure_source())


def assign_covers(source: str) -> None:
    """Featured images: the attachment may come after its post in the file, so each
    review without a cover gets its ``_thumbnail_id`` image at the end."""
    rows = ImportedObject.objects.filter(
        source=source, kind=Kind.POST, review__isnull=False, data__has_key="thumbnail"
    ).values_list("review_id", "data")
    batch: list[tuple[int, str]] = []
    for review_pk, data in rows.iterator(chunk_size=COVER_BATCH):
        batch.append((review_pk, str(data["thumbnail"])))
        if len(batch) >= COVER_BATCH:
            _assign_cover_batch(source, batch)
            batch = []
    if batch:
        _assign_cover_batch(source, batch)


def _assign_cover_batch(source: str, batch: list[tuple[int, str]]) -> None:
    images = dict(
        ImportedObject.objects.filter(
            source=source,
            kind=Kind.ATTACHMENT,
            external_id__in={thumb for _pk, thumb in batch},
            image__isnull=False,
        ).values_list("external_id", "image_id")
    )
    without_cover = set(
        Review.objects.filter(pk__in=[pk for pk, _t in batch], cover__isnull=True).values_list(
            "pk", flat=True
        )
    )
    covered = []
    for review_pk, thumb in batch:
        if review_pk in without_cover and thumb in images:
            Review.objects.filter(pk=review_pk).update(cover_id=images[thumb])
            covered.append(review_pk)
    mark_changed_ids(Review, covered)
