"""Who is asking: the client's address, honest behind reverse proxies.

``REMOTE_ADDR`` is the address of whoever opened the connection. Behind nginx, Caddy
or a load balancer that is the proxy, and every reader would share one address (one
rate-limit bucket for the whole site). Proxies add the address they saw to
``X-Forwarded-For``; anyone can also write that header, so it is believed only as far
as the operator says (``WATCHWORTHY_TRUSTED_PROXIES``, see docs/security.md):

* empty (the default): no proxy; the client is ``REMOTE_ADDR``.
* a number *N*: exactly *N* proxies of ours stand in front; the client is the *N*-th
  address from the right of ``X-Forwarded-For``.
* networks (``10.0.0.0/8, 127.0.0.1``): walking ``X-Forwarded-For`` from the right,
  starting at ``REMOTE_ADDR``, every address inside these networks is one of our
  proxies; the first one outside is the client.

Whatever the header says, the answer is a valid IP address or None, never raw text.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from functools import lru_cache

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.http import HttpRequest

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@dataclass(frozen=True)
class TrustedProxies:
    count: int = 0
    networks: tuple[Network, ...] = ()

    @classmethod
    def parse(cls, value: str) -> TrustedProxies:
        """Read the setting; a wrong value stops start-up with a line naming it."""
        value = (value or "").strip()
        if not value:
            return cls()
        if value.isascii() and value.isdigit():
            return cls(count=int(value))
        networks = []
        for part in value.split(","):
            try:
                networks.append(ipaddress.ip_network(part.strip(), strict=False))
            except ValueError as error:
                raise ImproperlyConfigured(
                    f"WATCHWORTHY_TRUSTED_PROXIES: {part.strip()!r} is neither a number of "
                    "proxies nor an address or network (e.g. 2, or 10.0.0.0/8,127.0.0.1)."
                ) from error
        return cls(networks=tuple(networks))

    def trusts(self, address: IPAddress) -> bool:
        return any(address in network for network in self.networks)


@lru_cache(maxsize=8)
def _proxies(value: str) -> TrustedProxies:
    return TrustedProxies.parse(value)


def _address(text: str) -> IPAddress | None:
    text = text.strip()
    if text.startswith("[") and "]" in text:  # "[2001:db8::1]:443"
        text = text[1 : text.index("]")]
    elif text.count(":") == 1:  # "192.0.2.1:443"
        text = text.split(":")[0]
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        return address.ipv4_mapped
    return address


def client_address(request: HttpRequest) -> IPAddress | None:
    proxies = _proxies(getattr(settings, "WATCHWORTHY_TRUSTED_PROXIES", ""))
    remote = _address(request.META.get("REMOTE_ADDR", ""))
    if not (proxies.count or proxies.networks):
        return remote
    chain = [part for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    hops = [_address(part) for part in chain if part.strip()]
    if proxies.count:
        # The last proxy's own address is REMOTE_ADDR; the other N-1 appended theirs.
        if len(hops) < proxies.count:
            return remote
        return hops[-proxies.count]
    if remote is None or not proxies.trusts(remote):
        return remote
    for hop in reversed(hops):
        if hop is None:
            return None  # a forged or broken entry: nothing behind it can be believed
        if not proxies.trusts(hop):
            return hop
    return remote


def client_ip(request: HttpRequest) -> str | None:
    """The client's address as text ("192.0.2.7", "2001:db8::1"), or None."""
    address = client_address(request)
    return None if address is None else str(address)


def rate_key(request: HttpRequest) -> str:
    """The client for rate limits: an IPv4 address, or the /64 network of an IPv6
    address (one subscriber usually holds a whole /64)."""
    address = client_address(request)
    if address is None:
        return "unknown"
    if isinstance(address, ipaddress.IPv6Address):
        return str(ipaddress.ip_network(f"{address}/64", strict=False))
    return str(address)
