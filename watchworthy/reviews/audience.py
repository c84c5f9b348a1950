"""The audience verdict: readers agree or disagree with the critic's verdict.

One voice per reader and review, changeable: an account votes as itself; a guest as
the hash of a random token kept in a signed cookie, with a per-IP limit on top so a
cleared cookie does not buy unlimited votes. The tallies are stored on the review
(recounted from the votes on every change), so cards and lists show the meter
without counting rows.
"""

from __future__ import annotations

import hashlib
import secrets
from typing import Any

from django.db import transaction
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse

from watchworthy.core.changes import COUNTS, mark_changed_ids
from watchworthy.core.cookies import set_cookie

from .models import AudienceVote, Review

VOTER_COOKIE = "ww_voter"
SALT = "watchworthy.reviews.voter"


def guest_token(request: HttpRequest) -> str | None:
    """The random token in a guest voter's signed cookie (None: has never voted)."""
    return request.get_signed_cookie(VOTER_COOKIE, default=None, salt=SALT)


def remember_guest_token(response: HttpResponse, token: str) -> None:
    set_cookie(response, VOTER_COOKIE, token, salt=SALT, max_age=2 * 365 * 24 * 3600)


def new_guest_token() -> str:
    return secrets.token_urlsafe(24)


def voter_key(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def current_vote(request: HttpRequest, review: Review) -> bool | None:
    """True / False for the reader's agree / disagree, None if they have not voted."""
    if request.user.is_authenticated:
        votes = AudienceVote.objects.filter(review=review, user=request.user)
    else:
        token = guest_token(request)
        if not token:  # most readers: no vote, and no queryset to build
            return None
        votes = AudienceVote.objects.filter(review=review, voter_key=voter_key(token))
    return votes.values_list("agrees", flat=True).first()


# Guests are told apart by a cookie they can clear; one network (a household, a
# school) may hold a few real readers, but not an endless supply of new voices.
GUEST_VOICES_PER_ADDRESS = 3


class VoteRefused(Exception):
    """A vote that cannot be counted; the message is meant for the reader."""


def audience_vote(
    *,
    review: Review,
    agrees: bool,
    finished: bool,
    user: Any = None,
    guest_token: str = "",
    ip_address: str | None = None,
) -> AudienceVote:
    """Record (or change) a reader's vote and recount the review's tallies. The reader
    is ``user`` (an account) or, for a guest, the random ``guest_token`` they keep."""
    identity: dict[str, Any]
    if user is not None:
        identity = {"user": user}
    elif guest_token:
        identity = {"voter_key": voter_key(guest_token)}
    else:
        raise ValueError("A vote needs an account or a guest token.")
    with transaction.atomic():
        list(Review.objects.select_for_update().filter(pk=review.pk).values_list("pk"))
        if user is None and ip_address:
            _check_new_guest_voice(review, identity["voter_key"], ip_address)
        vote, _ = AudienceVote.objects.update_or_create(
            review=review,
            **identity,
            defaults={"agrees": agrees, "finished": finished, "ip_address": ip_address},
        )
        audience_recount([review.pk])
    return vote


def _check_new_guest_voice(review: Review, key: str, ip_address: str) -> None:
    others = (
        AudienceVote.objects.filter(review=review, user__isnull=True, ip_address=ip_address)
        .exclude(voter_key=key)
        .count()
    )
    is_new = not AudienceVote.objects.filter(review=review, voter_key=key).exists()
    if is_new and others >= GUEST_VOICES_PER_ADDRESS:
        raise VoteRefused(
            "Several guests on your network have voted on this review already. "
            "Sign in to add your own voice."
        )


def audience_recount(review_ids) -> None:
    review_ids = set(review_ids)
    for review_id in review_ids:
        tally = AudienceVote.objects.filter(review_id=review_id).aggregate(
            votes=Count("pk"),
            agree=Count("pk", filter=Q(agrees=True)),
            finished_votes=Count("pk", filter=Q(finished=True)),
            finished_agree=Count("pk", filter=Q(finished=True, agrees=True)),
        )
        Review.objects.filter(pk=review_id).update(
            audience_votes=tally["votes"],
            audience_agree=tally["agree"],
            audience_finished_votes=tally["finished_votes"],
            audience_finished_agree=tally["finished_agree"],
        )
    mark_changed_ids(Review, review_ids, aspect=COUNTS)
