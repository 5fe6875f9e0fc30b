"""Who is on the other end of a request: the peer, or what a trusted proxy says it forwarded.

`X-Forwarded-For` is written by whoever sends the request, so it is believed only when the
peer is one of FACTORY_TRUSTED_PROXIES (none by default), and then read from the right: each
trusted proxy appends the address it received from, so the right-most address that is not a
trusted proxy is the client. Anything to its left was written by the client itself.

Run uvicorn with proxy headers off (`factory api` does): uvicorn otherwise rewrites the peer
from X-Forwarded-For for requests from 127.0.0.1 before the app can judge it.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Sequence

from starlette.requests import Request

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def _ip(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    text = text.strip()
    if text.startswith("[") and "]" in text:  # [v6]:port
        text = text[1:text.index("]")]
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        return None
    mapped = getattr(address, "ipv4_mapped", None)  # ::ffff:10.0.0.1 is 10.0.0.1
    return mapped or address


def _trusted(address: ipaddress.IPv4Address | ipaddress.IPv6Address | None, proxies: Sequence[Network]) -> bool:
    return address is not None and any(address in network for network in proxies)


def client_address(request: Request, trusted_proxies: Sequence[Network]) -> str:
    """The client's address as this hub can vouch for it (a string; '-' when unknown)."""
    peer = request.client.host if request.client else "-"
    if not trusted_proxies or not _trusted(_ip(peer), trusted_proxies):
        return peer
    forwarded = ",".join(request.headers.getlist("x-forwarded-for"))
    hops = [hop.strip() for hop in forwarded.split(",") if hop.strip()]
    for hop in reversed(hops):
        address = _ip(hop)
        if address is None:
            return peer  # the proxy did not write this: no address to believe
        if not _trusted(address, trusted_proxies):
            return str(address)
    return peer
