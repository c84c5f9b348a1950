"""``{% desk_asset "editor.js" %}``: the address of a built editor file, read from the
bundle's manifest (watchworthy/desk/static/desk/manifest.json, committed with it)."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

from django import template
from django.templatetags.static import static

register = template.Library()

MANIFEST = Path(__file__).resolve().parent.parent / "static" / "desk" / "manifest.json"


@cache
def _manifest() -> dict[str, str]:
    try:
        loaded: dict[str, str] = json.loads(MANIFEST.read_text())
    except FileNotFoundError:
        return {}
    return loaded


@register.simple_tag
def desk_asset(name: str) -> str:
    """The static URL of the built file for ``name`` ("" when the bundle is not built:
    the desk then works as plain forms)."""
    built = _manifest().get(name)
    return static(built) if built else ""
