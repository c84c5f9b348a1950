"""Import a WordPress export (WXR) into Watchworthy: ``wordpress_import(...)``.

What maps to what (see docs/imports.md for the whole story):

=====================  ==========================================================
WordPress              Watchworthy
=====================  ==========================================================
post                   ``Review`` of the placeholder work "Imported from
                       WordPress" (slug ``imported``), verdict Unrated
page                   ``pages.Page`` (HTML body)
attachment             ``images.Image`` when ``--uploads`` holds the file, else a
                       "missing" record keeping the original URL
author / dc:creator    ``User`` with an unusable password (matched to an existing
                       user with the same login first)
category, post_tag     ``Tag`` (the default "Uncategorized" is skipped)
comment                ``Comment`` with status, threading, number, author badge
old URLs               ``LegacyRedirect`` rows (answered with 301 on a 404)
=====================  ==========================================================

The whole import runs in one transaction: a failure anywhere rolls everything back
and :class:`ImportFailed` names the item and the reason. A dry run does all the work
and rolls back at the end. Identity is kept in ``ImportedObject`` keyed on
``(source, kind, external id)``, so importing the same file twice changes nothing
and a newer export updates what changed.
"""

from __future__ import annotations

import contextlib
import warnings
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import BinaryIO
from urllib.parse import unquote, urlsplit

from django.contrib.auth import get_user_model
from django.core.files import File
from django.db import transaction
from django.utils import timezone
from PIL import Image as PILImage

from watchworthy.catalog.models import Work
from watchworthy.core.sanitize import html_to_text
from watchworthy.discussion.models import Comment
from watchworthy.discussion.services import refresh_comment_counts
from watchworthy.images.models import Image
from watchworthy.pages.models import Page
from watchworthy.reviews.models import Review, Tag, Verdict

from . import threads, wxr
from .common import (
    ImportFailed,
    ascii_slug,
    digest,
    legacy_keys,
    normalize_path,
    parse_rfc822,
    parse_wp_date,
    safe_url,
    save_redirects,
    unique_slug,
    valid_ip,
)
from .content import clean_comment_html, clean_post_html
from .models import ImportedObject, LegacyRedirect
from .summary import ImportSummary
from .xmlstream import StreamInfo, XMLImportError

Kind = ImportedObject.Kind
PLACEHOLDER_WORK = {"slug": "imported", "title": "Imported from WordPress"}
UNKNOWN_AUTHOR = "unknown-author"
REVIEW_STATUS = {
    "publish": Review.Status.PUBLISHED,
    "future": Review.Status.SCHEDULED,
    "draft": Review.Status.DRAFT,
    "pending": Review.Status.DRAFT,
    "private": Review.Status.DRAFT,
    "trash": Review.Status.DRAFT,
}
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


class _DryRun(Exception):
    pass


def item_digest(item: wxr.Item) -> str:
    """What makes an item "changed": everything but its comments (they have their own)
    and its line in the file."""
    return digest({k: v for k, v in vars(item).items() if k not in ("comments", "line")})


