"""The client's address behind zero, one or several trusted proxies, and never a
forged one (docs/security.md, "Who is asking")."""

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.test import RequestFactory

from watchworthy.core.clients import TrustedProxies, client_ip, rate_key


def request(remote="203.0.113.9", forwarded=None):
    meta = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        meta["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().get("/", **meta)


def test_without_proxies_the_header_is_ignored(settings):
    settings.WATCHWORTHY_TRUSTED_PROXIES = ""
    assert client_ip(request(forwarded="1.2.3.4")) == "203.0.113.9"


def test_one_proxy_believes_the_last_entry_only(settings):
    settings.WATCHWORTHY_TRUSTED_PROXIES = "1"
    # A reader who forged the header: our proxy appended the real address last.
    r = request(remote="10.0.0.2", forwarded="6.6.6.6, 198.51.100.4")
    assert client_ip(r) == "198.51.100.4"


def test_two_proxies_count_from_the_right(settings):
    settings.WATCHWORTHY_TRUSTED_PROXIES = "2"
    r = request(remote="10.0.0.3", forwarded="6.6.6.6, 198.51.100.4, 10.0.0.2")
    assert client_ip(r) == "198.51.100.4"


def test_too_short_a_chain_falls_back_to_the_connection(settings):
    settings.WATCHWORTHY_TRUSTED_PROXIES = "2"
    assert client_ip(request(remote="10.0.0.3", forwarded="198.51.100.4")) == "10.0.0.3"


def test_networks_skip_our_own_proxies(settings):
    settings.WATCHWORTHY_TRUSTED_PROXIES = "10.0.0.0/8, 127.0.0.1"
    r = request(remote="127.0.0.1", forwarded="6.6.6.6, 198.51.100.4, 10.1.2.3")
    assert client_ip(r) == "198.51.100.4"


def test_networks_ignore_the_header_from_an_untrusted_peer(settings):
    settings.WATCHWORTHY_TRUSTED_PROXIES = "10.0.0.0/8"
    assert client_ip(request(remote="198.51.100.4", forwarded="1.1.1.1")) == "198.51.100.4"


@pytest.mark.parametrize("junk", ["not-an-ip", "<script>", "²", "1.2.3.4\r\nX: y", ""])
def test_junk_in_the_header_never_becomes_an_address(settings, junk):
    settings.WATCHWORTHY_TRUSTED_PROXIES = "1"
    ip = client_ip(request(remote="10.0.0.2", forwarded=junk))
    assert ip in (None, "10.0.0.2")


def test_ports_brackets_and_mapped_addresses_are_read(settings):
    settings.WATCHWORTHY_TRUSTED_PROXIES = "1"
    assert client_ip(request(forwarded="198.51.100.4:5555")) == "198.51.100.4"
    assert client_ip(request(forwarded="[2001:db8::7]:443")) == "2001:db8::7"
    assert client_ip(request(forwarded="::ffff:198.51.100.4")) == "198.51.100.4"


def test_ipv6_readers_share_a_rate_bucket_per_64(settings):
    settings.WATCHWORTHY_TRUSTED_PROXIES = ""
    one = rate_key(request(remote="2001:db8:1:2::1"))
    two = rate_key(request(remote="2001:db8:1:2:ffff::9"))
    assert one == two == "2001:db8:1:2::/64"
    assert rate_key(request(remote="198.51.100.4")) == "198.51.100.4"


def test_a_wrong_setting_names_itself():
    with pytest.raises(ImproperlyConfigured, match="WATCHWORTHY_TRUSTED_PROXIES"):
        TrustedProxies.parse("10.0.0.0/8, nonsense")
