"""Upstream repositories and package origin controls, through the PyPI data plane in-process.

Chain used throughout: ``team → shared → store`` in domain ``acme``.
"""

from __future__ import annotations

import base64
from typing import Any

import httpx
import pytest

from support.dists import build_wheel, wheel_filename

pytestmark = pytest.mark.anyio

JSON = "application/vnd.pypi.simple.v1+json"


class PyPI:
    """A PyPI client of one repository, with a token of the admin."""

    def __init__(self, ca: Any, token: str, owner: str, repository: str) -> None:
        self.http = ca.http
        self.auth = {"Authorization": "Basic " + base64.b64encode(f"aws:{token}".encode()).decode()}
        self.base = f"/acme-{owner}/pypi/{repository}/"

    async def upload(self, name: str, version: str) -> httpx.Response:
        content = build_wheel(name, version)
        return await self.http.post(
            self.base,
            headers=self.auth,
            data={":action": "file_upload", "name": name, "version": version,
                  "filetype": "bdist_wheel", "pyversion": "py3", "protocol_version": "1"},
            files={"content": (wheel_filename(name, version), content)},
        )  # fmt: skip

    async def versions(self, project: str) -> list[str] | None:
        reply = await self.http.get(
            f"{self.base}simple/{project}/", headers={**self.auth, "Accept": JSON}
        )
        if reply.status_code == 404:
            return None
        assert reply.status_code == 200, reply.text
        return list(reply.json()["versions"])

    async def download(self, project: str, version: str) -> httpx.Response:
        filename = wheel_filename(project, version)
        return await self.http.get(
            f"{self.base}simple/{project}/{version}/{filename}", headers=self.auth
        )


@pytest.fixture
async def chain(ca: Any, admin: Any) -> dict[str, PyPI]:
    await ca.create_domain(admin, "acme")
    await ca.create_repository(admin, "acme", "store")
    await ca.create_repository(admin, "acme", "shared", upstreams=["store"])
    await ca.create_repository(admin, "acme", "team", upstreams=["shared"])
    reply = await ca.ok("POST", "/v1/authorization-token", query={"domain": "acme"}, creds=admin)
    token = reply["authorizationToken"]
    return {name: PyPI(ca, token, admin.account_id, name) for name in ("team", "shared", "store")}


async def package(ca: Any, admin: Any, repository: str, name: str) -> dict[str, Any]:
    reply = await ca.ok(
        "GET",
        "/v1/package",
        query={"domain": "acme", "repository": repository, "format": "pypi", "package": name},
        creds=admin,
    )
    return reply["package"]  # type: ignore[no-any-return]


async def test_index_merges_versions_from_the_whole_chain(
    chain: dict[str, PyPI], ca: Any, admin: Any
) -> None:
    assert (await chain["store"].upload("lib-a", "1.0")).status_code == 200
    assert await chain["team"].versions("lib-a") == ["1.0"]

    # Publishing to `shared` makes lib-a private there (upstream: BLOCK): store's versions stop.
    assert (await chain["shared"].upload("lib-a", "2.0")).status_code == 200
    assert await chain["team"].versions("lib-a") == ["2.0"]
    assert await chain["store"].versions("lib-a") == ["1.0"]

    # Allowing upstreams for lib-a in `shared` merges the whole chain again.
    await ca.ok(
        "POST",
        "/v1/package",
        query={"domain": "acme", "repository": "shared", "format": "pypi", "package": "lib-a"},
        json={"restrictions": {"publish": "ALLOW", "upstream": "ALLOW"}},
        creds=admin,
    )
    assert await chain["team"].versions("lib-a") == ["1.0", "2.0"]
    assert await chain["shared"].versions("lib-a") == ["1.0", "2.0"]


