"""Pages: standalone texts outside the review flow ("About the blog", "Ethics policy").

A page's body is Markdown (what a critic writes here) or HTML (what an import brought
in, e.g. a WordPress page). Either way it is rendered once, on save, to ``body_html``,
and HTML only ever enters through :func:`watchworthy.core.sanitize.clean_html`.

Publishing works like reviews (:mod:`watchworthy.core.publishing`): a status plus a
time, so a scheduled page goes public by itself when ``published_at`` passes, and a
draft is never public.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.safestring import SafeString

from watchworthy.core.markdown import BodyFormat, render_markdown
from watchworthy.core.publishing import Publishable, PublishingQuerySet
from watchworthy.core.sanitize import clean_html, stored_html


class Page(Publishable):
    """``status``, ``published_at`` and ``is_public`` come from
    :class:`~watchworthy.core.publishing.Publishable`."""

    BodyFormat = BodyFormat

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
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = PublishingQuerySet.as_manager()

    class Meta(Publishable.Meta):  # keeps its constraint, page_public_needs_time
        ordering = ["title"]

    def __str__(self) -> str:
        return self.title

    def save(self, *args, **kwargs) -> None:
        self.render()
        super().save(*args, **kwargs)  # fills in an empty published_at (Publishable)

    def get_absolute_url(self) -> str:
        return reverse("pages:detail", kwargs={"slug": self.slug})

    def render(self) -> None:
        if self.body_format == self.BodyFormat.HTML:
            self.body_html = clean_html(self.body)
        else:
            self.body_html = render_markdown(self.body)

    @property
    def body_markup(self) -> SafeString:
        return stored_html(self.body_html)
