"""``PyPIRemote.project``: negotiation, status codes, credentials, redirects and failures."""

from __future__ import annotations

import base64
import logging

import httpx
import pytest

from coffer.config import ConfigError
from coffer.formats.pypi import IndexFile, ProjectIndex, render_project_html, render_project_json
from coffer.remotes import ACCEPT, PyPIRemote
from coffer.services.external import NOT_MODIFIED, RemoteProject, RemoteTimeout, RemoteUnavailable

from . import FakeUpstream, Handler, redirect

pytestmark = pytest.mark.anyio

SHA = "a" * 64
BASE = "https://pypi.test/simple/"
PAGE = f"{BASE}demo-pkg/"
TOKEN = "s3cr3t-T0KEN"
COFFER = "http://coffer.test:8080/acme-111/pypi/store/simple/"
COFFER_WITH_TOKEN = f"http://aws:{TOKEN}@coffer.test:8080/acme-111/pypi/store/simple/"
BASIC = "Basic " + base64.b64encode(f"aws:{TOKEN}".encode()).decode()
JSON_TYPE = "application/vnd.pypi.simple.v1+json"

PROJECT = ProjectIndex(
    name="Demo_Pkg",
    normalized_name="demo-pkg",
    versions=("1.0",),
    files=(
        IndexFile(
            filename="demo_pkg-1.0-py3-none-any.whl",
            url="/acme-111/pypi/store/simple/demo-pkg/1.0/demo_pkg-1.0-py3-none-any.whl",
            sha256=SHA,
            size=3,
            upload_time=1.5,
        ),
    ),
)


def json_page(etag: str | None = '"v1"', content_type: str = JSON_TYPE) -> httpx.Response:
    headers = {"Content-Type": content_type, **({"ETag": etag} if etag else {})}
    return httpx.Response(200, headers=headers, content=render_project_json(PROJECT))


def html_page(content_type: str = "text/html; charset=utf-8") -> httpx.Response:
    return httpx.Response(
        200, headers={"Content-Type": content_type}, content=render_project_html(PROJECT)
    )


# --- pages ---------------------------------------------------------------------------------------


async def test_json_page(upstream: FakeUpstream, client: httpx.AsyncClient) -> None:
    upstream.on(PAGE, json_page())
    project = await PyPIRemote(BASE, client=client).project("Demo.Pkg")
    assert isinstance(project, RemoteProject)
    assert (project.name, project.etag) == ("demo-pkg", '"v1"')
    (file,) = project.files
    assert file.version == "1.0"
    assert file.url == (
        "https://pypi.test/acme-111/pypi/store/simple/demo-pkg/1.0/demo_pkg-1.0-py3-none-any.whl"
    )
    assert (file.sha256, file.size, file.upload_time) == (SHA, 3, 1.5)
    (request,) = upstream.requests
    assert request.headers["Accept"] == ACCEPT
    assert "If-None-Match" not in request.headers
    assert "Authorization" not in request.headers
    assert request.headers["User-Agent"].startswith("coffer/")


@pytest.mark.parametrize(
    "answer",
    [
        html_page(),
        html_page("application/vnd.pypi.simple.v1+html"),
        html_page(""),
        json_page(content_type="application/json"),
        json_page(content_type="Application/Vnd.PyPI.Simple.V1+JSON; charset=utf-8"),
    ],
)
async def test_page_format_follows_content_type(
    upstream: FakeUpstream, client: httpx.AsyncClient, answer: httpx.Response
) -> None:
    upstream.on(PAGE, answer)
    project = await PyPIRemote(BASE, client=client).project("demo-pkg")
    assert isinstance(project, RemoteProject)
    assert [file.filename for file in project.files] == ["demo_pkg-1.0-py3-none-any.whl"]
    assert project.etag is None or project.etag == '"v1"'


async def test_html_page_takes_the_given_name(
    upstream: FakeUpstream, client: httpx.AsyncClient
) -> None:
    upstream.on(PAGE, html_page())
    project = await PyPIRemote(BASE, client=client).project("Demo_Pkg")
    assert isinstance(project, RemoteProject)
    assert project.name == "Demo_Pkg"


async def test_base_url_without_trailing_slash(
    upstream: FakeUpstream, client: httpx.AsyncClient
) -> None:
    upstream.on(PAGE, json_page())
    remote = PyPIRemote("https://pypi.test/simple", client=client)
    assert remote.base_url == BASE
    assert isinstance(await remote.project("demo-pkg"), RemoteProject)


async def test_unusable_page(upstream: FakeUpstream, client: httpx.AsyncClient) -> None:
    upstream.on(PAGE, httpx.Response(200, headers={"Content-Type": JSON_TYPE}, text="{"))
    with pytest.raises(RemoteUnavailable, match=r"pypi\.test sent an unusable page.*demo-pkg"):
        await PyPIRemote(BASE, client=client).project("demo-pkg")


# --- status codes --------------------------------------------------------------------------------


