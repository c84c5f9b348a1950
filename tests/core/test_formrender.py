"""core.formrender writes the plain widget and label templates exactly as Django's own
templates do: every form here is rendered both ways and the bytes compared."""

from __future__ import annotations

import pytest
from django import forms
from django.forms.renderers import DjangoTemplates
from django.utils.safestring import mark_safe

from tests.factories import ReviewFactory, SeasonFactory, UserFactory, WorkFactory
from watchworthy.core.formrender import PythonWidgets
from watchworthy.discussion.forms import CommentForm

HOSTILE = "\"><script>alert('x')</script> & \u00e9 \u202e"


class Everything(forms.Form):
    text = forms.CharField(label="Text <b>", help_text="help & more", max_length=20)
    email = forms.EmailField(required=False)
    url = forms.URLField(required=False, assume_scheme="https")
    number = forms.IntegerField(required=False)
    decimal = forms.DecimalField(required=False)
    secret = forms.CharField(widget=forms.PasswordInput(render_value=True), required=False)
    hidden = forms.CharField(widget=forms.HiddenInput, required=False)
    flag = forms.BooleanField(required=False)
    body = forms.CharField(widget=forms.Textarea(attrs={"rows": 3, "data-x": True}))
    choice = forms.ChoiceField(choices=[("", "None"), ("a", "A & <a>"), (1, 1)], required=False)
    grouped = forms.ChoiceField(
        choices=[("Group <1>", [("x", "X"), ("y", "Y")]), ("z", "Z")], required=False
    )
    many = forms.MultipleChoiceField(choices=[("m", "M"), ("n", "N")], required=False)
    when = forms.DateTimeField(required=False)
    off = forms.CharField(
        widget=forms.TextInput(attrs={"autocomplete": "off", "disabled": False, "autofocus": True}),
        required=False,
    )


class Counting(PythonWidgets):
    """Counts the templates left to Django's engine."""

    left: list[str] = []

    def get_template(self, template_name):
        self.left.append(template_name)
        return super().get_template(template_name)


def test_the_plain_widgets_are_written_in_python():
    Counting.left = []
    form = Everything(renderer=Counting(), data={"text": "x", "body": "y"})
    for name in ("text", "email", "url", "number", "secret", "hidden", "flag", "body", "choice"):
        str(form[name]), form[name].label_tag()
    assert Counting.left == []
    str(form["grouped"])  # <optgroup>: the template
    assert Counting.left == ["django/forms/widgets/select.html"]


def both_ways(form_class, **kwargs) -> tuple[str, str]:
    ours = form_class(renderer=PythonWidgets(), **kwargs)
    django = form_class(renderer=DjangoTemplates(), **kwargs)
    rendered = []
    for form in (ours, django):
        parts = [form.as_p(), form.as_div()]
        for field in form:
            parts += [str(field), field.label_tag(), field.legend_tag(), str(field.errors)]
        rendered.append("\n".join(parts))
    return rendered[0], rendered[1]


@pytest.mark.parametrize(
    "kwargs",
    [
        {},
        {"auto_id": False},
        {"auto_id": "id_%s_x", "label_suffix": " :"},
        {"initial": {"text": HOSTILE, "body": HOSTILE, "flag": True, "choice": "a",
                     "number": 1234567, "decimal": "1234.5", "hidden": mark_safe("<i>safe</i>"),
                     "many": ["m", "n"], "grouped": "y", "url": "https://e.org/?a=1&b=2"}},
        {"data": {"text": HOSTILE * 2, "email": "not an e-mail", "number": "x", "body": "",
                  "choice": "1", "flag": "on", "when": "yesterday", "grouped": "x"}},
        {"data": {"text": "ok", "body": "fine", "choice": 1}},
    ],
)  # fmt: skip
def test_same_bytes_as_djangos_templates(kwargs):
    ours, django = both_ways(Everything, **kwargs)
    assert ours == django


@pytest.mark.django_db
@pytest.mark.parametrize("signed_in", [False, True])
@pytest.mark.parametrize("bound", [False, True])
def test_the_comment_form_too(signed_in, bound):
    work = WorkFactory()
    seasons = [SeasonFactory(work=work, number=1, label="Part <1>", episode_count=3)]
    review = ReviewFactory(work=work)
    user = UserFactory() if signed_in else None
    kwargs = {"review": review, "user": user, "seasons": seasons}
    if bound:
        kwargs["data"] = {"author_name": HOSTILE, "body": "", "spoils": "1:2", "token": "bad"}
    else:
        kwargs["initial"] = {
            "author_name": HOSTILE,
            "author_url": "https://e.org/?a&b",
            "parent": 7,
        }
    ours = CommentForm(**kwargs)
    assert isinstance(ours.renderer, PythonWidgets)
    django = CommentForm(renderer=DjangoTemplates(), **kwargs)
    token = ours["token"].value()
    django.initial["token"] = token  # each form signs a fresh one
    if bound:
        ours.is_valid(), django.is_valid()
    for name in ours.fields:
        assert str(ours[name]) == str(django[name]), name
        assert ours[name].label_tag() == django[name].label_tag(), name
