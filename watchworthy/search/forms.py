"""The search form: the words, and the filters that narrow them. Every field is
optional; filters use slugs and names readers can read in the address."""

from __future__ import annotations

from typing import Any

from django import forms

from watchworthy.catalog.models import Genre, Platform, Work
from watchworthy.core.formrender import PythonWidgets
from watchworthy.reviews.models import Tag, Verdict

from .models import SearchEntry
from .services import Filters


def _any(choices: Any, label: str = "Any") -> list[tuple[str, str]]:
    return [("", label), *[(str(value), str(name)) for value, name in choices]]


class SearchForm(forms.Form):
    default_renderer = PythonWidgets  # a select per filter: see core.formrender

    q = forms.CharField(label="Search for", max_length=200, required=False, strip=True)
    type = forms.ChoiceField(
        label="Show", choices=_any(SearchEntry.Kind.choices, "Everything"), required=False
    )
    verdict = forms.ChoiceField(label="Verdict", choices=_any(Verdict.choices), required=False)
    kind = forms.ChoiceField(label="Kind", choices=_any(Work.Kind.choices), required=False)
    year = forms.IntegerField(label="Year", min_value=1870, max_value=2200, required=False)
    platform = forms.ModelChoiceField(
        Platform.objects.only("name", "slug"),
        to_field_name="slug",
        required=False,
        empty_label="Any",
    )
    genre = forms.ModelChoiceField(
        Genre.objects.only("name", "slug"), to_field_name="slug", required=False, empty_label="Any"
    )
    tag = forms.ModelChoiceField(
        Tag.objects.only("name", "slug"), to_field_name="slug", required=False, empty_label="Any"
    )

    def __init__(self, *args: Any, comments: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not comments:
            field = self.fields["type"]
            assert isinstance(field, forms.ChoiceField)
            kinds = [(k, n) for k, n in SearchEntry.Kind.choices if k != SearchEntry.Kind.COMMENT]
            field.choices = _any(kinds, "Everything")

    @property
    def filtering(self) -> bool:
        """Whether any filter is set (the filter panel then starts open)."""
        return any(self.data.get(name) for name in self.fields if name != "q")

    def filters(self) -> Filters:
        data = self.cleaned_data
        return Filters(
            type=data["type"],
            verdict=data["verdict"],
            kind=data["kind"],
            year=data["year"],
            platform=data["platform"].pk if data["platform"] else None,
            genre=data["genre"].pk if data["genre"] else None,
            tag=data["tag"].pk if data["tag"] else None,
        )
