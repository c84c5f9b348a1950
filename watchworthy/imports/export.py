"""Write the whole site as a WordPress export (WXR 1.2), so nobody is locked in.

``wordpress_export(out=...)`` streams: reviews are read in chunks with their
comments, so memory does not grow with the size of the site.

========================  =========================================================
Watchworthy               WXR
========================  =========================================================
Review                    ``post`` (published → publish, scheduled → future, draft);
                          content is the stored, sanitized HTML; the source
                          (Markdown or HTML), verdict, score and work go in ``_watchworthy_*``
                          postmeta; the cover is ``_thumbnail_id``
Page                      ``page``
Tag                       ``wp:tag`` and ``<category domain="post_tag">``
Comment                   ``wp:comment`` with its id, parent, status (1 / 0 / spam /
                          trash); a removed comment keeps its place with
                          ``_watchworthy_removed`` commentmeta
Image                     ``attachment`` with its absolute URL, ``_wp_attached_file``
                          (relative to the media folder) and its alt text
missing attachment        ``attachment`` with the original URL an import recorded
User (authors)            ``wp:author``
========================  =========================================================

Post ids: an imported item keeps the WordPress id it came with (so ``?p=`` links
stay meaningful across a round trip) unless another item already uses it; others
get fresh ids after the highest one.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from typing import BinaryIO
from xml.sax.saxutils import escape, quoteattr

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import Q
from django.utils import timezone
from django.utils.http import http_date

from watchworthy.core.models import SiteSettings
from watchworthy.core.publishing import Publishable
from watchworthy.discussion.models import Comment
from watchworthy.images.models import Image
from watchworthy.pages.models import Page
from watchworthy.reviews.models import Review, Tag

from .models import ImportedObject

CHUNK = 500
INVALID_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
Kind = ImportedObject.Kind
COMMENT_APPROVED: dict[str, str] = {
    Comment.Status.APPROVED: "1",
    Comment.Status.PENDING: "0",
    Comment.Status.SPAM: "spam",
    Comment.Status.TRASH: "trash",
}


def _clean(text) -> str:
    return INVALID_XML.sub("", "" if text is None else str(text))


def cdata(text) -> str:
    return "<![CDATA[" + _clean(text).replace("]]>", "]]]]><![CDATA[>") + "]]>"


def esc(text) -> str:
    return escape(_clean(text))


def wp_date(moment: datetime | None, *, gmt: bool) -> str:
    if moment is None:
        return "0000-00-00 00:00:00"
    moment = moment.astimezone(UTC) if gmt else timezone.localtime(moment)
    return moment.strftime("%Y-%m-%d %H:%M:%S")


def wp_status(item: Publishable, now: datetime) -> str:
    """A review's or page's status as WordPress writes it: draft, future or publish."""
    if item.status == Publishable.Status.DRAFT:
        return "draft"
    if item.published_at and item.published_at > now:
        return "future"
    return "publish"


class _Ids:
    """WordPress post ids for reviews, pages and attachments (one id space)."""

    def __init__(self) -> None:
        self.ids: dict[tuple[str, int], int] = {}
        self.used: set[int] = set()
        self.waiting: list[tuple[str, int]] = []

    def prefer(self, kind: str, pk: int, external_id: str | None) -> None:
        if (kind, pk) in self.ids:
            return
        wanted = int(external_id) if external_id and external_id.isdigit() else 0
        if 0 < wanted < 2**31 and wanted not in self.used:
            self.ids[(kind, pk)] = wanted
            self.used.add(wanted)
        else:
            self.waiting.append((kind, pk))

    def settle(self) -> None:
        following = max(self.used, default=0) + 1
        for key in self.waiting:
            if key not in self.ids:
                self.ids[key] = following
                self.used.add(following)
                following += 1
        self.waiting.clear()

    def __getitem__(self, key: tuple[str, int]) -> int:
        return self.ids[key]

    def get(self, key):
        return self.ids.get(key)


def wordpress_export(*, out: BinaryIO, progress: Callable[[int], None] | None = None) -> Counter:
    """Write WXR 1.2 to ``out``; return how many of each thing were written."""
    return _Exporter(out, progress).run()


class _Exporter:
    def __init__(self, out: BinaryIO, progress):
        self.out = out
        self.progress = progress
        self.counts: Counter = Counter()
        self.site = settings.WATCHWORTHY_SITE_URL.rstrip("/")
        self.ids = _Ids()
        self.authors: set[int] = set()

    def write(self, *parts: str) -> None:
        self.out.write("".join(parts).encode("utf-8"))

    def absolute(self, url: str) -> str:
        return url if url.startswith(("http://", "https://")) else f"{self.site}{url}"

    # --- ids ------------------------------------------------------------------------

    def plan_ids(self) -> None:
        rows = ImportedObject.objects.filter(
            Q(review__isnull=False) | Q(page__isnull=False) | Q(image__isnull=False)
        ).values_list("kind", "external_id", "review_id", "page_id", "image_id")
        for kind, external_id, review_pk, page_pk, image_pk in rows.iterator(chunk_size=2000):
            if kind == Kind.POST and review_pk:
                self.ids.prefer("review", review_pk, external_id)
            elif kind == Kind.PAGE and page_pk:
                self.ids.prefer("page", page_pk, external_id)
            elif kind == Kind.ATTACHMENT and image_pk:
                self.ids.prefer("image", image_pk, external_id)
        missing = ImportedObject.objects.filter(
            kind=Kind.ATTACHMENT, image__isnull=True, data__has_key="missing"
        ).values_list("pk", "external_id")
        for pk, external_id in missing.iterator(chunk_size=2000):
            self.ids.prefer("missing", pk, external_id.split("#", 1)[0])
        for kind, model in (("review", Review), ("page", Page), ("image", Image)):
            for pk in model.objects.values_list("pk", flat=True).iterator(chunk_size=2000):
                self.ids.prefer(kind, pk, None)
        self.ids.settle()

    # --- the file ----------------------------------------------------------------------

    def run(self) -> Counter:
        self.plan_ids()
        site = SiteSettings.current()
        self.write(
            '<?xml version="1.0" encoding="UTF-8" ?>\n',
            "<!-- A WordPress eXtended RSS (WXR 1.2) export made by Watchworthy. -->\n",
            '<rss version="2.0"\n',
            '\txmlns:excerpt="http://wordpress.org/export/1.2/excerpt/"\n',
            '\txmlns:content="http://purl.org/rss/1.0/modules/content/"\n',
            '\txmlns:wfw="http://wellformedweb.org/CommentAPI/"\n',
            '\txmlns:dc="http://purl.org/dc/elements/1.1/"\n',
            '\txmlns:wp="http://wordpress.org/export/1.2/"\n>\n<channel>\n',
            f"\t<title>{esc(site.site_name)}</title>\n",
            f"\t<link>{esc(self.site)}</link>\n",
            f"\t<description>{esc(site.tagline)}</description>\n",
            f"\t<pubDate>{http_date()}</pubDate>\n",
            f"\t<language>{esc(settings.LANGUAGE_CODE)}</language>\n",
            "\t<wp:wxr_version>1.2</wp:wxr_version>\n",
            f"\t<wp:base_site_url>{esc(self.site)}</wp:base_site_url>\n",
            f"\t<wp:base_blog_url>{esc(self.site)}</wp:base_blog_url>\n",
        )
        self.write_authors()
        for tag in Tag.objects.order_by("pk").iterator(chunk_size=2000):
            self.write(
                "\t<wp:tag>",
                f"<wp:term_id>{tag.pk}</wp:term_id>",
                f"<wp:tag_slug>{cdata(tag.slug)}</wp:tag_slug>",
                f"<wp:tag_name>{cdata(tag.name)}</wp:tag_name>",
                "</wp:tag>\n",
            )
            self.counts["tags"] += 1
        self.write("\t<generator>Watchworthy</generator>\n")
        self.write_images()
        self.write_missing_attachments()
        self.write_reviews()
        self.write_pages()
        self.write("</channel>\n</rss>\n")
        return self.counts

    def write_authors(self) -> None:
        User = get_user_model()
        authors = User.objects.filter(Q(reviews__isnull=False) | Q(pages__isnull=False)).distinct()
        for user in authors.order_by("pk"):
            self.authors.add(user.pk)
            self.write(
                "\t<wp:author>",
                f"<wp:author_id>{user.pk}</wp:author_id>",
                f"<wp:author_login>{cdata(user.username)}</wp:author_login>",
                f"<wp:author_email>{cdata(user.email)}</wp:author_email>",
                f"<wp:author_display_name>{cdata(user.public_name)}</wp:author_display_name>",
                f"<wp:author_first_name>{cdata(user.first_name)}</wp:author_first_name>",
                f"<wp:author_last_name>{cdata(user.last_name)}</wp:author_last_name>",
                "</wp:author>\n",
            )
            self.counts["authors"] += 1

    def item_head(
        self,
        *,
        title: str,
        link: str,
        guid: str,
        creator: str,
        when: datetime | None,
        created: datetime,
        content: str,
        excerpt: str,
        post_id: int,
        name: str,
        status: str,
        post_type: str,
        comment_status: str = "closed",
        sticky: bool = False,
    ) -> None:
        self.write(
            "\t<item>\n",
            f"\t\t<title>{esc(title)}</title>\n",
            f"\t\t<link>{esc(link)}</link>\n",
            f"\t\t<pubDate>{http_date((when or created).timestamp())}</pubDate>\n",
            f"\t\t<dc:creator>{cdata(creator)}</dc:creator>\n",
            f'\t\t<guid isPermaLink="false">{esc(guid)}</guid>\n',
            "\t\t<description></description>\n",
            f"\t\t<content:encoded>{cdata(content)}</content:encoded>\n",
            f"\t\t<excerpt:encoded>{cdata(excerpt)}</excerpt:encoded>\n",
            f"\t\t<wp:post_id>{post_id}</wp:post_id>\n",
            f"\t\t<wp:post_date>{cdata(wp_date(when or created, gmt=False))}</wp:post_date>\n",
            f"\t\t<wp:post_date_gmt>{cdata(wp_date(when, gmt=True))}</wp:post_date_gmt>\n",
            f"\t\t<wp:comment_status>{comment_status}</wp:comment_status>\n",
            "\t\t<wp:ping_status>closed</wp:ping_status>\n",
            f"\t\t<wp:post_name>{cdata(name)}</wp:post_name>\n",
            f"\t\t<wp:status>{status}</wp:status>\n",
            "\t\t<wp:post_parent>0</wp:post_parent>\n",
            "\t\t<wp:menu_order>0</wp:menu_order>\n",
            f"\t\t<wp:post_type>{post_type}</wp:post_type>\n",
            "\t\t<wp:post_password></wp:post_password>\n",
            f"\t\t<wp:is_sticky>{1 if sticky else 0}</wp:is_sticky>\n",
        )

    def meta(self, key: str, value) -> None:
        self.write(
            "\t\t<wp:postmeta>",
            f"<wp:meta_key>{cdata(key)}</wp:meta_key>",
            f"<wp:meta_value>{cdata(value)}</wp:meta_value>",
            "</wp:postmeta>\n",
        )

    def write_images(self) -> None:
        storage_url = Image._meta.get_field("file").storage.url
        for image in Image.objects.order_by("pk").iterator(chunk_size=CHUNK):
            url = self.absolute(storage_url(image.file.name)) if image.file else ""
            self.item_head(
                title=image.key,
                link=url,
                guid=url,
                creator="",
                when=image.uploaded_at,
                created=image.uploaded_at,
                content="",
                excerpt=image.caption,
                post_id=self.ids[("image", image.pk)],
                name=image.key,
                status="inherit",
                post_type="attachment",
            )
            self.write(f"\t\t<wp:attachment_url>{cdata(url)}</wp:attachment_url>\n")
            self.meta("_wp_attached_file", image.file.name)
            self.meta("_wp_attachment_image_alt", image.alt_text)
            if image.credit:
                self.meta("_watchworthy_credit", image.credit)
            self.write("\t</item>\n")
            self.counts["attachments"] += 1

    def write_missing_attachments(self) -> None:
        rows = ImportedObject.objects.filter(
            kind=Kind.ATTACHMENT, image__isnull=True, data__has_key="missing"
        ).order_by("pk")
        for row in rows.iterator(chunk_size=CHUNK):
            url = row.data.get("url", "")
            self.item_head(
                title=row.data.get("title", ""),
                link=row.link or url,
                guid=url,
                creator="",
                when=row.imported_at,
                created=row.imported_at,
                content="",
                excerpt="",
                post_id=self.ids[("missing", row.pk)],
                name="",
                status="inherit",
                post_type="attachment",
            )
            self.write(f"\t\t<wp:attachment_url>{cdata(url)}</wp:attachment_url>\n")
            self.write("\t</item>\n")
            self.counts["attachments"] += 1

    def write_reviews(self) -> None:
        reviews = Review.objects.select_related("author", "work").order_by("pk")
        for chunk in _chunks(reviews.iterator(chunk_size=CHUNK), CHUNK):
            pks = [review.pk for review in chunk]
            tags: dict[int, list[Tag]] = {}
            for through in Review.tags.through.objects.filter(review_id__in=pks).select_related(
                "tag"
            ):
                tags.setdefault(through.review_id, []).append(through.tag)
            extra = {
                row.review_id: row
                for row in ImportedObject.objects.filter(kind=Kind.POST, review_id__in=pks)
            }
            comments: dict[int, list[Comment]] = {}
            for comment in Comment.objects.filter(review_id__in=pks).order_by("review_id", "path"):
                comments.setdefault(comment.review_id, []).append(comment)
            for review in chunk:
                self.write_review(
                    review, tags.get(review.pk, []), extra.get(review.pk), comments.get(review.pk)
                )
            if self.progress:
                self.progress(self.counts["posts"])

    def write_review(self, review: Review, tags, row, comments) -> None:
        post_id = self.ids[("review", review.pk)]
        self.item_head(
            title=review.title,
            link=self.absolute(review.get_absolute_url()),
            guid=(row.data.get("guid") if row else "") or f"{self.site}/?p={post_id}",
            creator=review.author.username,
            when=review.published_at,
            created=review.created_at,
            content=review.body_html,
            excerpt=review.excerpt,
            post_id=post_id,
            name=review.slug,
            status=wp_status(review, timezone.now()),
            post_type="post",
            comment_status="open" if review.comments_open else "closed",
            sticky=bool(row and row.data.get("sticky")),
        )
        for tag in tags:
            self.write(
                f'\t\t<category domain="post_tag" nicename={quoteattr(_clean(tag.slug))}>',
                f"{cdata(tag.name)}</category>\n",
            )
        if review.cover_id and self.ids.get(("image", review.cover_id)):
            self.meta("_thumbnail_id", self.ids[("image", review.cover_id)])
        self.meta("_watchworthy_verdict", review.verdict)
        if review.score is not None:
            self.meta("_watchworthy_score", review.score)
        self.meta("_watchworthy_work", review.work.slug)
        if review.subtitle:
            self.meta("_watchworthy_subtitle", review.subtitle)
        self.meta("_watchworthy_body", review.body)
        self.meta("_watchworthy_body_format", review.body_format)
        for comment in comments or []:
            self.write_comment(comment)
        self.write("\t</item>\n")
        self.counts["posts"] += 1

    def write_comment(self, comment: Comment) -> None:
        user_id = comment.user_id if comment.user_id in self.authors else 0
        self.write(
            "\t\t<wp:comment>\n",
            f"\t\t\t<wp:comment_id>{comment.pk}</wp:comment_id>\n",
            f"\t\t\t<wp:comment_author>{cdata(comment.author_name)}</wp:comment_author>\n",
            f"\t\t\t<wp:comment_author_email>{cdata(comment.author_email)}"
            "</wp:comment_author_email>\n",
            f"\t\t\t<wp:comment_author_url>{esc(comment.author_url)}</wp:comment_author_url>\n",
            f"\t\t\t<wp:comment_author_IP>{esc(comment.ip_address or '')}</wp:comment_author_IP>\n",
            f"\t\t\t<wp:comment_date>{cdata(wp_date(comment.created_at, gmt=False))}"
            "</wp:comment_date>\n",
            f"\t\t\t<wp:comment_date_gmt>{cdata(wp_date(comment.created_at, gmt=True))}"
            "</wp:comment_date_gmt>\n",
            f"\t\t\t<wp:comment_content>{cdata(comment.body_html)}</wp:comment_content>\n",
            f"\t\t\t<wp:comment_approved>{COMMENT_APPROVED[comment.status]}"
            "</wp:comment_approved>\n",
            "\t\t\t<wp:comment_type>comment</wp:comment_type>\n",
            f"\t\t\t<wp:comment_parent>{comment.parent_id or 0}</wp:comment_parent>\n",
            f"\t\t\t<wp:comment_user_id>{user_id}</wp:comment_user_id>\n",
        )
        if comment.is_removed:
            self.write(
                "\t\t\t<wp:commentmeta><wp:meta_key>_watchworthy_removed</wp:meta_key>"
                "<wp:meta_value>1</wp:meta_value></wp:commentmeta>\n"
            )
        self.write("\t\t</wp:comment>\n")
        self.counts["comments"] += 1

    def write_pages(self) -> None:
        now = timezone.now()
        pages = Page.objects.select_related("author").order_by("pk")
        for page in pages.iterator(chunk_size=CHUNK):
            post_id = self.ids[("page", page.pk)]
            self.item_head(
                title=page.title,
                link=self.absolute(page.get_absolute_url()),
                guid=f"{self.site}/?page_id={post_id}",
                creator=page.author.username if page.author else "",
                when=page.published_at,
                created=page.created_at,
                content=page.body_html,
                excerpt="",
                post_id=post_id,
                name=page.slug,
                status=wp_status(page, now),
                post_type="page",
            )
            if page.body_format == Page.BodyFormat.MARKDOWN:
                self.meta("_watchworthy_markdown", page.body)
            self.write("\t</item>\n")
            self.counts["pages"] += 1


def _chunks(iterable: Iterable, size: int):
    chunk = []
    for item in iterable:
        chunk.append(item)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk
