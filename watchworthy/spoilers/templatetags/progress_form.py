"""``{% load progress_form %}{% progress_form work %}``: the "how far have you watched"
form (on review, episode-thread and work pages), composed in Python.

It was ``spoilers/progress_form.html`` (kept in tests/web/reference/ and compared by
tests/spoilers/test_progress_form_html.py and the review page's output test): a loop
over every episode of the work, about 0.2 to 0.4 ms per page for a long series. The context
is :meth:`Shield.form_context`'s (``progress``, ``progress_choices``,
``progress_value``) and the request's.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django import template
from django.utils.safestring import SafeString, mark_safe

from watchworthy.core.htmltext import csrf_input, printed
from watchworthy.core.links import reverse

register = template.Library()

OPEN_HELP = "Spoilers up to where you are open by themselves; later ones stay closed."
CLOSED_HELP = "Until you say, every spoiler stays closed."


@register.simple_tag(takes_context=True)
def progress_form(context: template.Context | Mapping[str, Any], work: Any) -> SafeString:
    request = context["request"]
    chosen = context.get("progress_value")
    options = "".join(
        f'<option value="{printed(value)}"{" selected" if value == chosen else ""}>'
        f"{printed(label)}</option>"
        for value, label in context.get("progress_choices") or ()
    )
    pk = printed(work.pk)
    html = (
        '<form class="progress-form" method="post" '
        f'action="{printed(reverse("spoilers:progress", args=[work.slug]))}">\n'
        f"  {csrf_input(request) if request.user.is_authenticated else ''}\n"
        f'  <input type="hidden" name="next" value="{printed(request.get_full_path())}">\n'
        f'  <label for="progress-{pk}">How far have you watched '
        f"<cite>{printed(work.title)}</cite>?</label>\n"
        '  <span class="progress-controls">\n'
        f'    <select id="progress-{pk}" name="position">\n'
        f"      {options}\n"
        "    </select>\n"
        '    <button class="button" type="submit">Save</button>\n'
        "  </span>\n"
        f'  <small class="help">{OPEN_HELP if context.get("progress") else CLOSED_HELP}</small>\n'
        "</form>\n"
    )
    # Safe: every value went through printed() (escaped).
    return mark_safe(html)  # noqa: S308
