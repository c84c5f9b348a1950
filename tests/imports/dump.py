"""Everything an import leaves in the database, as plain data without primary keys.

Rows are keyed the way a person would name them (a review by its slug, a comment by
its id in the source, a redirect by its old path), and every link between rows is
written with the same names, so two imports that made the same site give the same
dump whatever ids the database handed out (PostgreSQL's sequences are not rolled
back between tests). ``digests()`` reduces a dump to one line per table, for
comparing with what the import made before it was rewritten for speed
(``same_result.json``).

Set ``WATCHWORTHY_IMPORT_DUMPS=folder`` to have the test write every full dump there
as JSON, to see *which* rows differ when a digest does not match.
"""

from __future__ import annotations

import hashlib
import json
from datetime import timedelta
from typing import Any

from django.utils import timezone

from watchworthy.accounts.models import User
from watchworthy.catalog.models import Work
from watchworthy.core.changes import ChangeSet
from watchworthy.discussion import header
from watchworthy.discussion.models import PATH_DIGITS, Comment
from watchworthy.images.models import Image
from watchworthy.imports.models import ImportedObject, LegacyRedirect
from watchworthy.imports.summary import ImportSummary
from watchworthy.pages.models import Page
from watchworthy.reviews.models import Review, Tag


class Names:
    """The pk-free name of every row an import can link to."""

    def __init__(self) -> None:
        self.review = dict(Review.objects.values_list("pk", "slug"))
        self.page = dict(Page.objects.values_list("pk", "slug"))
        self.image = dict(Image.objects.values_list("pk", "key"))
        self.user = dict(User.objects.values_list("pk", "username"))
        self.tag = dict(Tag.objects.values_list("pk", "slug"))
        self.work = dict(Work.objects.values_list("pk", "slug"))
        self.comment = {
            pk: f"site:{name}:{body[:40]}"
            for pk, name, body in Comment.objects.values_list("pk", "author_name", "body")
        }
        for pk, external_id in ImportedObject.objects.filter(
            kind=ImportedObject.Kind.COMMENT, comment__isnull=False
        ).values_list("comment_id", "external_id"):
            self.comment[pk] = external_id

    def of(self, kind: str, pk: int | None) -> str | None:
        return None if pk is None else getattr(self, kind).get(pk, f"?{kind}")


def _when(value: Any) -> str | None:
    """An ISO date; "now" for the moment of the import (an undated published post)."""
    if value is None:
        return None
    return "now" if abs(value - timezone.now()) < timedelta(hours=1) else value.isoformat()


def dump() -> dict[str, dict[str, Any]]:
    names = Names()
    return {
        "reviews": _reviews(names),
        "comments": _comments(names),
        "redirects": _redirects(names),
        "imported": _imported(names),
        "pages": {
            page.slug: {
                "title": page.title,
                "body": page.body,
                "body_html": page.body_html,
                "status": page.status,
                "published_at": _when(page.published_at),
                "author": names.of("user", page.author_id),
            }
            for page in Page.objects.all()
        },
        "users": {
            user.username: {
                "email": user.email,
                "display_name": user.display_name,
                "first_name": user.first_name,
                "last_name": user.last_name,
                "usable_password": user.has_usable_password(),
            }
            for user in User.objects.all()
        },
        "tags": {tag.slug: {"name": tag.name} for tag in Tag.objects.all()},
        "works": {work.slug: {"title": work.title} for work in Work.objects.all()},
    }


def _reviews(names: Names) -> dict[str, Any]:
    tags: dict[int, list[str]] = {}
    for review_pk, tag_pk in Review.tags.through.objects.values_list("review_id", "tag_id"):
        tags.setdefault(review_pk, []).append(names.of("tag", tag_pk) or "")
    return {
        review.slug: {
            "title": review.title,
            "body": review.body,
            "body_format": review.body_format,
            "body_html": review.body_html,
            "teaser": review.teaser,
            "excerpt": review.excerpt,
            "status": review.status,
            "published_at": _when(review.published_at),
            "author": names.of("user", review.author_id),
            "work": names.of("work", review.work_id),
            "verdict": review.verdict,
            "comments_open": review.comments_open,
            "approved_comment_count": review.approved_comment_count,
            "counted": review.comments.approved().count(),
            "tags": sorted(tags.get(review.pk, [])),
            "cover": names.of("image", review.cover_id),
            "spoiler": [review.spoiler_season, review.spoiler_episode],
        }
        for review in Review.objects.all()
    }


