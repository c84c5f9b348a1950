"""The comment form under a review (and on its own page), written in Python.

It was ``discussion/form.html``: a loop over the form's fields with a few branches,
about 0.3 ms of template work on every review page. :func:`comment_form_html` writes
the same bytes — the same whitespace, each value printed as ``{{ value }}`` prints it —
from the same form: the fields, labels and errors are Django's (``BoundField``), only
the template around them is gone. The template is kept in tests/web/reference/, and
tests/discussion/test_formhtml.py and the review page's output test compare the two.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.core.signals import setting_changed
from django.dispatch import receiver
from django.forms import BoundField, CheckboxInput, Select
from django.http import HttpRequest
from django.utils.safestring import SafeString, mark_safe

from watchworthy.core.htmltext import csrf_input
from watchworthy.core.htmltext import printed as _text
from watchworthy.core.links import reverse

GUEST_HELP = (
    '<p class="help">Your name and website are shown; your e-mail is not. '
    "A first comment waits for approval.</p>"
)


def comment_form_html(
    request: HttpRequest,
    form: Any,
    *,
    review: Any,
    reply_to: Any = None,
    episode: Any = None,
    form_page: bool = False,
) -> SafeString:
    """The ``<form id="respond">`` for ``form`` (a CommentForm, bound or not) on the
    review page, an episode thread's page (``episode``) or the form's own page
    (``form_page``); ``reply_to``: the comment answered, if any."""
    user = request.user
    signed_in = user.is_authenticated
    action = _text(reverse("discussion:post", args=[review.slug]))
    out = [
        '<form id="respond" class="form comment-form" method="post" '
        f'action="{action}#respond" novalidate>\n  '
    ]
    out.append(
        '<h1 id="respond-heading" class="page-title">' if form_page else '<h3 id="respond-heading">'
    )
    out.append(f"Reply to {_text(reply_to.author_name)}" if reply_to else "Leave a comment")
    out.append("</h1>\n  " if form_page else "</h3>\n  ")
    if reply_to:
        target = _text(reply_to.get_absolute_url()) if form_page else f"#{_text(reply_to.anchor)}"
        back = _text(episode.url if episode else review.get_absolute_url())
        out.append(
            f'<p class="replying-to" data-replying-to>Replying to <a href="{target}">'
            f"{_text(reply_to.author_name)}’s comment</a> · "  # noqa: RUF001 - the page's apostrophe
            f'<a href="{back}#respond" data-cancel-reply>cancel</a></p>'
        )
    out.append("\n  ")
    errors = form.non_field_errors()
    if errors:
        out.append(f'<div class="form-errors" role="alert">{_text(errors)}</div>')
    out.append("\n  ")
    if signed_in:
        out.append(csrf_input(request))
    out.append("\n  ")
    if signed_in:
        name = _text(getattr(user, "public_name", ""))
        out.append(f'<p class="commenting-as">Commenting as <strong>{name}</strong>.</p>')
    out.append("\n  ")
    out.append(_fields_html(form))
    out.append('\n  <p><button class="button" type="submit">Post comment</button></p>\n  ')
    if not signed_in:
        out.append(GUEST_HELP)
    out.append("\n</form>\n")
    # Safe: every value went through _text (escaped) or is Django's own form HTML.
    return mark_safe("".join(out))  # noqa: S308


def _fields_html(form: Any) -> str:
    """The visible fields, each in its paragraph, then the hidden ones."""
    if isinstance(form, GuestForm):
        return form.fields_html()
    layout = _pristine_layout(form)
    if layout is not None:  # a pristine form: only the choices and the token vary
        return "".join(part if isinstance(part, str) else part.html(form) for part in layout)
    fields: list[BoundField] = list(form)
    out = [
        f"\n    {_blank_or_rendered(field, _field)}\n  " for field in fields if not field.is_hidden
    ]
    out.append("\n  ")
    out.extend(_blank_or_rendered(field, str) for field in fields if field.is_hidden)
    return "".join(out)


def _field(field: BoundField) -> str:
    """One visible field, as the template's branches wrote it (with their indents)."""
    if field.name == "homepage":
        return f'\n    <div class="hp" aria-hidden="true">{field.label_tag()}{field}</div>\n    '
    if field.name == "notify_replies":
        return f'\n    <p class="field field-check">{field} {field.label_tag()}</p>\n    '
    errors = field.errors
    invalid = " field-invalid" if errors else ""
    error_span = (
        f'<span class="errorlist" id="{_text(field.auto_id)}_error">'
        f"{' '.join(_text(e) for e in errors)}</span>"
        if errors
        else ""
    )
    help_text = f'<small class="help">{_text(field.help_text)}</small>' if field.help_text else ""
    return (
        f'\n    <p class="field{invalid}">\n      {field.label_tag()}\n      {error_span}'
        f"\n      {field}\n      {help_text}\n    </p>\n    "
    )


