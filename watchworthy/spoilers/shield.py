"""The spoiler shield's one public surface.

A reader has watched a work up to a :class:`Position` (or has not said). A
:class:`Shield` is that position together with the work's seasons, and answers every
question a page, a feed or a mail has about spoilers:

=============================  ===================================================
``shield.html(stored)``        a review body or recap with the spoilers the reader
                               has reached opened (the rest stay closed)
``shield.comment(...)``        a comment's body, "spoils up to" label and whether
                               it is folded for this reader (``comment_body``: the
                               body alone, of a comment that names no such point)
``shield.characters(...)``     who is who, hiding those the reader has not met
``shield.catch_up(...)``       the catch-up box of a Part 2 (or later) review
``shield.form_context()``      the "how far have you watched" form
``staff_view(html)``           a comment for moderators: every spoiler open, labelled
``travelling(html)``           text that leaves the page (teasers, feeds, mail,
                               search snippets): every spoiler becomes a label
=============================  ===================================================

The scope grammar (``parse_scope``, ``Position``) and the stored spoiler HTML live
in :mod:`watchworthy.core.spoiler_markup`, because Markdown rendering needs them;
they are re-exported here so that nothing above ``core`` imports that module.
Where a reader's position is kept (account or cookie) is
:mod:`watchworthy.spoilers.progress`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from html import escape
from typing import Any, Protocol

from django.utils.safestring import SafeString

from watchworthy.core.sanitize import html_to_text, stored_html
from watchworthy.core.spoiler_markup import (
    NOT_STARTED,
    REVEAL_FORM,
    Position,
    Scope,
    mark_spoilers_for_staff,
    max_scope,
    parse_scope,
    present_spoilers,
    redact_spoilers,
    reveal_ids,
)

__all__ = [
    "NOT_STARTED",
    "REVEAL_FORM",
    "CharacterRow",
    "Position",
    "Scope",
    "Shield",
    "ShieldedComment",
    "choices",
    "describe",
    "max_scope",
    "normalise",
    "parse_scope",
    "positions",
    "reveal_ids",
    "scope_label",
    "spoiler_free_text",
    "staff_view",
    "travelling",
    "travelling_comment",
]


class SeasonLike(Protocol):
    """What the shield needs of a season: ``catalog.Season`` fits."""

    number: int
    episode_count: int | None

    @property
    def display_label(self) -> str: ...


class CharacterLike(Protocol):
    @property
    def first_appearance(self) -> tuple[int, int] | None: ...


# --- positions in a work's own words -------------------------------------------------


def _season_label(position: Position, seasons: Sequence[SeasonLike]) -> str:
    return next(
        (s.display_label for s in seasons if s.number == position.season),
        f"Season {position.season}",
    )


def scope_label(position: Position, seasons: Sequence[SeasonLike]) -> str:
    """What a spoiler at ``position`` spoils: "Part 2, ep 7" or "Part 2"."""
    label = _season_label(position, seasons)
    return label if position.episode is None else f"{label}, ep {position.episode}"


def describe(position: Position | None, seasons: Sequence[SeasonLike]) -> str:
    """A position in the work's own words: "Part 2, episode 7", "finished Part 1"."""
    if position is None:
        return "not set"
    if position == NOT_STARTED:
        return "not started"
    label = _season_label(position, seasons)
    if position.episode is None:
        return f"finished {label}"
    return f"{label}, episode {position.episode}"


def normalise(position: Position | None, seasons: Sequence[SeasonLike]) -> Position | None:
    """The last episode of a season is the whole season: a reader there has seen its
    finale and finished it."""
    if position is None or position.episode is None:
        return position
    season = next((s for s in seasons if s.number == position.season), None)
    if season is not None and season.episode_count and position.episode >= season.episode_count:
        return Position(position.season, None)
    return position


def positions(seasons: Sequence[SeasonLike]) -> Iterator[tuple[Position, SeasonLike]]:
    """Every episode, then the whole season, of each season in watching order."""
    for season in seasons:
        for episode in range(1, (season.episode_count or 0) + 1):
            yield Position(season.number, episode), season
        yield Position(season.number, None), season


def choices(seasons: Sequence[SeasonLike]) -> list[tuple[str, str]]:
    """Every position a reader can pick for a work, in watching order."""
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


def travelling(html: str) -> str:
    """``html`` as it may leave the page (teasers, feeds, mail, search snippets,
    social cards): every spoiler, reached or not, replaced by its label."""
    return redact_spoilers(html)


_PLACEHOLDER = re.compile(r'<(p|span) class="spoiler-placeholder">.*?</\1>', re.DOTALL)
_FOOTNOTE_REF = re.compile(r'<sup class="footnote-ref">.*?</sup>', re.DOTALL)
_SENTENCE_END = re.compile(r"(?<=[.!?…])\s+|(?<=[.!?…][\"”)\]\u2019])\s+")
_GAP = "\ue000"  # where a spoiler stood (a private-use character no text contains)


