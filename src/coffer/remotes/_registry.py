"""The composition root's :class:`~coffer.services.external.Remotes`: one adapter per connection.

Adapters are picked by the connection's package format (``_ADAPTERS``), so adding a format means
adding an entry, not a branch. Connections whose format has no adapter yet answer None.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from types import TracebackType
from typing import Final

import httpx

from coffer.domain.external import DEFAULT_URLS, EXTERNAL_CONNECTIONS
from coffer.domain.packages import PackageFormat
from coffer.remotes._http import DEFAULT_TIMEOUT, Upstream, new_client
from coffer.remotes.pypi import PyPIRemote
from coffer.services.external import RemoteIndex

__all__ = ["RemoteRegistry"]

_Adapter = Callable[[str, httpx.AsyncClient, float], RemoteIndex]


def _pypi(url: str, client: httpx.AsyncClient, timeout: float) -> RemoteIndex:
    return PyPIRemote(url, client=client, timeout=timeout)


_ADAPTERS: Final[Mapping[PackageFormat, _Adapter]] = {PackageFormat.PYPI: _pypi}


class RemoteRegistry:
    """The remote index behind each external connection, sharing one pooled HTTP client."""

    def __init__(self, indexes: Mapping[str, RemoteIndex], client: httpx.AsyncClient) -> None:
        self._indexes = dict(indexes)
        self._client = client

    @classmethod
    def from_settings(
        cls,
        external_connections: Mapping[str, str],
        *,
        timeout: float = DEFAULT_TIMEOUT,
        trust_env: bool = False,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> RemoteRegistry:
        """Adapters for every known connection with an adapter, at the configured URL or its
        default (``DEFAULT_URLS``). Raises ``ConfigError`` for a URL that is not http(s)."""
        urls = {**DEFAULT_URLS, **external_connections}
        chosen = [
            (name, adapter, url)
            for name, package_format in EXTERNAL_CONNECTIONS.items()
            if (adapter := _ADAPTERS.get(package_format)) is not None and (url := urls.get(name))
        ]
        for _, _, url in chosen:
            Upstream.parse(url)  # fail on a bad URL before a client exists that needs closing
        client = new_client(trust_env=trust_env, transport=transport)
        indexes = {name: adapter(url, client, timeout) for name, adapter, url in chosen}
        return cls(indexes, client)

    def index(self, connection: str) -> RemoteIndex | None:
        return self._indexes.get(connection)

    async def aclose(self) -> None:
        await self._client.aclose()

    async def __aenter__(self) -> RemoteRegistry:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.aclose()
