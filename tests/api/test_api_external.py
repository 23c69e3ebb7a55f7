"""External connections, in-process: the "public" registry is a second Coffer app reached
through ``public:pypi`` over an ASGI transport (no network, the real upstream protocol)."""

from __future__ import annotations

import base64
import shutil
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette

from coffer.app import create_app
from coffer.config import Settings
from coffer.remotes import RemoteRegistry
from coffer.services import Services, open_services
from coffer.services.bootstrap import bootstrap
from support.dists import build_wheel, wheel_filename

pytestmark = pytest.mark.anyio

JSON = "application/vnd.pypi.simple.v1+json"
UPSTREAM = "http://public.test"


class Faulty(httpx.AsyncBaseTransport):
    """The upstream app, or a chosen fault in front of it."""

    def __init__(self, app: Starlette) -> None:
        self.inner = httpx.ASGITransport(app=app)
        self.fault: str | None = None
        self.requests: list[str] = []

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request.url.path)
        if self.fault == "down":
            raise httpx.ConnectError("connection refused", request=request)
        if self.fault == "timeout":
            raise httpx.ReadTimeout("timed out", request=request)
        if self.fault == "500":
            return httpx.Response(500, text="boom")
        response = await self.inner.handle_async_request(request)
        if self.fault == "corrupt" and request.url.path.endswith(".whl"):
            body = b"not the wheel you are looking for"
            return httpx.Response(200, content=body, headers={"Content-Length": str(len(body))})
        return response


def _basic(token: str) -> dict[str, str]:
    return {"Authorization": "Basic " + base64.b64encode(f"aws:{token}".encode()).decode()}


async def _store(tmp: Path, migrated: Path, remotes: RemoteRegistry | None) -> Services:
    settings = Settings(data_dir=tmp, remote_index_ttl=0)
    tmp.mkdir(parents=True)
    shutil.copyfile(migrated, tmp / "coffer.db")
    return open_services(settings, run_migrations=False, remotes=remotes)


async def _setup(client: httpx.AsyncClient, services: Services, tmp: Path) -> dict[str, str]:
    """Domain ``acme`` with ``pypi-store``; returns account id, token."""
    made = await bootstrap(services.iam, tmp / "admin.credentials")
    assert made is not None
    caller = await _admin_caller(services, made.account_id)
    await services.domains.create(caller, "acme")
    await services.repositories.create(caller, "acme", None, "pypi-store")
    token = await services.tokens.issue(caller, "acme", None, None)
    return {"account": made.account_id, "token": token.token}


async def _admin_caller(services: Services, account: str) -> Any:
    from coffer.iam.principal import Caller, Principal

    user = await services.iam.get_user(account, "admin")
    return Caller(Principal(account, user.user_id, "admin"))


@pytest.fixture
async def world(tmp_path: Path, migrated_database: Path) -> AsyncIterator[dict[str, Any]]:
    upstream = await _store(tmp_path / "public", migrated_database, None)
    upstream_app = create_app(upstream.settings, upstream)
    transport = Faulty(upstream_app)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=upstream_app)) as up_http:
        public = await _setup(up_http, upstream, tmp_path / "public")
        index = f"{UPSTREAM}/acme-{public['account']}/pypi/pypi-store/simple/"
        auth_index = index.replace("http://", f"http://aws:{public['token']}@")
        remotes = RemoteRegistry.from_settings({"public:pypi": auth_index}, transport=transport)
        local = await _store(tmp_path / "private", migrated_database, remotes)
        app = create_app(local.settings, local)
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://coffer.test"
        ) as http:
            private = await _setup(http, local, tmp_path / "private")
            caller = await _admin_caller(local, private["account"])
            await local.repositories.associate_external_connection(
                caller, "acme", None, "pypi-store", "public:pypi"
            )
            await local.repositories.create(caller, "acme", None, "team", upstreams=["pypi-store"])
            yield {
                "http": http,
                "auth": _basic(private["token"]),
                "base": f"/acme-{private['account']}/pypi",
                "public": up_http,
                "public_auth": _basic(public["token"]),
                "public_base": f"/acme-{public['account']}/pypi/pypi-store/",
                "transport": transport,
                "local": local,
                "caller": caller,
            }
        await local.close()
    await upstream.close()


async def _publish_upstream(world: dict[str, Any], name: str, version: str) -> bytes:
    content = build_wheel(name, version)
    reply = await world["public"].post(
        f"http://public.test{world['public_base']}",
        headers=world["public_auth"],
        data={":action": "file_upload", "name": name, "version": version,
              "filetype": "bdist_wheel", "pyversion": "py3", "protocol_version": "1"},
        files={"content": (wheel_filename(name, version), content)},
    )  # fmt: skip
    assert reply.status_code == 200, reply.text
    return content


async def _versions(world: dict[str, Any], repo: str, project: str) -> httpx.Response:
    return await world["http"].get(
        f"{world['base']}/{repo}/simple/{project}/", headers={**world["auth"], "Accept": JSON}
    )


