"""HTTP plumbing shared by the adapters: the pooled client, upstream credentials, error mapping.

Credentials live in the connection URL's userinfo (``http://aws:TOKEN@host/…``). They are taken
out once, in :meth:`Upstream.parse`: the URL kept, logged (httpx logs every request) and shown in
messages never carries them. They are sent as HTTP Basic auth only to the upstream's own origin
(same host and port, or an ``http`` → ``https`` upgrade of it); httpx drops the header when a
redirect leaves that origin. Messages name the upstream by host (and port) only.

httpx errors become the services' errors::

    httpx.TimeoutException     connect, read, write, pool    → RemoteTimeout
    httpx.ConnectError         refused, unknown host, TLS    → RemoteUnavailable
    httpx.RemoteProtocolError  truncated body, bad response  → RemoteUnavailable
    httpx.TooManyRedirects                                   → RemoteUnavailable
    any other httpx.HTTPError                                → RemoteUnavailable
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Final

import httpx

from coffer import __version__
from coffer.config import ConfigError
from coffer.services.external import RemoteTimeout, RemoteUnavailable

__all__ = [
    "DEFAULT_TIMEOUT",
    "MAX_REDIRECTS",
    "USER_AGENT",
    "Upstream",
    "host_of",
    "new_client",
    "translate_errors",
]

DEFAULT_TIMEOUT: Final = 30.0
MAX_REDIRECTS: Final = 5
USER_AGENT: Final = f"coffer/{__version__}"
_DEFAULT_PORTS: Final = {"http": 80, "https": 443}


def new_client(
    *, trust_env: bool = False, transport: httpx.AsyncBaseTransport | None = None
) -> httpx.AsyncClient:
    """One pooled HTTP/1.1 client for every upstream. ``trust_env=False`` ignores ``*_PROXY``,
    ``SSL_CERT_*`` and ``.netrc`` from the environment; ``transport`` is for tests."""
    return httpx.AsyncClient(
        http1=True,
        http2=False,
        follow_redirects=True,
        max_redirects=MAX_REDIRECTS,
        timeout=DEFAULT_TIMEOUT,
        limits=httpx.Limits(max_connections=100, max_keepalive_connections=20),
        trust_env=trust_env,
        transport=transport,
        headers={"User-Agent": USER_AGENT},
    )


def host_of(url: httpx.URL) -> str:
    """``host`` or ``host:port``: how messages name an upstream (no credentials, no path)."""
    return url.host if url.port is None else f"{url.host}:{url.port}"


@dataclass(frozen=True)
class Upstream:
    """An upstream's base URL (ending in ``/``, without userinfo) and its credentials."""

    url: httpx.URL
    _credentials: tuple[str, str] | None = field(default=None, repr=False)

    @classmethod
    def parse(cls, raw: str) -> Upstream:
        """Raise :class:`ConfigError` unless ``raw`` is an absolute http(s) URL."""
        try:
            url = httpx.URL(raw)
        except httpx.InvalidURL:
            raise ConfigError("external connection URL is not a valid URL") from None
        if url.scheme not in _DEFAULT_PORTS or not url.host:
            raise ConfigError(
                f"external connection URL must be http(s)://host/..., not a {url.scheme!r} URL"
            )
        credentials = (url.username, url.password) if url.username or url.password else None
        path = url.path if url.path.endswith("/") else f"{url.path}/"
        return cls(url.copy_with(userinfo=b"", path=path), credentials)

    @property
    def host(self) -> str:
        return host_of(self.url)

    def auth_for(self, url: httpx.URL) -> httpx.Auth | None:
        """Basic auth for requests to the upstream's own origin; None for anywhere else."""
        if self._credentials is None or not _same_origin(self.url, url):
            return None
        return httpx.BasicAuth(*self._credentials)


def _same_origin(base: httpx.URL, url: httpx.URL) -> bool:
    """Same scheme, host and port, or the plain-HTTP origin upgraded to HTTPS (never downgraded)."""
    if url.host != base.host:
        return False
    if url.scheme == base.scheme:
        return _port(url) == _port(base)
    return (base.scheme, _port(base), url.scheme, _port(url)) == ("http", 80, "https", 443)


def _port(url: httpx.URL) -> int | None:
    return url.port or _DEFAULT_PORTS.get(url.scheme)


_TRANSPORT_MESSAGES: Final[tuple[tuple[type[httpx.HTTPError], str], ...]] = (
    (httpx.ConnectError, "could not be reached"),
    (httpx.RemoteProtocolError, "broke off the response or sent a malformed one"),
    (httpx.TooManyRedirects, f"redirected more than {MAX_REDIRECTS} times"),
    (httpx.UnsupportedProtocol, "redirected to a URL that is not http(s)"),
)


@contextmanager
def translate_errors(host: str, subject: str) -> Iterator[None]:
    """Re-raise httpx errors as :class:`RemoteTimeout` / :class:`RemoteUnavailable`, naming
    ``host`` and ``subject`` (what was being fetched) but never a URL."""
    try:
        yield
    except httpx.TimeoutException as exc:
        raise RemoteTimeout(f"Upstream {host} did not answer in time ({subject})") from exc
    except httpx.HTTPError as exc:
        reason = next(
            (text for kind, text in _TRANSPORT_MESSAGES if isinstance(exc, kind)),
            f"failed ({type(exc).__name__})",
        )
        raise RemoteUnavailable(f"Upstream {host} {reason} ({subject})") from exc
