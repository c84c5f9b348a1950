"""A federating site at https://reviews.example with one critic, and the in-memory
fediverse of ``peer`` around it."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.factories import ReviewFactory, UserFactory
from watchworthy.fediverse.models import FederationSettings

from . import peer
from .peer import SITE, Network, RemotePerson, as_client_headers


@pytest.fixture
def site(settings):
    settings.WATCHWORTHY_SITE_URL = SITE
    settings.ALLOWED_HOSTS = ["testserver", "reviews.example", "evil.example"]
    settings.WATCHWORTHY_FEDIVERSE_TRANSPORT = "tests.fediverse.peer.current"
    return settings


@pytest.fixture
def federating(db, site):
    FederationSettings.objects.create(enabled=True)


@pytest.fixture
def network(site) -> Network:
    peer.NETWORK = Network()
    return peer.NETWORK


@pytest.fixture
def critic(db):
    user = UserFactory(username="mira", display_name="Mira Okafor", bio="Anime, part by part.")
    ReviewFactory(author=user)
    return user


@pytest.fixture
def alice(network) -> RemotePerson:
    return RemotePerson(network).publish()


@pytest.fixture
def post_signed(client, django_capture_on_commit_callbacks):
    """POST an activity to ``path`` signed by ``person`` (``format`` cavage or rfc9421),
    running the on-commit work (deliveries) as a real commit would."""

    def send(
        path: str, person: RemotePerson, activity: Any, *, format: str = "cavage", **extra: Any
    ):
        body = activity if isinstance(activity, bytes) else json.dumps(activity).encode()
        if format == "cavage":
            headers = person.cavage_headers(path, body)
        else:
            headers = person.rfc9421_headers(path, body)
        headers.setdefault("Content-Type", "application/activity+json")
        with django_capture_on_commit_callbacks(execute=True):
            return client.post(
                path, body, content_type=headers.pop("Content-Type"),
                **as_client_headers(headers), **extra,
            )  # fmt: skip

    return send
