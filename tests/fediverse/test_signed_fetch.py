"""Our signed GETs knock twice, as our deliveries do: a 401 to one signature format
gets the same fetch signed in the other; any other failure is not retried."""

from __future__ import annotations

import pytest

from watchworthy.fediverse import remote
from watchworthy.fediverse.network import NetworkError


def signed_in(headers: dict[str, str]) -> str:
    return "rfc9421" if "Signature-Input" in headers else "draft-cavage"


@pytest.mark.parametrize("first", ["rfc9421", "draft-cavage"])
def test_a_401_gets_the_other_format(settings, federating, network, alice, first):
    settings.WATCHWORTHY_FEDIVERSE_SIGNATURE = first
    network.refuses_fetches_signed_in = first
    network.fetches.clear()

    document = remote.signed_fetch(alice.id)

    assert document["id"] == alice.id
    formats = [signed_in(headers) for _, headers in network.fetches]
    assert formats == [first, "rfc9421" if first == "draft-cavage" else "draft-cavage"]


def test_the_site_format_alone_when_it_is_accepted(settings, federating, network, alice):
    settings.WATCHWORTHY_FEDIVERSE_SIGNATURE = "rfc9421"
    network.fetches.clear()

    remote.signed_fetch(alice.id)

    assert [signed_in(headers) for _, headers in network.fetches] == ["rfc9421"]


def test_a_missing_document_is_not_asked_again(settings, federating, network):
    network.fetches.clear()

    with pytest.raises(NetworkError) as raised:
        remote.signed_fetch("https://social.example/users/nobody")

    assert raised.value.status == 404
    assert len(network.fetches) == 1
