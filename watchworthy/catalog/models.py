"""The things critics review: works, their seasons or parts, and who appears in them.

A **Work** is a series, film, anime series or special. Series are reviewed season by
season, but streaming services split seasons oddly: Netflix releases "Part 1" and
"Part 2" of one season months apart, and critics review each part on its own. So a
**Season** here is *the unit a critic reviews*: a numbered instalment (1, 2, 3…) with
an optional label ("Part 2", "Season 1 Cour 2") that readers see instead of the number.
Its ``number`` gives the order in which readers watch, which is what matters for
spoilers.

A place in a work is therefore a (season number, episode number) pair. A **Character**
records where they first appear as such a pair, so that later the spoiler shield can
hide characters a reader has not met yet.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Self

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.utils.safestring import SafeString

from watchworthy.core.links import reverse
from watchworthy.core.markdown import render_markdown
from watchworthy.core.sanitize import stored_html


class Platform(models.Model):
    """Where a work streams or airs: Netflix, Crunchyroll, a cinema release…"""

    name = models.CharField(max_length=80, unique=True)
    slug = models.SlugField(max_length=80, unique=True)
    url = models.URLField(blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("reviews:platform", kwargs={"slug": self.slug})


class Genre(models.Model):
    name = models.CharField(max_length=80, unique=True)
    slug = models.SlugField(max_length=80, unique=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("reviews:genre", kwargs={"slug": self.slug})


class WorkQuerySet(models.QuerySet["Work"]):
    def for_page(self) -> Self:
        return self.select_related("poster").prefetch_related("platforms", "genres")


class Work(models.Model):
    class Kind(models.TextChoices):
        SERIES = "series", "Series"
        FILM = "film", "Film"
        ANIME = "anime", "Anime series"
        SPECIAL = "special", "Special"

    title = models.CharField(max_length=200)
    slug = models.SlugField(max_length=200, unique=True)
    original_title = models.CharField(
        max_length=200, blank=True, help_text="The title in its original language, if different."
    )
    original_language = models.CharField(
        max_length=35,
        blank=True,
        validators=[
            RegexValidator(
                r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*$",
                "Use a language tag such as ja, ko, fr or pt-BR.",
            )
        ],
        help_text="Language of the original title as a tag (ja, ko, fr, pt-BR), so that "
        "browsers and screen readers pronounce it right.",
    )
    kind = models.CharField(max_length=16, choices=Kind.choices, default=Kind.SERIES)
    year = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="Year of first release."
    )
    platforms = models.ManyToManyField(Platform, blank=True, related_name="works")
    genres = models.ManyToManyField(Genre, blank=True, related_name="works")
    synopsis = models.TextField(blank=True, help_text="Spoiler-free premise, Markdown.")
    synopsis_html = models.TextField(blank=True, editable=False)
    poster = models.ForeignKey(
        "images.Image", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    imdb_id = models.CharField("IMDb id", max_length=20, blank=True, help_text="e.g. tt0903747")
    tmdb_id = models.CharField("TMDB id", max_length=20, blank=True)
    anilist_id = models.CharField("AniList id", max_length=20, blank=True)
    mal_id = models.CharField("MyAnimeList id", max_length=20, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = WorkQuerySet.as_manager()

    class Meta:
        ordering = ["title"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(year__isnull=True) | models.Q(year__gte=1870, year__lte=2200),
                name="work_year_plausible",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.year})" if self.year else self.title

    def save(self, *args, **kwargs) -> None:
        self.synopsis_html = render_markdown(self.synopsis)
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("work", kwargs={"slug": self.slug})

    @property
    def synopsis_markup(self) -> SafeString:
        return stored_html(self.synopsis_html)

    @property
    def is_episodic(self) -> bool:
        return self.kind in (self.Kind.SERIES, self.Kind.ANIME)


class Season(models.Model):
    """One reviewable instalment of a work: a season, or a part of one."""

    work = models.ForeignKey(Work, on_delete=models.CASCADE, related_name="seasons")
    number = models.PositiveSmallIntegerField(
        help_text="Watching order within the work: 1, 2, 3… (Part 2 of season 1 is 2)."
    )
    label = models.CharField(
        max_length=80,
        blank=True,
        help_text='What readers call it, e.g. "Part 2". Default: "Season N".',
    )
    episode_count = models.PositiveSmallIntegerField(null=True, blank=True)
    release_date = models.DateField(null=True, blank=True)
    air_dates = models.TextField(
        blank=True,
        help_text=(
            "When each episode airs, episode 1 first: dates as 2026-11-27, one per line "
            "or separated by commas. While a part airs, each episode's discussion "
            "thread opens on its date. Leave empty when all are out."
        ),
    )
    recap = models.TextField(
        blank=True, help_text="What happened in this part, for readers catching up. Markdown."
    )
    recap_html = models.TextField(blank=True, editable=False)

    class Meta:
        ordering = ["work", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["work", "number"], name="season_number_unique_per_work"
            ),
            models.CheckConstraint(
                condition=models.Q(number__gte=1), name="season_number_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.work.title} — {self.display_label}"

    def save(self, *args, **kwargs) -> None:
        self.recap_html = render_markdown(self.recap)
        super().save(*args, **kwargs)

    def clean(self) -> None:
        try:
            dates = parse_air_dates(self.air_dates)
        except ValueError as error:
            raise ValidationError({"air_dates": str(error)}) from None
        if self.episode_count and len(dates) > self.episode_count:
            raise ValidationError(
                {"air_dates": f"{len(dates)} dates for {self.episode_count} episodes."}
            )

    def air_date(self, episode: int) -> dt.date | None:
        """The day ``episode`` airs (None: not given, or the text cannot be read)."""
        try:
            dates = parse_air_dates(self.air_dates)
        except ValueError:
            return None
        return dates[episode - 1] if 0 < episode <= len(dates) else None

    @property
    def recap_markup(self) -> SafeString:
        return stored_html(self.recap_html)

    @property
    def display_label(self) -> str:
        return self.label or f"Season {self.number}"


_DATE_SEPARATORS = re.compile(r"[\s,;]+")


def parse_air_dates(text: str) -> list[dt.date]:
    """Episode air dates as typed in ``Season.air_dates``, episode 1 first. Raises
    ``ValueError`` naming the first entry that is not a date (YYYY-MM-DD)."""
    dates = []
    for number, word in enumerate(filter(None, _DATE_SEPARATORS.split(text or "")), 1):
        try:
            dates.append(dt.date.fromisoformat(word))
        except ValueError:
            raise ValueError(
                f"Episode {number}: “{word[:40]}” is not a date; write it as 2026-11-27."
            ) from None
    return dates


class Character(models.Model):
    work = models.ForeignKey(Work, on_delete=models.CASCADE, related_name="characters")
    name = models.CharField(max_length=120)
    aliases = models.CharField(
        max_length=250, blank=True, help_text="Other names, separated by commas."
    )
    description = models.TextField(blank=True, help_text="Who they are, in a sentence or two.")
    first_season = models.ForeignKey(
        Season,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="introduced_characters",
        help_text="The season or part in which they first appear.",
    )
    first_episode = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="Episode of that season in which they first appear."
    )
    position = models.PositiveSmallIntegerField(default=0, help_text="Order in the list.")

    class Meta:
        ordering = ["work", "position", "name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(first_episode__isnull=True) | models.Q(first_episode__gte=1),
                name="character_first_episode_positive",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def alias_list(self) -> list[str]:
        return [alias.strip() for alias in self.aliases.split(",") if alias.strip()]

    @property
    def first_appearance(self) -> tuple[int, int] | None:
        """(season number, episode) of first appearance — the spoiler scope of this entry."""
        if self.first_season is None:
            return None
        return (self.first_season.number, self.first_episode or 1)

    def clean(self) -> None:
        errors = {}
        season = self.first_season
        if self.work_id and season is not None and season.work_id != self.work_id:
            errors["first_season"] = "That season belongs to another work."
        if self.first_episode and not self.first_season_id:
            errors["first_episode"] = "Choose the season of that episode too."
        count = season.episode_count if season is not None else None
        if season is not None and self.first_episode and count and self.first_episode > count:
            errors["first_episode"] = f"{season.display_label} has only {count} episodes."
        if errors:
            raise ValidationError(errors)


class WatchProgress(models.Model):
    """How far a signed-in reader has watched a work (guests keep it in a cookie).
    ``episode`` empty means the whole season is watched; season 0 means not started."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="watch_progress"
    )
    work = models.ForeignKey(Work, on_delete=models.CASCADE, related_name="+")
    season = models.PositiveSmallIntegerField()
    episode = models.PositiveSmallIntegerField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name_plural = "watch progress"
        constraints = [
            models.UniqueConstraint(fields=["user", "work"], name="progress_one_per_work"),
        ]

    def __str__(self) -> str:
        return f"{self.user} at {self.season}:{self.episode or 'end'} of {self.work_id}"
