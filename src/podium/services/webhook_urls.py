"""Where a webhook may send: http(s) URLs that reach public addresses only.

URLs that resolve to private, loopback or link-local addresses are refused unless the
operator allows them (``PODIUM_WEBHOOKS_ALLOW_PRIVATE``); the check is made on the
addresses each attempt connects to (:func:`pinned_request`), not only when the
subscription is made (:func:`check_url`).
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Callable
from urllib.parse import urlsplit

import httpx

from podium.errors import field_error

MAX_URL_LENGTH = 2000
Resolver = Callable[[str], list[str]]


def resolve_host(host: str) -> list[str]:
    """The addresses a host name resolves to (the system's resolver)."""
    return [str(info[4][0]) for info in socket.getaddrinfo(host, None)]


def _public_addresses(host: str, resolve: Resolver) -> list[str]:
    """Every address ``host`` resolves to, refused if any one is not a public unicast one."""
    try:
        addresses = resolve(host)
    except OSError as exc:
        raise field_error("url", f"the host {host} cannot be resolved") from exc
    if not addresses:
        raise field_error("url", f"the host {host} cannot be resolved")
    for address in addresses:
        ip = ipaddress.ip_address(address.split("%")[0])
        if any(not a.is_global or a.is_multicast for a in (ip, *_wrapped_ipv4(ip))):
            raise field_error(
                "url", f"the host {host} is a private, loopback or link-local address"
            )
    return addresses


NAT64 = (ipaddress.ip_network("64:ff9b::/96"), ipaddress.ip_network("64:ff9b:1::/48"))
# IPv4-compatible IPv6 (deprecated, but some stacks still route it to the IPv4 address)
IPV4_COMPATIBLE = ipaddress.ip_network("::/96")


def _wrapped_ipv4(ip: ipaddress.IPv4Address | ipaddress.IPv6Address) -> list[ipaddress.IPv4Address]:
    """The IPv4 addresses an IPv6 address carries to a gateway that unwraps them (NAT64,
    6to4, Teredo, IPv4-mapped, IPv4-compatible): `64:ff9b::7f00:1` reaches 127.0.0.1
    through NAT64, `::127.0.0.1` on a stack that still routes IPv4-compatible addresses."""
    if not isinstance(ip, ipaddress.IPv6Address):
        return []
    wrapped = [ip.ipv4_mapped, ip.sixtofour, *(ip.teredo or ())]
    if any(ip in network for network in (*NAT64, IPV4_COMPATIBLE)):
        wrapped.append(ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF))
    return [a for a in wrapped if a is not None]


def _host_of(url: str) -> str:
    """The host of an http(s) URL httpx can send to; a clear refusal of anything else."""
    if len(url) > MAX_URL_LENGTH:
        raise field_error("url", f"is longer than {MAX_URL_LENGTH} characters")
    if any(c.isspace() or not c.isprintable() for c in url):
        raise field_error("url", "must not contain spaces or control characters")
    try:
        parts = urlsplit(url)
        host, _port = parts.hostname, parts.port  # reading the port checks its range
        httpx.URL(url)
    except (ValueError, httpx.InvalidURL) as exc:
        raise field_error("url", f"is not a URL Podium can send to ({exc})") from exc
    if parts.scheme not in ("http", "https") or not host:
        raise field_error("url", "must be an http:// or https:// URL")
    return host


def check_url(url: str, *, allow_private: bool, resolve: Resolver = resolve_host) -> None:
    """Refuse URLs that are not http(s), or that reach private or loopback addresses."""
    host = _host_of(url)
    if not allow_private:
        _public_addresses(host, resolve)


def pinned_request(
    http: httpx.Client,
    url: str,
    *,
    body: bytes,
    headers: dict[str, str],
    allow_private: bool,
    resolve: Resolver,
) -> httpx.Request:
    """The POST to send, bound to an address that was checked in this very attempt.

    Checking the name and then letting httpx resolve it again to connect leaves a gap: a
    DNS answer that changes in between (rebinding) would reach an address never checked.
    So the name is resolved once, every address is checked, and the request goes to the
    first address itself; the Host header keeps the name (httpx sets it from the URL the
    request was built with) and the ``sni_hostname`` extension makes TLS send the name
    and verify the certificate against it. Redirects are not followed.
    """
    _host_of(url)
    request = http.build_request("POST", url, content=body, headers=headers)
    if not allow_private:
        host = request.url.host
        address = _public_addresses(host, resolve)[0]
        request.url = request.url.copy_with(host=address)
        request.extensions["sni_hostname"] = host
    return request


def shown_url(url: str) -> str:
    """``https://hooks.slack.com/…``: a URL as the program's history shows it."""
    parts = urlsplit(url)
    rest = "/…" if parts.path.strip("/") or parts.query else ""
    return f"{parts.scheme}://{parts.netloc.rpartition('@')[2]}{rest}"
