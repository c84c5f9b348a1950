"""Import a Disqus export (``<disqus>`` XML) as comments on imported reviews.

A Disqus export lists ``<category>``, then every ``<thread>`` (one per page that had
comments: its ``<link>`` and the ``<id>`` identifier the embed code used), then every
``<post>`` (a comment, naming its thread and, for replies, its parent by ``dsq:id``).

Threads are matched to reviews, first hit wins:

1. the identifier as the Disqus WordPress plugin writes it, ``"123 http://…?p=123"``
   or ``"123"``: the WordPress post id of an imported post;
2. the link, exactly, against the permalinks recorded by the WordPress import;
3. the link's path, through the legacy redirects (``/2013/02/12/slug/``, ``?p=12``);
4. the link's path as an address of this site (``/reviews/slug/``).

Posts become comments: ``isSpam`` → spam, ``isDeleted`` → a removed tombstone (so
replies keep their place), replies threaded by their parent's ``dsq:id``. Threads
that match nothing and posts whose thread is not in the file are listed, not
imported. Idempotent like the WordPress import: keyed on ``dsq:id`` per forum.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import BinaryIO
from urllib.parse import urlsplit

from django.db import transaction
from django.urls import Resolver404, resolve
from django.utils import timezone

from watchworthy.core.changes import mark_changed_ids
from watchworthy.discussion.models import Comment
from watchworthy.discussion.services import refresh_comment_counts, store_headers
from watchworthy.reviews.models import Review

from . import threads
from .common import ImportFailed, digest, parse_iso, path_candidates, valid_ip
from .content import clean_comment_html
from .models import ImportedObject, LegacyRedirect
from .summary import ImportSummary
from .xmlstream import Element, StreamInfo, XMLImportError, iter_elements

DISQUS = frozenset({"http://disqus.com", "https://disqus.com", ""})
DSQ = "http://disqus.com/disqus-internals"
BATCH = 500
Kind = ImportedObject.Kind
# What an update of a changed post rewrites (its place in the thread follows at the end).
UPDATED_FIELDS = [
    "user", "author_name", "author_email", "ip_address", "body", "body_html",
    "status", "is_removed", "created_at", "approved_at",
]  # fmt: skip


class _DryRun(Exception):
    pass


@dataclass
class Thread:
    dsq_id: str
    identifier: str
    link: str
    title: str
    review_pk: int | None = None
    posts: int = 0


@dataclass
class Post:
    dsq_id: str
    thread: str
    parent: str
    message: str
    created: str
    is_deleted: bool
    is_spam: bool
    is_approved: bool
    name: str
    email: str
    ip: str
    line: int


def _dsq_id(element: Element | None) -> str:
    return element.attr("id", DSQ).strip() if element is not None else ""


def _flag(element: Element, name: str, default: bool = False) -> bool:
    value = element.child_text(DISQUS, name).lower()
    return default if not value else value == "true"


def _check_root(ns: str, name: str, line: int) -> None:
    if name != "disqus" or ns not in DISQUS:
        raise XMLImportError(
            f"this is not a Disqus export: the root element is <{name}>, expected <disqus>",
            line,
        )


def parse_post(element: Element) -> Post:
    author = element.first(DISQUS, "author")
    return Post(
        dsq_id=_dsq_id(element),
        thread=_dsq_id(element.first(DISQUS, "thread")),
        parent=_dsq_id(element.first(DISQUS, "parent")),
        message=element.child_text(DISQUS, "message"),
        created=element.child_text(DISQUS, "createdAt"),
        is_deleted=_flag(element, "isDeleted"),
        is_spam=_flag(element, "isSpam"),
        is_approved=_flag(element, "isApproved", default=True),
        name=author.child_text(DISQUS, "name") if author is not None else "",
        email=author.child_text(DISQUS, "email") if author is not None else "",
        ip=element.child_text(DISQUS, "ipAddress"),
        line=element.line,
    )


def disqus_import(
    *,
    stream: BinaryIO,
    dry_run: bool = False,
    progress: Callable[[int], None] | None = None,
) -> ImportSummary:
    return DisqusImporter(dry_run=dry_run).run(stream, progress=progress)


class DisqusImporter:
    def __init__(self, *, dry_run: bool = False):
        self.dry_run = dry_run
        self.summary = ImportSummary(dry_run=dry_run, disqus=True)
        self.source = ""
        self.threads: dict[str, Thread] = {}
        self.pending: list[Post] = []
        self.orphans: dict[str, int] = {}  # missing thread id → posts
        self.reviews: set[int] = set()
        self.info = StreamInfo()

    def run(
        self, stream: BinaryIO, *, progress: Callable[[int], None] | None = None
    ) -> ImportSummary:
        current = "the file"
        try:
            with transaction.atomic():
                for element in iter_elements(
                    stream,
                    capture_depth=1,
                    check_root=_check_root,
                    progress=progress,
                    info=self.info,
                ):
                    current = f"<{element.name} dsq:id={_dsq_id(element)!r}> (line {element.line})"
                    if element.ns not in DISQUS:
                        continue
                    if element.name == "thread":
                        self.thread(element)
                    elif element.name == "post":
                        self.pending.append(parse_post(element))
                        if len(self.pending) >= BATCH:
                            self.flush()
                current = "finishing the import"
                self.flush()
                self.finish()
                if self.dry_run:
                    raise _DryRun
        except _DryRun:
            pass
        except XMLImportError as error:
            raise ImportFailed(f"Cannot read the export: {error}. Nothing was imported.") from error
        except ImportFailed:
            raise
        except Exception as error:
            raise ImportFailed(
                f"Import stopped at {current}: {type(error).__name__}: {error}. "
                "Nothing was imported."
            ) from error
        return self.summary

    # --- threads ----------------------------------------------------------------------

    def thread(self, element: Element) -> None:
        if not self.source:
            forum = element.child_text(DISQUS, "forum")
            self.source = f"disqus:{forum}" if forum else "disqus"
            self.summary.source = self.source
        thread = Thread(
            dsq_id=_dsq_id(element),
            identifier=element.child_text(DISQUS, "id"),
            link=element.child_text(DISQUS, "link"),
            title=element.child_text(DISQUS, "title"),
        )
        if not thread.dsq_id:
            self.summary.oddity("thread without dsq:id (skipped)", f"line {element.line}")
            return
        thread.review_pk = self.match(thread)
        self.threads[thread.dsq_id] = thread
        if thread.review_pk is not None:
            self.summary.count("thread", "matched")

    def match(self, thread: Thread) -> int | None:
        first = thread.identifier.split(" ", 1)[0]
        if first.isdigit():
            pk = (
                ImportedObject.objects.filter(
                    kind=Kind.POST, external_id=first, review__isnull=False
                )
                .values_list("review_id", flat=True)
                .first()
            )
            if pk:
                return pk
        if thread.link:
            links = {thread.link, thread.link.rstrip("/"), thread.link.rstrip("/") + "/"}
            pk = (
                ImportedObject.objects.filter(kind=Kind.POST, link__in=links, review__isnull=False)
                .values_list("review_id", flat=True)
                .first()
            )
            if pk:
                return pk
            parts = urlsplit(thread.link)
            keys = [f"?{parts.query}"] if parts.query.startswith("p=") else []
            keys += path_candidates(parts.path)
            redirects = {
                r.old_path: r
                for r in LegacyRedirect.objects.filter(old_path__in=keys).select_related("comment")
            }
            for key in keys:
                redirect = redirects.get(key)
                if redirect is not None and redirect.review_id:
                    return redirect.review_id
                if redirect is not None and redirect.comment is not None:
                    return redirect.comment.review_id
            try:
                match = resolve(parts.path or "/")
            except Resolver404:
                match = None
            if match is not None and match.view_name == "review":
                return (
                    Review.objects.filter(slug=match.kwargs["slug"])
                    .values_list("pk", flat=True)
                    .first()
                )
        return None

    # --- posts ------------------------------------------------------------------------

    def flush(self) -> None:
        """Write the pending posts: new ones as comments, changed ones updated."""
        posts, self.pending = self.pending, []
        if not posts:
            return
        source = self.source or "disqus"
        self.summary.source = source
        rows = {
            row.external_id: row
            for row in ImportedObject.objects.filter(
                source=source, kind=Kind.COMMENT, external_id__in=[p.dsq_id for p in posts]
            )
        }
        existing = Comment.objects.in_bulk([r.comment_id for r in rows.values() if r.comment_id])
        authors = self._review_authors()
        fresh: list[tuple[Post, Comment]] = []
        updated: list[tuple[Post, Comment, ImportedObject]] = []
        for post in posts:
            review_pk = self._review_of(post)
            if review_pk is None:
                continue
            row = rows.get(post.dsq_id)
            if row is None:
                comment = Comment(review_id=review_pk)
                self.fill(comment, post, authors)
                fresh.append((post, comment))
                self.summary.count("comment", "created")
                continue
            known = existing.get(row.comment_id) if row.comment_id else None
            if known is None:
                self.summary.count("comment", "kept deleted")
            elif row.digest == digest(post):
                self.summary.count("comment", "unchanged")
                self.summary.comments_by_status[known.status] += 1
            else:
                self.fill(known, post, authors)
                updated.append((post, known, row))
                self.summary.count("comment", "updated")
        self._create(source, fresh)
        self._update(updated)
        for _post, comment in fresh + [(p, c) for p, c, _r in updated]:
            self.summary.comments_by_status[comment.status] += 1
            self.reviews.add(comment.review_id)

    def _review_of(self, post: Post) -> int | None:
        """The review a post's thread matched, or None (counted) when it has none."""
        if not post.dsq_id:
            self.summary.oddity("post without dsq:id (skipped)", f"line {post.line}")
            return None
        thread = self.threads.get(post.thread)
        if thread is None:
            self.orphans[post.thread] = self.orphans.get(post.thread, 0) + 1
            self.summary.skipped["posts whose thread is not in the file"] += 1
            return None
        thread.posts += 1
        if thread.review_pk is None:
            self.summary.skipped["posts in threads that match no review"] += 1
            return None
        return thread.review_pk

    def _review_authors(self) -> dict[int, tuple[str, int | None]]:
        """Review pk → (its author's lower-cased e-mail, its author's pk), for the
        author badge, for every review a thread matched."""
        return {
            pk: ((email or "").lower(), author_pk)
            for pk, email, author_pk in Review.objects.filter(
                pk__in={t.review_pk for t in self.threads.values() if t.review_pk}
            ).values_list("pk", "author__email", "author_id")
        }

    def _create(self, source: str, fresh: list[tuple[Post, Comment]]) -> None:
        Comment.objects.bulk_create([c for _p, c in fresh], batch_size=BATCH)
        mark_changed_ids(Comment, [c.pk for _p, c in fresh])
        ImportedObject.objects.bulk_create(
            [
                ImportedObject(
                    source=source,
                    kind=Kind.COMMENT,
                    external_id=post.dsq_id,
                    comment=comment,
                    container_id=post.thread,
                    parent_external_id=post.parent,
                    digest=digest(post),
                )
                for post, comment in fresh
            ],
            batch_size=BATCH,
        )

    def _update(self, updated: list[tuple[Post, Comment, ImportedObject]]) -> None:
        Comment.objects.bulk_update([c for _p, c, _r in updated], UPDATED_FIELDS, batch_size=BATCH)
        mark_changed_ids(Comment, [c.pk for _p, c, _r in updated])
        for post, _comment, row in updated:
            row.digest, row.parent_external_id = digest(post), post.parent
        ImportedObject.objects.bulk_update(
            [r for _p, _c, r in updated], ["digest", "parent_external_id"], batch_size=BATCH
        )

    def fill(
        self, comment: Comment, post: Post, authors: dict[int, tuple[str, int | None]]
    ) -> None:
        created = parse_iso(post.created)
        if created is None:
            self.summary.oddity("post without a valid createdAt (dated now)", post.dsq_id)
        comment.created_at = created or timezone.now()
        comment.author_name = (post.name or "Anonymous")[:80]
        comment.author_email = post.email[:254]
        comment.ip_address = valid_ip(post.ip)
        comment.body = post.message
        comment.body_html = clean_comment_html(post.message)
        comment.is_removed = post.is_deleted
        if post.is_spam:
            comment.status = Comment.Status.SPAM
        elif not post.is_approved:
            comment.status = Comment.Status.PENDING
        else:
            comment.status = Comment.Status.APPROVED
        comment.approved_at = (
            comment.created_at if comment.status == Comment.Status.APPROVED else None
        )
        author_email, author_pk = authors.get(comment.review_id, ("", None))
        if author_email and post.email.lower() == author_email:
            comment.user_id = author_pk
        else:
            comment.user_id = None

    # --- the end ----------------------------------------------------------------------

    def finish(self) -> None:
        """Thread every touched review's Disqus comments, number them, count them."""
        for review_pk in sorted(self.reviews):
            rows = list(
                ImportedObject.objects.filter(
                    source=self.summary.source or "disqus",
                    kind=Kind.COMMENT,
                    comment__review_id=review_pk,
                ).select_related("comment")
            )
            nodes = [
                threads.Node(r.external_id, r.parent_external_id, r.comment)
                for r in rows
                if r.comment is not None  # always: the rows are filtered on their comment
            ]
            changed = {id(c): c for c in threads.arrange(nodes, summary=self.summary)}
            for comment in threads.number([n.comment for n in nodes]):
                changed[id(comment)] = comment
            Comment.objects.bulk_update(
                list(changed.values()), ["parent", "path", "depth", "number"], batch_size=BATCH
            )
            mark_changed_ids(Comment, [c.pk for c in changed.values()])
            store_headers([n.comment for n in nodes])  # numbers, names and dates are in them
            refresh_comment_counts([review_pk])
        for thread in self.threads.values():
            if thread.review_pk is None:
                label = thread.title or "(no title)"
                self.summary.unmatched.append(
                    f"thread {thread.dsq_id} “{label}” {thread.link or '(no link)'} "
                    f"[id {thread.identifier or '(empty)'}]: {thread.posts} post(s) not imported"
                )
        for thread_id, count in self.orphans.items():
            self.summary.unmatched.append(
                f"{count} post(s) in thread {thread_id or '(none)'}, which is not in the file"
            )
        for prefix, line in self.info.undeclared_prefixes.items():
            self.summary.oddity(
                "undeclared namespace prefix (elements using it were ignored)",
                f"“{prefix}:” first at line {line}",
            )