async def test_etag_revalidation(upstream: FakeUpstream, client: httpx.AsyncClient) -> None:
    upstream.on(PAGE, httpx.Response(304, headers={"ETag": '"v1"'}))
    assert await PyPIRemote(BASE, client=client).project("demo-pkg", etag='"v1"') == NOT_MODIFIED
    assert upstream.requests[0].headers["If-None-Match"] == '"v1"'


async def test_etag_that_changed(upstream: FakeUpstream, client: httpx.AsyncClient) -> None:
    upstream.on(PAGE, json_page(etag='"v2"'))
    project = await PyPIRemote(BASE, client=client).project("demo-pkg", etag='"v1"')
    assert isinstance(project, RemoteProject)
    assert project.etag == '"v2"'


@pytest.mark.parametrize("status", [404, 410])
async def test_no_such_project(
    upstream: FakeUpstream, client: httpx.AsyncClient, status: int
) -> None:
    upstream.on(PAGE, httpx.Response(status))
    assert await PyPIRemote(BASE, client=client).project("demo-pkg") is None


@pytest.mark.parametrize("name", ["../admin", "a/b", "", "-x", "naïve"])
async def test_invalid_names_never_reach_the_upstream(
    upstream: FakeUpstream, client: httpx.AsyncClient, name: str
) -> None:
    assert await PyPIRemote(BASE, client=client).project(name) is None
    assert upstream.requests == []


@pytest.mark.parametrize(
    ("status", "message"),
    [
        (500, r"^Upstream pypi\.test answered HTTP 500 for project 'demo-pkg'$"),
        (503, "HTTP 503"),
        (429, "HTTP 429"),
        (401, r"HTTP 401 for project 'demo-pkg' \(check the credentials"),
        (403, r"HTTP 403 .*check the credentials"),
        (304, "HTTP 304"),  # without an ETag sent, a 304 makes no sense
        (204, "HTTP 204"),
    ],
)
async def test_failures(
    upstream: FakeUpstream, client: httpx.AsyncClient, status: int, message: str
) -> None:
    upstream.on(PAGE, httpx.Response(status))
    with pytest.raises(RemoteUnavailable, match=message) as caught:
        await PyPIRemote(BASE, client=client).project("demo-pkg")
    assert not isinstance(caught.value, RemoteTimeout)


# --- transport errors ----------------------------------------------------------------------------


def _raise(error: type[httpx.TransportError]) -> Handler:
    def handler(request: httpx.Request) -> httpx.Response:
        raise error("boom", request=request)

    return handler


@pytest.mark.parametrize(
    ("error", "expected", "message"),
    [
        (httpx.ConnectTimeout, RemoteTimeout, "did not answer in time"),
        (httpx.ReadTimeout, RemoteTimeout, "did not answer in time"),
        (httpx.PoolTimeout, RemoteTimeout, "did not answer in time"),
        (httpx.ConnectError, RemoteUnavailable, "could not be reached"),
        (httpx.ReadError, RemoteUnavailable, r"failed \(ReadError\)"),
        (httpx.RemoteProtocolError, RemoteUnavailable, "broke off the response or sent a malf.*"),
        (httpx.UnsupportedProtocol, RemoteUnavailable, "redirected to a URL that is not http.*"),
    ],
)
async def test_transport_errors(
    upstream: FakeUpstream,
    client: httpx.AsyncClient,
    error: type[httpx.TransportError],
    expected: type[RemoteUnavailable],
    message: str,
) -> None:
    upstream.on(PAGE, _raise(error))
    with pytest.raises(expected, match=rf"^Upstream pypi\.test {message} \(project 'demo-pkg'\)$"):
        await PyPIRemote(BASE, client=client).project("demo-pkg")


async def test_connection_refused_for_real(unused_port: int) -> None:
    remote = PyPIRemote(f"http://aws:{TOKEN}@127.0.0.1:{unused_port}/simple/")
    try:
        with pytest.raises(RemoteUnavailable, match="could not be reached") as caught:
            await remote.project("demo-pkg")
    finally:
        await remote.aclose()
    assert f"127.0.0.1:{unused_port}" in str(caught.value)
    assert TOKEN not in str(caught.value)


async def test_read_timeout_for_real(silent_server: int) -> None:
    remote = PyPIRemote(f"http://127.0.0.1:{silent_server}/simple/", timeout=0.2)
    try:
        with pytest.raises(RemoteTimeout, match="did not answer in time"):
            await remote.project("demo-pkg")
    finally:
        await remote.aclose()


# --- redirects -----------------------------------------------------------------------------------


async def test_redirects_are_followed_and_urls_resolve_against_the_final_page(
    upstream: FakeUpstream, client: httpx.AsyncClient
) -> None:
    upstream.on(PAGE, redirect("https://mirror.test/pypi/demo-pkg/", 301))
    upstream.on("https://mirror.test/pypi/demo-pkg/", json_page())
    project = await PyPIRemote(BASE, client=client).project("demo-pkg")
    assert isinstance(project, RemoteProject)
    assert project.files[0].url.startswith("https://mirror.test/acme-111/")


