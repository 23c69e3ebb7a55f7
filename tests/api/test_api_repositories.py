"""Repositories: CRUD shapes, upstreams, listing with pagination, GetRepositoryEndpoint."""

from __future__ import annotations

import time

import pytest

from coffer.api.protocol import load_model

pytestmark = pytest.mark.anyio

REPOSITORY_DESCRIPTION = {
    "name", "administratorAccount", "domainName", "domainOwner", "arn", "description",
    "upstreams", "externalConnections", "createdTime",
}  # fmt: skip
REPOSITORY_SUMMARY = {
    "name", "administratorAccount", "domainName", "domainOwner", "arn", "description",
    "createdTime",
}  # fmt: skip
FORMATS = sorted(
    load_model().model.shape_for("PackageFormat").enum  # every format the model knows
)


def upstream_names(repository: dict) -> list[str]:
    return [item["repositoryName"] for item in repository["upstreams"]]


@pytest.fixture
async def domain(ca, admin) -> str:
    await ca.create_domain(admin, "acme")
    return "acme"


async def test_create_repository_shape(ca, admin, domain) -> None:
    reply = await ca.ok(
        "POST",
        "/v1/repository",
        query={"domain": domain, "repository": "libs"},
        json={"description": "Internal libraries"},
        creds=admin,
    )

    repository = reply["repository"]
    assert set(repository) <= REPOSITORY_DESCRIPTION
    assert repository["name"] == "libs"
    assert repository["domainName"] == domain
    assert repository["domainOwner"] == admin.account_id
    assert repository["administratorAccount"] == admin.account_id
    assert repository["arn"] == (
        f"arn:aws:codeartifact:us-east-1:{admin.account_id}:repository/acme/libs"
    )
    assert repository["description"] == "Internal libraries"
    assert repository["upstreams"] == []
    assert repository["externalConnections"] == []
    created = repository["createdTime"]
    assert isinstance(created, int | float)
    assert not isinstance(created, bool)
    assert abs(created - time.time()) < 300


async def test_describe_repository_round_trips_create(ca, admin, domain) -> None:
    created = await ca.create_repository(admin, domain, "libs", description="d")

    described = await ca.ok(
        "GET", "/v1/repository", query={"domain": domain, "repository": "libs"}, creds=admin
    )

    assert described == {"repository": created}


async def test_repository_in_a_missing_domain(ca, admin) -> None:
    body = await ca.fail(
        "POST",
        "/v1/repository",
        query={"domain": "nowhere", "repository": "libs"},
        json={},
        creds=admin,
        status=404,
        error="ResourceNotFoundException",
    )

    assert body["resourceType"] == "domain"


async def test_describe_missing_repository(ca, admin, domain) -> None:
    body = await ca.fail(
        "GET",
        "/v1/repository",
        query={"domain": domain, "repository": "nothing"},
        creds=admin,
        status=404,
        error="ResourceNotFoundException",
    )

    assert body["resourceType"] == "repository"
    assert body["resourceId"] == "nothing"


async def test_create_existing_repository_conflicts(ca, admin, domain) -> None:
    await ca.create_repository(admin, domain, "libs")

    body = await ca.fail(
        "POST",
        "/v1/repository",
        query={"domain": domain, "repository": "libs"},
        json={},
        creds=admin,
        status=409,
        error="ConflictException",
    )

    assert body["resourceType"] == "repository"
    assert body["resourceId"] == "libs"


async def test_update_description_keeps_upstreams(ca, admin, domain) -> None:
    await ca.create_repository(admin, domain, "store")
    await ca.create_repository(admin, domain, "libs", upstreams=["store"])

    updated = await ca.ok(
        "PUT",
        "/v1/repository",
        query={"domain": domain, "repository": "libs"},
        json={"description": "new words"},
        creds=admin,
    )

    assert updated["repository"]["description"] == "new words"
    assert upstream_names(updated["repository"]) == ["store"]


async def test_update_missing_repository(ca, admin, domain) -> None:
    await ca.fail(
        "PUT",
        "/v1/repository",
        query={"domain": domain, "repository": "nothing"},
        json={"description": "x"},
        creds=admin,
        status=404,
        error="ResourceNotFoundException",
    )


async def test_delete_repository(ca, admin, domain) -> None:
    created = await ca.create_repository(admin, domain, "libs")

    deleted = await ca.ok(
        "DELETE", "/v1/repository", query={"domain": domain, "repository": "libs"}, creds=admin
    )

    assert deleted["repository"]["arn"] == created["arn"]
    await ca.fail(
        "GET",
        "/v1/repository",
        query={"domain": domain, "repository": "libs"},
        creds=admin,
        status=404,
        error="ResourceNotFoundException",
    )
    await ca.fail(
        "DELETE",
        "/v1/repository",
        query={"domain": domain, "repository": "libs"},
        creds=admin,
        status=404,
        error="ResourceNotFoundException",
    )


# Upstreams ------------------------------------------------------------------------------------


