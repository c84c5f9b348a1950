"""Who gets published at once, who waits, and who is quietly dropped as spam.

All of the rules are in :class:`ModerationPolicy`, so a critic (or the next engineer)
can read them in one place. Worked example, with the defaults (at most 2 links, the
blocklist "casino"), for a review by critic *mara*:

========================================  ==========  ===============================
comment                                   status      reason
========================================  ==========  ===============================
mara answers a reader                     approved    the review's author or staff
a robot filled the hidden field           spam        honeypot filled
a form sent 1 s after the page loaded     spam        sent faster than a person types
ann@example.org's first comment ever      pending     first comment from this address
ann's next, from the browser that wrote   approved    known commenter
the approved one (its private cookie)
ann's next, from another browser, her     approved    known commenter
address confirmed by a link we mailed
someone else typing ann's address         pending     first comment from this address
@bo@peer.example's first fediverse reply  pending     first comment from this fediverse
                                                      account (its actor id is the
                                                      identity, as the address is ann's)
ann posts 3 links                         pending     more than 2 links
ann mentions "Casino bonus"               pending     contains a blocked word
========================================  ==========  ===============================

Spam is stored (a moderator can rescue it) but the robot is told the same thing as a
held human: "your comment is awaiting moderation".

Trust is never given to a typed e-mail address alone (anyone can type one): a guest
is a known commenter when an approved comment with their address was written from
this browser (listed in its private ``ww_mine`` cookie, which cannot be forged), or
when they have confirmed the address by the link in a mail (:class:`VerifiedAddress`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings

from . import queries
from .models import Comment

LINK = re.compile(r"(?:https?://|www\.)\S+", re.IGNORECASE)  # one match per address


@dataclass(frozen=True)
class Decision:
    status: str
    reason: str


@dataclass(frozen=True)
class ModerationPolicy:
    max_links: int = 2
    blocklist: tuple[str, ...] = ()
    min_fill_seconds: float = 3.0

    @classmethod
    def current(cls) -> ModerationPolicy:
        from watchworthy.core.models import SiteSettings

        site = SiteSettings.current()
        words = tuple(
            word.strip().lower() for word in site.comment_blocklist.splitlines() if word.strip()
        )
        return cls(
            max_links=site.comment_max_links,
            blocklist=words,
            min_fill_seconds=settings.WATCHWORTHY_COMMENTS["MIN_FILL_SECONDS"],
        )

    def decide(
        self,
        *,
        review,
        user,
        author_email: str,
        text: str,
        honeypot_filled: bool = False,
        fill_seconds: float | None = None,
        trusted_comment_ids: Iterable[int] = (),
        author_actor: str = "",
    ) -> Decision:
        """``text`` is everything the commenter wrote (name, website, body);
        ``trusted_comment_ids``: comments this browser is known to have written;
        ``author_actor``: a fediverse author's actor id, which stands for the address
        (their server vouched for it with a signature)."""
        if user is not None and (user.pk == review.author_id or user.is_staff):
            return Decision(Comment.Status.APPROVED, "the review's author or staff")
        if honeypot_filled:
            return Decision(Comment.Status.SPAM, "honeypot filled")
        if fill_seconds is not None and fill_seconds < self.min_fill_seconds:
            return Decision(Comment.Status.SPAM, "sent faster than a person types")
        lowered = text.lower()
        for word in self.blocklist:
            if word in lowered:
                return Decision(Comment.Status.PENDING, "contains a blocked word")
        if len(LINK.findall(text)) > self.max_links:
            return Decision(Comment.Status.PENDING, f"more than {self.max_links} links")
        if author_actor:
            if not Comment.objects.filter(
                status=Comment.Status.APPROVED, author_actor=author_actor
            ).exists():
                return Decision(Comment.Status.PENDING, "first comment from this fediverse account")
        elif not self._is_known(
            user=user, author_email=author_email, trusted_comment_ids=trusted_comment_ids
        ):
            return Decision(Comment.Status.PENDING, "first comment from this address")
        return Decision(Comment.Status.APPROVED, "known commenter")

    @staticmethod
    def _is_known(*, user, author_email: str, trusted_comment_ids: Iterable[int] = ()) -> bool:
        approved = Comment.Status.APPROVED
        if user is not None:
            return Comment.objects.filter(status=approved, user=user).exists()
        if not author_email:
            return False
        trusted = list(trusted_comment_ids)
        if (
            trusted
            and Comment.objects.filter(
                status=approved, author_email__iexact=author_email, pk__in=trusted
            ).exists()
        ):
            return True
        # One query: an approved comment with the address, and the address verified.
        return queries.known_address(author_email)
