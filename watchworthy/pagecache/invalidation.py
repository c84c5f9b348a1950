"""From a ChangeSet to the tags it touches (see core.changes for the tag names)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from watchworthy.catalog.models import Character, Season
from watchworthy.core.changes import (
    COMMENTS,
    COUNTS,
    LISTS,
    SITE,
    ChangeSet,
    review_tag,
    work_tag,
)
from watchworthy.core.prepared import PreparedQuery
from watchworthy.discussion.models import Comment
from watchworthy.reviews.models import Review

from . import store

# Changes to these touch the whole site's chrome or too much to track: every page.
SITEWIDE = {
    "core.sitesettings",
    "core.supportlink",
    "accounts.user",
    "images.image",
    "reviews.tag",
    "pages.page",
    "imports.legacyredirect",
    "catalog.platform",
    "catalog.genre",
}


# A change of one row (a comment post: one comment, one review) is looked up by SQL
# built once; building the query cost more than running it. Several: by the ORM.
_COMMENT_REVIEW: PreparedQuery[Any] = PreparedQuery(
    lambda pk: Comment.objects.filter(pk=pk).order_by().values_list("pk", "review_id"),
    pk=Comment._meta.pk,
)
_REVIEW_WORK: PreparedQuery[Any] = PreparedQuery(
    lambda pk: Review.objects.filter(pk=pk).order_by().values_list("pk", "work_id"),
    pk=Review._meta.pk,
)


def _pairs(
    one: PreparedQuery[Any], model: Any, column: str, ids: Iterable[int], changes: ChangeSet
) -> dict[int, int]:
    """{pk: ``column``} of the rows ``ids`` of ``model``: where the change said it
    (``ChangeSet.places``), else as the database has them (rows that no longer exist
    are left out; ``one``: the query for one row)."""
    ids = set(ids)
    found = changes.places_of(model, ids)
    unknown = [pk for pk in ids if pk not in found]
    if len(unknown) == 1:
        found.update(one.rows(pk=unknown[0]))
    elif unknown:
        found.update(model.objects.filter(pk__in=unknown).order_by().values_list("pk", column))
    return found


def tags_for(changes: ChangeSet) -> set[str]:
    """Every tag a page showing something in ``changes`` carries."""
    if SITEWIDE & changes.labels or any(changes.everything(label) for label in changes.labels):
        return {SITE}
    tags: set[str] = set()
    review_ids = set(changes.ids("reviews.review", including=[COUNTS]))
    comment_ids = changes.ids("discussion.comment")
    if comment_ids:
        tags.add(COMMENTS)
        found = _pairs(_COMMENT_REVIEW, Comment, "review_id", comment_ids, changes)
        if len(found) < len(comment_ids):
            return {SITE}  # deleted: where they were shown is no longer known
        review_ids |= set(found.values())
    work_ids = set(changes.ids("catalog.work"))
    # Only the kinds the change names are looked up (building an empty query costs too).
    if season_ids := changes.ids("catalog.season"):
        work_ids |= set(
            Season.objects.filter(pk__in=season_ids).order_by().values_list("work_id", flat=True)
        )
    if character_ids := changes.ids("catalog.character"):
        work_ids |= set(
            Character.objects.filter(pk__in=character_ids)
            .order_by()
            .values_list("work_id", flat=True)
        )
    if review_ids:
        tags.add(LISTS)
        tags |= {review_tag(pk) for pk in review_ids}
        works = _pairs(_REVIEW_WORK, Review, "work_id", review_ids, changes)
        if len(works) < len(review_ids):
            return {SITE}  # a deleted review: its cards and pages could be anywhere
        work_ids |= set(works.values())
    if work_ids:
        tags.add(LISTS)
        tags |= {work_tag(pk) for pk in work_ids}
    return tags


def forget_changed_pages(sender: Any, changes: ChangeSet, **kwargs: Any) -> None:
    store.bump(tags_for(changes))
