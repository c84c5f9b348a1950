"""A reader's progress through a work: where it is kept and how it is offered.

Signed-in readers keep it in :class:`WatchProgress`; guests in one signed cookie
holding ``{work id: "season:episode"}`` for every work they have set. It is read once
per request and per work (the review page and its comments share it).
"""

from __future__ import annotations

import json
from collections.abc import Iterator

from django.http import HttpRequest, HttpResponse

from watchworthy.core.spoilers import NOT_STARTED, Position

from .models import Season, WatchProgress, Work

COOKIE = "ww_progress"
SALT = "watchworthy.catalog.progress"
MAX_WORKS = 200


def _cookie_positions(request: HttpRequest) -> dict[str, str]:
    raw = request.get_signed_cookie(COOKIE, default=None, salt=SALT)
    try:
        data = json.loads(raw) if raw else {}
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


def progress_for(request: HttpRequest, work: Work) -> Position | None:
    """The reader's position in ``work``, or None when they have not said."""
    cache = request.__dict__.setdefault("_watch_progress", {})
    if work.pk not in cache:
        position = None
        if request.user.is_authenticated:
            row = WatchProgress.objects.filter(user=request.user, work=work).first()
            if row is not None:
                position = Position(row.season, row.episode)
        else:
            position = Position.decode(_cookie_positions(request).get(str(work.pk), ""))
        cache[work.pk] = position
    return cache[work.pk]


def progress_save(
    request: HttpRequest, response: HttpResponse, *, work: Work, position: Position | None
) -> None:
    """Remember (or, with None, forget) how far the reader has watched ``work``."""
    if request.user.is_authenticated:
        if position is None:
            WatchProgress.objects.filter(user=request.user, work=work).delete()
        else:
            WatchProgress.objects.update_or_create(
                user=request.user,
                work=work,
                defaults={"season": position.season, "episode": position.episode},
            )
        return
    positions = _cookie_positions(request)
    positions.pop(str(work.pk), None)
    if position is not None:
        positions[str(work.pk)] = position.encode()
    kept = dict(list(positions.items())[-MAX_WORKS:])
    response.set_signed_cookie(
        COOKIE,
        json.dumps(kept, separators=(",", ":")),
        salt=SALT,
        max_age=2 * 365 * 24 * 3600,
        httponly=True,
        samesite="Lax",
    )


def normalise(position: Position | None, seasons: list[Season]) -> Position | None:
    """The last episode of a season is the whole season: a reader there has seen its
    finale and finished it."""
    if position is None or position.episode is None:
        return position
    season = next((s for s in seasons if s.number == position.season), None)
    if season is not None and season.episode_count and position.episode >= season.episode_count:
        return Position(position.season, None)
    return position


def _season_label(position: Position, seasons: list[Season]) -> str:
    return next(
        (s.display_label for s in seasons if s.number == position.season),
        f"Season {position.season}",
    )


def describe(position: Position | None, seasons: list[Season]) -> str:
    """A position in the work's own words: "Part 2, episode 7", "finished Part 1"."""
    if position is None:
        return "not set"
    if position == NOT_STARTED:
        return "not started"
    label = _season_label(position, seasons)
    if position.episode is None:
        return f"finished {label}"
    return f"{label}, episode {position.episode}"


def scope_label(position: Position, seasons: list[Season]) -> str:
    """What a spoiler at ``position`` spoils: "Part 2, ep 7" or "Part 2"."""
    label = _season_label(position, seasons)
    return label if position.episode is None else f"{label}, ep {position.episode}"


def positions(seasons: list[Season]) -> Iterator[tuple[Position, Season]]:
    """Every episode, then the whole season, of each season in watching order."""
    for season in seasons:
        for episode in range(1, (season.episode_count or 0) + 1):
            yield Position(season.number, episode), season
        yield Position(season.number, None), season


def choices(work: Work, seasons: list[Season]) -> list[tuple[str, str]]:
    """Every position a reader can pick for ``work``, in watching order."""
    options = [("", "Not set"), (NOT_STARTED.encode(), "Not started")]
    if not seasons:
        options.append((Position(1, None).encode(), "Seen it"))
    for position, season in positions(seasons):
        label = season.display_label
        words = (
            f"Finished {label}"
            if position.episode is None
            else f"{label}, episode {position.episode}"
        )
        options.append((position.encode(), words))
    return options


def progress_context(request: HttpRequest, work: Work, seasons: list[Season]) -> dict:
    """The reader's position in ``work`` and the form to change it."""
    position = progress_for(request, work)
    return {
        "progress": position,
        "progress_label": describe(position, seasons),
        "progress_choices": choices(work, seasons),
        "progress_value": position.encode() if position else "",
    }


def shielded_characters(characters, position: Position | None, seasons: list[Season]) -> list[dict]:
    """Characters with a flag: hidden until the reader has reached their first episode.
    Those who appear in the very first episode are never a spoiler."""
    rows = []
    for character in characters:
        first = character.first_appearance
        hidden = first is not None and first != (1, 1)
        if hidden and position is not None:
            hidden = not position.covers(Position(first[0], first[1]))
        label = scope_label(Position(first[0], first[1]), seasons) if first else ""
        rows.append({"character": character, "hidden": hidden, "appears": label})
    return rows
