"""Site-wide settings the critic edits in the admin: the site's name, the about page
and the support links shown under every review. No domain models live here."""

from __future__ import annotations

from typing import Any

from asgiref.local import Local
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import DEFAULT_DB_ALIAS, models
from django.utils.safestring import SafeString

from .changes import ChangeSet
from .jsonrows import load_objects, object_rows
from .markdown import render_markdown
from .prepared import PreparedQuery
from .sanitize import stored_html

# The row and the active support links (v2: the links came with it).
SITE_SETTINGS_CACHE_KEY = "core:site-settings:v2"

# The row as this request has read it: a page asks for it four times (the context
# processor, the discussion, the feed links, the sharing tags), and each ask was a
# cache read (a file and an unpickling in production). Kept from the request's start
# to its end only (see watchworthy.core.apps), so it never outlives the request.
_this_request = Local()


class SiteSettings(models.Model):
    """One row (pk=1). Read through :meth:`current`, which caches it."""

    support_links: list[SupportLink]  # set by current(); not a column

    site_name = models.CharField(max_length=80, default="Watchworthy")
    tagline = models.CharField(max_length=160, blank=True, default="Reviews, season by season.")
    about = models.TextField(blank=True, help_text="The About page, in Markdown.")
    about_html = models.TextField(blank=True, editable=False)
    support_heading = models.CharField(
        max_length=160,
        blank=True,
        default="Enjoyed this review?",
        help_text="Shown above the support links under every review.",
    )

    comments_close_after_days = models.PositiveSmallIntegerField(
        default=0,
        help_text="Close a review's comments this many days after it is published. 0: never.",
    )
    comments_newest_first = models.BooleanField(
        default=False, help_text="Show the newest comment threads first (default: oldest first)."
    )
    comments_per_page = models.PositiveSmallIntegerField(
        default=50,
        help_text="Comment threads (a comment with all its replies) per page. "
        "0 shows every thread on one page.",
    )
    comment_max_links = models.PositiveSmallIntegerField(
        default=2, help_text="A comment with more links than this waits for approval."
    )

    class CommentMail(models.TextChoices):
        IMMEDIATE = "immediate", "At once (a digest if more than the hourly limit)"
        HOURLY = "hourly", "An hourly digest"
        DAILY = "daily", "A daily digest"

    comment_mail = models.CharField(
        max_length=10,
        choices=CommentMail.choices,
        default=CommentMail.IMMEDIATE,
        help_text="How a review's author hears of new comments.",
    )
    comment_mail_hourly_limit = models.PositiveSmallIntegerField(
        default=20,
        help_text="At most this many single comment mails an hour; beyond it, one digest.",
    )
    comment_blocklist = models.TextField(
        blank=True,
        help_text="One word or phrase per line. A comment containing one waits for approval.",
    )

    class FeedContent(models.TextChoices):
        FULL = "full", "The whole review (spoilers replaced by a note)"
        EXCERPT = "excerpt", "The excerpt, with a link to the review"

    feed_content = models.CharField(
        max_length=10,
        choices=FeedContent.choices,
        default=FeedContent.FULL,
        help_text="What each entry of the review feeds (RSS and Atom) carries. Spoilers "
        "never travel into feeds either way.",
    )

    class Meta:
        verbose_name = "site settings"
        verbose_name_plural = "site settings"

    def __str__(self) -> str:
        return "Site settings"

    def save(self, *args, **kwargs) -> None:
        self.pk = 1
        self.about_html = render_markdown(self.about)
        super().save(*args, **kwargs)
        forget_site_settings()

    @property
    def about_markup(self) -> SafeString:
        return stored_html(self.about_html)

    @classmethod
    def current(cls) -> SiteSettings:
        """The row, with ``support_links`` (the active ones, in order) read with it:
        site configuration, kept in the cache until a change to either forgets it
        (:func:`forget_site_settings`) or for five minutes."""
        in_request = getattr(_this_request, "active", False)
        settings = getattr(_this_request, "settings", None) if in_request else None
        if settings is not None:
            return settings
        settings = cache.get(SITE_SETTINGS_CACHE_KEY)
        if settings is None:
            found = _SETTINGS_ROW.fetch()
            if found:
                settings = found[0]
                settings.support_links = load_objects(
                    SupportLink,
                    settings.support_link_rows,  # type: ignore[attr-defined]
                    settings._state.db or DEFAULT_DB_ALIAS,
                )
                del settings.support_link_rows  # type: ignore[attr-defined]
            else:  # a new site; a support link's save writes the row (see SupportLink)
                settings = cls(pk=1)
                settings.support_links = []
            cache.set(SITE_SETTINGS_CACHE_KEY, settings, 300)
        if in_request:
            _this_request.settings = settings
        return settings


def forget_site_settings() -> None:
    """The settings row or a support link changed: the next read goes to the database.
    Called at once by the saving process and again when its transaction commits (see
    :func:`forget_on_change`), so that a read in between cannot keep the old row."""
    cache.delete(SITE_SETTINGS_CACHE_KEY)
    _this_request.settings = None


def forget_on_change(sender: object, changes: ChangeSet, **kwargs: object) -> None:
    """``content_changed``: a committed change to the settings or the support links."""
    if SiteSettings in changes or SupportLink in changes:
        forget_site_settings()


def request_began(**kwargs: object) -> None:
    """``request_started``: :meth:`SiteSettings.current` keeps the row until the end."""
    _this_request.settings = None
    _this_request.active = True


def request_ended(**kwargs: object) -> None:
    """``request_finished``: forget the row this request read."""
    _this_request.active = False
    _this_request.settings = None


class SupportLink(models.Model):
    """A plain link to where readers can support the critic. No third-party script."""

    class Kind(models.TextChoices):
        KOFI = "kofi", "Ko-fi"
        PATREON = "patreon", "Patreon"
        LIBERAPAY = "liberapay", "Liberapay"
        OTHER = "other", "Other"

    kind = models.CharField(max_length=16, choices=Kind.choices, default=Kind.OTHER)
    label = models.CharField(
        max_length=80, help_text='The button text, e.g. "Buy me a coffee on Ko-fi".'
    )
    url = models.URLField(help_text="https:// address of your page there.")
    position = models.PositiveSmallIntegerField(default=0)
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["position", "pk"]

    def __str__(self) -> str:
        return self.label

    def save(self, *args, **kwargs) -> None:
        """Also writes the settings row if the site has none yet: the links are read
        with it (:meth:`SiteSettings.current`), so a site with links has the row."""
        super().save(*args, **kwargs)
        SiteSettings.objects.get_or_create(pk=1)  # (two first links at once: one row)
        forget_site_settings()

    def delete(self, *args, **kwargs) -> Any:
        deleted = super().delete(*args, **kwargs)
        forget_site_settings()
        return deleted

    def clean(self) -> None:
        if self.url and not self.url.lower().startswith(("https://", "http://")):
            raise ValidationError({"url": "Use an http:// or https:// address."})


# ``SiteSettings.objects.filter(pk=1).first()`` with the active support links in a
# column of its row (core.jsonrows), compiled once per database.
_SETTINGS_ROW: PreparedQuery[SiteSettings] = PreparedQuery(
    lambda: (
        SiteSettings.objects.filter(pk=1)
        .annotate(
            support_link_rows=object_rows(
                SupportLink.objects.filter(is_active=True), order_by=["position", "pk"]
            )
        )
        .order_by("pk")[:1]
    )
)