async def test_fetching_through_upstream_retains_the_version(
    chain: dict[str, PyPI], ca: Any, admin: Any
) -> None:
    await chain["store"].upload("lib-b", "1.0")
    wheel = await chain["team"].download("lib-b", "1.0")
    assert wheel.status_code == 200
    assert wheel.content == build_wheel("lib-b", "1.0")

    retained = await package(ca, admin, "team", "lib-b")
    assert retained["originConfiguration"]["restrictions"] == {
        "publish": "BLOCK",
        "upstream": "ALLOW",
    }
    versions = await ca.ok(
        "POST",
        "/v1/package/versions",
        query={"domain": "acme", "repository": "team", "format": "pypi", "package": "lib-b"},
        creds=admin,
    )
    assert [v["version"] for v in versions["versions"]] == ["1.0"]
    assert versions["versions"][0]["origin"]["domainEntryPoint"] == {"repositoryName": "store"}

    # The upstream loses it; the retained copy still installs.
    await ca.ok(
        "POST",
        "/v1/package/versions/delete",
        query={"domain": "acme", "repository": "store", "format": "pypi", "package": "lib-b"},
        json={"versions": ["1.0"]},
        creds=admin,
    )
    assert await chain["store"].versions("lib-b") is None
    assert (await chain["team"].download("lib-b", "1.0")).status_code == 200


async def test_private_name_never_takes_versions_from_upstream(chain: dict[str, PyPI]) -> None:
    assert (await chain["team"].upload("sample-lib", "1.0")).status_code == 200
    assert (await chain["store"].upload("sample-lib", "99.0")).status_code == 200

    assert await chain["team"].versions("sample-lib") == ["1.0"]
    assert (await chain["team"].download("sample-lib", "99.0")).status_code == 404


async def test_ingested_package_cannot_be_shadowed_by_publishing(
    chain: dict[str, PyPI],
) -> None:
    await chain["store"].upload("public-lib", "1.0")
    await chain["team"].download("public-lib", "1.0")

    refused = await chain["team"].upload("public-lib", "1.1")
    assert refused.status_code == 403
    assert "origin controls" in refused.text


async def test_origin_controls_set_before_the_package_exists(
    chain: dict[str, PyPI], ca: Any, admin: Any
) -> None:
    query = {"domain": "acme", "repository": "team", "format": "pypi", "package": "Not_Yet"}
    reply = await ca.ok(
        "POST",
        "/v1/package",
        query=query,
        json={"restrictions": {"publish": "BLOCK", "upstream": "BLOCK"}},
        creds=admin,
    )
    assert reply["originConfiguration"]["restrictions"] == {"publish": "BLOCK", "upstream": "BLOCK"}
    assert (await chain["team"].upload("not-yet", "1.0")).status_code == 403
    await chain["store"].upload("not-yet", "1.0")
    assert await chain["team"].versions("not-yet") is None

    blocked = await ca.ok(
        "POST",
        "/v1/packages",
        query={"domain": "acme", "repository": "team", "publish": "BLOCK"},
        creds=admin,
    )
    assert [p["package"] for p in blocked["packages"]] == ["not-yet"]


async def test_publishing_a_version_an_upstream_has_conflicts_when_both_allowed(
    chain: dict[str, PyPI], ca: Any, admin: Any
) -> None:
    await chain["team"].upload("both", "1.0")
    await ca.ok(
        "POST",
        "/v1/package",
        query={"domain": "acme", "repository": "team", "format": "pypi", "package": "both"},
        json={"restrictions": {"publish": "ALLOW", "upstream": "ALLOW"}},
        creds=admin,
    )
    await chain["store"].upload("both", "2.0")

    conflict = await chain["team"].upload("both", "2.0")
    assert conflict.status_code == 409
    assert "already exists in upstream repository store" in conflict.text
    assert await chain["team"].versions("both") == ["1.0", "2.0"]


async def test_upstream_cycles_are_searched_once(
    chain: dict[str, PyPI], ca: Any, admin: Any
) -> None:
    await ca.ok(
        "PUT",
        "/v1/repository",
        query={"domain": "acme", "repository": "store"},
        json={"upstreams": [{"repositoryName": "team"}]},
        creds=admin,
    )
    await chain["shared"].upload("loop", "1.0")
    assert await chain["store"].versions("loop") == ["1.0"]
    assert await chain["team"].versions("loop") == ["1.0"]
    assert await chain["team"].versions("nowhere") is None