def spoiler_free_text(html: str) -> str:
    """Plain text for a teaser written for people: only the sentences of ``html``
    that hold no spoiler, without footnote marks. A sentence with a spoiler in it is
    left out whole (a half sentence or a "[Spoiler]" placeholder reads like a
    machine); what remains is never a spoiler, reached or not."""
    marked = _PLACEHOLDER.sub(
        lambda m: f" {_GAP}. " if m[1] == "p" else f" {_GAP} ",
        redact_spoilers(_FOOTNOTE_REF.sub("", html)),
    )
    text = html_to_text(marked)
    sentences = _SENTENCE_END.split(text)
    return " ".join(s for s in sentences if s and _GAP not in s).strip()


def staff_view(html: str) -> SafeString:
    """Stored HTML for moderators: every spoiler open and visibly labelled."""
    return stored_html(mark_spoilers_for_staff(html))


def travelling_comment(
    body_html: str, scope: Position | None, seasons: Sequence[SeasonLike]
) -> str:
    """A comment as it may travel (feeds, mail): spoilers become labels, and a
    comment that says it spoils up to ``scope`` is replaced by a note naming that
    point in the work's own words."""
    if scope is not None:
        note = f"[This comment spoils {scope_label(scope, seasons)}: read it on the site]"
        return f'<p class="spoiler-placeholder">{escape(note)}</p>'
    return travelling(body_html)


# --- one reader's view of one work -----------------------------------------------------


@dataclass(frozen=True)
class ShieldedComment:
    body: SafeString  # the comment's HTML with the reader's shield applied
    spoils: str  # "Part 2, ep 7" when the comment says it spoils that far…
    folded: bool  # …and the reader has not got there yet


@dataclass(frozen=True)
class CharacterRow:
    character: Any
    hidden: bool  # the reader has not met them yet
    appears: str  # "Part 2, ep 3": where they first appear ("" if unknown)


@dataclass(frozen=True)
class Shield:
    """What one reader (at ``position``; None: has not said) may see of one work.
    ``revealed``: the ids of inline spoilers the reader opened by hand without
    JavaScript (``?reveal=``, see :func:`reveal_ids`)."""

    position: Position | None
    seasons: Sequence[SeasonLike] = field(default_factory=tuple)
    revealed: frozenset[str] = frozenset()

    def covers(self, scope: Position | None) -> bool:
        """The reader has watched everything ``scope`` spoils (no scope: nothing)."""
        if scope is None:
            return True
        return self.position is not None and self.position.covers(scope)

    def label(self, scope: Position) -> str:
        return scope_label(scope, self.seasons)

    def html(self, stored: str) -> SafeString:
        """Stored (sanitized) HTML with the spoilers the reader has reached opened;
        closed inline ones become a reveal button with their words ``hidden``."""
        return stored_html(present_spoilers(stored, self.position, self.revealed))

    def comment_body(self, body_html: str) -> str:
        """The body of a comment that names no "spoils up to" point: ``html()`` as a
        plain string, for a page composing a thousand of them."""
        return present_spoilers(body_html, self.position, self.revealed)

    def comment(self, body_html: str, scope: Position | None) -> ShieldedComment:
        """A comment whose writer said it spoils up to ``scope`` stays folded until
        the reader gets there; spoilers inside it open as in a review body."""
        if scope is None:
            return ShieldedComment(self.html(body_html), "", False)
        return ShieldedComment(self.html(body_html), self.label(scope), not self.covers(scope))

    def characters(self, characters: Iterable[CharacterLike]) -> list[CharacterRow]:
        """Characters with a flag: hidden until the reader has reached their first
        episode. Those who appear in the very first episode are never a spoiler."""
        rows = []
        for character in characters:
            first = character.first_appearance
            where = Position(first[0], first[1]) if first else None
            hidden = where is not None and first != (1, 1) and not self.covers(where)
            rows.append(CharacterRow(character, hidden, self.label(where) if where else ""))
        return rows

    def catch_up(
        self, *, previous: Any, previous_review: Any, characters: Iterable[CharacterLike]
    ) -> dict[str, Any]:
        """The catch-up box of a review of a later part: the ``previous`` season's
        verdict (``previous_review``, may be None), recap and who is who so far. The
        recap is hidden as a whole until the reader has finished that season."""
        return {
            "previous": previous,
            "review": previous_review,
            "recap": self.html(previous.recap_html),
            "recap_hidden": not self.covers(Position(previous.number, None)),
            "characters": self.characters(characters),
        }

    @property
    def description(self) -> str:
        """Where the reader is, in the work's words: "Part 2, episode 7"."""
        return describe(self.position, self.seasons)

    def description_of(self, position: Position | None) -> str:
        return describe(position, self.seasons)

    def form_context(self) -> dict[str, Any]:
        """What the "how far have you watched" form shows."""
        return {
            "progress": self.position,
            "progress_label": self.description,
            "progress_choices": choices(self.seasons),
            "progress_value": self.position.encode() if self.position else "",
            "spoilers_revealed": sorted(self.revealed),
        }
