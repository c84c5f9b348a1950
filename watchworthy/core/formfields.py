"""A form's fields copied for each new form without ``copy.deepcopy``'s generic walk.

Django gives every form instance its own fields (``copy.deepcopy(base_fields)``), so
one form may change a field's choices, ``required`` or widget attributes without the
next form seeing it. ``deepcopy`` gets there through ``__reduce_ex__`` and a memo for
each field, widget and attribute dictionary: 49 µs for the comment form's ten fields,
on every review page. :func:`quick_copied_fields` makes the same copies directly —
each field and its widget a new object with the same attributes, with their own
``attrs``, ``error_messages``, ``validators`` and choices, exactly what Django's
``Field.__deepcopy__``, ``ChoiceField.__deepcopy__``, ``Widget.__deepcopy__`` and
``ChoiceWidget.__deepcopy__`` copy (9 µs). A field or widget that copies itself in any
other way (a multi-value field, a multi-widget) still goes through ``deepcopy``.
``tests/core/test_formfields.py`` checks that the copies are as independent as
Django's.
"""

from __future__ import annotations

import copy
from typing import Any, TypeVar

from django import forms
from django.forms.widgets import ChoiceWidget

F = TypeVar("F", bound=type[forms.BaseForm])

_FIELD_COPIES = {forms.Field.__deepcopy__, forms.ChoiceField.__deepcopy__}
_WIDGET_COPIES = {forms.Widget.__deepcopy__, ChoiceWidget.__deepcopy__}


def _same_attributes(obj: Any) -> Any:
    """What ``copy.copy`` makes of an object without ``__copy__`` or ``__reduce__``."""
    kind: Any = type(obj)
    new = kind.__new__(kind)
    new.__dict__.update(obj.__dict__)
    return new


def copied_field(field: forms.Field, memo: dict[int, Any]) -> forms.Field:
    """``copy.deepcopy(field, memo)``."""
    field_copy, widget = type(field).__deepcopy__, field.widget
    widget_copy = type(widget).__deepcopy__
    if field_copy not in _FIELD_COPIES or widget_copy not in _WIDGET_COPIES:
        return copy.deepcopy(field, memo)
    new_widget = _same_attributes(widget)
    new_widget.attrs = widget.attrs.copy()
    if widget_copy is ChoiceWidget.__deepcopy__:
        # Already normalized: stored as the ``choices`` setter would store this copy,
        # without normalizing it again (its ABC checks were a tenth of a form's copy).
        new_widget._choices = copy.copy(widget._choices)
    memo[id(widget)] = new_widget
    result = _same_attributes(field)
    memo[id(field)] = result
    result.widget = new_widget
    result.error_messages = field.error_messages.copy()
    result.validators = field.validators[:]
    if field_copy is forms.ChoiceField.__deepcopy__:
        result._choices = copy.deepcopy(field._choices, memo)  # type: ignore[attr-defined]
    return result


class _QuickCopiedFields(dict[str, forms.Field]):
    def __deepcopy__(self, memo: dict[int, Any]) -> dict[str, forms.Field]:
        return {name: copied_field(field, memo) for name, field in self.items()}


def quick_copied_fields(form_class: F) -> F:
    """Class decorator: each form of ``form_class`` gets its fields by
    :func:`copied_field` (a subclass's own ``base_fields`` are Django's again)."""
    form_class.base_fields = _QuickCopiedFields(form_class.base_fields)  # type: ignore[attr-defined]
    return form_class
