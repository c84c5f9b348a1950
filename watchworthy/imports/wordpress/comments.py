"""An imported post's comments: kept ids, threads, numbers and old links.

For each post, :meth:`CommentImport.put` takes the item's comments (pingbacks and
trackbacks are skipped and counted) and, against their import records:

* leaves alone a comment deleted here, or one whose digest is unchanged;
* fills new and changed ones from the export (status, date, author, the author
  badge for the post's own author, cleaned body);
* gives a new comment its WordPress ``comment_ID`` as primary key when that id is
  free, so old ``#comment-123`` anchors land on it (on PostgreSQL the id sequence is
  moved past the imported ids);
* threads the whole item's comments (:func:`watchworthy.imports.threads.arrange`)
  and numbers the new approved top-level ones after the review's existing numbers
  (:func:`watchworthy.imports.threads.number`, the one numbering rule);
* writes with bulk inserts and updates, and marks every comment it wrote for
  :mod:`watchworthy.core.changes`;
* maps ``?replytocom=ID`` to the comment, and refreshes the review's comment count.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.core.management.color import no_style
from django.db import connection

from watchworthy.core.changes import mark_changed_ids
from watchworthy.discussion.models import Comment
from watchworthy.discussion.numbering import ThreadKey
from watchworthy.discussion.services import refresh_comment_counts, store_headers
from watchworthy.reviews.models import Review

from .. import threads, wxr
from ..common import digest, parse_wp_date, safe_url, valid_ip
from ..content import clean_comment_html
from ..models import ImportedObject, LegacyRedirect
from ..summary import ImportSummary
from .people import People
from .state import ImportState

Kind = ImportedObject.Kind
BATCH = 500
COMMENT_STATUS = {
    "1": Comment.Status.APPROVED,
    "approve": Comment.Status.APPROVED,
    "approved": Comment.Status.APPROVED,
    "0": Comment.Status.PENDING,
    "hold": Comment.Status.PENDING,
    "spam": Comment.Status.SPAM,
    "trash": Comment.Status.TRASH,
    "post-trashed": Comment.Status.TRASH,
}
COMMENT_TYPES = {"", "comment"}
LINKBACK_TYPES = {"pingback", "trackback", "linkback"}
REMOVED_META = "_watchworthy_removed"
# What an update of a changed comment rewrites; a thread change rewrites TREE_FIELDS.
COMMENT_FIELDS = [
    "parent", "path", "depth", "number", "user", "author_name", "author_email",
    "author_url", "ip_address", "body", "body_html", "status", "is_removed",
    "created_at", "approved_at",
]  # fmt: skip
TREE_FIELDS = ["parent", "path", "depth", "number"]


@dataclass
class Incoming:
    """One comment of an item on its way in."""

    source: wxr.Comment
    key: str  # external id
    parent_key: str
    digest: str
    tree_key: str = ""  # how replies in this item refer to it
    row: ImportedObject | None = None
    obj: Comment | None = None

    @property
    def comment(self) -> Comment:
        assert self.obj is not None, "only for comments being written"
        return self.obj


@dataclass(frozen=True)
class PostContext:
    """What a comment needs to know about its review."""

    published_at: datetime | None
    author_pk: int | None
    author_email: str  # lower-cased


class CommentImport:
    def __init__(self, state: ImportState, people: People) -> None:
        self.state = state
        self.people = people
        # (old path, comment pk) of ?replytocom= redirects inserted but not marked yet:
        # an insert that ignores conflicts returns no ids, so they are read back in
        # batches (see mark_redirects()).
        self.unmarked: list[tuple[str, int]] = []

    def put(
        self,
        item: wxr.Item,
        post_key: str,
        *,
        review_pk: int,
        incoming: list[Incoming] | None = None,
    ) -> None:
        """Import the comments of ``item``, the post imported as ``review_pk``.
        ``incoming``: what :meth:`incoming` already read from the item."""
        if incoming is None:
            incoming = self.incoming(item, post_key)
        elif incoming:
            self.find_rows(item, post_key, incoming)
        if not incoming:
            return
        fresh, dirty = self._fill(incoming, review_pk)
        inserted = self._create(fresh)
        tree_changed = self.thread(item, incoming)
        if fresh and not inserted:
            # Every new comment kept its WordPress id: one insert, paths and all.
            Comment.objects.bulk_create([c.comment for c in fresh], batch_size=BATCH)
            _reset_sequence()
            for c in fresh:
                tree_changed.pop(id(c.comment), None)
        Comment.objects.bulk_update(list(dirty.values()), COMMENT_FIELDS, batch_size=BATCH)
        Comment.objects.bulk_update(
            [obj for key, obj in tree_changed.items() if key not in dirty],
            TREE_FIELDS,
            batch_size=BATCH,
        )
        written = [c.comment for c in fresh] + list(dirty.values()) + list(tree_changed.values())
        mark_changed_ids(Comment, [comment.pk for comment in written])
        store_headers(written)  # the thread's header of each (numbers, names, dates)
        self._record(incoming, fresh, post_key)
        self._redirects(fresh)
        if fresh or dirty or tree_changed:
            refresh_comment_counts([review_pk])

    # --- what comes in ----------------------------------------------------------------

    def incoming(
        self, item: wxr.Item, post_key: str, *, summary: ImportSummary | None = None
    ) -> list[Incoming]:
        """The item's comments to import (linkbacks skipped), with their import rows.
        Given a ``summary`` of its own, it counts there and leaves :meth:`find_rows`
        (which reads the database) to the caller."""
        rows = summary is None
        summary = self.state.summary if summary is None else summary
        incoming: list[Incoming] = []
        seen: set[str] = set()
        for source in item.comments:
            kind = source.type.strip().lower()
            if kind in LINKBACK_TYPES:
                summary.skipped["pingbacks and trackbacks"] += 1
                continue
            if kind not in COMMENT_TYPES:
                summary.skipped[f"comments of type “{kind}”"] += 1
                continue
            key = source.comment_id or "hash:" + digest(
                [source.author, source.date_gmt, source.date, source.content]
            )
            tree_key = key
            if key in seen:
                summary.oddity("comment id repeated within one item", f"id {key}")
                key = tree_key = f"{post_key}:{key}:{len(seen)}"
            seen.add(key)
            parent = source.parent if source.parent not in ("", "0") else ""
            incoming.append(Incoming(source, key, parent, digest(source), tree_key))
        if incoming and rows:
            self.find_rows(item, post_key, incoming)
        return incoming

    def find_rows(self, item: wxr.Item, post_key: str, incoming: list[Incoming]) -> None:
        """Give each incoming comment its import row. The same comment id under two
        items (hand-merged exports): the later one is kept under an id scoped to its
        item."""
        rows = self._rows([c.key for c in incoming])
        clashes = [c for c in incoming if c.key in rows and rows[c.key].container_id != post_key]
        for c in clashes:
            self.state.summary.oddity(
                "comment id used under two items (the second kept under its own id)",
                f"id {c.key} in {item.describe()}",
            )
            c.key = f"{post_key}:{c.key}"
        if clashes:
            rows.update(self._rows([c.key for c in clashes]))
        for c in incoming:
            c.row = rows.get(c.key)

    def _rows(self, keys: list[str]) -> dict[str, ImportedObject]:
        return {
            row.external_id: row
            for row in ImportedObject.objects.filter(
                source=self.state.ensure_source(), kind=Kind.COMMENT, external_id__in=keys
            )
        }

    def _fill(
        self, incoming: list[Incoming], review_pk: int
    ) -> tuple[list[Incoming], dict[int, Comment]]:
        """Fill the new and changed comments from the export. Returns the new ones and
        the changed existing ones (by ``id()``); the others are counted and left."""
        summary = self.state.summary
        existing = Comment.objects.in_bulk(
            [c.row.comment_id for c in incoming if c.row and c.row.comment_id]
        )
        context: PostContext | None = None
        dirty: dict[int, Comment] = {}
        fresh: list[Incoming] = []
        for c in incoming:
            if c.row is not None and c.row.comment_id is None:
                summary.count("comment", "kept deleted")
                continue
            if c.row is not None:
                c.obj = existing.get(c.row.comment_id)
                if c.obj is None:  # pragma: no cover - the FK is SET_NULL on delete
                    continue
                if c.row.digest == c.digest:
                    summary.count("comment", "unchanged")
                    continue
                summary.count("comment", "updated")
                dirty[id(c.obj)] = c.obj
            else:
                c.obj = Comment(review_id=review_pk)
                fresh.append(c)
                summary.count("comment", "created")
            context = context or _post_context(review_pk)
            self.fill_comment(c.obj, c.source, context)
        return fresh, dirty

    def fill_comment(self, comment: Comment, source: wxr.Comment, post: PostContext) -> None:
        comment.status = self._status(source)
        created = parse_wp_date(source.date_gmt) or parse_wp_date(source.date)
        if created is None:
            self.state.summary.oddity("comment without a date (dated like its post)")
            created = post.published_at or self.state.now
        user_pk = (
            self.people.author_ids.get(source.user_id) if source.user_id not in ("", "0") else None
        )
        email = source.author_email.strip()
        if email and post.author_email and email.lower() == post.author_email:
            user_pk = post.author_pk  # the post's author answering: keeps the author badge
        comment.user_id = user_pk
        comment.author_name = (source.author.strip() or "Anonymous")[:80]
        comment.author_email = email[:254]
        comment.author_url = safe_url(source.author_url)
        comment.ip_address = valid_ip(source.author_ip)
        comment.body = source.content
        comment.body_html = clean_comment_html(source.content)
        comment.is_removed = source.meta.get(REMOVED_META, "").strip() == "1"
        comment.created_at = created
        comment.approved_at = created if comment.status == Comment.Status.APPROVED else None

    def _status(self, source: wxr.Comment) -> str:
        status = COMMENT_STATUS.get((source.approved or "").strip().lower())
        if status is not None:
            return status
        if source.approved is None:
            self.state.summary.oddity("comment without comment_approved (held for moderation)")
        else:
            self.state.summary.oddity(
                "unknown comment status (held for moderation)", f"“{source.approved}”"
            )
        return Comment.Status.PENDING

    # --- writing ----------------------------------------------------------------------

    def _create(self, fresh: list[Incoming]) -> bool:
        """Give new comments their WordPress id as primary key when it is free, so old
        ``#comment-123`` links land on the same comment. When every one of them could
        keep its id, return False: the caller inserts them once their paths are known.
        Otherwise insert them now (their paths follow as an update) and return True."""
        if not fresh:
            return False
        wanted = {
            int(c.source.comment_id): c
            for c in fresh
            if c.source.comment_id.isdigit()
            and c.key == c.source.comment_id
            and 0 < int(c.source.comment_id) < 10**9
        }
        taken = set(Comment.objects.filter(pk__in=wanted).values_list("pk", flat=True))
        for pk, c in wanted.items():
            if pk in taken:
                self.state.summary.oddity(
                    "comment id already used on this site (a new id was given, so its old "
                    "#comment- anchor does not match)",
                    f"id {pk}",
                )
            else:
                c.comment.pk = pk
        with_pk = [c.comment for c in fresh if c.comment.pk is not None]
        without_pk = [c.comment for c in fresh if c.comment.pk is None]
        if not without_pk:
            return False
        if with_pk:
            Comment.objects.bulk_create(with_pk, batch_size=BATCH)
            _reset_sequence()  # PostgreSQL: the next generated id comes after these
        Comment.objects.bulk_create(without_pk, batch_size=BATCH)
        return True

    def thread(
        self, item: wxr.Item, incoming: list[Incoming], *, last: dict[ThreadKey, int] | None = None
    ) -> dict[int, Comment]:
        """Arrange and number the item's comments; count them by status. Returns the
        comments whose place in the thread changed (by ``id()``). ``last``: as for
        :func:`watchworthy.imports.threads.number`."""
        live = [c for c in incoming if c.obj is not None]
        nodes = [threads.Node(c.tree_key, c.parent_key, c.comment) for c in live]
        changed = {
            id(comment): comment
            for comment in threads.arrange(
                nodes,
                summary=self.state.summary,
                where=lambda n: f"comment {n.key} in {item.describe()}",
            )
        }
        comments = [c.comment for c in live]
        for comment in comments:
            self.state.summary.comments_by_status[comment.status] += 1
        for comment in threads.number(comments, last=last):
            changed[id(comment)] = comment
        return changed

    def _record(self, incoming: list[Incoming], fresh: list[Incoming], post_key: str) -> None:
        """Create the import rows of new comments; move changed ones to their digest."""
        ImportedObject.objects.bulk_create(
            [ImportedObject(**row) for row in self.new_rows(fresh, post_key)], batch_size=BATCH
        )
        updated_rows = []
        for c in incoming:
            if c.row is not None and c.obj is not None and c.row.digest != c.digest:
                c.row.digest, c.row.updated_at = c.digest, self.state.now
                c.row.parent_external_id = c.parent_key
                updated_rows.append(c.row)
        ImportedObject.objects.bulk_update(
            updated_rows, ["digest", "parent_external_id", "updated_at"], batch_size=BATCH
        )

    def new_rows(self, fresh: list[Incoming], post_key: str) -> list[dict[str, Any]]:
        """The import records of new comments (which have their ids), as field values."""
        source_key = self.state.ensure_source()
        return [
            {
                "source": source_key,
                "kind": Kind.COMMENT,
                "external_id": c.key,
                "comment_id": c.comment.pk,
                "container_id": post_key,
                "parent_external_id": c.parent_key,
                "digest": c.digest,
                "data": {"wp_id": c.source.comment_id} if c.key != c.source.comment_id else {},
            }
            for c in fresh
        ]

    def _redirects(self, fresh: list[Incoming]) -> None:
        """``?replytocom=ID`` → the new comments that kept their WordPress id."""
        redirects = [
            LegacyRedirect(
                old_path=f"?replytocom={int(c.source.comment_id)}",
                comment=c.obj,
                source=self.state.ensure_source(),
            )
            for c in fresh
            if c.source.comment_id.isdigit() and c.key == c.source.comment_id
        ]
        if not redirects:
            return
        # A ?replytocom= key another import already claimed keeps its first owner.
        LegacyRedirect.objects.bulk_create(redirects, batch_size=BATCH, ignore_conflicts=True)
        self.state.summary.redirects += len(redirects)
        self.unmarked += [(r.old_path, r.comment_id) for r in redirects if r.comment_id]
        if len(self.unmarked) >= BATCH:
            self.mark_redirects()

    def mark_redirects(self) -> None:
        """Mark the ``?replytocom=`` redirects inserted since the last call (the
        importer calls it once more at the end). A key another import had claimed
        stays with its first owner and is not marked."""
        pending, self.unmarked = self.unmarked, []
        for start in range(0, len(pending), BATCH):
            wanted = set(pending[start : start + BATCH])
            found = LegacyRedirect.objects.filter(
                old_path__in=[path for path, _comment in wanted]
            ).values_list("pk", "old_path", "comment_id")
            mark_changed_ids(
                LegacyRedirect, [pk for pk, path, comment in found if (path, comment) in wanted]
            )


def _post_context(review_pk: int) -> PostContext:
    published_at, author_pk, email = (
        Review.objects.filter(pk=review_pk)
        .values_list("published_at", "author_id", "author__email")
        .get()
    )
    return PostContext(published_at, author_pk, (email or "").lower())


def _reset_sequence() -> None:
    """PostgreSQL: move the comment id sequence past ids inserted explicitly."""
    statements = connection.ops.sequence_reset_sql(no_style(), [Comment])
    if statements:
        with connection.cursor() as cursor:
            for sql in statements:
                cursor.execute(sql)
