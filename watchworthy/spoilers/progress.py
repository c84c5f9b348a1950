"""Where a reader's progress through a work is kept, and the shield it gives them.

Signed-in readers keep it in ``catalog.WatchProgress``; guests in one signed cookie
holding ``{work id: "season:episode"}`` for every work they have set. It is read once
per request and per work (the review page and its comments share it).

:func:`progress_save` is the service (plain values, no HTTP); the cookie helpers are
for views, which set cookies themselves.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from django.http import HttpRequest, HttpResponse

from watchworthy.catalog.models import WatchProgress, Work
from watchworthy.core.cookies import read_private_cookie, set_private_cookie

from .shield import Position, SeasonLike, Shield, reveal_ids

COOKIE = "ww_progress"
MAX_WORKS = 200
COOKIE_AGE = 2 * 365 * 24 * 3600


# --- the service -------------------------------------------------------------------------


def saved_position(*, user: Any, work: Work) -> Position | None:
    """A signed-in reader's saved position in ``work``."""
    row = WatchProgress.objects.filter(user=user, work=work).first()
    return None if row is None else Position(row.season, row.episode)


def progress_save(*, user: Any, work: Work, position: Position | None) -> None:
    """Remember (or, with None, forget) how far a signed-in reader has watched."""
    if position is None:
        WatchProgress.objects.filter(user=user, work=work).delete()
        return
    WatchProgress.objects.update_or_create(
        user=user, work=work, defaults={"season": position.season, "episode": position.episode}
    )


def guest_positions_with(
    positions: Mapping[str, str], *, work: Work, position: Position | None
) -> dict[str, str]:
    """A guest's positions with ``work`` set to ``position`` (None: forgotten), most
    recent last, at most :data:`MAX_WORKS` works."""
    kept = {key: value for key, value in positions.items() if key != str(work.pk)}
    if position is not None:
        kept[str(work.pk)] = position.encode()
    return dict(list(kept.items())[-MAX_WORKS:])


# --- for views ---------------------------------------------------------------------------


def guest_positions(request: HttpRequest) -> dict[str, str]:
    """A guest's positions, from their private cookie (what they watch is theirs)."""
    data: Any = read_private_cookie(request, COOKIE, max_age=COOKIE_AGE)
    if not isinstance(data, dict):
        return {}
    return {str(key): value for key, value in data.items() if isinstance(value, str)}


def remember_guest_positions(response: HttpResponse, positions: Mapping[str, str]) -> None:
    set_private_cookie(response, COOKIE, dict(positions), max_age=COOKIE_AGE)


def progress_for(request: HttpRequest, work: Work) -> Position | None:
    """The reader's position in ``work``, or None when they have not said."""
    cache: dict[int, Position | None] = request.__dict__.setdefault("_watch_progress", {})
    if work.pk not in cache:
        if request.user.is_authenticated:
            cache[work.pk] = saved_position(user=request.user, work=work)
        else:
            cache[work.pk] = Position.decode(guest_positions(request).get(str(work.pk), ""))
    return cache[work.pk]


def reader_shield(request: HttpRequest, work: Work, seasons: Sequence[SeasonLike]) -> Shield:
    """The shield of the reader making ``request``, for ``work``."""
    revealed = reveal_ids(request.GET.getlist("reveal"))
    return Shield(progress_for(request, work), tuple(seasons), revealed)