async def _download(world: dict[str, Any], repo: str, name: str, version: str) -> httpx.Response:
    filename = wheel_filename(name, version)
    return await world["http"].get(
        f"{world['base']}/{repo}/simple/{name}/{version}/{filename}", headers=world["auth"]
    )


async def test_public_versions_install_through_the_chain_and_stay_cached(world: Any) -> None:
    content = await _publish_upstream(world, "requests-ish", "2.0")

    page = await _versions(world, "team", "requests-ish")
    assert page.status_code == 200, page.text
    assert page.json()["versions"] == ["2.0"]
    files = page.json()["files"]
    assert files[0]["core-metadata"]  # PEP 658 metadata carried through from upstream

    wheel = await _download(world, "team", "requests-ish", "2.0")
    assert wheel.status_code == 200, wheel.text
    assert wheel.content == content

    # The upstream goes away: what was fetched keeps installing, from both repositories.
    world["transport"].fault = "down"
    assert (await _download(world, "team", "requests-ish", "2.0")).content == content
    assert (await _download(world, "pypi-store", "requests-ish", "2.0")).content == content
    page = await _versions(world, "team", "requests-ish")
    assert page.json()["versions"] == ["2.0"]


async def test_concurrent_first_requests_fetch_once(world: Any) -> None:
    import anyio

    await _publish_upstream(world, "popular", "1.0")
    assert (await _versions(world, "team", "popular")).status_code == 200
    world["transport"].requests.clear()
    results: list[int] = []

    async def fetch() -> None:
        results.append((await _download(world, "team", "popular", "1.0")).status_code)

    async with anyio.create_task_group() as group:
        for _ in range(20):
            group.start_soon(fetch)
    assert results == [200] * 20
    wheel_fetches = [p for p in world["transport"].requests if p.endswith(".whl")]
    assert len(wheel_fetches) == 1


async def test_private_name_is_not_taken_from_public(world: Any) -> None:
    local, caller = world["local"], world["caller"]
    await _publish_upstream(world, "sample-lib", "99.0")
    from coffer.domain.packages import OriginRestrictions, PackageFormat
    from coffer.services.packages import PackageAddress

    address = PackageAddress("acme", None, "team", PackageFormat.PYPI, None, "sample-lib")
    await local.packages.put_origin_configuration(
        caller, address, OriginRestrictions("ALLOW", "BLOCK")
    )
    assert (await _versions(world, "team", "sample-lib")).status_code == 404
    assert (await _download(world, "team", "sample-lib", "99.0")).status_code == 404


@pytest.mark.parametrize(("fault", "status"), [("down", 502), ("timeout", 504), ("500", 502)])
async def test_upstream_failures_without_cache_are_clear_errors(
    world: Any, fault: str, status: int
) -> None:
    await _publish_upstream(world, "flaky", "1.0")
    world["transport"].fault = fault
    reply = await _versions(world, "team", "flaky")
    assert reply.status_code == status
    assert "public.test" in reply.text or "upstream" in reply.text.lower()
    assert "aws:" not in reply.text  # credentials in the connection URL never leak


async def test_corrupt_upstream_file_is_refused_and_not_stored(world: Any) -> None:
    await _publish_upstream(world, "tampered", "1.0")
    assert (await _versions(world, "team", "tampered")).status_code == 200
    world["transport"].fault = "corrupt"
    reply = await _download(world, "team", "tampered", "1.0")
    assert reply.status_code == 502
    assert "sha256" in reply.text
    local = world["local"]
    keys = [key async for key in local.blobs.iter_keys()]
    assert keys == []
    world["transport"].fault = None
    assert (await _download(world, "team", "tampered", "1.0")).status_code == 200


async def test_a_page_made_while_the_upstream_was_down_is_not_kept(world: Any) -> None:
    # "mixed" is published privately and may also take versions from upstream. A page built
    # while the upstream is down shows the private versions only; once the upstream is back,
    # the next page must ask it again (no database change tells the page cache to).
    name, local, caller = "mixed", world["local"], world["caller"]
    reply = await world["http"].post(
        f"{world['base']}/team/",
        headers=world["auth"],
        data={":action": "file_upload", "name": name, "version": "1.0",
              "filetype": "bdist_wheel", "pyversion": "py3", "protocol_version": "1"},
        files={"content": (wheel_filename(name, "1.0"), build_wheel(name, "1.0"))},
    )  # fmt: skip
    assert reply.status_code == 200, reply.text
    from coffer.domain.packages import OriginRestrictions, PackageFormat
    from coffer.services.packages import PackageAddress

    address = PackageAddress("acme", None, "team", PackageFormat.PYPI, None, name)
    await local.packages.put_origin_configuration(
        caller, address, OriginRestrictions("ALLOW", "ALLOW")
    )
    world["transport"].fault = "down"
    assert (await _versions(world, "team", name)).json()["versions"] == ["1.0"]

    world["transport"].fault = None
    await _publish_upstream(world, name, "2.0")
    assert (await _versions(world, "team", name)).json()["versions"] == ["1.0", "2.0"]
