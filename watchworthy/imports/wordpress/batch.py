"""Posts written in batches: the same rows as one post at a time, in a few queries.

A fresh import is mostly new posts whose comments all keep their WordPress ids. Done
one by one (:meth:`ItemImport.put`, :meth:`CommentImport.put`) each such post costs
about twenty queries; here a run of them costs about twenty in all:

1. up to :data:`MAX_POSTS` posts (or :data:`MAX_COMMENTS` comments) are held;
2. one query each finds their import records, their comments' records, the comment
   ids already taken and the slugs already used;
3. walking the posts in file order, a **new** post whose comments are all new and
   keep their ids is *prepared* in memory (review, tags, comments, counts — the same
   code as the one-by-one path, so the same summary and oddities); any other post
   (known before, deleted here, a comment without a usable id…) is handed to the
   one-by-one path, after the prepared ones before it are written, and the walk
   looks things up again after it;
4. the prepared posts are written with one bulk insert per table: reviews, their
   tags, comments (threaded, numbered from 1, headers rendered — their ids are known
   beforehand), import records, and every old address through
   :class:`~watchworthy.imports.common.RedirectClaims`, which settles the claims in
   file order as the one-by-one saves did.

Everything written is marked for :mod:`watchworthy.core.changes` as the saves mark
it. Only a batch is in memory, so memory stays flat however long the file is.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth import get_user_model
from django.db import connection
from django.db.models.base import ModelState

from watchworthy.core.changes import mark_changed_ids
from watchworthy.discussion import header
from watchworthy.discussion.models import Comment
from watchworthy.reviews.models import Review, Tag

from .. import wxr
from ..common import RedirectClaims, insert_rows, unique_slug
from ..models import ImportedObject
from ..summary import ImportSummary
from .comments import BATCH, CommentImport, Incoming, PostContext, _reset_sequence
from .items import ItemImport, item_digest
from .posts import Posts
from .state import ImportState

Kind = ImportedObject.Kind
MAX_POSTS = 200
MAX_COMMENTS = 4000
MAX_ID = 10**9
SLUG_LENGTH = 200  # Review.slug


@dataclass
class Held:
    """A post waiting in the batch, with what is known of it from the file. Its
    comments were read against a summary of their own (``counted``), added to the
    run's summary when the comments are imported (not for a post deleted here)."""

    item: wxr.Item
    key: str
    version: str
    incoming: list[Incoming]
    counted: ImportSummary


@dataclass
class Prepared:
    """A new post ready to be written."""

    held: Held
    review: Review
    tag_ids: list[int]


@dataclass
class Lookups:
    """What the database already has for a run of held posts, and what the prepared
    posts of the run have claimed since."""

    rows: dict[str, ImportedObject]  # post key → import record
    comment_keys: set[str]  # comment keys with an import record
    taken: set[int]  # comment ids in use
    slugs: set[str]  # review slugs in use among the ones wanted
    claimed_slugs: set[str] = field(default_factory=set)
    claimed_comments: set[str] = field(default_factory=set)


# The one-by-one path: a held post and its import record (None: new).
OneByOne = Callable[[Held, ImportedObject | None], None]


