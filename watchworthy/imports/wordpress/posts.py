"""What a post and a page become: a review of the placeholder work, and a page.

Both keep WordPress's HTML (cleaned, see :mod:`watchworthy.imports.content`) with
``body_format`` HTML, map WordPress's status (a password-protected item is a draft:
it was not public), and leave redirects from their old addresses: the item's link,
``?p=ID`` / ``?page_id=ID``, and the permalink shapes ``/slug/``, ``/YYYY/MM/slug/``,
``/YYYY/MM/DD/slug/`` under the blog's base path.

An update rewrites what WordPress owns (title, body, excerpt, status, date, tags,
author, slug) and never what the critic sets here (work, season, verdict, score).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, ClassVar
from urllib.parse import unquote

from watchworthy.catalog.models import Work
from watchworthy.core.sanitize import html_to_text
from watchworthy.pages.models import Page
from watchworthy.reviews.models import Review, Verdict

from .. import wxr
from ..common import (
    ascii_slug,
    legacy_keys,
    normalize_path,
    parse_rfc822,
    parse_wp_date,
    unique_slug,
)
from ..content import Cleaned, clean_post_html
from ..models import ImportedObject
from .items import ItemKind, Written
from .people import People
from .state import ImportState

Kind = ImportedObject.Kind
PLACEHOLDER_WORK = {"slug": "imported", "title": "Imported from WordPress"}
REVIEW_STATUS = {
    "publish": Review.Status.PUBLISHED,
    "future": Review.Status.SCHEDULED,
    "draft": Review.Status.DRAFT,
    "pending": Review.Status.DRAFT,
    "private": Review.Status.DRAFT,
    "trash": Review.Status.DRAFT,
}


def published_at(item: wxr.Item) -> datetime | None:
    return (
        parse_wp_date(item.post_date_gmt)
        or parse_wp_date(item.post_date)
        or parse_rfc822(item.pub_date)
    )


class _Publishable(ItemKind):
    """What posts and pages share: cleaned HTML, a status, a date, old addresses."""

    query: ClassVar[str]  # the old query key: "p" or "page_id"

    def _content(self, item: wxr.Item) -> Cleaned:
        cleaned = clean_post_html(item.content)
        self.state.summary.shortcodes.update(cleaned.shortcodes)
        self.state.summary.embeds_removed.update(cleaned.embeds_removed)
        return cleaned

    def _status(self, item: wxr.Item, when: datetime | None) -> str:
        summary = self.state.summary
        status = REVIEW_STATUS.get(item.status)
        if status is None and not item.status:
            summary.oddity("item without wp:status (imported as a draft)", item.describe())
            status = Review.Status.DRAFT
        elif status is None:
            summary.oddity("unknown post status (imported as a draft)", f"“{item.status}”")
            status = Review.Status.DRAFT
        elif item.status in ("pending", "private", "trash"):
            summary.oddity(f"“{item.status}” posts imported as drafts")
        if item.password and status != Review.Status.DRAFT:
            summary.oddity(
                "password-protected item imported as a draft (not public)", item.describe()
            )
            status = Review.Status.DRAFT
        if status == Review.Status.SCHEDULED and when is None:
            summary.oddity("scheduled item without a date (imported as a draft)")
            status = Review.Status.DRAFT
        if status == Review.Status.PUBLISHED and when is None:
            summary.oddity("published item without a date (dated now)", item.describe())
        return status

    @staticmethod
    def _data(item: wxr.Item) -> dict[str, Any]:
        """What the import record keeps beyond the review or page."""
        data: dict[str, Any] = {
            "wp_status": item.status,
            "wp_type": item.post_type,
            "original_html": item.content,
            "guid": item.guid,
        }
        if item.is_sticky:
            data["sticky"] = True
        if item.password:
            data["password_protected"] = True
        if item.meta.get("_thumbnail_id", "").strip():
            data["thumbnail"] = item.meta["_thumbnail_id"].strip()
        if item.post_parent not in ("", "0"):
            data["parent"] = item.post_parent
        return data

    def _redirects(self, item: wxr.Item, key: str, when: datetime | None) -> list[tuple[str, int]]:
        keys = [(k, 0) for k in legacy_keys(item.link)]
        keys += [(k, 1) for k in legacy_keys(item.guid) if k.startswith("?")]
        if key.isdigit():
            keys.append((f"?{self.query}={int(key)}", 1))
            if self.query == "page_id":
                keys.append((f"?p={int(key)}", 1))
        name = unquote(item.post_name).strip().lower()
        # Date permalinks use the blog's local date (post_date), not the GMT one.
        when = parse_wp_date(item.post_date) or when
        if name and "/" not in name:
            base = self.state.base_path
            keys.append((normalize_path(f"{base}/{name}/"), 2))
            if when is not None and self.query == "p":
                keys.append((f"{base}/{when:%Y/%m/%d}/{name}/", 2))
                keys.append((f"{base}/{when:%Y/%m}/{name}/", 2))
        return keys


class Posts(_Publishable):
    """A post becomes a review of the placeholder work, verdict Unrated."""

    kind = Kind.POST
    target = "review"
    refresh_link = True
    query = "p"

    def __init__(self, state: ImportState, people: People) -> None:
        super().__init__(state, people)
        self.work: Work | None = None

    def keep_deleted(self, item: wxr.Item) -> None:
        self.state.summary.skipped["comments on posts deleted here"] += len(item.comments)

    def write(self, item: wxr.Item, key: str, row: ImportedObject | None) -> Written:
        fields, base = self.fields(item, key)
        review, old_slug = self._save(row, base, fields)
        review.tags.set(self.people.tag_ids(item))
        return self.written(item, key, review, old_slug)

    def fields(self, item: wxr.Item, key: str) -> tuple[dict[str, Any], str]:
        """What WordPress owns of the review, and the slug it would like."""
        cleaned = self._content(item)
        when = published_at(item)
        status = self._status(item, when)
        fields = {
            "title": item.title[:200] or "(untitled)",
            "body": cleaned.html,
            "body_format": Review.BodyFormat.HTML,
            "excerpt": html_to_text(item.excerpt),
            "author_id": self.people.author_of(item),
            "status": status,
            "published_at": when,
            "comments_open": item.comment_status != "closed",
        }
        return fields, self.slug_for(item, key)

    @staticmethod
    def slug_for(item: wxr.Item, key: str) -> str:
        """The slug a new review of ``item`` would like (before making it unique)."""
        return ascii_slug(item.post_name, item.title, fallback=f"post-{key}")

    def new_review(self, slug: str, fields: dict[str, Any]) -> Review:
        """A new review of the placeholder work (unsaved, rendered as a save would)."""
        review = Review(slug=slug, work=self.placeholder_work(), verdict=Verdict.UNRATED, **fields)
        images, cited = review.render()
        assert not images and not cited, "an HTML body uses no image or citation"
        review.fill_publish_time()
        return review

    def written(
        self, item: wxr.Item, key: str, review: Review, old_slug: str | None = None
    ) -> Written:
        """The record's data and the old addresses, once the review exists."""
        if item.is_sticky:
            self.state.summary.oddity("sticky posts (flag kept in the import record only)")
        when = published_at(item)
        redirects = self._redirects(item, key, when)
        if old_slug and old_slug != review.slug:
            redirects.append((f"/reviews/{old_slug}/", 0))
        return Written(review, self._data(item), redirects)

    def _save(
        self, row: ImportedObject | None, base: str, fields: dict[str, Any]
    ) -> tuple[Review, str | None]:
        """The created or updated review, and its slug before an update."""
        if row is None:
            review = Review(
                slug=unique_slug(Review, base),
                work=self.placeholder_work(),
                verdict=Verdict.UNRATED,
                **fields,
            )
            review.save()
            return review, None
        assert row.review_id is not None  # a record whose review is gone was kept deleted
        review = Review.objects.get(pk=row.review_id)
        old_slug = review.slug
        for name, value in fields.items():
            setattr(review, name, value)
        if base != old_slug and not old_slug.startswith(base):
            review.slug = unique_slug(Review, base, exclude_pk=review.pk)
        review.save()
        return review, old_slug

    def placeholder_work(self) -> Work:
        if self.work is None:
            self.work = Work.objects.filter(slug=PLACEHOLDER_WORK["slug"]).first()
            if self.work is None:
                self.work = Work.objects.create(
                    slug=PLACEHOLDER_WORK["slug"],
                    title=PLACEHOLDER_WORK["title"],
                    kind=Work.Kind.SERIES,
                    synopsis="Reviews imported from WordPress wait here until you assign "
                    "each one its real work in the admin.",
                )
        return self.work


class Pages(_Publishable):
    """A page becomes a ``pages.Page`` (its slug is kept on later updates)."""

    kind = Kind.PAGE
    target = "page"
    query = "page_id"

    def write(self, item: wxr.Item, key: str, row: ImportedObject | None) -> Written:
        cleaned = self._content(item)
        when = published_at(item)
        status = self._status(item, when)
        fields = {
            "title": item.title[:200] or "(untitled)",
            "body": cleaned.html,
            "body_format": Page.BodyFormat.HTML,
            "author_id": self.people.author_of(item),
            "status": status,
            "published_at": when,
        }
        if row is None:
            base = ascii_slug(item.post_name, item.title, fallback=f"page-{key}")
            page = Page(slug=unique_slug(Page, base), **fields)
        else:
            assert row.page_id is not None  # a record whose page is gone was kept deleted
            page = Page.objects.get(pk=row.page_id)
            for name, value in fields.items():
                setattr(page, name, value)
        page.save()
        return Written(page, self._data(item), self._redirects(item, key, when))
