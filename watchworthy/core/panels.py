"""Panels that an app adds to a page of another app it may not import.

The writing desk (``desk``) and the fediverse (``fediverse``) are siblings in the
import layers: neither imports the other. The fediverse still has something for the
critic's dashboard (followers, replies from other servers), so it registers a panel
in its ``ready()``::

    panels.register("desk-dashboard", "fediverse", desk_panel)

and the desk's view asks for the panels of its page::

    panels.for_page("desk-dashboard", user)  # [Panel(template, context), ...]

A panel function returns ``None`` when it has nothing to show for this user, or the
template (the registering app's own) and its context. Panels come in the order they
were registered.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Panel:
    template: str
    context: dict[str, Any]


PanelFunction = Callable[[Any], Panel | None]

_PANELS: dict[str, dict[str, PanelFunction]] = {}


def register(page: str, name: str, panel: PanelFunction) -> None:
    """Add (or replace, by ``name``) a panel on ``page``."""
    _PANELS.setdefault(page, {})[name] = panel


def for_page(page: str, user: Any) -> list[Panel]:
    """The panels of ``page`` that have something to show ``user``."""
    found = (panel(user) for panel in _PANELS.get(page, {}).values())
    return [panel for panel in found if panel is not None]
