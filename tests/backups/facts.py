"""What a reader, a critic and a signed-in user find on a site, as JSON: the same
function describes the backed-up site (in the test's process) and the restored one
(through `manage.py shell` on the target's settings), so the two can be compared.

    python manage.py shell -c "from tests.backups.facts import main; main()"
"""

from __future__ import annotations

import hashlib
import json
import os
import sys

from django.contrib.auth import authenticate
from django.core.files.storage import storages
from django.db.models import Count, Q

from watchworthy.backups.services import _counts
from watchworthy.catalog.models import WatchProgress
from watchworthy.discussion.models import Comment
from watchworthy.images.models import Image
from watchworthy.reviews.models import AudienceVote, Review

PASSWORD = "Lantern-rooftop-9"


def _sha(name: str) -> str:
    with storages["default"].open(name, "rb") as stored:
        return hashlib.sha256(stored.read()).hexdigest()


def _ms(moment) -> str:
    return moment.isoformat(timespec="milliseconds")


def collect(sign_in: str | None = None) -> dict:
    facts: dict = {"counts": _counts("default")}
    comments = Comment.objects.values_list(
        "review__slug", "number", "path", "depth", "parent__number", "status", "body"
    )
    facts["comments"] = sorted((list(row) for row in comments), key=str)  # None sorts too
    facts["approved_counts_agree"] = [
        [review.slug, review.approved_comment_count, review.approved]
        for review in Review.objects.annotate(
            approved=Count("comments", filter=Q(comments__status=Comment.Status.APPROVED))
        ).order_by("slug")
    ]
    facts["images"] = {
        image.key: {
            "original": _sha(image.file.name),
            "size": [image.width, image.height],
            "renditions": {width: _sha(name) for width, name in image.renditions.items()},
        }
        for image in Image.objects.all()
    }
    facts["votes"] = sorted(
        AudienceVote.objects.values_list("review__slug", "user__username", "agrees"), key=str
    )
    facts["progress"] = sorted(
        WatchProgress.objects.values_list("user__username", "work__slug", "season", "episode"),
        key=str,
    )
    # Dates to the millisecond: the portable rows (Django's JSON) keep no finer.
    facts["reviews"] = sorted(
        (
            [*row[:5], _ms(row[5]), _ms(row[6])]
            for row in Review.objects.values_list(
                "slug", "title", "body_html", "cover__key", "author__username", "created_at",
                "updated_at",
            )
        ),
        key=str,
    )  # fmt: skip
    # Many-to-many rows, and dates a save would have set anew (auto_now): a restore
    # writes the stored values.
    facts["review_links"] = {
        review.slug: {
            "tags": sorted(review.tags.values_list("slug", flat=True)),
            "images_used": sorted(review.images_used.values_list("key", flat=True)),
        }
        for review in Review.objects.all()
    }
    facts["images_uploaded_at"] = sorted(
        [key, _ms(moment)] for key, moment in Image.objects.values_list("key", "uploaded_at")
    )
    if sign_in:
        user = authenticate(username=sign_in, password=PASSWORD)
        facts["signed_in_as"] = user.get_username() if user else None
    return facts


def main() -> None:
    sys.stdout.write("FACTS " + json.dumps(collect(os.environ.get("FACTS_SIGN_IN")), default=str))
