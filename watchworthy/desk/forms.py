"""The desk's forms. Each works as a plain HTML form; the editor's script sends the
same fields to the JSON endpoints."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.text import slugify

from watchworthy.catalog.models import Season, Work
from watchworthy.images.forms import ImageUploadField
from watchworthy.images.models import Image
from watchworthy.reviews.models import Review, Verdict

from .models import TEXT_FIELDS
from .services import free_slug


def _length(name: str) -> int | None:
    """The review's own column width, so the desk never accepts what cannot be stored."""
    field = Review._meta.get_field(name)
    assert isinstance(field, models.CharField)
    return field.max_length


class TextForm(forms.Form):
    """What the critic writes. Checked field by field here; the review's own rules
    (images and citations that exist, a scope that parses) by :func:`review_errors`."""

    title = forms.CharField(max_length=_length("title"))
    subtitle = forms.CharField(max_length=_length("subtitle"), required=False)
    verdict = forms.ChoiceField(choices=Verdict.choices)
    score = forms.DecimalField(
        min_value=Decimal(0), max_value=Decimal(10), max_digits=3, decimal_places=1,
        required=False, help_text="Optional, 0 to 10.",
    )  # fmt: skip
    spoils_up_to = forms.CharField(
        max_length=_length("spoils_up_to"),
        required=False,
        label="Spoils up to",
        help_text="Empty: worked out from the spoilers in the text.",
    )
    excerpt = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="For cards, feeds and shared links. Made from the text if empty.",
    )
    body = forms.CharField(
        required=False, strip=False, widget=forms.Textarea(attrs={"rows": 24, "spellcheck": "true"})
    )
    revision = forms.IntegerField(min_value=0, widget=forms.HiddenInput)
    cover = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def text(self) -> dict[str, Any]:
        return {name: self.cleaned_data.get(name) for name in TEXT_FIELDS}

    def clean_cover(self) -> int | None:
        cover: int | None = self.cleaned_data.get("cover")
        if cover and not Image.objects.filter(pk=cover).exists():
            raise ValidationError("That cover image is not there any more.")
        return cover


def review_errors(review: Review, text: dict[str, Any]) -> dict[str, list[str]]:
    """What the review's own rules (``Review.clean``) say about ``text``."""
    candidate = Review.objects.get(pk=review.pk)
    for name, value in text.items():
        setattr(candidate, name, value if name == "score" else value or "")
    try:
        candidate.clean()
    except ValidationError as error:
        return error.message_dict
    return {}


class WorkForm(forms.Form):
    """Step 1 of a new review: a work from the catalog, or a new one."""

    work = forms.ModelChoiceField(
        queryset=Work.objects.order_by("title"),
        required=False,
        empty_label="— a work not in the catalog yet —",
        label="Work",
    )
    new_title = forms.CharField(max_length=200, required=False, label="New work: title")
    new_kind = forms.ChoiceField(choices=Work.Kind.choices, required=False, label="Kind")
    new_year = forms.IntegerField(min_value=1880, max_value=2100, required=False, label="Year")

    def clean(self) -> dict[str, Any] | None:
        data = super().clean() or {}
        if not data.get("work") and not (data.get("new_title") or "").strip():
            raise ValidationError("Choose a work, or give the new work's title.")
        if data.get("work") is None and data.get("new_title"):
            slug = slugify(data["new_title"])[:190]
            if slug and Work.objects.filter(slug=slug).exists():
                self.add_error(
                    "new_title", "A work with that title is in the catalog: choose it above."
                )
        return data

    def chosen_work(self) -> Work:
        data = self.cleaned_data
        if data.get("work"):
            chosen: Work = data["work"]
            return chosen
        work = Work(
            title=data["new_title"].strip(),
            slug=free_slug(Work, slugify(data["new_title"]) or "work"),
            kind=data.get("new_kind") or Work.Kind.SERIES,
            year=data.get("new_year"),
        )
        work.full_clean()
        work.save()
        return work


class StartForm(forms.Form):
    """Step 2: the part (or a new one), then the verdict and score, then a title."""

    season = forms.ModelChoiceField(
        queryset=Season.objects.none(),
        required=False,
        empty_label="The whole work (or a film)",
        label="Part",
    )
    new_number = forms.IntegerField(
        min_value=1, max_value=999, required=False, label="New part: number"
    )
    new_label = forms.CharField(max_length=80, required=False, label="Label (e.g. “Part 2”)")
    new_episodes = forms.IntegerField(min_value=1, max_value=2000, required=False, label="Episodes")
    verdict = forms.ChoiceField(choices=Verdict.choices, initial=Verdict.UNRATED)
    score = forms.DecimalField(
        min_value=Decimal(0), max_value=Decimal(10), max_digits=3, decimal_places=1,
        required=False,
    )  # fmt: skip
    title = forms.CharField(max_length=200)

    def __init__(self, *args: Any, work: Work, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.work = work
        season_field = self.fields["season"]
        assert isinstance(season_field, forms.ModelChoiceField)
        season_field.queryset = work.seasons.all()

    def clean(self) -> dict[str, Any] | None:
        data = super().clean() or {}
        number = data.get("new_number")
        if data.get("season") and number:
            raise ValidationError("Choose a part or add a new one, not both.")
        if number and self.work.seasons.filter(number=number).exists():
            self.add_error("new_number", "That part is already in the catalog: choose it above.")
        return data

    def chosen_season(self) -> Season | None:
        data = self.cleaned_data
        if data.get("season"):
            season: Season = data["season"]
            return season
        if not data.get("new_number"):
            return None
        return Season.objects.create(
            work=self.work,
            number=data["new_number"],
            label=data.get("new_label") or "",
            episode_count=data.get("new_episodes"),
        )


class UploadForm(forms.Form):
    file = ImageUploadField(label="Image")
    alt_text = forms.CharField(
        max_length=300,
        label="Alt text",
        help_text="What the image shows, for readers who cannot see it.",
        error_messages={"required": "Say what the image shows: alt text is required."},
    )
    caption = forms.CharField(max_length=300, required=False)


class PublishForm(forms.Form):
    ACTIONS = (("publish", "Publish now"), ("schedule", "Schedule"), ("unpublish", "Unpublish"))

    action = forms.ChoiceField(choices=ACTIONS)
    when = forms.DateTimeField(
        required=False,
        label="Publish at",
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
    )
    federate = forms.BooleanField(
        required=False,
        label="Send to the fediverse",
        widget=forms.CheckboxInput(attrs={"aria-describedby": "federate-help"}),
        help_text="When the site federates, the author's followers on Mastodon and other "
        "servers get this review, its spoilers kept back. Off on a review already sent "
        "withdraws it from their servers.",
    )
    # Set by the page's form: a POST without it (a script) leaves the switch as it is.
    federate_shown = forms.BooleanField(required=False, widget=forms.HiddenInput)

    def clean(self) -> dict[str, Any] | None:
        data = super().clean() or {}
        if data.get("action") == "schedule":
            when = data.get("when")
            if when is None:
                self.add_error("when", "Choose when it goes public.")
            elif when <= timezone.now():
                zone = timezone.get_current_timezone_name()
                self.add_error("when", f"That moment has passed ({zone} time): choose a later one.")
        return data
