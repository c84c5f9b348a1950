"""Reviews: what a critic says about a work or one season of it, and the verdict.

The **verdict** is first-class (Watch / Skip / Avoid, or Unrated while there is none)
because it is what readers come for: it is shown on cards, lists and feeds, and the
Watch and Avoid lists are built from it.

**Publishing** is a status plus a time. A *scheduled* review carries a future
``published_at`` and becomes public by itself when that moment passes: the public
querysets compare ``published_at`` with the current time, so no job has to flip a
flag. A *draft* is never public, whatever its time. (The rules are shared with pages,
in :mod:`watchworthy.core.publishing`.)

The Markdown body is rendered once, on save, to ``body_html`` (sanitized). Because a
rendered body embeds other rows (image sizes and captions, the card of a cited
review), saving an image or a cited review re-renders the reviews that use it; the
``images_used`` and ``cited_reviews`` relations record who uses what.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import datetime, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Self, TypeVar

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.safestring import SafeString
from django.utils.text import Truncator

from watchworthy.core.changes import mark_changed
from watchworthy.core.links import reverse
from watchworthy.core.markdown import BodyFormat, parse_markdown, render_comment_markdown
from watchworthy.core.publishing import Publishable, PublishingQuerySet
from watchworthy.core.sanitize import clean_html, stored_html
from watchworthy.images.models import Image
from watchworthy.spoilers.shield import (
    Position,
    SeasonLike,
    Shield,
    max_scope,
    parse_scope,
    spoiler_free_text,
)

if TYPE_CHECKING:
    from watchworthy.catalog.models import Season

TEASER_WORDS = 40
# Top-level paragraphs only: headings, figures and citation cards make poor teasers.
PARAGRAPH = re.compile(r"^<p>(.*?)</p>$", re.MULTILINE | re.DOTALL)

_S = TypeVar("_S", bound=SeasonLike)


class Verdict(models.TextChoices):
    WATCH = "watch", "Watch"
    SKIP = "skip", "Skip"
    AVOID = "avoid", "Avoid"
    UNRATED = "unrated", "Unrated"


VERDICT_LABELS: dict[str, str] = {value: str(label) for value, label in Verdict.choices}


class Tag(models.Model):
    name = models.CharField(max_length=80, unique=True)
    slug = models.SlugField(max_length=80, unique=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("reviews:tag", kwargs={"slug": self.slug})


class ReviewQuerySet(PublishingQuerySet["Review"]):
    """``published()`` and ``visible_to(user)`` come from
    :class:`~watchworthy.core.publishing.PublishingQuerySet`."""

    def for_cards(self) -> Self:
        """Everything a review card shows, in one query."""
        return self.select_related("work", "season", "author", "cover")

    def newest_first(self) -> Self:
        return self.order_by("-published_at", "-pk")

    def ranked(self) -> Self:
        """Best score first; unscored after scored; newest first among equals."""
        return self.order_by(models.F("score").desc(nulls_last=True), "-published_at", "-pk")

    def verdict(self, verdict: str) -> Self:
        return self.filter(verdict=verdict)

    def of_season(self, season: Season) -> Self:
        """Reviews of one season or part, newest first, ready for a verdict line."""
        return self.filter(season=season).select_related("season", "work").newest_first()


class Review(Publishable):
    """``status``, ``published_at`` and ``is_public`` come from
    :class:`~watchworthy.core.publishing.Publishable`."""

    BodyFormat = BodyFormat

    title = models.CharField(max_length=200)
    slug = models.SlugField(max_length=200, unique=True, help_text="The address: /reviews/SLUG/")
    subtitle = models.CharField(
        max_length=300,
        blank=True,
        help_text="A line under the title, e.g. an answer to an earlier review.",
    )
    work = models.ForeignKey("catalog.Work", on_delete=models.PROTECT, related_name="reviews")
    season = models.ForeignKey(
        "catalog.Season",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="reviews",
        help_text="Leave empty for a review of a film or of the whole work.",
    )
    verdict = models.CharField(max_length=10, choices=Verdict.choices, default=Verdict.UNRATED)
    score = models.DecimalField(
        max_digits=3,
        decimal_places=1,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal(0)), MaxValueValidator(Decimal(10))],
        help_text="Optional, 0 to 10 (one decimal).",
    )
    body = models.TextField(
        help_text="Markdown. See the help below the field for images and citations."
    )
    body_format = models.CharField(
        max_length=10,
        choices=BodyFormat.choices,
        default=BodyFormat.MARKDOWN,
        help_text="Reviews moved in from WordPress keep their HTML (cleaned by the sanitizer).",
    )
    body_html = models.TextField(editable=False, blank=True)
    excerpt = models.TextField(
        blank=True, help_text="A short summary for cards and feeds. Made from the body if empty."
    )
    teaser = models.TextField(editable=False, blank=True)
    cover = models.ForeignKey(
        Image, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    tags = models.ManyToManyField(Tag, blank=True, related_name="reviews")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="reviews"
    )
    spoils_up_to = models.CharField(
        max_length=40,
        blank=True,
        help_text='How far this review spoils, e.g. "Part 2, ep 7" or "Part 2 finale". '
        "Empty: worked out from the spoiler blocks in the body.",
    )
    # Derived on save: the furthest scope of the body's spoilers (or spoils_up_to).
    spoiler_season = models.PositiveSmallIntegerField(null=True, blank=True, editable=False)
    spoiler_episode = models.PositiveSmallIntegerField(null=True, blank=True, editable=False)
    # The audience verdict, kept in step by reviews.audience (see AudienceVote).
    audience_votes = models.PositiveIntegerField(default=0, editable=False)
    audience_agree = models.PositiveIntegerField(default=0, editable=False)
    audience_finished_votes = models.PositiveIntegerField(default=0, editable=False)
    audience_finished_agree = models.PositiveIntegerField(default=0, editable=False)
    comments_open = models.BooleanField(
        default=True, help_text="Readers may comment (see also the auto-close in site settings)."
    )
    episode_threads = models.BooleanField(
        "episode threads",
        default=True,
        help_text="Besides the main discussion, readers get one thread per episode of "
        "what this review covers, each opened only to readers who have reached it.",
    )
    federate = models.BooleanField(
        "send to the fediverse",
        default=True,
        help_text="When the site federates (Fediverse settings), followers of the author "
        "on Mastodon and other servers get this review, spoilers kept back. Turning it off "
        "on a review already sent withdraws it from their servers.",
    )
    # Every approved comment of every thread (main and per episode).
    approved_comment_count = models.PositiveIntegerField(default=0, editable=False)
    # The main discussion's approved top-level comments, removed ones included (they keep
    # their place, with their replies): how many pages it has (discussion.paging).
    top_level_count = models.PositiveIntegerField(default=0, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    # Derived on save from the body: what the rendered HTML depends on.
    images_used = models.ManyToManyField(Image, blank=True, editable=False, related_name="reviews")
    cited_reviews = models.ManyToManyField(
        "self", symmetrical=False, blank=True, editable=False, related_name="cited_by"
    )

    objects = ReviewQuerySet.as_manager()

    class Meta(Publishable.Meta):
        ordering = ["-published_at", "-pk"]
        indexes = [
            models.Index(fields=["verdict", "score"], name="review_verdict_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(score__isnull=True) | models.Q(score__gte=0, score__lte=10),
                name="review_score_0_to_10",
            ),
            *Publishable.Meta.constraints,  # review_public_needs_time
        ]

    def __str__(self) -> str:
        return self.title

    def save(self, *args: Any, **kwargs: Any) -> None:
        images, cited = self.render()
        super().save(*args, **kwargs)  # fills in an empty published_at (Publishable)
        self.images_used.set(images)
        self.cited_reviews.set(cited)
        for citer in self.cited_by.exclude(pk=self.pk):
            citer.rerender()

    def get_absolute_url(self) -> str:
        return reverse("review", kwargs={"slug": self.slug})

    @cached_property
    def tag_list(self) -> list[Tag]:
        """The review's tags, read once per object: each ``tags.all()`` builds a new
        related manager (~9 µs), and the review page shows them three times (the page,
        its Open Graph tags, its schema.org keywords)."""
        return list(self.tags.all())

    # --- state ----------------------------------------------------------------------

    def accepts_comments(self, *, close_after_days: int = 0) -> bool:
        """Open, public, and not past the site's auto-close age (0 = never closes)."""
        if not (self.comments_open and self.is_public):
            return False
        if close_after_days:
            assert self.published_at is not None  # is_public says so
            return timezone.now() - self.published_at < timedelta(days=close_after_days)
        return True

    @property
    def spoiler_scope(self) -> Position | None:
        """How far the review spoils (None: it spoils nothing it marked)."""
        if self.spoiler_season is None:
            return None
        return Position(self.spoiler_season, self.spoiler_episode)

    def shielded_body(self, progress: Position | None) -> SafeString:
        """The body with the spoilers ``progress`` has reached opened."""
        return Shield(progress).html(self.body_html)

    def get_verdict_display(self) -> str:  # type: ignore[no-redef]
        """The verdict's label ("Watch"), as Django's generated method gives it, from a
        table made once: Django's rebuilds the choices on every call, and a review page
        asks about ten times."""
        return VERDICT_LABELS.get(self.verdict, self.verdict)

    def covered_position(self, seasons: Iterable[SeasonLike]) -> Position:
        """The point a reader must have reached to have "finished what the review
        covers": its part, or the last season of the work (``seasons``, in order)."""
        if self.season is not None:
            return Position(self.season.number, None)
        return Position(max((s.number for s in seasons), default=1), None)

    def previous_season(self, seasons: Iterable[_S]) -> _S | None:
        """The season before the reviewed part (None for a first part or a film)."""
        season = self.season
        if season is None:
            return None
        earlier = [s for s in seasons if s.number < season.number]
        return max(earlier, key=lambda s: s.number) if earlier else None

    @property
    def audience(self) -> dict | None:
        """The meter: share of readers who agree with the verdict, overall and among
        those who had finished what the review covers."""
        if not self.audience_votes:
            return None
        finished = None
        if self.audience_finished_votes:
            finished = round(100 * self.audience_finished_agree / self.audience_finished_votes)
        return {
            "agree_percent": round(100 * self.audience_agree / self.audience_votes),
            "votes": self.audience_votes,
            "finished_percent": finished,
            "finished_votes": self.audience_finished_votes,
        }

    @property
    def body_markup(self) -> SafeString:
        return stored_html(self.body_html)

    @property
    def cover_in_body(self) -> bool:
        """Whether the body already shows the cover image (then the page skips it)."""
        return self.cover is not None and f"(image:{self.cover.key}" in self.body

    @property
    def subject(self) -> str:
        """What is reviewed, as readers say it: "Work — Part 2"."""
        if self.season is not None:
            return f"{self.work.title} — {self.season.display_label}"
        return self.work.title

    def clean(self) -> None:
        errors: dict[str, str] = {}
        if self.work_id and self.season is not None and self.season.work_id != self.work_id:
            errors["season"] = f"That season belongs to “{self.season.work.title}”, not this work."
        now = timezone.now()
        self.fill_publish_time(now)  # "empty means now", before constraints are checked
        if self.status == self.Status.SCHEDULED:
            if self.published_at is None:
                errors["published_at"] = "A scheduled review needs the time it goes public."
            elif self.published_at <= now and not self._was_scheduled_for(self.published_at):
                errors["published_at"] = "Pick a time in the future, or choose Published."
        if self.status == self.Status.PUBLISHED and self.published_at and self.published_at > now:
            errors["status"] = "The time is in the future: choose Scheduled to publish it then."
        document = parse_markdown(self.body if self.body_format == self.BodyFormat.MARKDOWN else "")
        missing_images = document.image_keys - set(
            Image.objects.filter(key__in=document.image_keys).values_list("key", flat=True)
        )
        missing_reviews = document.citation_slugs - set(
            Review.objects.filter(slug__in=document.citation_slugs).values_list("slug", flat=True)
        )
        problems = []
        if missing_images:
            keys = ", ".join(sorted(missing_images))
            problems.append(f"No uploaded image has the key {keys}; upload it under Images first.")
        if missing_reviews:
            slugs = ", ".join(sorted(missing_reviews))
            problems.append(f"No review has the slug {slugs} to cite.")
        if self.slug and self.slug in document.citation_slugs:
            problems.append("A review cannot cite itself.")
        if problems:
            errors["body"] = " ".join(problems)
        if self.spoils_up_to and parse_scope(self.spoils_up_to).position is None:
            errors["spoils_up_to"] = (
                f"“{self.spoils_up_to}” is not a point in the work; write e.g. “Part 2, ep 7”, "
                "“Part 2 finale” or “S2E7”."
            )
        if errors:
            raise ValidationError(errors)

    def _was_scheduled_for(self, moment: datetime) -> bool:
        """An unchanged schedule whose time has since passed is still valid (it may
        have been announced as published meanwhile: see core.publishing)."""
        if not self.pk:
            return False
        return Review.objects.filter(
            pk=self.pk,
            status__in=[self.Status.SCHEDULED, self.Status.PUBLISHED],
            published_at=moment,
        ).exists()

    # --- rendering ------------------------------------------------------------------

    def render(self) -> tuple[list[Image], list[Review]]:
        """Render the body to ``body_html`` and ``teaser``; return what it used."""
        if self.body_format == self.BodyFormat.HTML:
            self.body_html = clean_html(self.body)
            self._derive_from_html()
            return [], []
        document = parse_markdown(self.body)
        images = Image.objects.by_key(document.image_keys) if document.image_keys else {}
        cited = {}
        if document.citation_slugs:
            cited = {
                review.slug: review
                for review in Review.objects.for_cards()
                .filter(slug__in=document.citation_slugs)
                .exclude(status=self.Status.DRAFT)
                .exclude(pk=self.pk)
            }

        def image_html(key: str, alt: str, caption: str, as_figure: bool) -> str | None:
            image = images.get(key)
            return image.html(alt=alt, caption=caption, as_figure=as_figure) if image else None

        def citation_html(slug: str) -> str | None:
            review = cited.get(slug)
            if review is None:
                return None
            return render_to_string("reviews/citation_card.html", {"review": review}).strip()

        self.body_html = document.render(image_html=image_html, citation_html=citation_html)
        self._derive_from_html()
        return list(images.values()), list(cited.values())

    def _derive_from_html(self) -> None:
        """The spoiler scope and the teaser, from the rendered body."""
        scope = parse_scope(self.spoils_up_to).position or max_scope(self.body_html)
        self.spoiler_season = scope.season if scope else None
        self.spoiler_episode = scope.episode if scope else None
        # Teasers travel (cards, feeds, link previews): the critic's excerpt, else the
        # first paragraphs; either way only their spoiler-free sentences, no footnote marks.
        summary = ""
        if self.excerpt.strip():  # the critic's own words, which may hold ||spoilers|| too
            summary = spoiler_free_text(render_comment_markdown(self.excerpt))
        if not summary:
            summary = spoiler_free_text("\n".join(PARAGRAPH.findall(self.body_html)))
        self.teaser = Truncator(summary).words(TEASER_WORDS)

    def rerender(self) -> None:
        """Re-render after something the body embeds has changed (no cascade)."""
        self.render()
        Review.objects.filter(pk=self.pk).update(
            body_html=self.body_html,
            teaser=self.teaser,
            spoiler_season=self.spoiler_season,
            spoiler_episode=self.spoiler_episode,
        )
        mark_changed(self)


class AudienceVote(models.Model):
    """One reader's Agree / Disagree with a review's verdict. A reader is an account
    or, for guests, the hash of a random token in a signed cookie (``voter_key``)."""

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="audience_voters")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    voter_key = models.CharField(max_length=64, blank=True)
    agrees = models.BooleanField()
    # Had the voter finished what the review covers when they voted?
    finished = models.BooleanField(default=False)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["review", "user"],
                condition=models.Q(user__isnull=False),
                name="vote_one_per_account",
            ),
            models.UniqueConstraint(
                fields=["review", "voter_key"],
                condition=~models.Q(voter_key=""),
                name="vote_one_per_guest",
            ),
            models.CheckConstraint(
                condition=models.Q(user__isnull=False) | ~models.Q(voter_key=""),
                name="vote_has_a_voter",
            ),
        ]

    def __str__(self) -> str:
        return f"{'agree' if self.agrees else 'disagree'} on {self.review_id}"
