"""The one create-or-update routine for posts, pages and attachments.

Every item goes through :meth:`ItemImport.put` with its :class:`ItemKind`:

1. its id in the file (repeated ids get a suffix, missing ones are derived) and the
   digest of the item as it is now;
2. its import record, looked up on ``(source, kind, id)``:

   * a record whose review / page / image was deleted here: **kept deleted**;
   * a record with the same digest: **unchanged**, nothing is written;
   * otherwise the kind **writes** the item (creates or updates what it becomes), and
     the record is created or updated to the new digest;

3. the old addresses the kind names are saved as redirects to what it became.

What differs between kinds (the model written, when a record counts as deleted or
still current, what else is counted) lives in the kinds: :mod:`.posts` and
:mod:`.attachments`.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any, ClassVar

from django.db import models

from .. import wxr
from ..common import digest, legacy_keys, save_redirects
from ..models import ImportedObject
from .people import People
from .state import ImportState


def item_digest(item: wxr.Item) -> str:
    """What makes an item "changed": everything but its comments (they have their own)
    and its line in the file."""
    return digest({k: v for k, v in vars(item).items() if k not in ("comments", "line")})


# An item's key, digest and import record (None: new), as put() looks them up.
Found = tuple[str, str, ImportedObject | None]


@dataclass
class Written:
    """What a kind wrote for one item."""

    target: models.Model | None  # the review, page or image (None: a missing file)
    data: dict[str, Any]  # kept in the import record's ``data``
    redirects: list[tuple[str, int]] = field(default_factory=list)  # (old path, priority)


class ItemKind:
    """What one kind of item becomes. Subclasses name the kind and :meth:`write` it;
    the other hooks have the defaults posts and pages need."""

    kind: ClassVar[str]  # an ImportedObject.Kind; also the summary's label
    target: ClassVar[str]  # the ImportedObject field naming what the item became
    refresh_link: ClassVar[bool] = False  # whether an update rewrites the record's link

    def __init__(self, state: ImportState, people: People) -> None:
        self.state = state
        self.people = people

    def deleted_here(self, row: ImportedObject) -> bool:
        """Whether what the item became was deleted on this site since."""
        return getattr(row, f"{self.target}_id") is None

    def keep_deleted(self, item: wxr.Item) -> None:
        """Count what is left out along with an item deleted here."""

    def still_current(self, row: ImportedObject) -> bool:
        """Whether an item with an unchanged digest really needs nothing."""
        return True

    def keep_unchanged(self, item: wxr.Item, row: ImportedObject) -> None:
        """Count an unchanged item beyond the "unchanged" count."""

    def write(self, item: wxr.Item, key: str, row: ImportedObject | None) -> Written:
        """Create (``row`` is None) or update what ``item`` becomes."""
        raise NotImplementedError


class ItemImport:
    def __init__(self, state: ImportState) -> None:
        self.state = state
        # Item ids seen in this file, per kind: hand-edited exports repeat ids.
        self.seen: dict[str, Counter[str]] = {}

    def put(
        self, item: wxr.Item, kind: ItemKind, *, found: Found | None = None
    ) -> ImportedObject | None:
        """Create or update what ``item`` becomes. Returns its import record, or None
        when what it became was deleted here. ``found``: its key, digest and record,
        when the caller has looked them up already (see :mod:`.batch`)."""
        summary = self.state.summary
        if found is None:
            key = self.key(item, kind.kind)
            version = item_digest(item)
            row = self.state.row(kind.kind, key)
        else:
            key, version, row = found
        if row is not None and kind.deleted_here(row):
            summary.count(kind.kind, "kept deleted")
            kind.keep_deleted(item)
            return None
        if row is not None and row.digest == version and kind.still_current(row):
            summary.count(kind.kind, "unchanged")
            kind.keep_unchanged(item, row)
            return row
        written = kind.write(item, key, row)
        row = self._record(kind, item, key, row, version, written)
        if written.target is not None:
            save_redirects(
                written.redirects,
                target={kind.target: written.target},
                source=self.state.source,
                summary=summary,
            )
        return row

    def _record(
        self,
        kind: ItemKind,
        item: wxr.Item,
        key: str,
        row: ImportedObject | None,
        version: str,
        written: Written,
    ) -> ImportedObject:
        if row is None:
            row = self.state.new_row(
                kind.kind,
                key,
                link=item.link[:1000],
                digest=version,
                data=written.data,
                **{kind.target: written.target},
            )
            self.state.summary.count(kind.kind, "created")
            return row
        setattr(row, kind.target, written.target)
        row.digest, row.data, row.updated_at = version, written.data, self.state.now
        fields = [kind.target, "digest", "data", "updated_at"]
        if kind.refresh_link:
            row.link = item.link[:1000]
            fields.append("link")
        row.save(update_fields=fields)
        self.state.summary.count(kind.kind, "updated")
        return row

    # --- ids --------------------------------------------------------------------------

    def key(self, item: wxr.Item, kind: str) -> str:
        """The item's id in the file; the second copy of an id gets ``#2``."""
        key = self._key(item)
        seen = self.seen.setdefault(kind, Counter())
        seen[key] += 1
        if seen[key] > 1:
            self.state.summary.oddity(
                "item id repeated in the file (each copy imported under its own id)",
                item.describe(),
            )
            key = f"{key}#{seen[key]}"
        return key

    def _key(self, item: wxr.Item) -> str:
        if item.post_id:
            return item.post_id
        summary = self.state.summary
        for url in (item.guid, item.link):
            keys = legacy_keys(url)
            if keys and keys[0].startswith("?p="):
                summary.oddity("item without wp:post_id (id taken from its ?p= link)")
                return keys[0][3:]
        summary.oddity("item without wp:post_id (keyed on its guid, link or content)")
        if item.guid:
            return f"guid:{item.guid}"[:300]
        if item.link:
            return f"link:{item.link}"[:300]
        return "hash:" + digest([item.title, item.content, item.post_date])