@dataclass
class _Incoming:
    """One comment of an item on its way in."""

    source: wxr.Comment
    key: str  # external id
    parent_key: str
    digest: str
    tree_key: str = ""  # how replies in this item refer to it
    row: ImportedObject | None = None
    obj: Comment | None = None


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
    def __init__(self, *, uploads: Path | None = None, dry_run: bool = False):
        self.uploads = Path(uploads).resolve() if uploads else None
        self.dry_run = dry_run
        self.summary = ImportSummary(dry_run=dry_run)
        self.info = StreamInfo()
        self.channel: dict[str, str] = {}
        self.source = ""
        self.base_path = ""
        self.saw_wxr = False
        self.users: dict[str, int] = {}  # lower-cased login → user pk
        self.author_ids: dict[str, int] = {}  # WordPress author id → user pk
        self.tags: dict[str, int] = {}  # "taxonomy:nicename" → tag pk
        # Item ids seen in this file, per kind: hand-edited exports repeat ids.
        self.seen: dict[str, Counter] = {}
        self.work: Work | None = None
        self.stored_files: list[str] = []
        self.now = timezone.now()

    # --- the run -----------------------------------------------------------------------

    def run(self, stream: BinaryIO, *, progress=None) -> ImportSummary:
        current = "the file"
        try:
            with transaction.atomic():
                for record in wxr.read_wxr(stream, progress=progress, info=self.info):
                    current = self._describe(record)
                    self.handle(record)
                current = "finishing the import"
                self.finish()
                if self.dry_run:
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
            raise ImportFailed(
                f"Import stopped at {current}: {type(error).__name__}: {error}. "
                "Nothing was imported."
            ) from error
        return self.summary

    @staticmethod
    def _describe(record) -> str:
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
        for name in self.stored_files:
            with contextlib.suppress(OSError):
                storage.delete(name)
        self.stored_files.clear()

    def handle(self, record) -> None:
        if isinstance(record, wxr.ChannelField):
            self.channel_field(record)
            return
        if not isinstance(record, wxr.Item) or record.has_wxr:
            self.saw_wxr = True
        if isinstance(record, wxr.Author):
            self.author(record)
        elif isinstance(record, wxr.Term):
            self.term(record)
        elif isinstance(record, wxr.Item):
            self.item(record)

    def channel_field(self, record: wxr.ChannelField) -> None:
        self.channel.setdefault(record.name, record.value)
        if record.name == "wxr_version":
            self.saw_wxr = True
            if record.value not in wxr.KNOWN_VERSIONS:
                self.summary.oddity("unknown wp:wxr_version (read as WXR 1.2)", f"“{record.value}”")

    def ensure_source(self) -> str:
        if not self.source:
            base = (
                self.channel.get("base_blog_url")
                or self.channel.get("base_site_url")
                or self.channel.get("link")
                or "wordpress"
            )
            parts = urlsplit(base)
            if parts.netloc:
                self.source = f"{parts.scheme.lower()}://{parts.netloc.lower()}{parts.path}"
                self.source = self.source.rstrip("/")
                self.base_path = parts.path.rstrip("/").lower()
            else:
                self.source = base
            self.summary.source = self.source
        return self.source

    def finish(self) -> None:
        if not self.saw_wxr:
            raise ImportFailed(
                "This is an RSS feed without WordPress (wp:) elements, not a WordPress "
                "export (WXR). Nothing was imported."
            )
        if "wxr_version" not in self.channel:
            self.summary.oddity(
                "no wp:wxr_version (WordPress's importer refuses such files; read as WXR 1.2 "
                "because the channel has wp: elements)"
            )
        for prefix, line in self.info.undeclared_prefixes.items():
            self.summary.oddity(
                "undeclared namespace prefix (elements using it were ignored)",
                f"“{prefix}:” first at line {line}",
            )
        self.ensure_source()
        self.assign_covers()

    # --- lookups ------------------------------------------------------------------------

    def row(self, kind: str, external_id: str) -> ImportedObject | None:
        return ImportedObject.objects.filter(
            source=self.ensure_source(), kind=kind, external_id=external_id
        ).first()

    def new_row(self, kind: str, external_id: str, **fields) -> ImportedObject:
        return ImportedObject.objects.create(
            source=self.ensure_source(), kind=kind, external_id=external_id, **fields
        )

    # --- authors and terms ------------------------------------------------------------

    def author(self, record: wxr.Author) -> None:
        login = record.login or record.display_name
        if not login:
            self.summary.oddity("author without a login (skipped)", f"line {record.line}")
            return
        user_pk = self.user_for(login, record)
        if record.author_id:
            self.author_ids[record.author_id] = user_pk

    def user_for(self, login: str, record: wxr.Author | None = None) -> int:
        key = login.strip().lower()
        if key in self.users:
            return self.users[key]
        User = get_user_model()
        row = self.row(Kind.AUTHOR, key)
        fields = {
            "email": (record.email if record else "")[:254],
            "display_name": (record.display_name if record else "")[:80],
            "first_name": (record.first_name if record else "")[:150],
            "last_name": (record.last_name if record else "")[:150],
        }
        if record is None and key == UNKNOWN_AUTHOR:
            fields["display_name"] = "Unknown author"
        version = digest(fields)
        if row is not None and row.user_id:
            user_pk = row.user_id
            if row.digest != version and record is not None and row.data.get("created"):
                User.objects.filter(pk=user_pk).update(**fields)
                row.digest, row.updated_at = version, self.now
                row.save(update_fields=["digest", "updated_at"])
                self.summary.count("author", "updated")
            else:
                self.summary.count("author", "unchanged")
        elif row is not None:
            # Deleted on this site since the last import: attribute to a stand-in.
            self.summary.count("author", "kept deleted")
            user_pk = (
                self.user_for(UNKNOWN_AUTHOR)
                if key != UNKNOWN_AUTHOR
                else self._make_user(UNKNOWN_AUTHOR, {"display_name": "Unknown author"})
            )
        else:
            existing = User.objects.filter(username__iexact=login.strip()[:150]).first()
            if existing is not None:
                user_pk = existing.pk
                self.new_row(Kind.AUTHOR, key, user_id=user_pk, digest=version)
                self.summary.count("author", "matched")
                self.summary.oddity(
                    "author matched to an existing user by login", f"“{login.strip()}”"
                )
            else:
                user_pk = self._make_user(login.strip(), fields)
                self.new_row(
                    Kind.AUTHOR, key, user_id=user_pk, digest=version, data={"created": True}
                )
                self.summary.count("author", "created")
        self.users[key] = user_pk
        return user_pk

    @staticmethod
    def _make_user(username: str, fields: dict) -> int:
        User = get_user_model()
        user = User(username=username[:150], **fields)
        user.set_unusable_password()
        user.save()
        return user.pk

    def term(self, record: wxr.Term) -> None:
        if record.taxonomy not in ("category", "post_tag"):
            self.summary.skipped[f"terms of taxonomy “{record.taxonomy or '?'}”"] += 1
            return
        self.tag_for(record.taxonomy, record.slug, record.name, count=True)

    def tag_for(
        self, taxonomy: str, nicename: str, name: str, *, count: bool = False
    ) -> int | None:
        nicename = nicename.strip()
        name = name.strip()
        if taxonomy == "category" and nicename.lower() == "uncategorized":
            if count:
                self.summary.skipped["default category “Uncategorized”"] += 1
            return None
        if not nicename and not name:
            return None
        key = f"{taxonomy}:{nicename or name}"
        if key in self.tags:
            return self.tags[key]
        row = self.row(Kind.TERM, key)
        if row is not None:
            tag_pk = row.tag_id
            if count:
                self.summary.count("tag", "unchanged" if tag_pk else "kept deleted")
        else:
            slug = ascii_slug(nicename, name, fallback=f"tag-{digest(key)[:8]}", max_length=80)
            label = (name or nicename)[:80]
            tag = Tag.objects.filter(slug=slug).first() or Tag.objects.filter(name=label).first()
            if tag is None:
                tag = Tag.objects.create(name=label, slug=slug)
                self.summary.count("tag", "created")
            else:
                self.summary.count("tag", "matched")
            tag_pk = tag.pk
            self.new_row(Kind.TERM, key, tag_id=tag_pk)
        self.tags[key] = tag_pk
        return tag_pk

    # --- items ----------------------------------------------------------------------

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
            self.attachment(item)
        else:
            self.summary.skipped[f"“{post_type}” items"] += 1
            if item.comments:
                self.summary.skipped["comments on skipped items"] += len(item.comments)

    def item_key(self, item: wxr.Item, kind: str) -> str:
        key = self._item_key(item)
        seen = self.seen.setdefault(kind, Counter())
        seen[key] += 1
        if seen[key] > 1:
            self.summary.oddity(
                "item id repeated in the file (each copy imported under its own id)",
                item.describe(),
            )
            key = f"{key}#{seen[key]}"
        return key

    def _item_key(self, item: wxr.Item) -> str:
        if item.post_id:
            return item.post_id
        for url in (item.guid, item.link):
            keys = legacy_keys(url)
            if keys and keys[0].startswith("?p="):
                self.summary.oddity("item without wp:post_id (id taken from its ?p= link)")
                return keys[0][3:]
        self.summary.oddity("item without wp:post_id (keyed on its guid, link or content)")
        if item.guid:
            return f"guid:{item.guid}"[:300]
        if item.link:
            return f"link:{item.link}"[:300]
        return "hash:" + digest([item.title, item.content, item.post_date])

    def author_of(self, item: wxr.Item) -> int:
        if item.creator:
            return self.user_for(item.creator)
        self.summary.oddity("item without an author (attributed to “Unknown author”)")
        return self.user_for(UNKNOWN_AUTHOR)

    def published_at(self, item: wxr.Item):
        return (
            parse_wp_date(item.post_date_gmt)
            or parse_wp_date(item.post_date)
            or parse_rfc822(item.pub_date)
        )

    def status_of(self, item: wxr.Item, when) -> tuple[str, object]:
        status = REVIEW_STATUS.get(item.status)
        if status is None and not item.status:
            self.summary.oddity("item without wp:status (imported as a draft)", item.describe())
            status = Review.Status.DRAFT
        elif status is None:
            self.summary.oddity("unknown post status (imported as a draft)", f"“{item.status}”")
            status = Review.Status.DRAFT
        elif item.status in ("pending", "private", "trash"):
            self.summary.oddity(f"“{item.status}” posts imported as drafts")
        if item.password and status != Review.Status.DRAFT:
            self.summary.oddity(
                "password-protected item imported as a draft (not public)", item.describe()
            )
            status = Review.Status.DRAFT
        if status == Review.Status.SCHEDULED and when is None:
            self.summary.oddity("scheduled item without a date (imported as a draft)")
            status = Review.Status.DRAFT
        if status == Review.Status.PUBLISHED and when is None:
            self.summary.oddity("published item without a date (dated now)", item.describe())
        return status, when

    def tag_ids(self, item: wxr.Item) -> list[int]:
        ids = []
        for domain, nicename, name in item.categories:
            if domain in ("category", "post_tag"):
                tag_pk = self.tag_for(domain, nicename, name)
                if tag_pk and tag_pk not in ids:
                    ids.append(tag_pk)
        return ids

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

    def _item_data(self, item: wxr.Item, cleaned) -> dict:
        data = {
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

    def _count_content(self, cleaned) -> None:
        self.summary.shortcodes.update(cleaned.shortcodes)
        self.summary.embeds_removed.update(cleaned.embeds_removed)

    def post(self, item: wxr.Item) -> None:
        key = self.item_key(item, Kind.POST)
        version = item_digest(item)
        row = self.row(Kind.POST, key)
        if row is not None and row.review_id is None:
            self.summary.count("post", "kept deleted")
            self.summary.skipped["comments on posts deleted here"] += len(item.comments)
            return
        changed = row is None or row.digest != version
        review = None
        if changed:
            cleaned = clean_post_html(item.content)
            self._count_content(cleaned)
            when = self.published_at(item)
            status, when = self.status_of(item, when)
            excerpt = html_to_text(item.excerpt)
            title = item.title[:200] or "(untitled)"
            fields = {
                "title": title,
                "body": cleaned.html,
                "body_format": Review.BodyFormat.HTML,
                "excerpt": excerpt,
                "author_id": self.author_of(item),
                "status": status,
                "published_at": when,
                "comments_open": item.comment_status != "closed",
            }
            base = ascii_slug(item.post_name, item.title, fallback=f"post-{key}")
            if row is None:
                review = Review(
                    slug=unique_slug(Review, base),
                    work=self.placeholder_work(),
                    verdict=Verdict.UNRATED,
                    **fields,
                )
                review.save()
                old_slug = None
            else:
                review = Review.objects.get(pk=row.review_id)
                old_slug = review.slug
                for name, value in fields.items():
                    setattr(review, name, value)
                if base != old_slug and not old_slug.startswith(base):
                    review.slug = unique_slug(Review, base, exclude_pk=review.pk)
                review.save()
            review.tags.set(self.tag_ids(item))
            data = self._item_data(item, cleaned)
            if row is None:
                row = self.new_row(
                    Kind.POST, key, review=review, link=item.link[:1000], digest=version, data=data
                )
                self.summary.count("post", "created")
            else:
                row.digest, row.data, row.link, row.updated_at = (
                    version,
                    data,
                    item.link[:1000],
                    self.now,
                )
                row.save(update_fields=["digest", "data", "link", "updated_at"])
                self.summary.count("post", "updated")
            if item.is_sticky:
                self.summary.oddity("sticky posts (flag kept in the import record only)")
            redirects = self.item_redirects(item, key, review.slug, when, "p")
            if old_slug and old_slug != review.slug:
                redirects.append((f"/reviews/{old_slug}/", 0))
            save_redirects(
                redirects, target={"review": review}, source=self.source, summary=self.summary
            )
        else:
            self.summary.count("post", "unchanged")
        self.comments(item, key, review_pk=row.review_id)

    def item_redirects(self, item, key, slug, when, query: str) -> list[tuple[str, int]]:
        keys = [(k, 0) for k in legacy_keys(item.link)]
        keys += [(k, 1) for k in legacy_keys(item.guid) if k.startswith("?")]
        if key.isdigit():
            keys.append((f"?{query}={int(key)}", 1))
            if query == "page_id":
                keys.append((f"?p={int(key)}", 1))
        name = unquote(item.post_name).strip().lower()
        # Date permalinks use the blog's local date (post_date), not the GMT one.
        when = parse_wp_date(item.post_date) or when
        if name and "/" not in name:
            base = self.base_path
            keys.append((normalize_path(f"{base}/{name}/"), 2))
            if when is not None and query == "p":
                keys.append((f"{base}/{when:%Y/%m/%d}/{name}/", 2))
                keys.append((f"{base}/{when:%Y/%m}/{name}/", 2))
        return keys

    def page(self, item: wxr.Item) -> None:
        key = self.item_key(item, Kind.PAGE)
        version = item_digest(item)
        row = self.row(Kind.PAGE, key)
        if item.comments:
            self.summary.skipped["comments on pages (pages have no discussion)"] += len(
                item.comments
            )
        if row is not None and row.page_id is None:
            self.summary.count("page", "kept deleted")
            return
        if row is not None and row.digest == version:
            self.summary.count("page", "unchanged")
            return
        cleaned = clean_post_html(item.content)
        self._count_content(cleaned)
        when = self.published_at(item)
        status, when = self.status_of(item, when)
        fields = {
            "title": item.title[:200] or "(untitled)",
            "body": cleaned.html,
            "body_format": Page.BodyFormat.HTML,
            "author_id": self.author_of(item),
            "status": status,
            "published_at": when,
        }
        base = ascii_slug(item.post_name, item.title, fallback=f"page-{key}")
        if row is None:
            page = Page(slug=unique_slug(Page, base), **fields)
            page.save()
            row = self.new_row(
                Kind.PAGE,
                key,
                page=page,
                link=item.link[:1000],
                digest=version,
                data=self._item_data(item, cleaned),
            )
            self.summary.count("page", "created")
        else:
            page = Page.objects.get(pk=row.page_id)
            for name, value in fields.items():
                setattr(page, name, value)
            page.save()
            row.digest, row.data, row.updated_at = version, self._item_data(item, cleaned), self.now
            row.save(update_fields=["digest", "data", "updated_at"])
            self.summary.count("page", "updated")
        save_redirects(
            self.item_redirects(item, key, page.slug, when, "page_id"),
            target={"page": page},
            source=self.source,
            summary=self.summary,
        )

    # --- attachments ------------------------------------------------------------------

    def attachment(self, item: wxr.Item) -> None:
        key = self.item_key(item, Kind.ATTACHMENT)
        version = item_digest(item)
        row = self.row(Kind.ATTACHMENT, key)
        url = item.attachment_url or item.guid
        label = f"{item.title or key}: {url}"
        if row is not None and row.image_id is None and "missing" not in row.data:
            self.summary.count("attachment", "kept deleted")  # its image was deleted here
            return
        image = Image.objects.filter(pk=row.image_id).first() if row and row.image_id else None
        if row is not None and row.digest == version and (image or self.uploads is None):
            self.summary.count("attachment", "unchanged")
            if image is not None:
                self.summary.images_found += 1
            else:
                self.summary.missing_image(f"{label} ({row.data.get('missing', 'missing')})")
            return
        alt = (
            item.meta.get("_wp_attachment_image_alt", "").strip()
            or item.title
            or PurePosixPath(urlsplit(url).path).stem
            or "Imported image"
        )[:300]
        caption = html_to_text(item.excerpt)[:300]
        data = {"url": url, "title": item.title, "wp_parent": item.post_parent}
        if image is None:
            found, reason = self.find_upload(item, url)
            if found is None:
                data["missing"] = reason
                self.summary.missing_image(f"{label} ({reason})")
            elif self.dry_run:
                self.summary.images_found += 1  # it would be copied
                data["missing"] = "dry run"
            else:
                image = self.store_image(found, alt=alt, caption=caption)
                self.summary.images_found += 1
        else:
            if (image.alt_text, image.caption) != (alt, caption):
                image.alt_text, image.caption = alt, caption
                image.save(update_fields=["alt_text", "caption"])
            self.summary.images_found += 1
        if row is None:
            self.new_row(
                Kind.ATTACHMENT, key, image=image, link=item.link[:1000], digest=version, data=data
            )
            self.summary.count("attachment", "created")
        else:
            row.image, row.digest, row.data, row.updated_at = image, version, data, self.now
            row.save(update_fields=["image", "digest", "data", "updated_at"])
            self.summary.count("attachment", "updated")
        if image is not None:
            keys = [(k, 0) for k in legacy_keys(item.link)]
            if key.isdigit():
                keys.append((f"?attachment_id={int(key)}", 1))
            upload_path = urlsplit(url).path
            if "/wp-content/uploads/" in upload_path:
                keys.append((normalize_path(upload_path), 0))
            save_redirects(keys, target={"image": image}, source=self.source, summary=self.summary)

    def store_image(self, path: Path, *, alt: str, caption: str) -> Image:
        with path.open("rb") as handle:
            image = Image(alt_text=alt, caption=caption)
            image.file.save(path.name, File(handle), save=False)
            self.stored_files.append(image.file.name)
            image.save()
        self.stored_files.extend(image.renditions.values())
        return image

    def find_upload(self, item: wxr.Item, url: str) -> tuple[Path | None, str]:
        if self.uploads is None:
            return None, "no --uploads folder given"
        relative = item.meta.get("_wp_attached_file", "").strip()
        if not relative:
            path = unquote(urlsplit(url).path)
            marker = "/wp-content/uploads/"
            relative = path.split(marker, 1)[1] if marker in path else ""
        if not relative:
            return None, "no uploads path in the export"
        for base in (self.uploads, self.uploads / "uploads", self.uploads / "wp-content/uploads"):
            candidate = (base / relative).resolve()
            if not candidate.is_relative_to(self.uploads):
                self.summary.oddity(
                    "attachment path outside the uploads folder (refused)", relative
                )
                return None, "path outside the uploads folder"
            if candidate.is_file():
                return (candidate, "") if self._is_image(candidate) else (None, "not an image")
        return None, "file not found under --uploads"

    @staticmethod
    def _is_image(path: Path) -> bool:
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("error", PILImage.DecompressionBombWarning)
                with PILImage.open(path) as picture:
                    picture.verify()
        except Exception:
            return False
        return True

    # --- comments -------------------------------------------------------------------

    def comments(self, item: wxr.Item, post_key: str, *, review_pk: int) -> None:
        incoming = self._incoming(item, post_key)
        if not incoming:
            return
        source_key = self.ensure_source()
        existing = Comment.objects.in_bulk(
            [c.row.comment_id for c in incoming if c.row and c.row.comment_id]
        )
        context = None
        dirty: dict[int, Comment] = {}  # id() → an existing comment needing an update
        fresh: list[_Incoming] = []
        for c in incoming:
            if c.row is not None and c.row.comment_id is None:
                self.summary.count("comment", "kept deleted")
                continue
            if c.row is not None:
                c.obj = existing.get(c.row.comment_id)
                if c.obj is None:  # pragma: no cover - the FK is SET_NULL on delete
                    continue
                if c.row.digest == c.digest:
                    self.summary.count("comment", "unchanged")
                    continue
                self.summary.count("comment", "updated")
            else:
                c.obj = Comment(review_id=review_pk)
                fresh.append(c)
                self.summary.count("comment", "created")
            context = context or self._post_context(review_pk)
            self._fill_comment(c.obj, c.source, *context)
            if c.row is not None:
                dirty[id(c.obj)] = c.obj
        inserted = self._create(fresh)
        live = [c for c in incoming if c.obj is not None]
        nodes = [threads.Node(c.tree_key, c.parent_key, c.obj) for c in live]
        tree_changed = {
            id(comment): comment
            for comment in threads.arrange(
                nodes, summary=self.summary, where=lambda n: f"comment {n.key} in {item.describe()}"
            )
        }
        for comment in [c.obj for c in live]:
            self.summary.comments_by_status[comment.status] += 1
        for comment in threads.number([c.obj for c in live]):
            tree_changed[id(comment)] = comment
        if fresh and not inserted:
            # Every new comment kept its WordPress id: one insert, paths and all.
            Comment.objects.bulk_create([c.obj for c in fresh], batch_size=500)
            self._reset_sequence()
            for c in fresh:
                tree_changed.pop(id(c.obj), None)
        Comment.objects.bulk_update(
            list(dirty.values()),
            [
                "parent", "path", "depth", "number", "user", "author_name", "author_email",
                "author_url", "ip_address", "body", "body_html", "status", "is_removed",
                "created_at", "approved_at",
            ],
            batch_size=500,
        )  # fmt: skip
        Comment.objects.bulk_update(
            [obj for key, obj in tree_changed.items() if key not in dirty],
            ["parent", "path", "depth", "number"],
            batch_size=500,
        )
        ImportedObject.objects.bulk_create(
            [
                ImportedObject(
                    source=source_key,
                    kind=Kind.COMMENT,
                    external_id=c.key,
                    comment=c.obj,
                    container_id=post_key,
                    parent_external_id=c.parent_key,
                    digest=c.digest,
                    data={"wp_id": c.source.comment_id} if c.key != c.source.comment_id else {},
                )
                for c in fresh
            ],
            batch_size=500,
        )
        updated_rows = []
        for c in incoming:
            if c.row is not None and c.obj is not None and c.row.digest != c.digest:
                c.row.digest, c.row.updated_at = c.digest, self.now
                c.row.parent_external_id = c.parent_key
                updated_rows.append(c.row)
        ImportedObject.objects.bulk_update(
            updated_rows, ["digest", "parent_external_id", "updated_at"], batch_size=500
        )
        self._comment_redirects(fresh, source_key)
        if fresh or dirty or tree_changed:
            refresh_comment_counts([review_pk])

    def _incoming(self, item: wxr.Item, post_key: str) -> list[_Incoming]:
        """The item's comments to import (linkbacks skipped), with their import rows."""
        incoming: list[_Incoming] = []
        seen: set[str] = set()
        for source in item.comments:
            kind = source.type.strip().lower()
            if kind in LINKBACK_TYPES:
                self.summary.skipped["pingbacks and trackbacks"] += 1
                continue
            if kind not in COMMENT_TYPES:
                self.summary.skipped[f"comments of type “{kind}”"] += 1
                continue
            key = source.comment_id or "hash:" + digest(
                [source.author, source.date_gmt, source.date, source.content]
            )
            tree_key = key
            if key in seen:
                self.summary.oddity("comment id repeated within one item", f"id {key}")
                key = tree_key = f"{post_key}:{key}:{len(seen)}"
            seen.add(key)
            parent = source.parent if source.parent not in ("", "0") else ""
            incoming.append(_Incoming(source, key, parent, digest(source), tree_key))
        if not incoming:
            return incoming
        source_key = self.ensure_source()
        rows = {
            row.external_id: row
            for row in ImportedObject.objects.filter(
                source=source_key, kind=Kind.COMMENT, external_id__in=[c.key for c in incoming]
            )
        }
        clashes = [c for c in incoming if c.key in rows and rows[c.key].container_id != post_key]
        if clashes:
            # The same comment id under two items (hand-merged exports): the later one
            # is kept under an id scoped to its item.
            for c in clashes:
                self.summary.oddity(
                    "comment id used under two items (the second kept under its own id)",
                    f"id {c.key} in {item.describe()}",
                )
                c.key = f"{post_key}:{c.key}"
            rows.update(
                {
                    row.external_id: row
                    for row in ImportedObject.objects.filter(
                        source=source_key,
                        kind=Kind.COMMENT,
                        external_id__in=[c.key for c in clashes],
                    )
                }
            )
        for c in incoming:
            c.row = rows.get(c.key)
        return incoming

    def _post_context(self, review_pk: int) -> tuple:
        """(the review's date, its author's pk, the author's e-mail) for its comments."""
        published_at, author_pk, email = (
            Review.objects.filter(pk=review_pk)
            .values_list("published_at", "author_id", "author__email")
            .get()
        )
        return published_at, author_pk, (email or "").lower()

    def _comment_redirects(self, fresh: list[_Incoming], source_key: str) -> None:
        redirects = [
            LegacyRedirect(
                old_path=f"?replytocom={int(c.source.comment_id)}",
                comment=c.obj,
                source=source_key,
            )
            for c in fresh
            if c.source.comment_id.isdigit() and c.key == c.source.comment_id
        ]
        if not redirects:
            return
        # A ?replytocom= key another import already claimed keeps its first owner.
        LegacyRedirect.objects.bulk_create(redirects, batch_size=500, ignore_conflicts=True)
        self.summary.redirects += len(redirects)

    def _fill_comment(
        self, comment: Comment, source: wxr.Comment, published_at, author_pk, author_email
    ) -> None:
        status = COMMENT_STATUS.get((source.approved or "").strip().lower())
        if status is None:
            if source.approved is None:
                self.summary.oddity("comment without comment_approved (held for moderation)")
            else:
                self.summary.oddity(
                    "unknown comment status (held for moderation)", f"“{source.approved}”"
                )
            status = Comment.Status.PENDING
        created = parse_wp_date(source.date_gmt) or parse_wp_date(source.date)
        if created is None:
            self.summary.oddity("comment without a date (dated like its post)")
            created = published_at or self.now
        user_pk = self.author_ids.get(source.user_id) if source.user_id not in ("", "0") else None
        email = source.author_email.strip()
        if email and author_email and email.lower() == author_email:
            user_pk = author_pk  # the post's author answering: keeps the author badge
        comment.user_id = user_pk
        comment.author_name = (source.author.strip() or "Anonymous")[:80]
        comment.author_email = email[:254]
        comment.author_url = safe_url(source.author_url)
        comment.ip_address = valid_ip(source.author_ip)
        comment.body = source.content
        comment.body_html = clean_comment_html(source.content)
        comment.status = status
        comment.is_removed = source.meta.get(REMOVED_META, "").strip() == "1"
        comment.created_at = created
        comment.approved_at = created if status == Comment.Status.APPROVED else None

    def _create(self, fresh: list[_Incoming]) -> bool:
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
                self.summary.oddity(
                    "comment id already used on this site (a new id was given, so its old "
                    "#comment- anchor does not match)",
                    f"id {pk}",
                )
            else:
                c.obj.pk = pk
        with_pk = [c.obj for c in fresh if c.obj.pk is not None]
        without_pk = [c.obj for c in fresh if c.obj.pk is None]
        if not without_pk:
            return False
        if with_pk:
            Comment.objects.bulk_create(with_pk, batch_size=500)
            self._reset_sequence()  # PostgreSQL: the next generated id comes after these
        Comment.objects.bulk_create(without_pk, batch_size=500)
        return True

    @staticmethod
    def _reset_sequence() -> None:
        from django.core.management.color import no_style
        from django.db import connection

        statements = connection.ops.sequence_reset_sql(no_style(), [Comment])
        if statements:
            with connection.cursor() as cursor:
                for sql in statements:
                    cursor.execute(sql)

    # --- the end ----------------------------------------------------------------------

    def assign_covers(self) -> None:
        """Featured images: the attachment may come after its post in the file."""
        rows = ImportedObject.objects.filter(
            source=self.source, kind=Kind.POST, review__isnull=False, data__has_key="thumbnail"
        ).values_list("review_id", "data")
        batch: list[tuple[int, str]] = []
        for review_pk, data in rows.iterator(chunk_size=1000):
            batch.append((review_pk, str(data["thumbnail"])))
            if len(batch) >= 1000:
                self._assign_cover_batch(batch)
                batch = []
        if batch:
            self._assign_cover_batch(batch)

    def _assign_cover_batch(self, batch: list[tuple[int, str]]) -> None:
        images = dict(
            ImportedObject.objects.filter(
                source=self.source,
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
        for review_pk, thumb in batch:
            if review_pk in without_cover and thumb in images:
                Review.objects.filter(pk=review_pk).update(cover_id=images[thumb])
