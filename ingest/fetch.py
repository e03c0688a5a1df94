"""Fetching a web page for an article, safely.

Every host name is resolved here and every address it resolves to is checked before a connection is
made, to that checked address (a second lookup by the HTTP client could answer differently: DNS
rebinding). Redirects are followed by hand, each target checked the same way. No library on the
package index does this and is maintained, so it is written here on top of urllib3.
"""

from __future__ import annotations

import ipaddress
import socket
import time
from dataclasses import dataclass
from urllib.parse import quote, urljoin, urlsplit

import idna
import urllib3
from django.conf import settings

from .problems import IngestProblem

CONTENT_TYPES = {"text/html", "application/xhtml+xml", "text/plain", "application/pdf"}
USER_AGENT = "Provenance article fetcher"
URL_SAFE = "/%?#[]@!$&'()*+,;=:~-._"  # RFC 3986 reserved and unreserved characters, and escapes


@dataclass
class Fetched:
    url: str  # after redirects
    content_type: str
    charset: str  # declared in the Content-Type header, or ""
    data: bytes


def _limits() -> dict:
    return {
        "timeout": float(settings.ARTICLE_FETCH_TIMEOUT),
        "max_bytes": int(settings.ARTICLE_FETCH_MAX_BYTES),
        "max_redirects": int(settings.ARTICLE_FETCH_MAX_REDIRECTS),
        "allow_private": bool(settings.ARTICLE_FETCH_ALLOW_PRIVATE),
    }


def refused(address: str) -> bool:
    """Whether an address is one a server must not be made to reach (loopback, private, link-local...)."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    return not ip.is_global or ip.is_multicast or ip.is_reserved or ip.is_loopback or ip.is_link_local


def resolve(host: str, port: int, *, allow_private: bool) -> str:
    """The address to connect to for `host`, after checking every address it resolves to."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError, OSError):
        raise IngestProblem(f"unreachable host: {host!r} does not resolve", code="unreachable") from None
    addresses = [info[4][0] for info in infos]
    if not addresses:
        raise IngestProblem(f"unreachable host: {host!r} does not resolve", code="unreachable")
    if not allow_private:
        for address in addresses:
            if refused(address):
                raise IngestProblem(
                    f"refused address: {host!r} resolves to {address}, which is not a public address",
                    code="refused_address",
                )
    return addresses[0]


def _split(url: str) -> tuple[str, str, int, str]:
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError:
        raise IngestProblem(f"not a valid web address: {url!r}", code="bad_url") from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise IngestProblem("only http:// and https:// addresses can be fetched", code="bad_url")
    if parts.username or parts.password:
        raise IngestProblem("addresses with a user name or password are not fetched", code="bad_url")
    host = parts.hostname
    if not host.isascii():
        # A host name in another script (한국.example) goes on the wire in its ASCII form (xn--...), by the
        # rules browsers follow (UTS 46): Python's own "idna" codec follows older ones, where faß.de is fass.de.
        try:
            host = idna.encode(host, uts46=True).decode("ascii")
        except idna.IDNAError:
            raise IngestProblem(f"not a valid host name: {parts.hostname!r}", code="bad_url") from None
    # A path or query as a browser's address bar shows it (/wiki/북한, spaces) is sent percent-encoded, as the
    # browser sends it; what is encoded already stays as it is.
    path = quote(parts.path or "/", safe=URL_SAFE)
    if parts.query:
        path += "?" + quote(parts.query, safe=URL_SAFE)
    return parts.scheme, host, port or (443 if parts.scheme == "https" else 80), path


def _pool(scheme: str, host: str, address: str, port: int, timeout: float):
    kwargs = {"port": port, "timeout": urllib3.Timeout(connect=timeout, read=timeout), "retries": False}
    if scheme == "https":
        return urllib3.HTTPSConnectionPool(address, server_hostname=host, assert_hostname=host, **kwargs)
    return urllib3.HTTPConnectionPool(address, **kwargs)


def _read(response, max_bytes: int, deadline: float) -> bytes:
    declared = response.headers.get("Content-Length", "")
    if declared.isdigit() and int(declared) > max_bytes:
        raise IngestProblem(f"too large ({int(declared):,} bytes; the limit is {max_bytes:,})", code="too_large")
    chunks, size = [], 0
    for chunk in response.stream(64 * 1024):
        size += len(chunk)
        if size > max_bytes:
            raise IngestProblem(
                f"too large (more than {max_bytes:,} bytes; the limit is {max_bytes:,})", code="too_large"
            )
        if time.monotonic() > deadline:
            raise IngestProblem("timed out while reading the page", code="timeout")
        chunks.append(chunk)
    return b"".join(chunks)


def _content_type(header: str) -> tuple[str, str]:
    media, _, params = header.partition(";")
    charset = ""
    for param in params.split(";"):
        key, _, value = param.partition("=")
        if key.strip().lower() == "charset":
            charset = value.strip().strip("\"'").lower()
    return media.strip().lower(), charset


def fetch(url: str) -> Fetched:
    """GET `url` within the limits in settings, or raise IngestProblem saying why not."""
    limits = _limits()
    deadline = time.monotonic() + limits["timeout"] * 3
    for _hop in range(limits["max_redirects"] + 1):
        scheme, host, port, path = _split(url)
        address = resolve(host, port, allow_private=limits["allow_private"])
        pool = _pool(scheme, host, address, port, limits["timeout"])
        headers = {"Host": host if port in (80, 443) else f"{host}:{port}", "User-Agent": USER_AGENT}
        try:
            response = pool.urlopen("GET", path, headers=headers, redirect=False, preload_content=False)
        except urllib3.exceptions.NewConnectionError:  # a subclass of the timeout error, but a refusal
            raise IngestProblem(f"unreachable host: {host} refused the connection", code="unreachable") from None
        except urllib3.exceptions.TimeoutError:
            raise IngestProblem(f"timed out reaching {host}", code="timeout") from None
        except urllib3.exceptions.HTTPError as exc:
            raise IngestProblem(f"unreachable host: {host} ({type(exc).__name__})", code="unreachable") from None
        try:
            if response.status in (301, 302, 303, 307, 308):
                location = response.headers.get("Location", "")
                if not location:
                    raise IngestProblem(f"a redirect from {url} without a target", code="http_error")
                url = urljoin(url, location)
                continue
            if response.status != 200:
                raise IngestProblem(
                    f"the page answered {response.status} {response.reason or ''}".strip(), code="http_error"
                )
            media, charset = _content_type(response.headers.get("Content-Type", ""))
            if media not in CONTENT_TYPES:
                raise IngestProblem(
                    f"not a supported type ({media or 'none declared'}); expected HTML, plain text or PDF",
                    code="unsupported_type",
                )
            try:
                data = _read(response, limits["max_bytes"], deadline)
            except urllib3.exceptions.TimeoutError:
                raise IngestProblem(f"timed out reading {host}", code="timeout") from None
            except urllib3.exceptions.HTTPError:
                raise IngestProblem(f"the connection to {host} broke off", code="unreachable") from None
            return Fetched(url=url, content_type=media, charset=charset, data=data)
        finally:
            response.release_conn()
    raise IngestProblem(f"too many redirects (more than {limits['max_redirects']})", code="too_many_redirects")
