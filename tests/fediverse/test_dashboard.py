# ruff: noqa: F811  (the fixtures of test_replies are imported by name)
"""The critic's fediverse panel on the desk's dashboard: followers and the latest
replies from other servers, in two queries however many; nothing while off."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Permission
from django.core.cache import cache
from django.test import Client

from tests import dom
from watchworthy.discussion.services import comment_moderate
from watchworthy.fediverse import keys
from watchworthy.fediverse.models import FederationSettings, Follower

from .test_replies import alice, comment_of, note, review, review_id, send, work  # noqa: F401

pytestmark = pytest.mark.usefixtures("federating")


def desk(user) -> Client:
    """The critic signed in, allowed to add reviews (a writer)."""
    user.user_permissions.add(Permission.objects.get(codename="add_review"))
    client = Client()
    client.force_login(user)
    return client


def panel(client: Client):
    page = dom.parse(client.get("/desk/").content.decode())
    return page.find("section", aria_labelledby="fediverse-heading")


def follow(critic, n: int) -> None:
    Follower.objects.create(
        actor=keys.actor_for(critic), remote_actor=f"https://peer.example/users/f{n}",
        inbox=f"https://peer.example/users/f{n}/inbox", domain="peer.example",
    )  # fmt: skip


def test_followers_and_replies_from_other_servers(post_signed, alice, critic, review):
    follow(critic, 1)
    follow(critic, 2)
    first = note(alice, 1, review_id(review), "<p>Lovely review!</p>")
    send(post_signed, alice, "Create", first)
    shown = panel(desk(critic)).text
    assert "2 followers of @mira@reviews.example" in " ".join(shown.split())
    assert "Alice" in shown and "Lovely review!" in shown and "waiting for moderation" in shown
    comment_moderate(comments=[comment_of(first)], status="approved")
    assert "waiting for moderation" not in panel(desk(critic)).text


def test_the_panel_costs_two_queries_however_many(
    post_signed, django_assert_num_queries, alice, critic, review
):
    client = desk(critic)
    for scale in (1, 10):
        for n in range(scale):
            follow(critic, scale * 100 + n)
            reply = note(alice, scale * 100 + n, review_id(review), f"<p>Reply {n}</p>")
            send(post_signed, alice, "Create", reply)
        cache.clear()
        # the dashboard's own (tests/desk: 11), the federation setting (cold cache),
        # the followers count, the latest replies
        with django_assert_num_queries(11 + 1 + 2):
            assert client.get("/desk/").status_code == 200
    # Off: only the setting is read, and there is no panel.
    row = FederationSettings.current()
    row.enabled = False
    row.save()
    cache.clear()
    with django_assert_num_queries(11 + 1):
        assert panel(client) is None
