"""Package groups over the wire: Create/Describe/Update/DeletePackageGroup, ListPackageGroups,
ListSubPackageGroups, ListAssociatedPackages, GetAssociatedPackageGroup,
UpdatePackageGroupOriginConfiguration, ListAllowedRepositoriesForGroup, tags on group ARNs, and
``effective_restrictions`` (what publishing and resolution ask)."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from coffer.domain.packages import PackageFormat, PackageKey
from coffer.services.package_groups import effective_restrictions
from coffer.storage.db import Domain

pytestmark = pytest.mark.anyio

REGION = "us-east-1"
MODES = {"ALLOW", "ALLOW_SPECIFIC_REPOSITORIES", "BLOCK", "INHERIT"}
RESTRICTIONS = {"EXTERNAL_UPSTREAM", "INTERNAL_UPSTREAM", "PUBLISH"}


def group_arn(account: str, domain: str, encoded: str) -> str:
    return f"arn:aws:codeartifact:{REGION}:{account}:package-group/{domain}{encoded}"


@pytest.fixture
async def domain(ca, admin) -> str:
    await ca.create_domain(admin, "acme")
    await ca.create_repository(admin, "acme", "libs")
    await ca.create_repository(admin, "acme", "store")
    return "acme"


async def create(ca, creds, pattern: str, domain: str = "acme", **body: Any) -> dict[str, Any]:
    reply = await ca.ok(
        "POST",
        "/v1/package-group",
        query={"domain": domain},
        json={"packageGroup": pattern, **body},
        creds=creds,
    )
    assert set(reply) == {"packageGroup"}
    return reply["packageGroup"]  # type: ignore[no-any-return]


async def describe(ca, creds, pattern: str, domain: str = "acme") -> dict[str, Any]:
    reply = await ca.ok(
        "GET", "/v1/package-group", query={"domain": domain, "package-group": pattern}, creds=creds
    )
    return reply["packageGroup"]  # type: ignore[no-any-return]


async def origin(ca, creds, pattern: str, **body: Any) -> dict[str, Any]:
    return await ca.ok(  # type: ignore[no-any-return]
        "PUT",
        "/v1/package-group-origin-configuration",
        query={"domain": "acme", "package-group": pattern},
        json=body,
        creds=creds,
    )


async def put_package(
    ca, creds, fmt: str, name: str, namespace: str | None = None, repository: str = "libs"
) -> None:
    """A package record without versions (PutPackageOriginConfiguration creates it)."""
    await ca.ok(
        "POST",
        "/v1/package",
        query={
            "domain": "acme",
            "repository": repository,
            "format": fmt,
            "namespace": namespace,
            "package": name,
        },
        json={"restrictions": {"publish": "ALLOW", "upstream": "BLOCK"}},
        creds=creds,
    )


async def list_groups(ca, creds, **query: Any) -> dict[str, Any]:
    return await ca.ok(  # type: ignore[no-any-return]
        "POST", "/v1/package-groups", query={"domain": "acme", **query}, creds=creds
    )


async def associated(ca, creds, pattern: str, **query: Any) -> dict[str, Any]:
    return await ca.ok(  # type: ignore[no-any-return]
        "GET",
        "/v1/list-associated-packages",
        query={"domain": "acme", "package-group": pattern, **query},
        creds=creds,
    )


async def associated_group(ca, creds, fmt: str, name: str, namespace: str | None = None):
    reply = await ca.ok(
        "GET",
        "/v1/get-associated-package-group",
        query={"domain": "acme", "format": fmt, "namespace": namespace, "package": name},
        creds=creds,
    )
    assert set(reply) == {"packageGroup", "associationType"}
    return reply["packageGroup"]["pattern"], reply["associationType"]


def restriction(group: dict[str, Any], name: str) -> dict[str, Any]:
    return group["originConfiguration"]["restrictions"][name]  # type: ignore[no-any-return]


# Create / Describe ----------------------------------------------------------------------------


async def test_create_package_group_shape(ca, admin, domain) -> None:
    group = await create(
        ca, admin, "/npm/space/*", contactInfo="team@example.com", description="Space packages"
    )

    account = admin.account_id
    root = {"arn": group_arn(account, "acme", "/%2a"), "pattern": "/*"}
    assert group == {
        "arn": group_arn(account, "acme", "/npm/space/%2a"),
        "pattern": "/npm/space/*",
        "domainName": "acme",
        "domainOwner": account,
        "createdTime": group["createdTime"],
        "contactInfo": "team@example.com",
        "description": "Space packages",
        "originConfiguration": {
            "restrictions": {
                name: {
                    "mode": "INHERIT",
                    "effectiveMode": "ALLOW",
                    "inheritedFrom": root,
                    "repositoriesCount": 0,
                }
                for name in RESTRICTIONS
            }
        },
        "parent": root,
    }
    assert isinstance(group["createdTime"], int | float)  # epoch seconds: a JSON number
    assert await describe(ca, admin, "/npm/space/*") == group


async def test_every_domain_has_the_root_group(ca, admin, domain) -> None:
    root = await describe(ca, admin, "/*")
    domain_created = (await ca.ok("GET", "/v1/domain", query={"domain": "acme"}, creds=admin))[
        "domain"
    ]["createdTime"]

    assert root["arn"] == group_arn(admin.account_id, "acme", "/%2a")
    assert root["pattern"] == "/*"
    assert root["createdTime"] == domain_created
    assert "parent" not in root
    assert root["originConfiguration"]["restrictions"] == {
        name: {"mode": "ALLOW", "effectiveMode": "ALLOW", "repositoriesCount": 0}
        for name in RESTRICTIONS
    }


async def test_arns_percent_encode_the_pattern(ca, admin, domain) -> None:
    exact = await create(ca, admin, "/pypi//requests$")
    prefix = await create(ca, admin, "/maven/com.acme~")

    assert exact["arn"] == group_arn(admin.account_id, "acme", "/pypi//requests%24")
    assert prefix["arn"] == group_arn(admin.account_id, "acme", "/maven/com.acme~")


@pytest.mark.parametrize("pattern", ["/npm/*", "/*"])
async def test_create_existing_group_conflicts(ca, admin, domain, pattern: str) -> None:
    await create(ca, admin, "/npm/*")

    body = await ca.fail(
        "POST",
        "/v1/package-group",
        query={"domain": "acme"},
        json={"packageGroup": pattern},
        creds=admin,
        status=409,
        error="ConflictException",
    )

    assert "already exists" in body["message"]
    assert body["resourceId"] == pattern


async def test_patterns_are_case_sensitive(ca, admin, domain) -> None:
    for pattern in ["/npm//AsyncStorage$", "/npm//asyncStorage$", "/npm//asyncstorage$"]:
        await create(ca, admin, pattern)

    reply = await list_groups(ca, admin, prefix="/npm//")

    assert [g["pattern"] for g in reply["packageGroups"]] == [
        "/npm//AsyncStorage$",
        "/npm//asyncStorage$",
        "/npm//asyncstorage$",
    ]


@pytest.mark.parametrize(
    ("pattern", "message"),
    [
        ("npm/*", "starts with '/'"),
        ("/npm/space/foo-~", "after '-' use '*'"),
        ("/pypi/ns/requests$", "pypi packages have no namespace"),
        ("/pypi//Requests$", "write 'requests$'"),
        ("/maven//junit$", "need a namespace"),
        ("/python//requests$", "unknown package format"),
        ("/npm/a/b/c$", "at most a format, a namespace and a name"),
    ],
)
async def test_invalid_pattern(ca, admin, domain, pattern: str, message: str) -> None:
    for method in ("POST", "GET"):
        body = await ca.fail(
            method,
            "/v1/package-group",
            query={"domain": "acme", "package-group": pattern},
            json={"packageGroup": pattern} if method == "POST" else None,
            creds=admin,
            status=400,
            error="ValidationException",
        )

        assert message in body["message"]


async def test_model_constraints_are_checked(ca, admin, domain) -> None:
    body = await ca.fail(
        "POST",
        "/v1/package-group",
        query={"domain": "acme"},
        json={"packageGroup": "/npm/*", "description": "x" * 1001},
        creds=admin,
        status=400,
        error="ValidationException",
    )

    assert "description" in body["message"]


async def test_describe_missing_group(ca, admin, domain) -> None:
    body = await ca.fail(
        "GET",
        "/v1/package-group",
        query={"domain": "acme", "package-group": "/npm/*"},
        creds=admin,
        status=404,
        error="ResourceNotFoundException",
    )

    assert "/npm/*" in body["message"]
    assert body["resourceId"] == "/npm/*"


async def test_group_in_a_missing_domain(ca, admin) -> None:
    for method in ("POST", "GET"):
        body = await ca.fail(
            method,
            "/v1/package-group",
            query={"domain": "ghost", "package-group": "/npm/*"},
            json={"packageGroup": "/npm/*"} if method == "POST" else None,
            creds=admin,
            status=404,
            error="ResourceNotFoundException",
        )
        assert body["resourceType"] == "domain"


# Update / Delete ------------------------------------------------------------------------------


async def test_update_package_group(ca, admin, domain) -> None:
    created = await create(ca, admin, "/npm/*", contactInfo="a@example.com", description="old")

    reply = await ca.ok(
        "PUT",
        "/v1/package-group",
        query={"domain": "acme"},
        json={"packageGroup": "/npm/*", "description": "new"},
        creds=admin,
    )

    assert reply["packageGroup"] == {**created, "description": "new"}
    assert await describe(ca, admin, "/npm/*") == reply["packageGroup"]


async def test_update_the_root_group(ca, admin, domain) -> None:
    reply = await ca.ok(
        "PUT",
        "/v1/package-group",
        query={"domain": "acme"},
        json={"packageGroup": "/*", "contactInfo": "admins@example.com"},
        creds=admin,
    )

    assert reply["packageGroup"]["contactInfo"] == "admins@example.com"
    assert (await describe(ca, admin, "/*"))["contactInfo"] == "admins@example.com"


async def test_update_missing_group(ca, admin, domain) -> None:
    await ca.fail(
        "PUT",
        "/v1/package-group",
        query={"domain": "acme"},
        json={"packageGroup": "/npm/*", "description": "x"},
        creds=admin,
        status=404,
        error="ResourceNotFoundException",
    )


async def test_delete_package_group(ca, admin, domain) -> None:
    created = await create(ca, admin, "/npm/*", description="bye")

    reply = await ca.ok(
        "DELETE",
        "/v1/package-group",
        query={"domain": "acme", "package-group": "/npm/*"},
        creds=admin,
    )

    assert reply == {"packageGroup": created}
    await ca.fail(
        "GET",
        "/v1/package-group",
        query={"domain": "acme", "package-group": "/npm/*"},
        creds=admin,
        status=404,
        error="ResourceNotFoundException",
    )
    await ca.fail(
        "DELETE",
        "/v1/package-group",
        query={"domain": "acme", "package-group": "/npm/*"},
        creds=admin,
        status=404,
        error="ResourceNotFoundException",
    )


async def test_the_root_group_cannot_be_deleted(ca, admin, domain) -> None:
    body = await ca.fail(
        "DELETE",
        "/v1/package-group",
        query={"domain": "acme", "package-group": "/*"},
        creds=admin,
        status=400,
        error="ValidationException",
    )

    assert "root" in body["message"]


async def test_deleting_a_parent_moves_its_children_to_the_grandparent(ca, admin, domain) -> None:
    """The user guide: direct children become children of the deleted group's parent, and may
    inherit different settings from then on."""
    await create(ca, admin, "/npm/*")
    await create(ca, admin, "/npm/space/*")
    await create(ca, admin, "/npm/space/ui~")
    await create(ca, admin, "/npm/space/db~")
    await origin(ca, admin, "/npm/space/*", restrictions={"PUBLISH": "BLOCK"})
    assert restriction(await describe(ca, admin, "/npm/space/ui~"), "PUBLISH")["effectiveMode"] == (
        "BLOCK"
    )

    await ca.ok(
        "DELETE",
        "/v1/package-group",
        query={"domain": "acme", "package-group": "/npm/space/*"},
        creds=admin,
    )

    child = await describe(ca, admin, "/npm/space/ui~")
    assert child["parent"]["pattern"] == "/npm/*"
    assert restriction(child, "PUBLISH")["effectiveMode"] == "ALLOW"
    subgroups = await ca.ok(
        "POST",
        "/v1/package-groups/sub-groups",
        query={"domain": "acme", "package-group": "/npm/*"},
        creds=admin,
    )
    assert [g["pattern"] for g in subgroups["packageGroups"]] == [
        "/npm/space/db~",
        "/npm/space/ui~",
    ]


async def test_deleting_a_domain_deletes_its_groups(ca, admin) -> None:
    await ca.create_domain(admin, "scratch")
    await create(ca, admin, "/npm/*", domain="scratch")

    await ca.ok("DELETE", "/v1/domain", query={"domain": "scratch"}, creds=admin)
    await ca.create_domain(admin, "scratch")

    reply = await ca.ok("POST", "/v1/package-groups", query={"domain": "scratch"}, creds=admin)
    assert [g["pattern"] for g in reply["packageGroups"]] == ["/*"]


# Listing --------------------------------------------------------------------------------------


async def test_list_package_groups(ca, admin, domain) -> None:
    for pattern in ["/pypi/*", "/npm/space/*", "/npm/*"]:
        await create(ca, admin, pattern)

    reply = await list_groups(ca, admin)

    assert set(reply) == {"packageGroups"}
    assert [g["pattern"] for g in reply["packageGroups"]] == [
        "/*",
        "/npm/*",
        "/npm/space/*",
        "/pypi/*",
    ]
    summary = reply["packageGroups"][2]
    assert summary == await describe(ca, admin, "/npm/space/*")
    assert summary["parent"]["pattern"] == "/npm/*"


async def test_list_package_groups_prefix(ca, admin, domain) -> None:
    for pattern in ["/pypi/*", "/npm/space/*", "/npm/*"]:
        await create(ca, admin, pattern)

    reply = await list_groups(ca, admin, prefix="/npm/")

    assert [g["pattern"] for g in reply["packageGroups"]] == ["/npm/*", "/npm/space/*"]


async def test_list_package_groups_pages(ca, admin, domain) -> None:
    patterns = ["/npm/*", "/npm/a/*", "/npm/b/*", "/npm/c/*", "/pypi/*"]
    for pattern in patterns:
        await create(ca, admin, pattern)

    seen: list[str] = []
    token = None
    while True:
        reply = await list_groups(ca, admin, **{"max-results": 2, "next-token": token})
        assert len(reply["packageGroups"]) <= 2
        seen += [g["pattern"] for g in reply["packageGroups"]]
        token = reply.get("nextToken")
        if token is None:
            break

    assert seen == ["/*", *patterns]


async def test_list_package_groups_bad_token(ca, admin, domain) -> None:
    await ca.fail(
        "POST",
        "/v1/package-groups",
        query={"domain": "acme", "next-token": "garbage"},
        creds=admin,
        status=400,
        error="ValidationException",
    )


async def test_list_sub_package_groups(ca, admin, domain) -> None:
    for pattern in ["/npm/*", "/npm/space/*", "/npm/space/ui~", "/npm/other/*", "/pypi/*"]:
        await create(ca, admin, pattern)

    async def children(pattern: str, **query: Any) -> dict[str, Any]:
        return await ca.ok(  # type: ignore[no-any-return]
            "POST",
            "/v1/package-groups/sub-groups",
            query={"domain": "acme", "package-group": pattern, **query},
            creds=admin,
        )

    assert [g["pattern"] for g in (await children("/*"))["packageGroups"]] == ["/npm/*", "/pypi/*"]
    assert [g["pattern"] for g in (await children("/npm/*"))["packageGroups"]] == [
        "/npm/other/*",
        "/npm/space/*",
    ]
    assert (await children("/npm/space/ui~"))["packageGroups"] == []
    first = await children("/npm/*", **{"max-results": 1})
    assert [g["pattern"] for g in first["packageGroups"]] == ["/npm/other/*"]
    second = await children("/npm/*", **{"max-results": 1, "next-token": first["nextToken"]})
    assert [g["pattern"] for g in second["packageGroups"]] == ["/npm/space/*"]
    assert "nextToken" not in second
    await ca.fail(
        "POST",
        "/v1/package-groups/sub-groups",
        query={"domain": "acme", "package-group": "/maven/*"},
        creds=admin,
        status=404,
        error="ResourceNotFoundException",
    )


# Associations ---------------------------------------------------------------------------------


async def test_get_associated_package_group(ca, admin, domain) -> None:
    await create(ca, admin, "/npm/*")
    await create(ca, admin, "/npm/space/*")
    await create(ca, admin, "/npm/space/anycompany~")
    await create(ca, admin, "/npm//AsyncStorage$")
    await create(ca, admin, "/pypi//acme-tools$")

    assert await associated_group(ca, admin, "npm", "react") == ("/npm/*", "STRONG")
    assert await associated_group(ca, admin, "npm", "x", "space") == ("/npm/space/*", "STRONG")
    assert await associated_group(ca, admin, "npm", "anycompany-ui", "space") == (
        "/npm/space/anycompany~",
        "STRONG",
    )
    assert await associated_group(ca, admin, "npm", "anycompanyui", "space") == (
        "/npm/space/*",
        "STRONG",
    )
    assert await associated_group(ca, admin, "npm", "AnyCompany-ui", "space") == (
        "/npm/space/anycompany~",
        "WEAK",
    )
    assert await associated_group(ca, admin, "npm", "asyncstorage") == (
        "/npm//AsyncStorage$",
        "WEAK",
    )
    assert await associated_group(ca, admin, "pypi", "Acme_Tools") == (
        "/pypi//acme-tools$",
        "STRONG",
    )
    assert await associated_group(ca, admin, "maven", "core", "org.x") == ("/*", "STRONG")


async def test_get_associated_package_group_answers_a_full_description(ca, admin, domain) -> None:
    await create(ca, admin, "/npm/*")

    reply = await ca.ok(
        "GET",
        "/v1/get-associated-package-group",
        query={"domain": "acme", "format": "npm", "package": "react"},
        creds=admin,
    )

    assert reply["packageGroup"] == await describe(ca, admin, "/npm/*")


async def test_get_associated_package_group_in_a_missing_domain(ca, admin) -> None:
    await ca.fail(
        "GET",
        "/v1/get-associated-package-group",
        query={"domain": "ghost", "format": "npm", "package": "react"},
        creds=admin,
        status=404,
        error="ResourceNotFoundException",
    )


async def test_list_associated_packages(ca, admin, domain) -> None:
    await put_package(ca, admin, "npm", "react")
    await put_package(ca, admin, "npm", "ui-kit", "space")
    await put_package(ca, admin, "npm", "UI-Kit-Pro", "space", repository="store")
    await put_package(ca, admin, "npm", "db", "space", repository="store")
    await put_package(ca, admin, "npm", "db", "space", repository="libs")  # listed once
    await put_package(ca, admin, "pypi", "requests")
    await create(ca, admin, "/npm/*")
    await create(ca, admin, "/npm/space/*")
    await create(ca, admin, "/npm/space/ui-kit~")

    async def packages(pattern: str) -> list[tuple[str, str | None, str, str]]:
        reply = await associated(ca, admin, pattern)
        return [
            (p["format"], p.get("namespace"), p["package"], p["associationType"])
            for p in reply["packages"]
        ]

    assert await packages("/npm/*") == [("npm", None, "react", "STRONG")]
    assert await packages("/npm/space/*") == [("npm", "space", "db", "STRONG")]
    assert await packages("/npm/space/ui-kit~") == [
        ("npm", "space", "UI-Kit-Pro", "WEAK"),
        ("npm", "space", "ui-kit", "STRONG"),
    ]
    assert await packages("/*") == [("pypi", None, "requests", "STRONG")]


async def test_list_associated_packages_preview(ca, admin, domain) -> None:
    await put_package(ca, admin, "npm", "react")
    await put_package(ca, admin, "npm", "react-dom")
    await put_package(ca, admin, "npm", "vue")

    await ca.fail(
        "GET",
        "/v1/list-associated-packages",
        query={"domain": "acme", "package-group": "/npm//react~"},
        creds=admin,
        status=404,
        error="ResourceNotFoundException",
    )
    reply = await associated(ca, admin, "/npm//react~", preview="true")

    assert [p["package"] for p in reply["packages"]] == ["react", "react-dom"]
    assert (await list_groups(ca, admin))["packageGroups"][-1]["pattern"] == "/*"  # not created


async def test_list_associated_packages_pages(ca, admin, domain) -> None:
    names = [f"pkg-{i}" for i in range(5)]
    for name in names:
        await put_package(ca, admin, "npm", name)
    await put_package(ca, admin, "pypi", "other")
    await create(ca, admin, "/npm/*")

    seen: list[str] = []
    token = None
    while True:
        reply = await associated(ca, admin, "/npm/*", **{"max-results": 2, "next-token": token})
        assert len(reply["packages"]) <= 2
        seen += [p["package"] for p in reply["packages"]]
        token = reply.get("nextToken")
        if token is None:
            break

    assert seen == names


# Origin configuration -------------------------------------------------------------------------


async def test_update_origin_configuration(ca, admin, domain) -> None:
    await create(ca, admin, "/npm/*")
    await create(ca, admin, "/npm/space/*")

    reply = await origin(
        ca,
        admin,
        "/npm/*",
        restrictions={
            "PUBLISH": "BLOCK",
            "EXTERNAL_UPSTREAM": "ALLOW_SPECIFIC_REPOSITORIES",
            "INTERNAL_UPSTREAM": "ALLOW_SPECIFIC_REPOSITORIES",
        },
        addAllowedRepositories=[
            {"originRestrictionType": "INTERNAL_UPSTREAM", "repositoryName": "libs"},
            {"originRestrictionType": "EXTERNAL_UPSTREAM", "repositoryName": "store"},
            {"originRestrictionType": "INTERNAL_UPSTREAM", "repositoryName": "store"},
        ],
    )

    assert set(reply) == {"packageGroup", "allowedRepositoryUpdates"}
    assert reply["allowedRepositoryUpdates"] == {
        "INTERNAL_UPSTREAM": {"ADDED": ["libs", "store"]},
        "EXTERNAL_UPSTREAM": {"ADDED": ["store"]},
    }
    restrictions = reply["packageGroup"]["originConfiguration"]["restrictions"]
    assert restrictions == {
        "PUBLISH": {"mode": "BLOCK", "effectiveMode": "BLOCK", "repositoriesCount": 0},
        "EXTERNAL_UPSTREAM": {
            "mode": "ALLOW_SPECIFIC_REPOSITORIES",
            "effectiveMode": "ALLOW_SPECIFIC_REPOSITORIES",
            "repositoriesCount": 1,
        },
        "INTERNAL_UPSTREAM": {
            "mode": "ALLOW_SPECIFIC_REPOSITORIES",
            "effectiveMode": "ALLOW_SPECIFIC_REPOSITORIES",
            "repositoriesCount": 2,
        },
    }
    assert await describe(ca, admin, "/npm/*") == reply["packageGroup"]
    child = await describe(ca, admin, "/npm/space/*")
    assert restriction(child, "PUBLISH") == {
        "mode": "INHERIT",
        "effectiveMode": "BLOCK",
        "inheritedFrom": {"arn": reply["packageGroup"]["arn"], "pattern": "/npm/*"},
        "repositoriesCount": 0,
    }


async def test_remove_allowed_repositories(ca, admin, domain) -> None:
    await create(ca, admin, "/npm/*")
    entry = {"originRestrictionType": "PUBLISH", "repositoryName": "libs"}
    await origin(
        ca,
        admin,
        "/npm/*",
        restrictions={"PUBLISH": "ALLOW_SPECIFIC_REPOSITORIES"},
        addAllowedRepositories=[entry, {**entry, "repositoryName": "store"}],
    )

    reply = await origin(ca, admin, "/npm/*", removeAllowedRepositories=[entry])

    assert reply["allowedRepositoryUpdates"] == {"PUBLISH": {"REMOVED": ["libs"]}}
    assert restriction(reply["packageGroup"], "PUBLISH")["mode"] == "ALLOW_SPECIFIC_REPOSITORIES"
    assert restriction(reply["packageGroup"], "PUBLISH")["repositoriesCount"] == 1


async def test_list_allowed_repositories_for_group(ca, admin, domain) -> None:
    for name in ["repo-c", "repo-a", "repo-b"]:
        await ca.create_repository(admin, "acme", name)
    await origin(
        ca,
        admin,
        "/*",
        restrictions={"PUBLISH": "ALLOW_SPECIFIC_REPOSITORIES"},
        addAllowedRepositories=[
            {"originRestrictionType": "PUBLISH", "repositoryName": name}
            for name in ["repo-c", "repo-a", "repo-b"]
        ],
    )

    async def allowed(restriction_type: str, **query: Any) -> dict[str, Any]:
        return await ca.ok(  # type: ignore[no-any-return]
            "GET",
            "/v1/package-group-allowed-repositories",
            query={
                "domain": "acme",
                "package-group": "/*",
                "originRestrictionType": restriction_type,
                **query,
            },
            creds=admin,
        )

    assert await allowed("PUBLISH") == {"allowedRepositories": ["repo-a", "repo-b", "repo-c"]}
    assert await allowed("EXTERNAL_UPSTREAM") == {"allowedRepositories": []}
    first = await allowed("PUBLISH", **{"max-results": 2})
    assert first["allowedRepositories"] == ["repo-a", "repo-b"]
    second = await allowed("PUBLISH", **{"max-results": 2, "next-token": first["nextToken"]})
    assert second == {"allowedRepositories": ["repo-c"]}


async def test_deleted_repositories_leave_the_allowed_lists(ca, admin, domain) -> None:
    await origin(
        ca,
        admin,
        "/*",
        addAllowedRepositories=[{"originRestrictionType": "PUBLISH", "repositoryName": "store"}],
    )

    await ca.ok(
        "DELETE", "/v1/repository", query={"domain": "acme", "repository": "store"}, creds=admin
    )

    assert restriction(await describe(ca, admin, "/*"), "PUBLISH")["repositoriesCount"] == 0


async def test_allowing_a_missing_repository(ca, admin, domain) -> None:
    await create(ca, admin, "/npm/*")

    body = await ca.fail(
        "PUT",
        "/v1/package-group-origin-configuration",
        query={"domain": "acme", "package-group": "/npm/*"},
        json={
            "restrictions": {"PUBLISH": "ALLOW_SPECIFIC_REPOSITORIES"},
            "addAllowedRepositories": [
                {"originRestrictionType": "PUBLISH", "repositoryName": "ghost"}
            ],
        },
        creds=admin,
        status=404,
        error="ResourceNotFoundException",
    )

    assert body["resourceType"] == "repository"
    assert restriction(await describe(ca, admin, "/npm/*"), "PUBLISH")["mode"] == "INHERIT"


async def test_the_root_cannot_inherit(ca, admin, domain) -> None:
    await ca.fail(
        "PUT",
        "/v1/package-group-origin-configuration",
        query={"domain": "acme", "package-group": "/*"},
        json={"restrictions": {"PUBLISH": "INHERIT"}},
        creds=admin,
        status=400,
        error="ValidationException",
    )


async def test_invalid_origin_configuration(ca, admin, domain) -> None:
    await create(ca, admin, "/npm/*")
    for body in [
        {"restrictions": {"PUBLISH": "MAYBE"}},
        {"restrictions": {"UPLOAD": "ALLOW"}},
        {
            "addAllowedRepositories": [{"originRestrictionType": "PUBLISH", "repositoryName": "l"}],
        },
        {
            "addAllowedRepositories": [
                {"originRestrictionType": "PUBLISH", "repositoryName": "libs"}
            ],
            "removeAllowedRepositories": [
                {"originRestrictionType": "PUBLISH", "repositoryName": "libs"}
            ],
        },
    ]:
        await ca.fail(
            "PUT",
            "/v1/package-group-origin-configuration",
            query={"domain": "acme", "package-group": "/npm/*"},
            json=body,
            creds=admin,
            status=400,
            error="ValidationException",
        )


async def test_origin_configuration_of_a_missing_group(ca, admin, domain) -> None:
    await ca.fail(
        "PUT",
        "/v1/package-group-origin-configuration",
        query={"domain": "acme", "package-group": "/npm/*"},
        json={"restrictions": {"PUBLISH": "BLOCK"}},
        creds=admin,
        status=404,
        error="ResourceNotFoundException",
    )
    await ca.fail(
        "GET",
        "/v1/package-group-allowed-repositories",
        query={"domain": "acme", "package-group": "/npm/*", "originRestrictionType": "PUBLISH"},
        creds=admin,
        status=404,
        error="ResourceNotFoundException",
    )


# effective_restrictions: what publishing and resolution ask ------------------------------------


async def test_effective_restrictions(ca, admin, domain, services) -> None:
    """The user guide's example: repoA → repoB → npmjs, ``/npm/space/anycompany~`` ingested
    into repoB only (EXTERNAL_UPSTREAM) and retained into repoA only (INTERNAL_UPSTREAM)."""
    await ca.create_repository(admin, "acme", "repoB")
    await ca.create_repository(admin, "acme", "repoA", upstreams=["repoB"])
    await create(ca, admin, "/npm/space/anycompany~")
    await origin(
        ca,
        admin,
        "/npm/space/anycompany~",
        restrictions={
            "PUBLISH": "BLOCK",
            "EXTERNAL_UPSTREAM": "ALLOW_SPECIFIC_REPOSITORIES",
            "INTERNAL_UPSTREAM": "ALLOW_SPECIFIC_REPOSITORIES",
        },
        addAllowedRepositories=[
            {"originRestrictionType": "INTERNAL_UPSTREAM", "repositoryName": "repoA"},
            {"originRestrictionType": "EXTERNAL_UPSTREAM", "repositoryName": "repoB"},
        ],
    )

    async def ask(repository: str, name: str) -> tuple[str, str, bool, bool, bool]:
        async with services.db.session() as session:
            domain_id = await session.scalar(select(Domain.id).where(Domain.name == "acme"))
            answer = await effective_restrictions(
                session, domain_id, repository, PackageKey(PackageFormat.NPM, "space", name)
            )
        return (
            answer.group,
            answer.association.value,
            answer.publish,
            answer.external_upstream,
            answer.internal_upstream,
        )

    group = "/npm/space/anycompany~"
    assert await ask("repoA", "anycompany-ui") == (group, "STRONG", False, False, True)
    assert await ask("repoB", "anycompany-ui") == (group, "STRONG", False, True, False)
    assert await ask("libs", "anycompany-ui") == (group, "STRONG", False, False, False)
    assert await ask("repoA", "AnyCompany-ui") == (group, "WEAK", False, False, False)
    assert await ask("libs", "react") == ("/*", "STRONG", True, True, True)


# Tags -----------------------------------------------------------------------------------------


async def test_tags_on_create_and_by_arn(ca, admin, domain) -> None:
    group = await create(ca, admin, "/npm/*", tags=[{"key": "team", "value": "web"}])

    async def tags(arn: str) -> dict[str, str]:
        reply = await ca.ok("POST", "/v1/tags", query={"resourceArn": arn}, creds=admin)
        return {item["key"]: item["value"] for item in reply["tags"]}

    assert await tags(group["arn"]) == {"team": "web"}
    await ca.ok(
        "POST",
        "/v1/tag",
        query={"resourceArn": group["arn"]},
        json={"tags": [{"key": "tier", "value": "1"}]},
        creds=admin,
    )
    await ca.ok(
        "POST",
        "/v1/untag",
        query={"resourceArn": group["arn"]},
        json={"tagKeys": ["team"]},
        creds=admin,
    )
    assert await tags(group["arn"]) == {"tier": "1"}
    upper = group["arn"].replace("%2a", "%2A")  # the same group, however encoded
    assert await tags(upper) == {"tier": "1"}
    root = group_arn(admin.account_id, "acme", "/%2a")
    assert await tags(root) == {}

    await ca.ok(
        "DELETE",
        "/v1/package-group",
        query={"domain": "acme", "package-group": "/npm/*"},
        creds=admin,
    )
    await ca.fail(
        "POST",
        "/v1/tags",
        query={"resourceArn": group["arn"]},
        creds=admin,
        status=404,
        error="ResourceNotFoundException",
    )
    assert await tags((await create(ca, admin, "/npm/*"))["arn"]) == {}


async def test_tag_conditions_apply_to_create(ca, admin, users, domain) -> None:
    creator = await users.create(
        "creator",
        {
            "Version": "2012-10-17",
            "Statement": [
                {"Effect": "Allow", "Action": "codeartifact:*", "Resource": "*"},
                {
                    "Effect": "Deny",
                    "Action": "codeartifact:TagResource",
                    "Resource": "*",
                    "Condition": {"StringEquals": {"aws:RequestTag/team": "forbidden"}},
                },
            ],
        },
    )

    await create(ca, creator, "/npm/*", tags=[{"key": "team", "value": "web"}])
    await ca.fail(
        "POST",
        "/v1/package-group",
        query={"domain": "acme"},
        json={"packageGroup": "/pypi/*", "tags": [{"key": "team", "value": "forbidden"}]},
        creds=creator,
        status=403,
        error="AccessDeniedException",
    )


# Authorization --------------------------------------------------------------------------------


async def test_identity_policy_scoped_to_a_group_arn(ca, admin, users, domain) -> None:
    await create(ca, admin, "/npm/*")
    await create(ca, admin, "/pypi/*")
    viewer = await users.create(
        "viewer",
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Action": "codeartifact:DescribePackageGroup",
                    "Resource": group_arn(admin.account_id, "acme", "/npm/*"),
                }
            ],
        },
    )

    await describe(ca, viewer, "/npm/*")
    await ca.fail(
        "GET",
        "/v1/package-group",
        query={"domain": "acme", "package-group": "/pypi/*"},
        creds=viewer,
        status=403,
        error="AccessDeniedException",
    )


async def test_domain_policy_grants_package_group_access_across_accounts(
    ca, admin, users, domain
) -> None:
    other = await users.account("222233334444")
    outsider = await users.create(
        "outsider",
        {
            "Version": "2012-10-17",
            "Statement": [{"Effect": "Allow", "Action": "codeartifact:*", "Resource": "*"}],
        },
        account=other,
    )
    await create(ca, admin, "/npm/*")
    query = {"domain": "acme", "domain-owner": admin.account_id, "package-group": "/npm/*"}

    await ca.fail(
        "GET",
        "/v1/package-group",
        query=query,
        creds=outsider,
        status=403,
        error="AccessDeniedException",
    )
    await ca.put_domain_policy(
        admin,
        "acme",
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Principal": {"AWS": outsider.arn},
                    "Action": "codeartifact:DescribePackageGroup",
                    "Resource": "*",
                }
            ],
        },
    )
    reply = await ca.ok("GET", "/v1/package-group", query=query, creds=outsider)
    assert reply["packageGroup"]["pattern"] == "/npm/*"
