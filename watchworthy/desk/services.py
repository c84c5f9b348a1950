"""The desk's rules, callable without a request: who may write, saving text as
numbered revisions (and noticing a save from elsewhere), restoring, the checklist
before publishing, publishing and unpublishing.

**Working copy.** Autosaves and saves both become revisions; only *Save* (and
publishing, and restoring) writes the text to the review itself, after the same
checks as the admin's form. So a published review keeps its live text while its
critic rewrites it, until they update it; a draft's autosaves are never half-valid
reviews.

**Two tabs.** Every save names the revision it was edited from. When the review has
moved on since (another tab, another device), the save is refused with the other
text and a three-way merge of the bodies (:class:`Conflict`); the desk offers the
merge, a copy of the writer's text as a new draft, or the other text — nothing is
overwritten without the writer choosing.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Model, QuerySet
from django.utils import timezone
from merge3 import Merge3

from watchworthy.reviews.models import Review

from .models import TEXT_FIELDS, Revision

# Revisions kept per review: the oldest autosaves go first, saved ones stay. Autosaves
# are not folded together: an older one may be the base another tab edits from, and
# the three-way merge needs its text.
MAX_REVISIONS = 60

MINE, THEIRS = "yours", "saved elsewhere"


def is_writer(user: Any) -> bool:
    """Staff, or an account allowed to add reviews (an author)."""
    return bool(
        user.is_authenticated
        and user.is_active
        and (user.is_staff or user.has_perm("reviews.add_review"))
    )


def may_edit(user: Any, review: Review) -> bool:
    return is_writer(user) and (user.is_staff or review.author_id == user.pk)


def reviews_for(user: Any) -> QuerySet[Review]:
    """The reviews ``user`` writes at the desk (staff: every review)."""
    reviews = Review.objects.all()
    return reviews if user.is_staff else reviews.filter(author=user)


def live_text(review: Review) -> dict[str, Any]:
    return {name: getattr(review, name) for name in TEXT_FIELDS}


def latest_revision(review: Review) -> Revision | None:
    return Revision.objects.filter(review=review).order_by("-number").first()


def working_text(review: Review) -> tuple[dict[str, Any], int]:
    """The text the desk opens (the newest revision, else the review's own) and its
    revision number (0: none yet)."""
    latest = latest_revision(review)
    if latest is None:
        return live_text(review), 0
    return latest.text(), latest.number


def has_unsaved_changes(review: Review) -> bool:
    """The newest revision differs from the review's own text (autosaved, not saved)."""
    latest = latest_revision(review)
    return latest is not None and _same(latest.text(), live_text(review)) is False


def _same(a: Mapping[str, Any], b: Mapping[str, Any]) -> bool:
    return all(_plain(name, a.get(name)) == _plain(name, b.get(name)) for name in TEXT_FIELDS)


def _plain(name: str, value: Any) -> object:
    """A field's value to compare by: scores as numbers (8 is 8.0), the rest as text."""
    if name == "score":
        return None if value in (None, "") else Decimal(str(value))
    return str(value or "")


@dataclass
class Conflict(Exception):
    """The review was saved elsewhere since the writer's base revision."""

    latest: Revision | None
    theirs: dict[str, Any]
    merged: str
    clean: bool

    @property
    def number(self) -> int:
        return self.latest.number if self.latest else 0


def merge_bodies(base: str, mine: str, theirs: str) -> tuple[str, bool]:
    """A three-way merge by lines (paragraphs of Markdown merge when different ones
    changed); where both changed the same lines, both are kept between markers."""
    merger = Merge3(base.splitlines(True), mine.splitlines(True), theirs.splitlines(True))
    clean = all(region[0] != "conflict" for region in merger.merge_regions())
    lines = merger.merge_lines(name_a=MINE, name_b=THEIRS)
    return "".join(lines), clean


def save_text(
    review: Review,
    text: Mapping[str, Any],
    *,
    base: int,
    user: Any,
    kind: str = Revision.Kind.SAVE,
    now: datetime | None = None,
) -> Revision:
    """Record ``text`` (cleaned values of TEXT_FIELDS) as the review's next revision,
    edited from revision ``base``; or raise :class:`Conflict`. Autosaves only add a
    revision; any other kind also writes the text to the review (the caller has
    validated it as a review: see forms.DeskTextForm)."""
    now = now or timezone.now()
    with transaction.atomic():
        Review.objects.select_for_update().filter(pk=review.pk).values_list("pk").get()
        latest = latest_revision(review)
        number = latest.number if latest else 0
        if base != number:
            theirs = latest.text() if latest else live_text(review)
            if not _same(theirs, text):
                raise _conflict(review, base, latest, theirs, text)
        revision = Revision(review=review)
        revision.number = number + 1
        revision.kind = kind
        revision.author = user if getattr(user, "pk", None) else None
        revision.saved_at = now
        for name in TEXT_FIELDS:
            setattr(revision, name, text.get(name) if name == "score" else text.get(name) or "")
        revision.save()
        if kind != Revision.Kind.AUTOSAVE:
            apply_text(review, text)
        _prune(review)
    return revision


def _conflict(
    review: Review,
    base: int,
    latest: Revision | None,
    theirs: dict[str, Any],
    mine: Mapping[str, Any],
) -> Conflict:
    base_revision = Revision.objects.filter(review=review, number=base).first()
    base_body = base_revision.body if base_revision else ""
    merged, clean = merge_bodies(base_body, str(mine.get("body") or ""), theirs["body"])
    return Conflict(latest=latest, theirs=theirs, merged=merged, clean=clean)


def apply_text(review: Review, text: Mapping[str, Any]) -> None:
    """Write the text to the review and save it (rendering, change signal)."""
    for name in TEXT_FIELDS:
        value = text.get(name)
        setattr(review, name, value if name == "score" else value or "")
    review.save()


def _prune(review: Review) -> None:
    """Keep MAX_REVISIONS: drop the oldest autosaves beyond it (never the newest)."""
    revisions = Revision.objects.filter(review=review)
    extra = revisions.count() - MAX_REVISIONS
    if extra <= 0:
        return
    newest = revisions.order_by("-number").values_list("pk", flat=True).first() or 0
    doomed = list(
        revisions.filter(kind=Revision.Kind.AUTOSAVE)
        .exclude(pk=newest)
        .order_by("number")
        .values_list("pk", flat=True)[:extra]
    )
    Revision.objects.filter(pk__in=doomed).delete()


def restore(review: Review, revision: Revision, *, user: Any) -> Revision:
    """Make an earlier revision the current text again (as a new revision)."""
    latest = latest_revision(review)
    return save_text(
        review,
        revision.text(),
        base=latest.number if latest else 0,
        user=user,
        kind=Revision.Kind.RESTORE,
    )


def copy_as_draft(review: Review, text: Mapping[str, Any], *, user: Any) -> Review:
    """A new draft review holding ``text`` (the writer's side of a conflict)."""
    copy = Review(
        work_id=review.work_id,
        season_id=review.season_id,
        author=review.author,
        status=Review.Status.DRAFT,
        slug=free_slug(Review, f"{review.slug}-copy"),
    )
    apply_text(copy, {**text, "title": f"{text.get('title') or review.title} (copy)"[:200]})
    save_text(copy, live_text(copy), base=0, user=user, kind=Revision.Kind.COPY)
    return copy


def free_slug(model: type[Model], base: str) -> str:
    """``base`` (cut to fit), or ``base-2``, ``base-3``… whichever no row uses yet."""
    base = base[:190]
    slug, n = base, 2
    while model._default_manager.filter(slug=slug).exists():
        slug, n = f"{base}-{n}", n + 1
    return slug
