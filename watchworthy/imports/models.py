"""What an import brought in, and the old addresses that must keep working.

**Identity lives here, not on the imported rows.** Reviews, comments, images and
users have no "imported from" fields; instead each imported thing has one
:class:`ImportedObject` row keyed on ``(source, kind, external_id)`` — e.g. the blog's
base URL, ``"post"`` and the WordPress post id. Re-running an import finds the row and
does nothing when the item's ``digest`` is unchanged, or updates the object when a
newer export changed it. If the object was deleted on this site since, the row stays
(with its link emptied) and the item is *not* re-created: deleting it was a decision.

**Old links** are :class:`LegacyRedirect` rows: an old path (``/2012/05/30/hello/``)
or an old query key (``?p=42``, ``?page_id=7``, ``?replytocom=123``) and the thing it
now points to. The middleware consults them only when a request would otherwise end
in a 404, so they cost nothing on every other page.
"""

from __future__ import annotations

from django.db import models
from django.utils import timezone


class ImportedObject(models.Model):
    class Kind(models.TextChoices):
        AUTHOR = "author", "Author"
        TERM = "term", "Category or tag"
        POST = "post", "Post"
        PAGE = "page", "Page"
        ATTACHMENT = "attachment", "Attachment"
        COMMENT = "comment", "Comment"

    source = models.CharField(
        max_length=300,
        help_text="Where it came from: the blog's base URL, or disqus:FORUM.",
    )
    kind = models.CharField(max_length=12, choices=Kind.choices)
    external_id = models.CharField(max_length=300, help_text="Its id in the source.")
    # What it became here (at most one is set; empty when deleted on this site).
    user = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    tag = models.ForeignKey(
        "reviews.Tag", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    review = models.ForeignKey(
        "reviews.Review", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    page = models.ForeignKey(
        "pages.Page", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    image = models.ForeignKey(
        "images.Image", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    comment = models.ForeignKey(
        "discussion.Comment", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # The containing item in the source (a comment's post id, a Disqus post's thread)
    # and the parent in the source (a comment's parent comment id).
    container_id = models.CharField(max_length=300, blank=True)
    parent_external_id = models.CharField(max_length=300, blank=True)
    link = models.CharField(max_length=1000, blank=True, help_text="The original URL.")
    digest = models.CharField(
        max_length=64, blank=True, help_text="Hash of the item as last imported."
    )
    # Everything else worth keeping: the original HTML, WordPress status, sticky flag,
    # featured-image id, the original file URL of a missing attachment…
    data = models.JSONField(default=dict, blank=True)
    imported_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["source", "kind", "external_id"], name="imported_object_unique"
            ),
        ]
        indexes = [
            models.Index(fields=["kind", "link"], name="imported_object_link_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.source} {self.kind} {self.external_id}"

    @property
    def target(self):
        return self.review or self.page or self.image or self.comment or self.user or self.tag


class LegacyRedirect(models.Model):
    """An old address and what it points to now; answered with a 301 on a 404."""

    old_path = models.CharField(
        max_length=1000,
        unique=True,
        help_text="A path such as /2012/05/30/slug/, or a query key such as ?p=42.",
    )
    review = models.ForeignKey(
        "reviews.Review", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    page = models.ForeignKey(
        "pages.Page", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    comment = models.ForeignKey(
        "discussion.Comment", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    image = models.ForeignKey(
        "images.Image", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    # 0: the item's own permalink; higher: a generated variant (/slug/, /YYYY/MM/slug/),
    # which gives way when another item claims the same path as its own permalink.
    priority = models.PositiveSmallIntegerField(default=0)
    source = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(review__isnull=False, page=None, comment=None, image=None)
                    | models.Q(review=None, page__isnull=False, comment=None, image=None)
                    | models.Q(review=None, page=None, comment__isnull=False, image=None)
                    | models.Q(review=None, page=None, comment=None, image__isnull=False)
                ),
                name="legacy_redirect_one_target",
            ),
        ]

    def __str__(self) -> str:
        return self.old_path
