"""Django's plainest form templates, written in Python.

Every ``{{ field }}`` and label of a Django form renders a small template (the input,
its attributes, the label), so the comment form under each review ran some thirty
template renders per page view: a third of the review page's template time.
:class:`PythonWidgets` is a form renderer that writes those few templates — the
input (text, e-mail, URL, hidden, checkbox…), textarea, select with its options, and
the label — in plain Python, exactly as Django's own templates write them, and hands
every other template (the admin's widgets, multi-widgets, ``<optgroup>``, anything
unusual) to Django's engine as before. ``tests/core/test_formrender.py`` renders
forms both ways and compares the bytes.

A form uses it with ``default_renderer = PythonWidgets`` (CommentForm does).
"""

from __future__ import annotations

from html import escape
from typing import Any

from django.forms.renderers import DjangoTemplates
from django.http import HttpRequest
from django.utils.safestring import SafeData, SafeString

from watchworthy.core.htmltext import printed

WIDGETS = "django/forms/widgets/"


# ``{{ value }}`` with autoescaping, as the template engine prints a variable
# (django.template.base.render_value_in_context).
_var = printed


def _formatted(value: Any) -> str:
    """``{{ value|stringformat:'s' }}``."""
    text = str(value)
    return text if isinstance(value, SafeData) else escape(text)


def _attrs(attrs: dict[str, Any]) -> str:
    """``django/forms/widgets/attrs.html`` (and the same ``django/forms/attrs.html``)."""
    out = []
    for name, value in attrs.items():
        if value is not False:
            out.append(
                f" {_var(name)}" if value is True else f' {_var(name)}="{_formatted(value)}"'
            )
    return "".join(out)


def _input(widget: dict[str, Any]) -> str:
    value = widget["value"]
    shown = "" if value is None else f' value="{_formatted(value)}"'
    return (
        f'<input type="{_var(widget["type"])}" name="{_var(widget["name"])}"{shown}'
        f"{_attrs(widget['attrs'])}>"
    )


def _textarea(widget: dict[str, Any]) -> str:
    value = widget["value"]
    return (
        f'<textarea name="{_var(widget["name"])}"{_attrs(widget["attrs"])}>\n'
        f"{_var(value) if value else ''}</textarea>"
    )


def _option(option: dict[str, Any]) -> str:
    return (
        f'<option value="{_formatted(option["value"])}"{_attrs(option["attrs"])}>'
        f"{_var(option['label'])}</option>"
    )


def _select(widget: dict[str, Any]) -> str | None:
    parts = [f'<select name="{_var(widget["name"])}"{_attrs(widget["attrs"])}>']
    for group_name, group_choices, _index in widget["optgroups"]:
        if group_name:
            return None  # <optgroup>: left to the template
        for option in group_choices:
            if option.get("template_name") != WIDGETS + "select_option.html":
                return None
            parts.append(f"\n  {_option(option)}\n")
    parts.append("\n</select>")
    return "".join(parts)


def _label(context: dict[str, Any]) -> str:
    label = _var(context["label"])
    if not context.get("use_tag"):
        return label
    tag = _var(context["tag"])
    return f"<{tag}{_attrs(context['attrs'])}>{label}</{tag}>"


INPUTS = {
    f"{WIDGETS}{name}.html"
    for name in ("input", "text", "email", "url", "number", "password", "hidden", "checkbox")
}


class PythonWidgets(DjangoTemplates):
    """Django's form renderer, with the plainest widget and label templates in Python."""

    def render(
        self, template_name: str, context: dict[str, Any], request: HttpRequest | None = None
    ) -> str:
        written: str | None = None
        if template_name in INPUTS:
            written = _input(context["widget"])
        elif template_name == WIDGETS + "textarea.html":
            written = _textarea(context["widget"])
        elif template_name == WIDGETS + "select.html":
            written = _select(context["widget"])
        elif template_name == "django/forms/label.html":
            written = _label(context)
        if written is None:
            return super().render(template_name, context, request)
        return SafeString(written.strip())
