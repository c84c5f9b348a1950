# ruff: noqa: F811  (fixtures imported from tests/spoilers are used as arguments)
"""A site for the read API: *Ferrylight* from tests/spoilers (two parts, characters
met at different points, a Part 2 review with a secret word in each kind of spoiler)
plus a discussion in every moderation state, a draft and a scheduled review.

``walk(data)`` yields every key and every string value of a JSON answer, so a test
can say "no e-mail, IP or secret anywhere" without knowing the shape.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from tests.factories import ReviewFactory
from tests.spoilers.conftest import (  # noqa: F401  (fixtures used by the API tests)
    _generous_comment_limits,
    characters,
    part1,
    part1_review,
    part2,
    part2_review,
    work,
)
from watchworthy.discussion.models import Comment
from watchworthy.discussion.services import comment_remove
from watchworthy.reviews.models import Review
from watchworthy.spoilers.shield import Position

# Words that must never appear in an API answer given without progress.
MARKED_SECRET = "lanternwake"  # a comment marked "spoils up to Part 2, ep 7"
COMMENT_INLINE_SECRET = "driftwood"  # ||Part 2 ep 7: …|| in a comment
COMMENT_BLOCK_SECRET = "tidegrave"  # ::: spoiler Part 2 in a comment
HELD_WORD = "heldbackword"  # in a comment waiting for moderation
SPAM_WORD = "spamword"  # in a comment marked spam
REMOVED_WORD = "removedword"  # in a comment its author deleted
DRAFT_WORD = "draftword"  # in a draft review
SCHEDULED_WORD = "scheduledword"  # in a review scheduled for tomorrow
GUEST_EMAIL = "ann.secret@example.org"
GUEST_IP = "203.0.113.77"

SPOILING_COMMENT = (
    f"Loved it. ||Part 2 ep 7: Mio is {COMMENT_INLINE_SECRET}||."
    f"\n\n::: spoiler Part 2\nThe levee is {COMMENT_BLOCK_SECRET}.\n:::\n\nSee you."
)
PRIVATE_KEYS = {"email", "author_email", "ip", "ip_address", "user_agent", "token", "password"}


def walk(data: Any) -> Iterator[str]:
    """Every key and every string value in a decoded JSON document."""
    if isinstance(data, dict):
        for key, value in data.items():
            yield key
            yield from walk(value)
    elif isinstance(data, list):
        for value in data:
            yield from walk(value)
    elif isinstance(data, str):
        yield data


@pytest.fixture
def discussion(part2_review, make_comment):
    """Under the Part 2 review: two approved threads (one with spoilers inside, one
    marked as spoiling Part 2 ep 7), a reply, and a held, a spam and a removed one."""
    spoiling = make_comment(
        part2_review, SPOILING_COMMENT, name="Ann Reader", email=GUEST_EMAIL, ip_address=GUEST_IP
    )
    marked = make_comment(part2_review, f"The ferryman is {MARKED_SECRET}.", spoils=Position(2, 7))
    reply = make_comment(part2_review, "A plain reply.", parent=spoiling, email=GUEST_EMAIL)
    held = make_comment(part2_review, f"Not yet {HELD_WORD}.", status=Comment.Status.PENDING)
    spam = make_comment(part2_review, f"Buy {SPAM_WORD}.", status=Comment.Status.SPAM)
    removed = make_comment(part2_review, f"Gone {REMOVED_WORD}.")
    comment_remove(comment=removed)
    return {
        "spoiling": spoiling,
        "marked": marked,
        "reply": reply,
        "held": held,
        "spam": spam,
        "removed": removed,
    }


@pytest.fixture
def unpublished(work, critic):
    """A draft and a review scheduled for tomorrow, both of Ferrylight."""
    draft = ReviewFactory(
        title="Draft", slug="a-draft", work=work, author=critic, status=Review.Status.DRAFT,
        body=f"Not ready: {DRAFT_WORD}.", published_at=None,
    )  # fmt: skip
    scheduled = ReviewFactory(
        title="Tomorrow", slug="tomorrow", work=work, author=critic,
        status=Review.Status.SCHEDULED, body=f"Coming: {SCHEDULED_WORD}.",
        published_at=timezone.now() + timedelta(days=1),
    )  # fmt: skip
    return {"draft": draft, "scheduled": scheduled}


@pytest.fixture
def site(characters, part1_review, part2_review, discussion, unpublished):
    """Everything above at once."""
    return {"review": part2_review, **discussion, **unpublished}
