"""Rows as the API shows them: plain dicts in the shape of :mod:`.schemas`.

Spoilers never travel here, as in the feeds: review bodies, recaps and synopses go
through :func:`spoilers.shield.travelling` (every spoiler becomes its label), a
comment that says it spoils a point becomes a note naming that point, teasers were
made spoiler-free when the review was saved, and characters are shielded by
:meth:`Shield.characters` for the position the client named (none: a reader who has
not said, as on the work page). Each function names every field it gives out.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.http import HttpRequest
from django.urls import reverse

from watchworthy.catalog.models import Season, Work
from watchworthy.discussion.models import Comment
from watchworthy.reviews.feeds import absolute_links
from watchworthy.reviews.models import Review
from watchworthy.spoilers.shield import CharacterRow, Position, Shield, scope_label, travelling


def _absolute(request: HttpRequest, path: str) -> str:
    return request.build_absolute_uri(path)


def _base(request: HttpRequest) -> str:
    return f"{request.scheme}://{request.get_host()}"


def season(row: Season) -> dict[str, Any]:
    return {
        "number": row.number,
        "label": row.display_label,
        "episode_count": row.episode_count,
        "release_date": row.release_date,
    }


def season_detail(request: HttpRequest, row: Season, shield: Shield) -> dict[str, Any]:
    hidden = not shield.covers(Position(row.number, None))
    recap = None
    if not hidden and row.recap_html:
        recap = absolute_links(travelling(row.recap_html), _base(request))
    return {**season(row), "recap_hidden": hidden, "recap_html": recap}


def work_ref(request: HttpRequest, work: Work) -> dict[str, Any]:
    return {
        "slug": work.slug,
        "title": work.title,
        "api_url": _absolute(request, reverse("api:work", kwargs={"slug": work.slug})),
    }


def work(request: HttpRequest, row: Work) -> dict[str, Any]:
    return {
        **work_ref(request, row),
        "original_title": row.original_title,
        "original_language": row.original_language,
        "kind": row.kind,
        "year": row.year,
        "url": _absolute(request, row.get_absolute_url()),
        "platforms": [{"name": p.name, "slug": p.slug, "url": p.url} for p in row.platforms.all()],
        "genres": [{"name": g.name, "slug": g.slug} for g in row.genres.all()],
    }


def work_detail(request: HttpRequest, row: Work) -> dict[str, Any]:
    kwargs = {"slug": row.slug}
    return {
        **work(request, row),
        "synopsis_html": absolute_links(travelling(row.synopsis_html), _base(request)),
        "seasons": [season(s) for s in row.seasons.all()],
        "reviews_api_url": _absolute(request, reverse("api:reviews") + f"?work={row.slug}"),
        "characters_api_url": _absolute(request, reverse("api:characters", kwargs=kwargs)),
        "seasons_api_url": _absolute(request, reverse("api:seasons", kwargs=kwargs)),
    }


def character(row: CharacterRow) -> dict[str, Any]:
    """A hidden character is only where they first appear ("A character from Part 2,
    ep 3", as the work page's folded entry says): no name, alias or description."""
    if row.hidden:
        return {
            "hidden": True,
            "first_appearance": row.appears,
            "name": None,
            "aliases": None,
            "description": None,
        }
    person = row.character
    return {
        "hidden": False,
        "first_appearance": row.appears,
        "name": person.name,
        "aliases": person.alias_list,
        "description": person.description,
    }


def _spoils(position: Position | None, seasons: Sequence[Season]) -> str:
    return scope_label(position, seasons) if position is not None else ""


def review(request: HttpRequest, row: Review) -> dict[str, Any]:
    """Needs ``for_cards()`` and the prefetched ``tags`` and ``work__seasons``."""
    seasons = list(row.work.seasons.all())
    audience = row.audience or {}
    cover = None
    if row.cover is not None:
        cover = {"url": _absolute(request, row.cover.file.url), "alt": row.cover.alt_text}
    return {
        "slug": row.slug,
        "title": row.title,
        "subtitle": row.subtitle,
        "url": _absolute(request, row.get_absolute_url()),
        "api_url": _absolute(request, reverse("api:review", kwargs={"slug": row.slug})),
        "work": work_ref(request, row.work),
        "season": (
            {"number": row.season.number, "label": row.season.display_label}
            if row.season is not None
            else None
        ),
        "verdict": row.verdict,
        "score": float(row.score) if row.score is not None else None,
        "author": {"username": row.author.username, "name": row.author.public_name},
        "tags": [{"name": t.name, "slug": t.slug} for t in row.tags.all()],
        "teaser": row.teaser,
        "spoils_up_to": _spoils(row.spoiler_scope, seasons),
        "cover": cover,
        "published_at": row.published_at,
        "updated_at": row.updated_at,
        "audience": {
            "votes": row.audience_votes,
            "agree_percent": audience.get("agree_percent"),
            "finished_votes": row.audience_finished_votes,
            "finished_agree_percent": audience.get("finished_percent"),
        },
        "comment_count": row.approved_comment_count,
        "comments_api_url": _absolute(request, reverse("api:comments", kwargs={"slug": row.slug})),
    }


def review_detail(request: HttpRequest, row: Review) -> dict[str, Any]:
    page = _absolute(request, row.get_absolute_url())
    body = absolute_links(travelling(row.body_html), _base(request), page)
    return {**review(request, row), "body_html": body}


def comment(request: HttpRequest, row: Comment, seasons: Sequence[Season]) -> dict[str, Any]:
    """An approved comment as it travels (as in the comment feeds)."""
    body = absolute_links(row.travelling_html(list(seasons)), _base(request))
    return {
        "id": row.pk,
        "number": row.number,
        "parent_id": row.parent_id,
        "depth": row.depth,
        "author_name": row.author_name,
        "created_at": row.created_at,
        "edited_at": row.edited_at,
        "spoils_up_to": _spoils(row.spoiler_scope, seasons),
        "thread": (
            scope_label(row.episode_thread.position, seasons)
            if row.episode_thread is not None
            else None
        ),
        "body_html": body,
        "url": _absolute(request, row.get_absolute_url()),
    }