async def test_external_connection_association(ca: Any, admin: Any, chain: Any) -> None:
    query = {"domain": "acme", "repository": "store", "external-connection": "public:pypi"}
    reply = await ca.ok("POST", "/v1/repository/external-connection", query=query, creds=admin)
    assert reply["repository"]["externalConnections"] == [
        {"externalConnectionName": "public:pypi", "packageFormat": "pypi", "status": "Available"}
    ]
    other = {**query, "external-connection": "public:npmjs"}
    await ca.fail(
        "POST",
        "/v1/repository/external-connection",
        query=other,
        creds=admin,
        status=402,
        error="ServiceQuotaExceededException",
    )
    await ca.fail(
        "POST",
        "/v1/repository/external-connection",
        query={**query, "external-connection": "public:nowhere"},
        creds=admin,
        status=400,
        error="ValidationException",
    )
    reply = await ca.ok("DELETE", "/v1/repository/external-connection", query=query, creds=admin)
    assert reply["repository"]["externalConnections"] == []
    await ca.fail(
        "DELETE",
        "/v1/repository/external-connection",
        query=query,
        creds=admin,
        status=404,
        error="ResourceNotFoundException",
    )


async def _group(ca: Any, admin: Any, pattern: str, restrictions: dict[str, str]) -> None:
    await ca.ok(
        "POST", "/v1/package-group", query={"domain": "acme"},
        json={"packageGroup": pattern}, creds=admin,
    )  # fmt: skip
    await ca.ok(
        "PUT", "/v1/package-group-origin-configuration",
        query={"domain": "acme", "package-group": pattern},
        json={"restrictions": restrictions}, creds=admin,
    )  # fmt: skip


async def test_package_group_blocks_publishing(chain: dict[str, PyPI], ca: Any, admin: Any) -> None:
    await _group(ca, admin, "/pypi//guarded$", {"PUBLISH": "BLOCK"})
    refused = await chain["team"].upload("guarded", "1.0")
    assert refused.status_code == 403
    assert "package group /pypi//guarded$" in refused.text
    assert (await chain["team"].upload("unguarded", "1.0")).status_code == 200


async def test_package_group_keeps_upstream_versions_out(
    chain: dict[str, PyPI], ca: Any, admin: Any
) -> None:
    await chain["store"].upload("walled", "1.0")
    assert await chain["team"].versions("walled") == ["1.0"]
    await _group(ca, admin, "/pypi//walled$", {"INTERNAL_UPSTREAM": "BLOCK"})
    assert await chain["team"].versions("walled") is None
    assert (await chain["team"].download("walled", "1.0")).status_code == 404
    assert await chain["store"].versions("walled") == ["1.0"]


async def test_long_metadata_values_are_stored_whole(chain: dict[str, PyPI]) -> None:
    """Requires-Python is free text in core metadata: a long one must not fail the upload
    (PostgreSQL refuses strings longer than a VARCHAR)."""
    specifier = ",".join(f"!=3.{minor}.*" for minor in range(60)) + ",>=3.8"
    assert len(specifier) > 255
    content = build_wheel("long-meta", "1.0", metadata_extra=f"Requires-Python: {specifier}\n")
    reply = await chain["team"].http.post(
        chain["team"].base,
        headers=chain["team"].auth,
        data={":action": "file_upload", "name": "long-meta", "version": "1.0",
              "filetype": "bdist_wheel", "pyversion": "py3", "protocol_version": "1"},
        files={"content": (wheel_filename("long-meta", "1.0"), content)},
    )  # fmt: skip
    assert reply.status_code == 200, reply.text
    page = await chain["team"].http.get(
        f"{chain['team'].base}simple/long-meta/", headers={**chain["team"].auth, "Accept": JSON}
    )
    assert page.json()["files"][0]["requires-python"] == specifier
