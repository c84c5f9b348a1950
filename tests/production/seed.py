"""The little site the two-server test starts from: a critic with staff rights (who
signs in through the admin like any critic) and one published review. Run on the
servers' own database and settings, once the first server has migrated it:

    SEED_PASSWORD=... python manage.py shell -c "from tests.production.seed import main; main()"

Prints ``SEED {"review": ..., "slug": ...}``.
"""

from __future__ import annotations

import json
import os
from datetime import timedelta

from django.utils import timezone

from watchworthy.accounts.models import User
from watchworthy.catalog.models import Work
from watchworthy.reviews.models import Review, Verdict

CRITIC = "mara"
SLUG = "lantern-tide-on-two-servers"


def main() -> None:
    critic = User(
        username=CRITIC,
        display_name="Mara Quill",
        email="mara@example.org",
        is_staff=True,
        is_superuser=True,
    )
    critic.set_password(os.environ["SEED_PASSWORD"])
    critic.save()
    work = Work.objects.create(title="Lantern Tide", slug="lantern-tide", year=2025)
    review = Review(
        title="Lantern Tide, seen from two servers",
        slug=SLUG,
        work=work,
        author=critic,
        verdict=Verdict.WATCH,
        body="A paragraph about the show.\n\nAnother paragraph.",
        status=Review.Status.PUBLISHED,
        published_at=timezone.now() - timedelta(days=1),
    )
    review.full_clean()
    review.save()
    print("SEED " + json.dumps({"review": review.pk, "slug": review.slug}))
