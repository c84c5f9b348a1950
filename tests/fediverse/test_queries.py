"""Query counts of the fediverse documents, the same with ten times the data."""

from __future__ import annotations

import pytest

from tests.factories import ReviewFactory, UserFactory
from watchworthy.fediverse import keys
from watchworthy.fediverse.models import FederationSettings, Follower

pytestmark = pytest.mark.usefixtures("federating")

ACTIVITY = "application/activity+json"


def grow(critic, scale):
    actor = keys.actor_for(critic)
    start = Follower.objects.count()
    Follower.objects.bulk_create(
        Follower(
            actor=actor,
            remote_actor=f"https://peer.example/users/u{start + n}",
            inbox=f"https://peer.example/users/u{start + n}/inbox",
            domain="peer.example",
        )
        for n in range(scale * 6)
    )
    for _ in range(scale):
        ReviewFactory(author=critic)
        ReviewFactory(author=UserFactory())


@pytest.mark.parametrize(
    ("path", "queries"),
    [
        ("/.well-known/webfinger?resource=acct:mira@reviews.example", 1),  # the author
        ("/actors/mira", 2),  # the author, her keys
        ("/actors/mira/followers", 2),  # the author, the count
        ("/actors/mira/followers?page=1", 3),  # … and the page
        ("/actors/mira/outbox?page=1", 2),  # the author, the count (the page is empty)
        ("/nodeinfo/2.1", 2),  # two counts (site settings come from the cache)
    ],
)
def test_query_counts(client, critic, django_assert_num_queries, path, queries):
    FederationSettings.current()
    client.get("/nodeinfo/2.1")  # warm the site settings cache
    for scale in (1, 10):
        grow(critic, scale)
        with django_assert_num_queries(queries):
            response = client.get(path, HTTP_ACCEPT=ACTIVITY)
        assert response.status_code == 200
