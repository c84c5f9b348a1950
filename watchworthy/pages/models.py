"""Pages: standalone texts outside the review flow ("About the blog", "Ethics policy").

A page's body is Markdown (what a critic writes here) or HTML (what an import brought
in, e.g. a WordPress page). Either way it is rendered once, on save, to ``body_html``,
and HTML only ever enters through :func:`watchworthy.core.sanitize.clean_html`.

Publishing works like reviews: a status plus a time, so a scheduled page goes public
by itself when ``published_at`` passes, and a draft is never public.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import SafeString

from watchworthy.core.markdown import render_markdown
from watchworthy.core.sanitize import clean_html, stored_html


class PageQuerySet(models.QuerySet):
    def published(self):
        """Public pages: not a draft, and their time has come."""
        return self.filter(published_at__lte=timezone.now()).exclude(status=Page.Status.DRAFT)

    def visible_to(self, user):
        """What ``user`` may open: staff also see drafts and scheduled pages."""
        if user.is_authenticated and user.is_staff:
            return self.all()
        return self.published()


class Page(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        SCHEDULED = "scheduled", "Scheduled"
        PUBLISHED = "published", "Published"

    class BodyFormat(models.TextChoices):
        MARKDOWN = "markdown", "Markdown"
        HTML = "html", "HTML (sanitized)"

    title = models.CharField(max_length=200)
    slug = models.SlugField(max_length=200, unique=True, help_text="The address: /pages/SLUG/")
    body = models.TextField(blank=True)
    body_format = models.CharField(
        max_length=10,
        choices=BodyFormat.choices,
        default=BodyFormat.MARKDOWN,
        help_text="Markdown for pages written here; HTML for imported pages.",
    )
    body_html = models.TextField(editable=False, blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="pages",
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    published_at = models.DateTimeField(
        null=True,
        blank=True,
        db_index=True,
        help_text="When it goes (or went) public. Empty means now, on publishing.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = PageQuerySet.as_manager()

    class Meta:
        ordering = ["title"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status="draft") | models.Q(published_at__isnull=False),
                name="page_public_needs_time",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def save(self, *args, **kwargs) -> None:
        if self.status == self.Status.PUBLISHED and self.published_at is None:
            self.published_at = timezone.now()
        self.render()
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("pages:detail", kwargs={"slug": self.slug})

    def render(self) -> None:
        if self.body_format == self.BodyFormat.HTML:
            self.body_html = clean_html(self.body)
        else:
            self.body_html = render_markdown(self.body)

    @property
    def is_public(self) -> bool:
        return (
            self.status != self.Status.DRAFT
            and self.published_at is not None
            and self.published_at <= timezone.now()
        )

    @property
    def body_markup(self) -> SafeString:
        return stored_html(self.body_html)
