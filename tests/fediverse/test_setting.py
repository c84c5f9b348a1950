"""Federation is a site setting, off by default; off, nothing is received or sent."""

from __future__ import annotations

import pytest

from watchworthy.fediverse import delivery, keys
from watchworthy.fediverse.models import Delivery, FederationSettings
from watchworthy.fediverse.network import HttpTransport, NetworkError

from .peer import SITE


def test_off_by_default(db, site):
    assert FederationSettings.current().enabled is False


def test_nothing_is_delivered_while_off(db, site, critic, network):
    activity = {"type": "Accept", "actor": f"{SITE}/actors/mira"}
    assert (
        delivery.deliver(
            actor=keys.actor_for(critic), activity=activity, inboxes=["https://peer.example/inbox"]
        )
        == []
    )
    assert not Delivery.objects.exists()


@pytest.mark.usefixtures("federating")
def test_deliveries_queued_before_turning_off_wait(
    db, critic, network, django_capture_on_commit_callbacks
):
    actor = keys.actor_for(critic)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        delivery.deliver(
            actor=actor, activity={"type": "Accept"}, inboxes=["https://peer.example/inbox"]
        )
    row = FederationSettings.objects.get()
    row.enabled = False
    row.save()
    for callback in callbacks:
        callback()
    assert not network.posts
    assert Delivery.objects.get().status == Delivery.Status.PENDING
    assert delivery.enqueue_due() == 0


@pytest.mark.parametrize(
    "url",
    ["http://127.0.0.1/users/x", "https://localhost/users/x", "http://[::1]/x", "http://10.1.2.3/",
     "file:///etc/passwd", "gopher://peer.example/", "https:///nohost",
     "https://peer.example:99999/k", "http://[::1", "https://[zz]/"],
)  # fmt: skip
def test_the_real_transport_refuses_this_machine_and_private_networks(settings, url):
    settings.WATCHWORTHY_FEDIVERSE_ALLOW_PRIVATE = False
    with pytest.raises(NetworkError):
        HttpTransport().get(url, {})
    with pytest.raises(NetworkError):
        HttpTransport().post(url, {}, b"{}")
