"""The filter form over review lists (see :mod:`watchworthy.reviews.browse`).

Every field is optional and named as it appears in the address. A value the form
cannot use (an unknown genre, a sort that does not exist) is shown as an error next to
its field, with what was typed kept, while the other filters still apply.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms

from watchworthy.catalog.models import Genre, Platform, Work
from watchworthy.core.formrender import PythonWidgets

from .browse import DEFAULT_SORT, SCORE_STEPS, SORTS, Browse
from .models import Review, Tag, Verdict


def _any(choices: Any) -> list[tuple[str, str]]:
    return [("", "Any"), *[(str(value), str(name)) for value, name in choices]]


class NamedChoiceField(forms.ChoiceField):
    """A platform, genre or tag chosen by its slug. One query loads the rows, and serves
    both the options shown and the check of what was typed (a ModelChoiceField would
    ask the database a second time)."""

    def __init__(self, model: type[Platform | Genre | Tag], noun: str, **kwargs: Any) -> None:
        message = f"There is no {noun} “%(value)s” here."
        super().__init__(required=False, error_messages={"invalid_choice": message}, **kwargs)
        self.model = model
        self.rows: dict[str, Platform | Genre | Tag] = {}

    def load(self) -> None:
        self.rows = {row.slug: row for row in self.model.objects.only("name", "slug")}
        self.choices = [("", "Any"), *((slug, row.name) for slug, row in self.rows.items())]

    def clean(self, value: Any) -> Platform | Genre | Tag | None:
        slug = super().clean(value)
        return self.rows.get(slug) if slug else None


def _unknown(what: str) -> dict[str, str]:
    return {"invalid_choice": f"“%(value)s” is not {what}: choose one from the list."}


class BrowseForm(forms.Form):
    default_renderer = PythonWidgets  # a select per filter: see core.formrender

    verdict = forms.ChoiceField(
        label="Verdict",
        choices=_any(Verdict.choices),
        required=False,
        error_messages=_unknown("a verdict"),
    )
    score = forms.TypedChoiceField(
        label="Score",
        choices=[("", "Any"), *[(str(n), f"{n} or more") for n in SCORE_STEPS]],
        coerce=Decimal,
        empty_value=None,
        required=False,
        error_messages=_unknown("one of the scores offered"),
    )
    kind = forms.ChoiceField(
        label="Kind",
        choices=_any(Work.Kind.choices),
        required=False,
        error_messages=_unknown("a kind of work"),
    )
    year = forms.TypedChoiceField(
        label="Year",
        coerce=int,
        empty_value=None,
        required=False,
        error_messages=_unknown("a year of a reviewed work"),
    )
    platform = NamedChoiceField(Platform, "platform", label="Platform")
    genre = NamedChoiceField(Genre, "genre", label="Genre")
    tag = NamedChoiceField(Tag, "tag", label="Tag")
    sort = forms.ChoiceField(
        label="Sort by",
        choices=[(name, label) for name, (label, _ordering) in SORTS.items()],
        required=False,
        error_messages=_unknown("a way to sort"),
    )

    def __init__(self, *args: Any, fixed: Browse | None = None, **kwargs: Any) -> None:
        """``fixed``: what the page itself stands for (a genre page's genre); its
        field is left out of the form and its value always applies."""
        super().__init__(*args, **kwargs)
        self.fixed = fixed or Browse()
        for name in ("platform", "genre", "tag"):
            if getattr(self.fixed, name) is not None:
                del self.fields[name]
            else:
                named = self.fields[name]
                assert isinstance(named, NamedChoiceField)
                named.load()
        year = self.fields["year"]
        assert isinstance(year, forms.TypedChoiceField)
        year.choices = [("", "Any"), *[(str(y), str(y)) for y in _years_reviewed()]]

    @property
    def filtering(self) -> bool:
        """Whether any filter is set (the filter panel then starts open)."""
        return any(self.data.get(name) for name in self.fields if name != "sort")

    def browse(self) -> Browse:
        """The filters to apply: the valid ones typed, and the page's own."""
        self.is_valid()
        data = self.cleaned_data
        fixed = self.fixed
        return Browse(
            verdict=data.get("verdict") or "",
            kind=data.get("kind") or "",
            year=data.get("year"),
            platform=fixed.platform or data.get("platform"),
            genre=fixed.genre or data.get("genre"),
            tag=fixed.tag or data.get("tag"),
            min_score=data.get("score"),
            sort=data.get("sort") or DEFAULT_SORT,
        )


def _years_reviewed() -> list[int]:
    """The release years of works with a published review, newest first."""
    years = (
        Work.objects.filter(year__isnull=False, reviews__in=Review.objects.published().values("pk"))
        .values_list("year", flat=True)
        .distinct()
        .order_by("-year")
    )
    return [year for year in years if year is not None]
