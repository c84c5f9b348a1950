"""Form fields copied for each form (core.formfields) are what Django's deepcopy makes:
the same attributes, and nothing a form changes reaches another form or the class."""

import copy

from django import forms

from watchworthy.core.formfields import copied_field, quick_copied_fields
from watchworthy.discussion.forms import CommentForm


def described(field: forms.Field) -> dict:
    """Everything a copy is made of, by value, with what must be its own."""
    widget = field.widget
    return {
        "type": type(field),
        "attributes": {k: v for k, v in vars(field).items() if k not in {"widget"}},
        "widget": (type(widget), {k: v for k, v in vars(widget).items()}),
    }


def test_each_copy_equals_djangos_and_owns_what_a_form_may_change():
    for name, field in CommentForm.base_fields.items():
        ours, djangos = copied_field(field, {}), copy.deepcopy(field)
        assert described(ours) == described(djangos), name
        assert ours is not field and ours.widget is not field.widget
        assert ours.widget.attrs is not field.widget.attrs
        assert ours.error_messages is not field.error_messages
        assert ours.validators is not field.validators
        if isinstance(field.widget, forms.widgets.ChoiceWidget):  # its own list of choices
            assert ours.widget.choices is not field.widget.choices


def test_a_form_changing_its_fields_changes_no_other_form():
    class R:
        pk = 1

    first = CommentForm(review=R(), seasons=[])
    first.fields["body"].widget.attrs["data-x"] = "1"
    first.fields["author_name"].required = False
    first.fields["author_name"].error_messages["required"] = "changed"
    first.fields["author_url"].validators.append(lambda value: None)
    first.fields["spoils"].choices = [("1", "changed")]
    second = CommentForm(review=R(), seasons=[])
    assert "data-x" not in second.fields["body"].widget.attrs
    assert second.fields["author_name"].required is True
    assert second.fields["author_name"].error_messages["required"] == "Tell us a name to show."
    assert len(second.fields["author_url"].validators) == len(
        CommentForm.base_fields["author_url"].validators
    )
    assert list(second.fields["spoils"].choices) != [("1", "changed")]
    assert "data-x" not in CommentForm.base_fields["body"].widget.attrs


def test_fields_that_copy_themselves_otherwise_go_through_deepcopy():
    @quick_copied_fields
    class WithSplitTime(forms.Form):
        when = forms.SplitDateTimeField()
        name = forms.CharField()

    form = WithSplitTime()
    when = form.fields["when"]
    assert when is not WithSplitTime.base_fields["when"]
    assert when.fields[0] is not WithSplitTime.base_fields["when"].fields[0]
    assert when.widget.widgets[0] is not WithSplitTime.base_fields["when"].widget.widgets[0]
