"""What the index holds for each thing a reader can find: one unsaved
:class:`~watchworthy.search.models.SearchEntry` per review, work, character or comment,
or ``None`` when it must not be found (a draft, a held comment).

Shown text goes through the spoiler shield's :func:`travelling` (every spoiler a
label); matched text is everything. A character whose first appearance is past the
first episode is itself a spoiler for a reader who has not got there: it is found
by its name, but shown only as "a character from Part 2, ep 3"."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from django.urls import reverse

from watchworthy.catalog.models import Character, Work
from watchworthy.core.sanitize import html_to_text
from watchworthy.discussion.models import Comment
from watchworthy.reviews.models import Review
from watchworthy.spoilers.shield import Position, Shield, travelling, travelling_comment

from .models import SearchEntry
from .words import match_text

Kind = SearchEntry.Kind


# The end of a block: a space there keeps "…ep 7</summary><p>Kuroshio" two words.
_BLOCK_END = re.compile(
    r"(</(?:p|div|summary|li|h[1-6]|td|th|dt|dd|blockquote|figcaption|pre)>|<br\s*/?>)"
)


def plain_text(html: str) -> str:
    """Plain text of stored HTML, everything in it (spoilers too): for matching only."""
    return html_to_text(_BLOCK_END.sub(r" \1", html))


def shown_text(html: str) -> str:
    """Plain text of stored HTML as it may leave the page: spoilers are labels."""
    return plain_text(travelling(html))


def work_facets(work: Work) -> list[str]:
    """Filter tokens every entry under ``work`` carries (platforms and genres must be
    prefetched)."""
    facets = [f"fk{work.kind}"]
    if work.year:
        facets.append(f"fy{work.year}")
    facets += [f"fp{platform.pk}" for platform in work.platforms.all()]
    facets += [f"fg{genre.pk}" for genre in work.genres.all()]
    return facets


def _entry(kind: str, pk: int, work: Work, facets: Iterable[str], **fields: Any) -> SearchEntry:
    return SearchEntry(
        kind=kind,
        object_id=pk,
        work_id=work.pk,
        facets=" ".join([f"fe{kind}", *work_facets(work), *facets]),
        **fields,
    )


def review_entry(review: Review) -> SearchEntry | None:
    """Work, season, tags and the work's platforms and genres must be loaded."""
    if review.status == Review.Status.DRAFT or review.published_at is None:
        return None
    work = review.work
    tags = list(review.tags.all())
    season_label = review.season.display_label if review.season else ""
    body = shown_text(review.body_html)
    return _entry(
        Kind.REVIEW,
        review.pk,
        work,
        [f"fv{review.verdict}", *(f"ft{tag.pk}" for tag in tags)],
        url=review.get_absolute_url(),
        title=review.title[:300],
        subtitle=review.subject[:300],
        text=" ".join(part for part in (review.subtitle, body) if part),
        verdict=review.verdict,
        match_title=match_text(review.title),
        match_body=match_text(
            review.subtitle,
            work.title,
            work.original_title,
            season_label,
            review.excerpt,
            plain_text(review.body_html),  # spoilers included: found, never shown
        ),
        published_at=review.published_at,
    )


def work_entry(work: Work) -> SearchEntry:
    """Seasons, platforms and genres must be prefetched."""
    seasons = [season.display_label for season in work.seasons.all()]
    also = f"{work.original_title} · " if work.original_title else ""
    return _entry(
        Kind.WORK,
        work.pk,
        work,
        [],
        url=work.get_absolute_url(),
        title=work.title[:300],
        subtitle=f"{also}{work.get_kind_display()}{f', {work.year}' if work.year else ''}"[:300],
        text=shown_text(work.synopsis_html),
        match_title=match_text(work.title, work.original_title),
        match_body=match_text(
            plain_text(work.synopsis_html),
            " ".join(seasons),
            " ".join(platform.name for platform in work.platforms.all()),
            " ".join(genre.name for genre in work.genres.all()),
        ),
    )


def character_entry(character: Character) -> SearchEntry:
    """The work (with platforms and genres) and the first season must be loaded."""
    work = character.work
    seasons = [character.first_season] if character.first_season else []
    # What a reader who has said nothing about their progress may see of them.
    row = Shield(None, seasons).characters([character])[0]
    everything = match_text(character.name, character.aliases, character.description, work.title)
    if row.hidden:
        title = f"A character from {row.appears}"
        subtitle = f"Character in {work.title}: first appears in {row.appears}"
        text = ""
    else:
        title = character.name
        aliases = ", ".join(character.alias_list)
        subtitle = f"Character in {work.title}" + (f" · also {aliases}" if aliases else "")
        text = character.description
    return _entry(
        Kind.CHARACTER,
        character.pk,
        work,
        [],
        url=f"{work.get_absolute_url()}#characters-heading",
        title=title[:300],
        subtitle=subtitle[:300],
        text=text,
        match_title="" if row.hidden else match_text(character.name, character.aliases),
        match_body=everything if row.hidden else match_text(character.description, work.title),
    )


def comment_entry(comment: Comment) -> SearchEntry | None:
    """An approved comment under a public (or scheduled) review; the review, its
    work (with platforms and genres) and the work's seasons must be loaded."""
    review = comment.review
    if (
        comment.status != Comment.Status.APPROVED
        or comment.is_removed
        or review.status == Review.Status.DRAFT
        or review.published_at is None
    ):
        return None
    work = review.work
    scope = (
        Position(comment.spoils_season, comment.spoils_episode)
        if comment.spoils_season is not None
        else None
    )
    shown = travelling_comment(comment.body_html, scope, list(work.seasons.all()))
    return _entry(
        Kind.COMMENT,
        comment.pk,
        work,
        [],
        url=reverse("discussion:permalink", kwargs={"pk": comment.pk}),
        title=f"{comment.author_name} on “{review.title}”"[:300],
        subtitle=review.subject[:300],
        text=plain_text(shown),
        match_title="",
        match_body=match_text(comment.author_name, plain_text(comment.body_html)),
        published_at=max(review.published_at, comment.created_at),
    )
