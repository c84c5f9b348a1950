"""Spoiler markup: the scope grammar and the stored HTML of a spoiler.

This is the part of the spoiler shield that Markdown rendering needs (it lives in
``core`` beside :mod:`watchworthy.core.markdown`, the lowest layer). Everything above
``core`` reaches it through :mod:`watchworthy.spoilers.shield`, the shield's one
public surface; an import-linter contract keeps it that way.

A **place in a work** is a (season number, episode) pair — see ``catalog.models``:
``Season.number`` is the watching order, so Netflix's "Part 2" is season 2.
``episode=None`` means "the whole season": a reader at ``(2, None)`` has finished
Part 2, and a spoiler scoped ``(2, None)`` ("Part 2", "Part 2 finale") spoils all of it.

Critics type scopes the way they talk::

    Part 2, episode 7   Part 2 ep 7   S2E7   season 2 episode 7   Part 2 finale
    finale              ep 7          Part 2

A scope without a season means season 1 (films and single-season works). Text that is
not a scope is kept as the label and the spoiler stays closed for everyone.

Stored HTML carries each spoiler closed, with its scope in ``data-spoiler-season`` and
``data-spoiler-episode`` attributes. :func:`apply_shield` opens, per request, those the
reader has already watched; :func:`redact_spoilers` replaces them with labelled
placeholders wherever text travels (teasers, feeds, e-mails).
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from html import escape
from html.parser import HTMLParser

WHOLE = 10_000  # sorts after every real episode number

_SCOPE = re.compile(
    r"""^\s*
    (?:(?P<word>part|season|cour|series|s)\s*\.?\s*(?P<season>\d{1,3}))?
    \s*[,:/-]?\s*
    (?:(?:(?:ep(?:isode)?s?\.?|e)\s*(?P<episode>\d{1,4}))|(?P<finale>finale|end))?
    \s*$""",
    re.IGNORECASE | re.VERBOSE,
)


@dataclass(frozen=True, order=True)
class Position:
    """A place in a work: season number and episode (None: the whole season)."""

    season: int
    episode: int | None = None

    @property
    def key(self) -> tuple[int, int]:
        return (self.season, WHOLE if self.episode is None else self.episode)

    def covers(self, scope: Position) -> bool:
        """A reader at ``self`` has watched everything ``scope`` spoils."""
        return self.key >= scope.key

    def encode(self) -> str:
        return f"{self.season}:{'' if self.episode is None else self.episode}"

    @classmethod
    def decode(cls, value: str) -> Position | None:
        match = re.fullmatch(r"(\d{1,3}):(\d{0,4})", value or "")
        if not match:
            return None
        return cls(int(match[1]), int(match[2]) if match[2] else None)


NOT_STARTED = Position(0, 0)


@dataclass(frozen=True)
class Scope:
    position: Position | None  # None: not understood (or no scope given)
    label: str  # what the reader is told it spoils


def parse_scope(text: str) -> Scope:
    """Read a critic's scope ("Part 2, ep 7"). Unknown text gives ``position=None``."""
    text = " ".join((text or "").split())
    if not text:
        return Scope(None, "")
    match = _SCOPE.match(text)
    if not match or not (match["season"] or match["episode"] or match["finale"]):
        return Scope(None, text)
    season = int(match["season"]) if match["season"] else 1
    episode = int(match["episode"]) if match["episode"] else None
    if season < 1 or (episode is not None and episode < 1):
        return Scope(None, text)
    word = (match["word"] or "").lower()
    word = {"s": "Season", "": "Season" if match["season"] else ""}.get(word, word.capitalize())
    parts = [f"{word} {season}"] if word else []
    if episode is not None:
        parts.append(f"ep {episode}")
    elif match["finale"]:
        parts.append("finale")
    return Scope(Position(season, episode), ", ".join(parts) or "the finale")


def spoiler_attrs(scope: Scope) -> str:
    if scope.position is None:
        return ""
    episode = "" if scope.position.episode is None else str(scope.position.episode)
    return (
        f' data-spoiler-season="{scope.position.season}" data-spoiler-episode="{episode}"'
        f' data-spoiler-label="{escape(scope.label)}"'
    )


def spoiler_summary(scope: Scope, raw: str) -> str:
    """The words on a closed spoiler."""
    if scope.position is not None:
        return f"Spoils {escape(scope.label)}"
    if raw.strip():
        return f"Spoiler (scope “{escape(raw.strip())}” not understood)"
    return "Spoiler"


# --- request time -----------------------------------------------------------------------