# The HTML of blank fields, rendered by Django once per process and kind of field.
# Every review page carries the form, and most of its fields are blank for most
# readers (no remembered name, no error): rendering them through Django's widgets was
# half of the form's time. A field is written from here only when everything its HTML
# depends on is in the key (:func:`_blank_key`); a field with a value, an error or
# choices (which come from the work's seasons) is rendered as before. Nothing a
# reader sent or the database holds is kept: the key is the code's and the
# settings' (a change of settings in tests forgets them).
_blank: dict[tuple[Any, ...], str] = {}


@receiver(setting_changed)
def _forget_blank_fields(**kwargs: Any) -> None:
    _blank.clear()
    _pristine.clear()
    _guest.clear()


def _blank_key(field: BoundField) -> tuple[Any, ...] | None:
    """What a blank field's HTML depends on, or None when it is not blank."""
    form, widget = field.form, field.field.widget
    if form.is_bound or isinstance(widget, Select):
        return None
    value = field.value()
    if not (value is None or value == "" or (value is False and isinstance(widget, CheckboxInput))):
        return None
    definition = field.field
    return (
        type(form),
        form.prefix,
        form.auto_id,
        form.label_suffix,
        form.use_required_attribute,
        field.name,
        type(widget),
        tuple(sorted(widget.attrs.items())),
        definition.required,
        definition.disabled,
        definition.label,
        definition.help_text,
        definition.show_hidden_initial,
        definition.localize,
        type(definition),
        getattr(definition, "max_length", None),
        getattr(definition, "min_length", None),
    )


@dataclass(frozen=True)
class _Varying:
    """A field of a pristine form written for each form: its choices or its value
    are the form's own."""

    name: str
    visible: bool

    def html(self, form: Any) -> str:
        field = form[self.name]
        return f"\n    {_field(field)}\n  " if self.visible else str(field)


# A comment form as nearly every reader gets it — unbound, nothing remembered, not a
# reply — is the same HTML on every review but for the "spoils" choices (the work's
# seasons) and the signed token. :func:`_fields_html` writes it from the parts kept
# here instead of going over its ten fields one by one (~0.1 ms of a review page's
# ~3). The key holds what an instance may change in its fields (which it kept, and
# what _blank_key reads of each); the class and the settings decide the rest (a
# change of settings in tests forgets the parts, as it forgets _blank).
_pristine: dict[tuple[Any, ...], list[str | _Varying]] = {}


def _pristine_layout(form: Any) -> list[str | _Varying] | None:
    """The kept parts for ``form``, or None when it is not pristine."""
    initial = form.initial
    if form.is_bound or not initial.get("token"):
        return None
    fields = form.fields
    if any(
        not _blank_initial(fields.get(name), value)
        for name, value in initial.items()
        if name != "token"
    ):
        return None
    key = (
        type(form),
        form.prefix,
        form.auto_id,
        form.label_suffix,
        form.use_required_attribute,
        *(_definition(name, field) for name, field in fields.items()),
    )
    found = _pristine.get(key)
    if found is None:
        found = _pristine[key] = _layout(form)
    return found


def _blank_initial(field: Any, value: Any) -> bool:
    """Whether an initial value leaves its field blank, as _blank_key decides (a
    value for a field the form does not have is not shown)."""
    if field is None or value is None or value == "":
        return True
    return value is False and isinstance(field.widget, CheckboxInput)


def _definition(name: str, field: Any) -> tuple[Any, ...]:
    widget = field.widget
    return (
        name,
        type(field),
        type(widget),
        tuple(sorted(widget.attrs.items())),
        field.required,
        field.disabled,
        field.label,
        field.help_text,
        field.show_hidden_initial,
        field.localize,
        field.initial,
        getattr(field, "max_length", None),
        getattr(field, "min_length", None),
    )


def _layout(form: Any) -> list[str | _Varying]:
    """:func:`_fields_html`'s output for ``form`` in parts: the blank fields' HTML
    as text, the others (a select, the token) to be written for each form."""
    parts: list[str | _Varying] = []
    bound: list[BoundField] = list(form)
    for field in bound:
        if not field.is_hidden:
            blank = _blank_key(field) is not None
            parts.append(
                f"\n    {_blank_or_rendered(field, _field)}\n  "
                if blank
                else _Varying(field.name, visible=True)
            )
    parts.append("\n  ")
    for field in bound:
        if field.is_hidden:
            blank = _blank_key(field) is not None
            parts.append(_blank_or_rendered(field, str) if blank else _Varying(field.name, False))
    return parts


def _blank_or_rendered(field: BoundField, render: Any) -> str:
    key = _blank_key(field)
    if key is None:
        return str(render(field))
    found = _blank.get(key)
    if found is None:
        found = _blank[key] = str(render(field))
    return found


# --- the form nearly every reader gets, without a form ---------------------------

