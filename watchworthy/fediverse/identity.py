"""Who is an actor here, and the addresses that name them.

Every address comes from ``WATCHWORTHY_SITE_URL`` (``core.siteurl.configured_root``),
never from a request's Host header: an actor id is a lasting public name that remote
servers store, so nothing a client sends may change it.

An actor is a critic with at least one published review (the people whose author page
exists and has something on it), plus the site's instance actor. Readers with accounts
are never actors: their user names are not published anywhere.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from django.db.models import Exists, OuterRef, QuerySet
from django.urls import reverse

from watchworthy.accounts.models import User
from watchworthy.core.siteurl import absolute, configured_root
from watchworthy.reviews.models import Review

INSTANCE_PATH = "/actor"


def host() -> str:
    """The host (and port, when not the default) of the site, as in ``@name@host``."""
    return urlsplit(configured_root()).netloc.lower()


def authors() -> QuerySet[User]:
    """Users who are actors: those with a published review."""
    published = Review.objects.published().filter(author=OuterRef("pk"))
    return User.objects.filter(Exists(published))


def author_named(username: str) -> User | None:
    return authors().filter(username=username).first()


def actor_id(user: User) -> str:
    return absolute(reverse("fediverse:actor", kwargs={"username": user.username}))


def handle(user: User) -> str:
    return f"{user.username}@{host()}"


def instance_id() -> str:
    return absolute(INSTANCE_PATH)


def key_id(owner_id: str) -> str:
    return f"{owner_id}#main-key"


def shared_inbox() -> str:
    return absolute(reverse("fediverse:shared_inbox"))


def actor_path(user: User, name: str) -> str:
    """``/actors/NAME/<name>`` (inbox, outbox, followers)."""
    return absolute(reverse(f"fediverse:{name}", kwargs={"username": user.username}))


def profile_url(user: User) -> str:
    return absolute(user.get_absolute_url())


def review_object_id(review_pk: int, generation: int = 1) -> str:
    """The id of a review's Article: new for each time it is sent afresh after a
    withdrawal (servers keep the tombstone of a deleted id)."""
    suffix = "" if generation == 1 else f"/{generation}"
    return absolute(
        reverse("fediverse:review_object", kwargs={"pk": review_pk}).rstrip("/") + suffix
    )


def comment_object_id(comment_pk: int) -> str:
    """The id of a local comment's Note (what remote replies name in ``inReplyTo``)."""
    return absolute(reverse("fediverse:comment_object", kwargs={"pk": comment_pk}))


def absolute_root() -> str:
    return configured_root()
