"""``RemoteRegistry``: an adapter per configured connection, one shared client."""

from __future__ import annotations

import httpx
import pytest

from coffer.config import ConfigError
from coffer.domain.external import DEFAULT_URLS, EXTERNAL_CONNECTIONS
from coffer.remotes import PyPIRemote, RemoteRegistry
from coffer.services.external import RemoteProject, Remotes

from . import FakeUpstream

pytestmark = pytest.mark.anyio

MIRROR = "http://aws:tok@mirror.test/pypi/store/simple/"


async def test_pypi_at_its_default_url() -> None:
    async with RemoteRegistry.from_settings({}) as remotes:
        index = remotes.index("public:pypi")
        assert isinstance(index, PyPIRemote)
        assert index.base_url == DEFAULT_URLS["public:pypi"] == "https://pypi.org/simple/"


async def test_pypi_at_a_configured_url() -> None:
    async with RemoteRegistry.from_settings({"public:pypi": MIRROR}) as remotes:
        index = remotes.index("public:pypi")
        assert isinstance(index, PyPIRemote)
        assert index.base_url == "http://mirror.test/pypi/store/simple/"


@pytest.mark.parametrize(
    "connection",
    [name for name in EXTERNAL_CONNECTIONS if name != "public:pypi"] + ["public:nope", ""],
)
async def test_connections_without_an_adapter(connection: str) -> None:
    settings = {connection: "https://registry.test/"} if connection else {}
    async with RemoteRegistry.from_settings(settings) as remotes:
        assert remotes.index(connection) is None


async def test_a_bad_url_fails_at_start_up() -> None:
    with pytest.raises(ConfigError, match="external connection URL must be http"):
        RemoteRegistry.from_settings({"public:pypi": "file:///srv/mirror/"})


async def test_indexes_share_the_registrys_client(upstream: FakeUpstream) -> None:
    upstream.on("http://mirror.test/pypi/store/simple/demo/", httpx.Response(200, text=""))
    transport = httpx.MockTransport(upstream)
    remotes: Remotes = RemoteRegistry.from_settings({"public:pypi": MIRROR}, transport=transport)
    index = remotes.index("public:pypi")
    assert index is not None
    assert await index.project("demo") == RemoteProject(name="demo", files=())
    assert upstream.authorization() == "Basic YXdzOnRvaw=="
    assert isinstance(remotes, RemoteRegistry)
    assert isinstance(index, PyPIRemote)
    assert index._client is remotes._client
    await index.aclose()  # not its client to close
    assert not remotes._client.is_closed
    await remotes.aclose()
    assert remotes._client.is_closed


@pytest.mark.parametrize("trust_env", [False, True])
async def test_trust_env_and_the_client_defaults(
    trust_env: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HTTPS_PROXY", "http://proxy.invalid:3128")
    async with RemoteRegistry.from_settings({}, trust_env=trust_env, timeout=7.0) as remotes:
        client = remotes._client
        assert client.trust_env is trust_env
        assert bool(client._mounts) is trust_env  # the env proxy is mounted only when trusted
        assert client.max_redirects == 5
        assert client.follow_redirects
        index = remotes.index("public:pypi")
        assert isinstance(index, PyPIRemote)
        assert index._timeout == httpx.Timeout(7.0)