_TOKEN_MARK = "zqxTokenMark7319"  # noqa: S105 - a mark, not a secret
_VALUE_MARKS = ("zqxValueMark1", "zqxValueMark2")
_LABEL_MARKS = ("zqxLabelMark1", "zqxLabelMark2 <&\"'>")  # the second checks the escaping


@dataclass(frozen=True)
class GuestForm:
    """The comment form under a review for a guest with nothing remembered, not
    replying, in the main thread: a blank :class:`~.forms.CommentForm` but for the
    "spoils" ``choices`` (the work's parts, :func:`~.forms.spoiler_choices`) and its
    signed ``token``. :func:`comment_form_html` writes it from parts learnt once per
    process from a real CommentForm (:func:`_guest_parts`), so the page builds no form
    at all (copying ten fields and rendering two through Django was ~10% of the
    20-comment page). :meth:`for_review` gives None when those parts could not be
    learnt; the caller then builds the CommentForm."""

    choices: tuple[tuple[str, str], ...]
    token: str

    @classmethod
    def for_review(cls, review: Any, seasons: Any) -> GuestForm | None:
        from .forms import NOTHING, form_token, spoiler_choices

        choices = tuple(spoiler_choices(seasons or ()))
        if _guest_parts() is None or choices[:1] != (NOTHING,):
            return None
        return cls(choices, form_token(review.pk))

    def non_field_errors(self) -> str:
        return ""

    def fields_html(self) -> str:
        parts = _guest_parts()
        assert parts is not None  # for_review made none otherwise
        out: list[str] = []
        for part in parts:
            if isinstance(part, str):
                out.append(part)
            elif isinstance(part, _Options):
                out.append(part.html(self.choices[1:]))
            else:
                out += [part[0], _text(self.token), part[1]]
        return "".join(out)


@dataclass(frozen=True)
class _Options:
    """The "spoils" field's paragraph around its options: ``head`` (up to and with
    the selected "Nothing"), each further option as ``option`` around its value and
    label, then ``tail``."""

    head: str
    option: tuple[str, str, str]
    tail: str

    def html(self, choices: Any) -> str:
        before, between, after = self.option
        options = (f"{before}{_text(v)}{between}{_text(label)}{after}" for v, label in choices)
        return f"{self.head}{''.join(options)}{self.tail}"


_guest: dict[str, list[str | _Options | tuple[str, str]] | None] = {}


def _guest_parts() -> list[str | _Options | tuple[str, str]] | None:
    if "parts" not in _guest:
        _guest["parts"] = _learn_guest_parts()
    return _guest["parts"]


def _learn_guest_parts() -> list[str | _Options | tuple[str, str]] | None:
    """:func:`_layout` of a guest's blank CommentForm, its two varying fields turned
    into text around marks: the token's input around its value, the select around its
    options. Each is checked against Django's own rendering of two marked options (one
    with characters to escape); None when anything is not as expected."""
    from types import SimpleNamespace

    from django.contrib.auth.models import AnonymousUser

    from .forms import NOTHING, CommentForm

    form = CommentForm(  # type: ignore[no-untyped-call]
        initial={"author_name": "", "author_email": "", "author_url": ""},
        review=SimpleNamespace(pk=0),
        user=AnonymousUser(),
    )
    form.initial["token"] = _TOKEN_MARK
    spoils = form.fields["spoils"]
    parts: list[str | _Options | tuple[str, str]] = []
    for part in _layout(form):
        if isinstance(part, str):
            parts.append(part)
        elif part.name == "token":
            before, mark, after = part.html(form).partition(_TOKEN_MARK)
            if not mark or _TOKEN_MARK in after:
                return None
            parts.append((before, after))
        elif part.name == "spoils":
            rendered = []
            for count in (0, 1, 2):
                marked = zip(_VALUE_MARKS[:count], _LABEL_MARKS[:count], strict=True)
                spoils.choices = [NOTHING, *marked]  # type: ignore[attr-defined]
                rendered.append(part.html(form))
            options = _options(*rendered)
            if options is None:
                return None
            parts.append(options)
        else:
            return None
    return parts


def _options(none: str, one: str, two: str) -> _Options | None:
    """The select's parts from its HTML with no, one and two marked options."""
    start = next(
        (at for at, (a, b) in enumerate(zip(none, one, strict=False)) if a != b), len(none)
    )
    tail = none[start:]
    if not one.endswith(tail):
        return None
    option = one[start : len(one) - len(tail)]
    before, value, rest = option.partition(_VALUE_MARKS[0])
    between, label, after = rest.partition(_LABEL_MARKS[0])
    if not (value and label) or _VALUE_MARKS[0] in after or _LABEL_MARKS[0] in after:
        return None
    found = _Options(none[:start], (before, between, after), tail)
    expected = found.html(list(zip(_VALUE_MARKS, _LABEL_MARKS, strict=True)))
    return found if expected == two else None