async def test_at_most_five_redirects(upstream: FakeUpstream, client: httpx.AsyncClient) -> None:
    for hop in range(6):
        upstream.on(f"https://pypi.test/hop/{hop}/", redirect(f"https://pypi.test/hop/{hop + 1}/"))
    upstream.on(PAGE, redirect("https://pypi.test/hop/0/"))
    with pytest.raises(RemoteUnavailable, match="redirected more than 5 times"):
        await PyPIRemote(BASE, client=client).project("demo-pkg")


# --- credentials ---------------------------------------------------------------------------------


async def test_credentials_go_to_the_same_host_as_basic_auth(
    upstream: FakeUpstream, client: httpx.AsyncClient
) -> None:
    upstream.on(f"{COFFER}demo-pkg/", json_page())
    remote = PyPIRemote(COFFER_WITH_TOKEN, client=client)
    project = await remote.project("demo-pkg")
    assert isinstance(project, RemoteProject)
    (request,) = upstream.requests
    assert request.headers["Authorization"] == BASIC
    assert str(request.url) == f"{COFFER}demo-pkg/"
    assert project.files[0].url.startswith("http://coffer.test:8080/acme-111/")
    assert TOKEN not in repr(remote) + remote.base_url + repr(project)


async def test_credentials_survive_a_redirect_on_the_same_host(
    upstream: FakeUpstream, client: httpx.AsyncClient
) -> None:
    upstream.on(f"{COFFER}demo-pkg/", redirect("/elsewhere/demo-pkg/"))
    upstream.on("http://coffer.test:8080/elsewhere/demo-pkg/", json_page())
    await PyPIRemote(COFFER_WITH_TOKEN, client=client).project("demo-pkg")
    assert [upstream.authorization(i) for i in range(2)] == [BASIC, BASIC]


@pytest.mark.parametrize(
    "target",
    [
        "http://other.test:8080/simple/demo-pkg/",  # another host
        "http://coffer.test:9090/simple/demo-pkg/",  # another port
    ],
)
async def test_credentials_are_not_forwarded_off_host(
    upstream: FakeUpstream, client: httpx.AsyncClient, target: str
) -> None:
    upstream.on(f"{COFFER}demo-pkg/", redirect(target))
    upstream.on(target, json_page())
    await PyPIRemote(COFFER_WITH_TOKEN, client=client).project("demo-pkg")
    assert upstream.authorization(0) == BASIC
    assert upstream.authorization(1) is None


async def test_username_only_and_encoded_credentials(
    upstream: FakeUpstream, client: httpx.AsyncClient
) -> None:
    upstream.on(f"{BASE}demo-pkg/", json_page())
    await PyPIRemote("https://us%40er:p%3Ass@pypi.test/simple/", client=client).project("demo-pkg")
    expected = "Basic " + base64.b64encode(b"us@er:p:ss").decode()
    assert upstream.authorization() == expected


@pytest.mark.parametrize(
    "answer",
    [
        httpx.Response(401),
        httpx.Response(500),
        httpx.Response(200, headers={"Content-Type": JSON_TYPE}, text="nope"),
        _raise(httpx.ConnectError),
        _raise(httpx.ReadTimeout),
    ],
)
async def test_credentials_never_appear_in_errors_or_logs(
    upstream: FakeUpstream,
    client: httpx.AsyncClient,
    caplog: pytest.LogCaptureFixture,
    answer: Handler | httpx.Response,
) -> None:
    caplog.set_level(logging.DEBUG)
    upstream.on(f"{COFFER}demo-pkg/", answer)
    with pytest.raises(RemoteUnavailable) as caught:
        await PyPIRemote(COFFER_WITH_TOKEN, client=client).project("demo-pkg")
    message = str(caught.value)
    assert "coffer.test:8080" in message
    assert TOKEN not in message
    assert "aws:" not in message
    assert "/acme-111/" not in message  # the host only, not the path
    assert TOKEN not in caplog.text


@pytest.mark.parametrize(
    "url", ["ftp://pypi.test/simple/", "pypi.test/simple/", "http://", "http://[::1/"]
)
def test_base_url_must_be_http(url: str) -> None:
    with pytest.raises(ConfigError, match="external connection URL"):
        PyPIRemote(url)


def test_bad_base_url_message_hides_credentials() -> None:
    with pytest.raises(ConfigError) as caught:
        PyPIRemote(f"ftp://aws:{TOKEN}@pypi.test/simple/")
    assert TOKEN not in str(caught.value)


async def test_an_own_client_is_closed_a_shared_one_is_not(client: httpx.AsyncClient) -> None:
    own = PyPIRemote(BASE)
    await own.aclose()
    assert own._client.is_closed
    shared = PyPIRemote(BASE, client=client)
    await shared.aclose()
    assert not client.is_closed
