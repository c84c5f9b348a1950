"""The critic's view of the fediverse on the writing desk's dashboard (a panel, see
``core.panels``: the desk may not import this app): how many follow them, and the
latest replies that came from other servers to their reviews. Two queries, however
many followers and replies; nothing (and no query beyond the cached setting) while
the site does not federate."""

from __future__ import annotations

from typing import Any

from watchworthy.core.panels import Panel
from watchworthy.discussion.models import Comment

from . import identity
from .models import FederationSettings, Follower

RECENT = 5


def desk_panel(user: Any) -> Panel | None:
    if not FederationSettings.current().enabled:
        return None
    followers = Follower.objects.filter(actor__user=user).count()
    replies = list(
        Comment.objects.filter(review__author=user, fediverse_note__isnull=False, is_removed=False)
        .filter(status__in=[Comment.Status.APPROVED, Comment.Status.PENDING])
        .select_related("review")
        .order_by("-created_at")[:RECENT]
    )
    return Panel(
        "fediverse/desk_panel.html",
        {
            "followers": followers,
            "remote_replies": replies,
            "handle": identity.handle(user),
        },
    )
