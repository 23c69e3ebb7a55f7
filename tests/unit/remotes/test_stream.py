"""``PyPIRemote.stream``: chunks, credentials per origin, failures, truncated bodies."""

from __future__ import annotations

import base64
import gzip
import hashlib
import logging
from collections.abc import AsyncIterator, Awaitable, Callable

import httpx
import pytest

from coffer.remotes import CHUNK_SIZE, PyPIRemote
from coffer.services.external import RemoteTimeout, RemoteUnavailable

from . import FakeUpstream, redirect
from .conftest import RawServer

pytestmark = pytest.mark.anyio

TOKEN = "s3cr3t-T0KEN"
BASE = f"https://aws:{TOKEN}@coffer.test/acme-111/pypi/store/simple/"
FILE = "https://coffer.test/acme-111/pypi/store/simple/demo-pkg/1.0/demo_pkg-1.0-py3-none-any.whl"
BASIC = "Basic " + base64.b64encode(f"aws:{TOKEN}".encode()).decode()
BODY = bytes(range(256)) * 800  # 200 KiB


async def read(remote: PyPIRemote, url: str) -> list[bytes]:
    return [chunk async for chunk in remote.stream(url)]


async def test_chunks_of_64_kib(upstream: FakeUpstream, client: httpx.AsyncClient) -> None:
    upstream.on(FILE, httpx.Response(200, content=BODY))
    chunks = await read(PyPIRemote(BASE, client=client), FILE)
    assert CHUNK_SIZE == 65536
    assert [len(chunk) for chunk in chunks] == [65536, 65536, 65536, len(BODY) - 3 * 65536]
    assert b"".join(chunks) == BODY
    (request,) = upstream.requests
    assert request.headers["Accept-Encoding"] == "identity"
    assert request.headers["Authorization"] == BASIC


async def test_empty_file(upstream: FakeUpstream, client: httpx.AsyncClient) -> None:
    upstream.on(FILE, httpx.Response(200, content=b""))
    assert await read(PyPIRemote(BASE, client=client), FILE) == []


@pytest.mark.parametrize(
    ("base", "url", "sent"),
    [
        (BASE, FILE, True),
        (BASE, "https://files.test/demo_pkg-1.0-py3-none-any.whl", False),  # another host
        (BASE, "https://coffer.test:8443/demo_pkg-1.0-py3-none-any.whl", False),  # another port
        (BASE, "http://coffer.test/demo_pkg-1.0-py3-none-any.whl", False),  # a downgrade
        (f"http://aws:{TOKEN}@coffer.test/simple/", "https://coffer.test/f.whl", True),  # upgrade
        (f"http://aws:{TOKEN}@coffer.test:80/simple/", "http://coffer.test/f.whl", True),
        (f"http://aws:{TOKEN}@coffer.test:8080/simple/", "https://coffer.test/f.whl", False),
        ("https://coffer.test/simple/", FILE, False),  # no credentials at all
    ],
)
async def test_credentials_only_for_the_upstreams_origin(
    upstream: FakeUpstream, client: httpx.AsyncClient, base: str, url: str, sent: bool
) -> None:
    upstream.on(url, httpx.Response(200, content=b"x"))
    assert await read(PyPIRemote(base, client=client), url) == [b"x"]
    assert upstream.authorization() == (BASIC if sent else None)


async def test_redirect_to_a_presigned_url_drops_the_credentials(
    upstream: FakeUpstream, client: httpx.AsyncClient
) -> None:
    presigned = "https://bucket.s3.test/blobs/ab/cd?X-Amz-Signature=1"
    upstream.on(FILE, redirect(presigned, 307))
    upstream.on(presigned, httpx.Response(200, content=BODY))
    assert b"".join(await read(PyPIRemote(BASE, client=client), FILE)) == BODY
    assert [upstream.authorization(i) for i in range(2)] == [BASIC, None]


@pytest.mark.parametrize("status", [404, 401, 403, 500, 206, 304])
async def test_anything_but_200_is_unavailable(
    upstream: FakeUpstream, client: httpx.AsyncClient, status: int
) -> None:
    upstream.on(FILE, httpx.Response(status, content=b"error page"))
    pattern = (
        rf"^Upstream coffer\.test answered HTTP {status} "
        r"for file 'demo_pkg-1\.0-py3-none-any\.whl'"
    )
    with pytest.raises(RemoteUnavailable, match=pattern) as caught:
        await read(PyPIRemote(BASE, client=client), FILE)
    assert TOKEN not in str(caught.value)
    assert not isinstance(caught.value, RemoteTimeout)


async def test_error_names_the_host_the_file_was_on(
    upstream: FakeUpstream, client: httpx.AsyncClient
) -> None:
    url = "https://files.test:8443/packages/ab/demo_pkg-1.0.tar.gz?token=hidden"
    upstream.on(url, httpx.Response(503))
    with pytest.raises(RemoteUnavailable) as caught:
        await read(PyPIRemote(BASE, client=client), url)
    assert str(caught.value) == (
        "Upstream files.test:8443 answered HTTP 503 for file 'demo_pkg-1.0.tar.gz'"
    )