async def test_upstream_order_is_kept(ca, admin, domain) -> None:
    for name in ("aaa", "bbb", "ccc"):
        await ca.create_repository(admin, domain, name)

    created = await ca.create_repository(admin, domain, "app", upstreams=["ccc", "aaa", "bbb"])
    described = await ca.ok(
        "GET", "/v1/repository", query={"domain": domain, "repository": "app"}, creds=admin
    )

    assert upstream_names(created) == ["ccc", "aaa", "bbb"]
    assert upstream_names(described["repository"]) == ["ccc", "aaa", "bbb"]


async def test_update_replaces_upstreams_in_the_new_order(ca, admin, domain) -> None:
    for name in ("aaa", "bbb", "ccc"):
        await ca.create_repository(admin, domain, name)
    await ca.create_repository(admin, domain, "app", upstreams=["aaa", "bbb"])

    async def set_upstreams(names: list[str]) -> list[str]:
        reply = await ca.ok(
            "PUT",
            "/v1/repository",
            query={"domain": domain, "repository": "app"},
            json={"upstreams": [{"repositoryName": name} for name in names]},
            creds=admin,
        )
        return upstream_names(reply["repository"])

    assert await set_upstreams(["bbb", "ccc", "aaa"]) == ["bbb", "ccc", "aaa"]
    assert await set_upstreams([]) == []


async def test_unknown_upstream(ca, admin, domain) -> None:
    body = await ca.fail(
        "POST",
        "/v1/repository",
        query={"domain": domain, "repository": "app"},
        json={"upstreams": [{"repositoryName": "ghost"}]},
        creds=admin,
        status=404,
        error="ResourceNotFoundException",
    )

    assert body["resourceType"] == "repository"
    assert body["resourceId"] == "ghost"
    # A failed create leaves nothing behind.
    await ca.fail(
        "GET",
        "/v1/repository",
        query={"domain": domain, "repository": "app"},
        creds=admin,
        status=404,
        error="ResourceNotFoundException",
    )


async def test_repository_cannot_be_its_own_upstream(ca, admin, domain) -> None:
    await ca.create_repository(admin, domain, "app")

    await ca.fail(
        "PUT",
        "/v1/repository",
        query={"domain": domain, "repository": "app"},
        json={"upstreams": [{"repositoryName": "app"}]},
        creds=admin,
        status=400,
        error="ValidationException",
    )
    await ca.fail(
        "POST",
        "/v1/repository",
        query={"domain": domain, "repository": "self"},
        json={"upstreams": [{"repositoryName": "self"}]},
        creds=admin,
        status=400,
        error="ValidationException",
    )


async def test_at_most_ten_upstreams(ca, admin, domain) -> None:
    names = [f"up{i:02d}" for i in range(11)]
    for name in names:
        await ca.create_repository(admin, domain, name)

    ten = await ca.create_repository(admin, domain, "ten", upstreams=names[:10])
    assert upstream_names(ten) == names[:10]

    body = await ca.fail(
        "POST",
        "/v1/repository",
        query={"domain": domain, "repository": "eleven"},
        json={"upstreams": [{"repositoryName": name} for name in names]},
        creds=admin,
        status=400,
        error="ValidationException",
    )
    assert "10" in body["message"]


async def test_duplicate_upstream(ca, admin, domain) -> None:
    await ca.create_repository(admin, domain, "store")

    await ca.fail(
        "POST",
        "/v1/repository",
        query={"domain": domain, "repository": "app"},
        json={"upstreams": [{"repositoryName": "store"}, {"repositoryName": "store"}]},
        creds=admin,
        status=400,
        error="ValidationException",
    )


async def test_deleting_an_upstream_in_use_conflicts(ca, admin, domain) -> None:
    await ca.create_repository(admin, domain, "store")
    await ca.create_repository(admin, domain, "app", upstreams=["store"])

    body = await ca.fail(
        "DELETE",
        "/v1/repository",
        query={"domain": domain, "repository": "store"},
        creds=admin,
        status=409,
        error="ConflictException",
    )

    assert body["resourceType"] == "repository"
    assert "app" in body["message"]
    await ca.ok(
        "DELETE", "/v1/repository", query={"domain": domain, "repository": "app"}, creds=admin
    )
    await ca.ok(
        "DELETE", "/v1/repository", query={"domain": domain, "repository": "store"}, creds=admin
    )


async def test_upstream_must_be_in_the_same_domain(ca, admin, domain) -> None:
    await ca.create_domain(admin, "elsewhere")
    await ca.create_repository(admin, "elsewhere", "store")

    await ca.fail(
        "POST",
        "/v1/repository",
        query={"domain": domain, "repository": "app"},
        json={"upstreams": [{"repositoryName": "store"}]},
        creds=admin,
        status=404,
        error="ResourceNotFoundException",
    )


# Listing --------------------------------------------------------------------------------------


