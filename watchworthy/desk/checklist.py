"""What the desk checks before a review goes public, and the preview it shows.

Each check says what is wrong in words a critic can act on. The text checked is the
desk's working copy (what the critic sees in the editor), rendered by the same
pipeline as the published page.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from watchworthy.core.markdown import render_comment_markdown
from watchworthy.core.sanitize import html_to_text
from watchworthy.reviews.models import Review, Verdict
from watchworthy.spoilers.shield import (
    Position,
    Shield,
    max_scope,
    parse_scope,
    staff_view,
    travelling,
)

WORDS_PER_MINUTE = 230
# An <img> whose alt attribute is missing or empty.
_IMG_WITHOUT_ALT = re.compile(r'<img\b(?![^>]*\balt="[^"]+")[^>]*>')
UNSCOPED = "[Spoiler]"  # how travelling() writes a spoiler that names no point


@dataclass(frozen=True)
class Check:
    ok: bool
    label: str
    detail: str = ""


def rendered(review: Review, text: dict[str, Any]) -> Review:
    """An unsaved copy of ``review`` holding ``text``, rendered (body_html, teaser,
    derived scope) exactly as saving would."""
    draft = Review(
        pk=review.pk,
        slug=review.slug,
        body_format=review.body_format,
        work_id=review.work_id,
        season_id=review.season_id,
        cover_id=review.cover_id,
    )
    for name, value in text.items():
        setattr(draft, name, value if name == "score" else value or "")
    draft.render()
    return draft


def preview(
    review: Review, text: dict[str, Any], *, seasons: Any, as_reader: str
) -> dict[str, Any]:
    """The body as the published page shows it: to a reader at ``as_reader`` ("S:E"),
    or, empty, to the critic (every spoiler open and labelled); with word count and
    reading time."""
    draft = rendered(review, text)
    position = Position.decode(as_reader)
    html = (
        Shield(position, seasons).html(draft.body_html)
        if position is not None
        else staff_view(draft.body_html)
    )
    words = len(html_to_text(draft.body_html).split())
    return {
        "html": html,  # sanitized when rendered (a SafeString; JSON takes it as text)
        "words": words,
        "minutes": max(1, round(words / WORDS_PER_MINUTE)) if words else 0,
        "teaser": draft.teaser,
    }


def publish_checklist(draft: Review) -> list[Check]:
    """The checks, on the working copy as :func:`rendered` made it."""
    return [
        Check(
            draft.verdict not in ("", Verdict.UNRATED),
            "A verdict is set",
            "Choose Watch, Skip or Avoid: the verdict is what readers come for.",
        ),
        _images_have_alt(draft.body_html),
        _title_clean(draft.title),
        _excerpt_scoped(draft.excerpt),
        _scope_covers_spoilers(draft.spoils_up_to, draft.body_html),
    ]


def _images_have_alt(body_html: str) -> Check:
    missing = len(_IMG_WITHOUT_ALT.findall(body_html))
    return Check(
        missing == 0,
        "Every image has alt text",
        f"{missing} image{'s' if missing != 1 else ''} without alt text: write what "
        "each shows between the brackets, ![like this](…).",
    )


def _title_clean(title: str) -> Check:
    has_markup = "||" in title or ":::" in title
    return Check(
        not has_markup,
        "The title holds no spoiler",
        "Titles travel everywhere (cards, feeds, shared links) and cannot hide words: "
        "move the spoiler into the text.",
    )


def _excerpt_scoped(excerpt: str) -> Check:
    unscoped = UNSCOPED in travelling(render_comment_markdown(excerpt)) if excerpt else False
    return Check(
        not unscoped,
        "The excerpt holds no spoiler without a scope",
        "The excerpt has a ||spoiler|| that names no point: write ||Part 2 ep 3: …|| "
        "so readers who are there may see it, or leave it out.",
    )


def _scope_covers_spoilers(spoils_up_to: str, body_html: str) -> Check:
    furthest = max_scope(body_html)
    said = parse_scope(spoils_up_to).position if spoils_up_to else None
    ok = furthest is None or said is None or said.key >= furthest.key
    return Check(
        ok,
        "“Spoils up to” covers the scoped spoilers",
        f"The text has spoilers up to {furthest.encode() if furthest else ''}, further than "
        f"“{spoils_up_to}”: change “Spoils up to” or leave it empty to work it out.",
    )