async def test_short_body_from_a_transport_that_does_not_check(
    upstream: FakeUpstream, client: httpx.AsyncClient
) -> None:
    upstream.on(FILE, httpx.Response(200, headers={"Content-Length": "100"}, content=b"x" * 40))
    with pytest.raises(RemoteUnavailable, match=r"coffer\.test sent 40 of 100 bytes"):
        await read(PyPIRemote(BASE, client=client), FILE)


async def test_short_body_from_a_real_socket(
    raw_server: Callable[[bytes], Awaitable[RawServer]],
) -> None:
    head = b"HTTP/1.1 200 OK\r\nContent-Length: 100000\r\n\r\n"
    server = await raw_server(head + b"x" * 70000)
    remote = PyPIRemote(f"http://127.0.0.1:{server.port}/simple/")
    received: list[bytes] = []

    async def drain() -> None:
        async for chunk in remote.stream(f"http://127.0.0.1:{server.port}/f/d-1.0.tar.gz"):
            received.append(chunk)

    try:
        with pytest.raises(RemoteUnavailable, match="broke off the response") as caught:
            await drain()
    finally:
        await remote.aclose()
    assert "d-1.0.tar.gz" in str(caught.value)
    assert sum(map(len, received)) < 100000


async def test_real_socket_gets_basic_auth_and_logs_no_token(
    raw_server: Callable[[bytes], Awaitable[RawServer]], caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    server = await raw_server(b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello")
    remote = PyPIRemote(f"http://aws:{TOKEN}@127.0.0.1:{server.port}/simple/")
    try:
        assert await read(remote, f"http://127.0.0.1:{server.port}/f/d-1.0.tar.gz") == [b"hello"]
    finally:
        await remote.aclose()
    (request,) = server.requests
    assert request.startswith(b"GET /f/d-1.0.tar.gz HTTP/1.1\r\n")
    assert f"Authorization: {BASIC}".encode() in request
    assert TOKEN not in caplog.text
    assert "127.0.0.1" in caplog.text  # httpx did log the request


async def test_read_timeout_mid_body(upstream: FakeUpstream, client: httpx.AsyncClient) -> None:
    async def stalls() -> AsyncIterator[bytes]:
        yield b"x" * 10
        raise httpx.ReadTimeout("stalled")

    upstream.on(FILE, httpx.Response(200, content=stalls()))
    with pytest.raises(RemoteTimeout, match=r"coffer\.test did not answer in time \(file "):
        await read(PyPIRemote(BASE, client=client), FILE)


async def test_read_timeout_for_real(silent_server: int) -> None:
    remote = PyPIRemote(f"http://127.0.0.1:{silent_server}/simple/", timeout=0.2)
    try:
        with pytest.raises(RemoteTimeout):
            await read(remote, f"http://127.0.0.1:{silent_server}/f.whl")
    finally:
        await remote.aclose()


async def test_connection_refused(unused_port: int) -> None:
    remote = PyPIRemote(f"http://aws:{TOKEN}@127.0.0.1:{unused_port}/simple/")
    try:
        with pytest.raises(RemoteUnavailable, match="could not be reached") as caught:
            await read(remote, f"http://127.0.0.1:{unused_port}/f.whl")
    finally:
        await remote.aclose()
    assert TOKEN not in str(caught.value)


class _Tracked(httpx.AsyncByteStream):
    def __init__(self) -> None:
        self.closed = False

    async def __aiter__(self) -> AsyncIterator[bytes]:
        for _ in range(4):
            yield b"y" * CHUNK_SIZE

    async def aclose(self) -> None:
        self.closed = True


async def test_stopping_early_closes_the_response(
    upstream: FakeUpstream, client: httpx.AsyncClient
) -> None:
    body = _Tracked()
    upstream.on(FILE, httpx.Response(200, stream=body))
    chunks = PyPIRemote(BASE, client=client).stream(FILE)
    assert len(await anext(chunks)) == CHUNK_SIZE
    await chunks.aclose()  # type: ignore[attr-defined]
    assert body.closed


@pytest.mark.parametrize(
    "url", ["demo_pkg-1.0.tar.gz", "/simple/x.tar.gz", "ftp://coffer.test/x.tar.gz", "http://[::1"]
)
async def test_urls_that_are_not_absolute_http(client: httpx.AsyncClient, url: str) -> None:
    with pytest.raises(RemoteUnavailable, match="Upstream file URL is not"):
        await read(PyPIRemote(BASE, client=client), url)


async def test_an_encoded_body_is_decoded_and_not_miscounted(
    upstream: FakeUpstream, client: httpx.AsyncClient
) -> None:
    data = b"".join(hashlib.sha256(bytes([i])).digest() for i in range(200))  # incompressible
    encoded = gzip.compress(data)
    assert len(encoded) > len(data)
    upstream.on(FILE, httpx.Response(200, headers={"Content-Encoding": "gzip"}, content=encoded))
    assert b"".join(await read(PyPIRemote(BASE, client=client), FILE)) == data