_SCOPED_OPENING = re.compile(
    r'<(details|span) class="(spoiler|spoiler-inline)" '
    r'data-spoiler-season="(\d+)" data-spoiler-episode="(\d*)"'
)


def apply_shield(html: str, progress: Position | None) -> str:
    """Open the scoped spoilers that ``progress`` covers; leave every other one closed."""
    if progress is None or "data-spoiler-season" not in html:
        return html

    def open_if_watched(match: re.Match) -> str:
        scope = Position(int(match[3]), int(match[4]) if match[4] else None)
        if not progress.covers(scope):
            return match[0]
        if match[1] == "details":
            return match[0].replace("<details ", "<details open ", 1)
        return match[0].replace('class="spoiler-inline"', 'class="spoiler-inline spoiler-open"', 1)

    return _SCOPED_OPENING.sub(open_if_watched, html)


def max_scope(html: str) -> Position | None:
    """The furthest point any scoped spoiler in ``html`` reaches."""
    found = [
        Position(int(season), int(episode) if episode else None)
        for _tag, _cls, season, episode in _SCOPED_OPENING.findall(html)
    ]
    return max(found, key=lambda p: p.key) if found else None


class _Redactor(HTMLParser):
    """Copies HTML, replacing each spoiler element (and all inside it) by a note."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=False)
        self.out: list[str] = []
        self.depth = 0  # >0 while inside a spoiler
        self.stack: list[str] = []  # open tags inside the current spoiler

    def handle_starttag(self, tag, attrs):
        classes = (dict(attrs).get("class") or "").split()
        if self.depth:
            self.stack.append(tag)
            return
        if tag in ("details", "span") and ({"spoiler", "spoiler-inline"} & set(classes)):
            label = dict(attrs).get("data-spoiler-label")
            label = f"Spoiler: {escape(label)}" if label else "Spoiler"
            block = tag == "details"
            self.out.append(
                f'<p class="spoiler-placeholder">[{label}]</p>'
                if block
                else f'<span class="spoiler-placeholder">[{label}]</span>'
            )
            self.depth = 1
            self.stack = [tag]
            return
        self.out.append(self.get_starttag_text() or "")

    def handle_startendtag(self, tag, attrs):
        if not self.depth:
            self.out.append(self.get_starttag_text() or "")

    def handle_endtag(self, tag):
        if self.depth:
            if tag in self.stack:
                while self.stack and self.stack.pop() != tag:
                    pass
            if not self.stack:
                self.depth = 0
            return
        self.out.append(f"</{tag}>")

    def handle_data(self, data):
        if not self.depth:
            self.out.append(data)

    def handle_entityref(self, name):
        if not self.depth:
            self.out.append(f"&{name};")

    def handle_charref(self, name):
        if not self.depth:
            self.out.append(f"&#{name};")


def redact_spoilers(html: str) -> str:
    """``html`` with every spoiler replaced by "[Spoiler: Part 2, ep 7]"."""
    if "spoiler" not in html:
        return html
    redactor = _Redactor()
    redactor.feed(html)
    redactor.close()
    return "".join(redactor.out)


# --- what a reader's browser gets ---------------------------------------------------------

_VOID = frozenset(
    [
        "area",
        "base",
        "br",
        "col",
        "embed",
        "hr",
        "img",
        "input",
        "link",
        "meta",
        "source",
        "track",
        "wbr",
    ]
)
REVEAL_FORM = "spoiler-reveal"  # the id of the page's one GET form for reveals without JS
_REVEAL_ID = re.compile(r"sp-[0-9a-f]{8}-\d{1,4}")
MAX_REVEALED = 64


def reveal_ids(values: list[str]) -> frozenset[str]:
    """The well-formed spoiler ids among ``values`` (``?reveal=`` from a request)."""
    return frozenset(v for v in values[:MAX_REVEALED] if _REVEAL_ID.fullmatch(v))


class _Presenter(HTMLParser):
    """Copies stored HTML for one reader. Each inline spoiler the reader has not
    reached (nor asked to see) becomes a button saying what it spoils, followed by
    its words in an element with the ``hidden`` attribute: not shown, not in the
    accessibility tree, not selectable, not found by find-in-page, whatever the mouse
    or the keyboard focus does. The button reveals the words (spoilers.js), or without
    JavaScript submits the page's reveal form (``?reveal=<id>``), which opens it here.
    Spoilers the reader has reached come open and lose the stored ``tabindex``."""

    def __init__(self, progress: Position | None, revealed: frozenset[str], salt: str) -> None:
        super().__init__(convert_charrefs=False)
        self.progress = progress
        self.revealed = revealed
        self.salt = salt
        self.count = 0
        self.out: list[str] = []
        # one entry per open element: "closed" (a closed spoiler), "skip" (dropped
        # with its content), or "" (copied)
        self.stack: list[str] = []
        self.skipping = 0
        self.pending_id = ""  # the id for the spoiler-text of the closed spoiler just opened

    def _is_open(self, attrs: dict[str, str | None], spoiler_id: str) -> bool:
        if spoiler_id in self.revealed:
            return True
        season = attrs.get("data-spoiler-season")
        if self.progress is None or not season or not season.isdigit():
            return False
        episode = attrs.get("data-spoiler-episode") or ""
        scope = Position(int(season), int(episode) if episode.isdigit() else None)
        return self.progress.covers(scope)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        void = tag in _VOID
        if self.skipping:
            if not void:
                self.stack.append("skip")
                self.skipping += 1
            return
        found = dict(attrs)
        classes = (found.get("class") or "").split()
        parent = self.stack[-1] if self.stack else ""
        if tag == "span" and "spoiler-inline" in classes:
            self.count += 1
            spoiler_id = f"sp-{self.salt}-{self.count}"
            kept = "".join(
                f' {name}="{escape(value or "")}"'
                for name, value in attrs
                if name.startswith("data-spoiler-")
            )
            if self._is_open(found, spoiler_id):
                self.out.append(f'<span class="spoiler-inline spoiler-open"{kept}>')
                self.stack.append("")
                return
            label = found.get("data-spoiler-label") or ""
            what = f"Spoiler: {escape(label)}" if label else "Spoiler"
            self.out.append(
                f'<span class="spoiler-inline"{kept}>'
                f'<button type="submit" class="spoiler-reveal" form="{REVEAL_FORM}" '
                f'formaction="#{spoiler_id}" name="reveal" value="{spoiler_id}" '
                f'aria-expanded="false" aria-controls="{spoiler_id}" '
                f'aria-label="{what}, activate to reveal">{what}</button>'
            )
            self.stack.append("closed")
            self.pending_id = spoiler_id
            return
        if parent == "closed" and tag == "span" and "visually-hidden" in classes:
            self.stack.append("skip")
            self.skipping = 1
            return
        if parent == "closed" and tag == "span" and "spoiler-text" in classes:
            self.out.append(f'<span class="spoiler-text" id="{self.pending_id}" hidden>')
            self.stack.append("")
            return
        self.out.append(self.get_starttag_text() or "")
        if not void:
            self.stack.append("")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if not self.skipping:
            self.out.append(self.get_starttag_text() or "")

    def handle_endtag(self, tag: str) -> None:
        if tag in _VOID:
            return
        if not self.stack:  # a stray end tag: copied as it was
            self.out.append(f"</{tag}>")
            return
        kind = self.stack.pop()
        if kind == "skip":
            self.skipping -= 1
            return
        self.out.append(f"</{tag}>")

    def handle_data(self, data: str) -> None:
        if not self.skipping:
            self.out.append(data)

    def handle_entityref(self, name: str) -> None:
        if not self.skipping:
            self.out.append(f"&{name};")

    def handle_charref(self, name: str) -> None:
        if not self.skipping:
            self.out.append(f"&#{name};")

    def handle_comment(self, data: str) -> None:
        if not self.skipping:
            self.out.append(f"<!--{data}-->")


def present_spoilers(
    html: str, progress: Position | None, revealed: frozenset[str] = frozenset()
) -> str:
    """Stored HTML as one reader's browser gets it: block spoilers the reader has
    reached open (:func:`apply_shield`), and every inline spoiler either open or a
    "Spoiler: Part 2, ep 7" button with its words ``hidden`` (see :class:`_Presenter`).
    Ids are stable for the same stored HTML, so ``?reveal=<id>`` works across requests."""
    if "spoiler-inline" not in html:
        return apply_shield(html, progress)
    salt = hashlib.sha256(html.encode()).hexdigest()[:8]  # of the stored HTML: stable
    html = apply_shield(html, progress)
    presenter = _Presenter(progress, revealed, salt)
    presenter.feed(html)
    presenter.close()
    return "".join(presenter.out)


def mark_spoilers_for_staff(html: str) -> str:
    """Stored HTML for moderators: every spoiler open and labelled, so staff read what
    they approve (the label stays visible beside the words)."""
    html = re.sub(r"<details (class=\"spoiler)", r"<details open \1", html)
    html = html.replace(
        '<span class="spoiler-inline"', '<span class="spoiler-inline spoiler-open spoiler-marked"'
    )
    return html.replace(
        ' tabindex="0"><span class="visually-hidden">', '><span class="spoiler-label">'
    )