async def test_list_repositories_in_domain_summaries(ca, admin, domain) -> None:
    await ca.create_repository(admin, domain, "zeta")
    await ca.create_repository(admin, domain, "alpha", description="first")

    listed = await ca.ok("POST", "/v1/domain/repositories", query={"domain": domain}, creds=admin)

    assert [r["name"] for r in listed["repositories"]] == ["alpha", "zeta"]
    assert "nextToken" not in listed
    for summary in listed["repositories"]:
        assert set(summary) <= REPOSITORY_SUMMARY
        assert summary["domainName"] == domain
        assert isinstance(summary["createdTime"], int | float)
    assert listed["repositories"][0]["description"] == "first"


async def test_list_repositories_in_domain_prefix(ca, admin, domain) -> None:
    for name in ("py-libs", "py-tools", "npm-libs"):
        await ca.create_repository(admin, domain, name)

    listed = await ca.ok(
        "POST",
        "/v1/domain/repositories",
        query={"domain": domain, "repository-prefix": "py-"},
        creds=admin,
    )

    assert [r["name"] for r in listed["repositories"]] == ["py-libs", "py-tools"]


async def test_list_repositories_in_missing_domain(ca, admin) -> None:
    await ca.fail(
        "POST",
        "/v1/domain/repositories",
        query={"domain": "nowhere"},
        creds=admin,
        status=404,
        error="ResourceNotFoundException",
    )


@pytest.mark.parametrize(
    ("path", "query"),
    [("/v1/domain/repositories", {"domain": "acme"}), ("/v1/repositories", {})],
    ids=["ListRepositoriesInDomain", "ListRepositories"],
)
async def test_list_repositories_one_per_page(ca, admin, domain, path: str, query: dict) -> None:
    await ca.create_domain(admin, "other")
    for name in ("ccc", "aaa", "bbb"):
        await ca.create_repository(admin, domain, name)
    await ca.create_repository(admin, "other", "zzz")
    expected = ["aaa", "bbb", "ccc"] if "domain" in query else ["aaa", "bbb", "ccc", "zzz"]

    seen, token = [], None
    for _ in range(10):
        page = await ca.ok(
            "POST", path, query={**query, "max-results": "1", "next-token": token}, creds=admin
        )
        assert len(page["repositories"]) == 1
        seen.append(page["repositories"][0]["name"])
        token = page.get("nextToken")
        if token is None:
            break

    assert seen == expected


@pytest.mark.parametrize(
    ("path", "query"),
    [("/v1/domain/repositories", {"domain": "acme"}), ("/v1/repositories", {})],
    ids=["ListRepositoriesInDomain", "ListRepositories"],
)
async def test_list_repositories_garbage_next_token(ca, admin, domain, path, query) -> None:
    await ca.fail(
        "POST",
        path,
        query={**query, "next-token": "definitely-not-a-token"},
        creds=admin,
        status=400,
        error="ValidationException",
    )


# GetRepositoryEndpoint ------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", FORMATS)
async def test_endpoint_uses_the_request_host(ca, admin, domain, fmt: str) -> None:
    await ca.create_repository(admin, domain, "libs")

    reply = await ca.ok(
        "GET",
        "/v1/repository/endpoint",
        query={"domain": domain, "repository": "libs", "format": fmt},
        creds=admin,
    )

    assert reply == {
        "repositoryEndpoint": f"http://coffer.test/acme-{admin.account_id}/{fmt}/libs/"
    }


async def test_endpoint_of_missing_repository(ca, admin, domain) -> None:
    await ca.fail(
        "GET",
        "/v1/repository/endpoint",
        query={"domain": domain, "repository": "nothing", "format": "pypi"},
        creds=admin,
        status=404,
        error="ResourceNotFoundException",
    )


def test_formats_cover_the_model() -> None:
    assert {"npm", "pypi", "maven", "nuget", "generic", "ruby", "swift", "cargo"} <= set(FORMATS)


async def test_list_repositories_shows_every_domain(ca, admin, domain) -> None:
    await ca.create_domain(admin, "other")
    await ca.create_repository(admin, domain, "libs")
    await ca.create_repository(admin, "other", "libs")

    listed = await ca.ok("POST", "/v1/repositories", creds=admin)

    assert [(r["domainName"], r["name"]) for r in listed["repositories"]] == [
        ("acme", "libs"),
        ("other", "libs"),
    ]
    for summary in listed["repositories"]:
        assert set(summary) <= REPOSITORY_SUMMARY
        assert summary["administratorAccount"] == admin.account_id


async def test_list_repositories_in_domain_by_administrator(ca, admin, domain) -> None:
    await ca.create_repository(admin, domain, "libs")

    mine = await ca.ok(
        "POST",
        "/v1/domain/repositories",
        query={"domain": domain, "administrator-account": admin.account_id},
        creds=admin,
    )
    nobodys = await ca.ok(
        "POST",
        "/v1/domain/repositories",
        query={"domain": domain, "administrator-account": "999999999999"},
        creds=admin,
    )

    assert [r["name"] for r in mine["repositories"]] == ["libs"]
    assert nobodys["repositories"] == []