class PostBatch:
    def __init__(
        self,
        state: ImportState,
        items: ItemImport,
        posts: Posts,
        comments: CommentImport,
        one_by_one: OneByOne,
    ) -> None:
        self.state = state
        self.items = items
        self.posts = posts
        self.comments = comments
        self.one_by_one = one_by_one
        self.held: list[Held] = []
        self.size = 0
        self.where = ""  # the item being handled, for an error message
        self.emails: dict[int, str] = {}  # author pk → lower-cased e-mail, per run
        self.blank = BlankComment()

    def add(self, item: wxr.Item) -> None:
        key = self.items.key(item, Kind.POST)
        counted = ImportSummary()
        incoming = self.comments.incoming(item, key, summary=counted)
        self.held.append(Held(item, key, item_digest(item), incoming, counted))
        self.size += 1 + len(incoming)
        if len(self.held) >= MAX_POSTS or self.size >= MAX_COMMENTS:
            self.flush()

    def flush(self) -> None:
        held, self.held, self.size = self.held, [], 0
        while held:
            held = self._walk(held)
        self.where = ""
        self.emails.clear()

    def _walk(self, held: list[Held]) -> list[Held]:
        """Prepare the new posts in order and hand the others to the one-by-one path
        (writing the prepared ones first). Once that path has written, what was looked
        up may be stale: the posts from the next new one on are returned, to be
        looked up again."""
        found = self._lookups(held)
        prepared: list[Prepared] = []
        stale = False
        for n, one in enumerate(held):
            self.where = one.item.describe()
            known = one.key in found.rows
            if not known and stale:
                return held[n:]
            if not known and self._is_simple(one, found):
                prepared.append(self._prepare(one, found))
                continue
            self._write(prepared)
            prepared = []
            self.where = one.item.describe()
            self.one_by_one(one, found.rows.get(one.key))
            stale = True
        self._write(prepared)
        return []

    def _lookups(self, held: list[Held]) -> Lookups:
        source = self.state.ensure_source()
        rows = ImportedObject.objects.filter(
            source=source, kind=Kind.POST, external_id__in=[h.key for h in held]
        )
        comment_keys = ImportedObject.objects.filter(
            source=source,
            kind=Kind.COMMENT,
            external_id__in={c.key for h in held for c in h.incoming},
        ).values_list("external_id", flat=True)
        wanted = {int(c.key) for h in held for c in h.incoming if _keeps_id(c)}
        taken = Comment.objects.filter(pk__in=wanted).values_list("pk", flat=True)
        slugs = {self.posts.slug_for(h.item, h.key)[:SLUG_LENGTH] for h in held}
        used = Review.objects.filter(slug__in=slugs).values_list("slug", flat=True)
        return Lookups(
            {row.external_id: row for row in rows}, set(comment_keys), set(taken), set(used)
        )

    def _is_simple(self, one: Held, found: Lookups) -> bool:
        """Whether a new post's comments are all new and keep their WordPress ids."""
        for c in one.incoming:
            if c.key in found.comment_keys or c.key in found.claimed_comments:
                return False  # known, or a clash the one-by-one path reports
            if not _keeps_id(c) or int(c.key) in found.taken:
                return False
        return True

    def _prepare(self, one: Held, found: Lookups) -> Prepared:
        """The review and comments of a new post, in memory, as the one-by-one path
        would make them (and with the same summary counts and oddities)."""
        fields, base = self.posts.fields(one.item, one.key)
        slug = base[:SLUG_LENGTH]
        if slug in found.slugs or slug in found.claimed_slugs:
            slug = unique_slug(Review, base, claimed=found.claimed_slugs)
        found.claimed_slugs.add(slug)
        review = self.posts.new_review(slug, fields)
        tag_ids = self.posts.people.tag_ids(one.item)
        context = PostContext(review.published_at, review.author_id, self._email(review))
        summary = self.state.summary
        summary.absorb(one.counted)
        for c in one.incoming:
            c.obj = self.blank(int(c.key))
            summary.count("comment", "created")
            self.comments.fill_comment(c.obj, c.source, context)
            found.claimed_comments.add(c.key)
        review.approved_comment_count = sum(
            1 for c in one.incoming if c.comment.status == Comment.Status.APPROVED
            and not c.comment.is_removed
        )  # fmt: skip
        return Prepared(one, review, tag_ids)

    def _email(self, review: Review) -> str:
        """The review author's e-mail, lower-cased (a comment with it gets the badge)."""
        if review.author_id not in self.emails:
            users = get_user_model().objects.filter(pk=review.author_id)
            self.emails[review.author_id] = (
                users.values_list("email", flat=True).get() or ""
            ).lower()
        return self.emails[review.author_id]

    # --- writing ----------------------------------------------------------------------

    def _write(self, prepared: list[Prepared]) -> None:
        if not prepared:
            return
        first, last = prepared[0].held.item, prepared[-1].held.item
        self.where = f"{first.describe()} to {last.describe()}"
        reviews = [p.review for p in prepared]
        if connection.features.can_return_rows_from_bulk_insert:
            Review.objects.bulk_create(reviews, batch_size=BATCH)
        else:  # SQLite before 3.35 gives no ids back: one insert each
            for review in reviews:
                review.save()
        mark_changed_ids(Review, [r.pk for r in reviews])
        self._tags(prepared)
        written = self._records(prepared)
        self._comments(prepared)
        # Old addresses in file order: a post's own, then its comments' ?replytocom=.
        claims = RedirectClaims(source=self.state.source, summary=self.state.summary)
        for p, redirects in zip(prepared, written, strict=True):
            claims.item(redirects, target={"review": p.review})
            for c in p.held.incoming:
                if c.source.comment_id.isdigit():
                    claims.first_owner(f"?replytocom={int(c.source.comment_id)}", c.comment)
        claims.save()

    def _tags(self, prepared: list[Prepared]) -> None:
        through = Review.tags.through
        links = [
            through(review_id=p.review.pk, tag_id=tag_pk) for p in prepared for tag_pk in p.tag_ids
        ]
        through.objects.bulk_create(links, batch_size=BATCH)
        mark_changed_ids(Tag, {link.tag_id for link in links})

    def _records(self, prepared: list[Prepared]) -> list[list[tuple[str, int]]]:
        """Insert the posts' import records; return each post's old addresses."""
        rows = []
        redirects = []
        for p in prepared:
            item, key = p.held.item, p.held.key
            written = self.posts.written(item, key, p.review)
            rows.append(
                {
                    "source": self.state.source, "kind": Kind.POST, "external_id": key,
                    "link": item.link[:1000], "digest": p.held.version, "data": written.data,
                    "review_id": p.review.pk,
                }
            )  # fmt: skip
            self.state.summary.count(Kind.POST, "created")
            redirects.append(written.redirects)
        insert_rows(ImportedObject, rows)
        return redirects

    def _comments(self, prepared: list[Prepared]) -> None:
        """Thread, number and render the new comments, then insert them and their
        import records."""
        comments: list[Comment] = []
        records: list[dict[str, Any]] = []
        dates = header.Dates()
        with_top_level: list[Review] = []
        for p in prepared:
            if not p.held.incoming:
                continue
            for c in p.held.incoming:
                c.comment.review = p.review
            self.comments.thread(p.held.item, p.held.incoming, last={(p.review.pk, None): 0})
            for c in p.held.incoming:
                c.comment.refresh_header(dates)
                comments.append(c.comment)
            records += self.comments.new_rows(p.held.incoming, p.held.key)
            # (known once threaded: the review's row is already in, so stored after)
            p.review.top_level_count = sum(
                1 for c in p.held.incoming if c.comment.status == Comment.Status.APPROVED
                and c.comment.parent_id is None
            )  # fmt: skip
            if p.review.top_level_count:
                with_top_level.append(p.review)
        if with_top_level:
            Review.objects.bulk_update(with_top_level, ["top_level_count"], batch_size=BATCH)
        if comments:
            insert_rows(Comment, [vars(c) for c in comments])
            _reset_sequence()
            mark_changed_ids(Comment, [c.pk for c in comments])
            insert_rows(ImportedObject, records)


class BlankComment:
    """New, unsaved ``Comment`` objects for the batch, at a thirtieth of the cost of
    ``Comment(pk=...)`` (whose field-by-field set-up was a tenth of an import): each
    starts as a copy of the attributes a bare ``Comment()`` has, with a state of its
    own. Every default of Comment is a constant except ``created_at`` (now), which
    :meth:`CommentImport.fill_comment` always sets; Comment has no ``post_init``
    receiver that ``Comment()`` would have run (tests/imports/test_batch_objects.py)."""

    def __init__(self) -> None:
        self.values = {k: v for k, v in vars(Comment()).items() if k != "_state"}

    def __call__(self, pk: int) -> Comment:
        comment = Comment.__new__(Comment)
        comment.__dict__.update(self.values)
        comment._state = ModelState()
        comment.pk = pk
        return comment


def _keeps_id(c: Incoming) -> bool:
    """Whether a new comment would ask for its WordPress id as primary key."""
    cid = c.source.comment_id
    return cid.isdigit() and c.key == cid and 0 < int(cid) < MAX_ID