def _comments(names: Names) -> dict[str, Any]:
    comments = {c.pk: c for c in Comment.objects.all()}
    dates = header.Dates()
    rows = {}
    for c in comments.values():
        parent = comments.get(c.parent_id)
        prefix = parent.path if parent is not None else ""
        wp_id = names.comment[c.pk].rpartition(":")[2]
        rows[names.comment[c.pk]] = {
            "review": names.of("review", c.review_id),
            "parent": names.of("comment", c.parent_id),
            "depth": c.depth,
            "path_follows_parent": c.path == f"{prefix}{c.pk:0{PATH_DIGITS}d}/",
            "depth_follows_parent": c.depth == (parent.depth + 1 if parent else 0),
            "kept_wordpress_id": wp_id.isdigit() and c.pk == int(wp_id),
            "number": c.number,
            "status": c.status,
            "is_removed": c.is_removed,
            "user": names.of("user", c.user_id),
            "author_name": c.author_name,
            "author_email": c.author_email,
            "author_url": c.author_url,
            "ip_address": c.ip_address,
            "body": c.body,
            "body_html": c.body_html,
            "created_at": _when(c.created_at),
            "approved_at": _when(c.approved_at),
            "header_html": _header(c, dates),
            "header_is_current": c.header_key == header.current_key()
            and c.header_html == header.header_of(c, dates),
        }
    return rows


def _header(c: Comment, dates: header.Dates) -> str:
    """The stored header without the comment's id, and without its date when that is
    the moment of the import (a comment without a date on a post without one)."""
    html = c.header_html.replace(f"comment-{c.pk}", "comment-PK")
    if _when(c.created_at) == "now":
        for shown in dates(c.created_at):
            html = html.replace(shown, "NOW")
    return html


def _redirects(names: Names) -> dict[str, Any]:
    rows = {}
    for r in LegacyRedirect.objects.all():
        target = next(
            (kind, getattr(r, f"{kind}_id"))
            for kind in ("review", "page", "comment", "image")
            if getattr(r, f"{kind}_id") is not None
        )
        rows[r.old_path] = {
            "to": [target[0], names.of(*target)],
            "priority": r.priority,
            "source": r.source,
        }
    return rows


def _imported(names: Names) -> dict[str, Any]:
    rows = {}
    for row in ImportedObject.objects.all():
        rows[f"{row.source}|{row.kind}|{row.external_id}"] = {
            "to": {
                kind: names.of(kind, getattr(row, f"{kind}_id"))
                for kind in ("user", "tag", "review", "page", "image", "comment")
                if getattr(row, f"{kind}_id") is not None
            },
            "container_id": row.container_id,
            "parent_external_id": row.parent_external_id,
            "link": row.link,
            "digest": row.digest,
            "data": row.data,
        }
    return rows


def summary_of(summary: ImportSummary) -> dict[str, Any]:
    """The summary as plain data (what the command prints, and more)."""
    return {
        "objects": sorted(f"{k}:{a}={n}" for (k, a), n in summary.objects.items()),
        "comments_by_status": dict(sorted(summary.comments_by_status.items())),
        "skipped": dict(sorted(summary.skipped.items())),
        "shortcodes": dict(sorted(summary.shortcodes.items())),
        "embeds_removed": dict(sorted(summary.embeds_removed.items())),
        "deepest_thread": summary.deepest_thread,
        "images": [summary.images_found, summary.images_missing, summary.missing_images],
        "redirects": [summary.redirects, summary.redirect_conflicts],
        "oddities": dict(sorted(summary.oddities.items())),
        "oddity_examples": dict(sorted(summary.oddity_examples.items())),
        "rows": summary.rows(),
    }


def changes_of(delivered: list[ChangeSet], names: Names) -> dict[str, Any]:
    """What the deliveries named, by label, with the names of the rows."""
    kinds = {
        "reviews.review": "review",
        "pages.page": "page",
        "images.image": "image",
        "accounts.user": "user",
        "reviews.tag": "tag",
        "catalog.work": "work",
        "discussion.comment": "comment",
    }
    out: dict[str, Any] = {"deliveries": len(delivered)}
    for changes in delivered:
        for label in sorted(changes.labels):
            if changes.everything(label):
                out[label] = "everything"
            elif label in kinds:
                out[label] = sorted(names.of(kinds[label], pk) or "" for pk in changes.ids(label))
            elif label == "imports.legacyredirect":
                paths = dict(LegacyRedirect.objects.values_list("pk", "old_path"))
                out[label] = sorted(paths.get(pk, "?gone") for pk in changes.ids(label))
            else:
                out[label] = len(changes.ids(label))
    return out


def digests(snapshot: dict[str, Any]) -> dict[str, str]:
    """One line per table: how many rows, and a hash of all of them."""
    out = {}
    for table, rows in sorted(snapshot.items()):
        encoded = json.dumps(rows, sort_keys=True, ensure_ascii=False, default=str)
        size = len(rows) if isinstance(rows, dict) else 1
        out[table] = f"{size} {hashlib.sha256(encoded.encode()).hexdigest()[:16]}"
    return out
