"""Who may do what: identity policies, domain and repository policies, cross-account access,
explicit denies, owner lock-out protection, sts:GetServiceBearerToken and tag conditions."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import pytest

from coffer.api.registry import HANDLERS

pytestmark = pytest.mark.anyio

REGION = "us-east-1"
CODEARTIFACT_ALL = {"Effect": "Allow", "Action": "codeartifact:*", "Resource": "*"}
BEARER_TOKEN = {"Effect": "Allow", "Action": "sts:GetServiceBearerToken", "Resource": "*"}
POLICY = json.dumps(
    {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Principal": "*", "Action": "codeartifact:*", "Resource": "*"}
        ],
    }
)


def identity(*statements: dict[str, Any]) -> dict[str, Any]:
    return {"Version": "2012-10-17", "Statement": list(statements)}


def resource_policy(*statements: dict[str, Any]) -> dict[str, Any]:
    return {"Version": "2012-10-17", "Statement": list(statements)}


def domain_arn(account: str, domain: str) -> str:
    return f"arn:aws:codeartifact:{REGION}:{account}:domain/{domain}"


def repository_arn(account: str, domain: str, repository: str) -> str:
    return f"arn:aws:codeartifact:{REGION}:{account}:repository/{domain}/{repository}"


@pytest.fixture
async def acme(ca, admin) -> str:
    """Domain ``acme`` with repositories ``libs`` and ``store``, owned by the admin's account."""
    await ca.create_domain(admin, "acme")
    await ca.create_repository(admin, "acme", "libs")
    await ca.create_repository(admin, "acme", "store")
    return "acme"


# Every operation, denied to a principal without any policy --------------------------------


@dataclass(frozen=True)
class Op:
    name: str
    method: str
    path: str
    query: dict[str, str]
    json: dict[str, Any] | None
    action: str
    resource: str  # "domain", "repository", "new-…", "package…", "…group" or "*"
    content: bytes | None = None
    headers: dict[str, str] | None = None


PKG = {"domain": "acme", "repository": "libs", "format": "pypi", "package": "demo"}
VER = {**PKG, "version": "1.0"}
GENERIC = {**VER, "format": "generic", "namespace": "ns", "asset": "a.txt"}
GROUP = {"domain": "acme", "package-group": "/npm/*"}
ASSET_SHA256 = "a" * 64


OPERATIONS = [
    Op("CreateDomain", "POST", "/v1/domain", {"domain": "fresh"}, {}, "CreateDomain",
       "new-domain"),
    Op("DescribeDomain", "GET", "/v1/domain", {"domain": "acme"}, None, "DescribeDomain",
       "domain"),
    Op("DeleteDomain", "DELETE", "/v1/domain", {"domain": "acme"}, None, "DeleteDomain",
       "domain"),
    Op("ListDomains", "POST", "/v1/domains", {}, {}, "ListDomains", "*"),
    Op("CreateRepository", "POST", "/v1/repository", {"domain": "acme", "repository": "fresh"},
       {}, "CreateRepository", "new-repository"),
    Op("DescribeRepository", "GET", "/v1/repository", {"domain": "acme", "repository": "libs"},
       None, "DescribeRepository", "repository"),
    Op("UpdateRepository", "PUT", "/v1/repository", {"domain": "acme", "repository": "libs"},
       {"description": "x"}, "UpdateRepository", "repository"),
    Op("DeleteRepository", "DELETE", "/v1/repository", {"domain": "acme", "repository": "libs"},
       None, "DeleteRepository", "repository"),
    Op("ListRepositories", "POST", "/v1/repositories", {}, None, "ListRepositories", "*"),
    Op("ListRepositoriesInDomain", "POST", "/v1/domain/repositories", {"domain": "acme"}, None,
       "ListRepositoriesInDomain", "domain"),
    Op("GetRepositoryEndpoint", "GET", "/v1/repository/endpoint",
       {"domain": "acme", "repository": "libs", "format": "pypi"}, None,
       "GetRepositoryEndpoint", "repository"),
    Op("GetAuthorizationToken", "POST", "/v1/authorization-token", {"domain": "acme"}, None,
       "GetAuthorizationToken", "domain"),
    Op("PutDomainPermissionsPolicy", "PUT", "/v1/domain/permissions/policy", {},
       {"domain": "acme", "policyDocument": POLICY}, "PutDomainPermissionsPolicy", "domain"),
    Op("GetDomainPermissionsPolicy", "GET", "/v1/domain/permissions/policy", {"domain": "acme"},
       None, "GetDomainPermissionsPolicy", "domain"),
    Op("DeleteDomainPermissionsPolicy", "DELETE", "/v1/domain/permissions/policy",
       {"domain": "acme"}, None, "DeleteDomainPermissionsPolicy", "domain"),
    Op("PutRepositoryPermissionsPolicy", "PUT", "/v1/repository/permissions/policy",
       {"domain": "acme", "repository": "libs"}, {"policyDocument": POLICY},
       "PutRepositoryPermissionsPolicy", "repository"),
    Op("GetRepositoryPermissionsPolicy", "GET", "/v1/repository/permissions/policy",
       {"domain": "acme", "repository": "libs"}, None, "GetRepositoryPermissionsPolicy",
       "repository"),
    Op("DeleteRepositoryPermissionsPolicy", "DELETE", "/v1/repository/permissions/policies",
       {"domain": "acme", "repository": "libs"}, None, "DeleteRepositoryPermissionsPolicy",
       "repository"),
    Op("TagResource", "POST", "/v1/tag", {"resourceArn": "domain"},
       {"tags": [{"key": "k", "value": "v"}]}, "TagResource", "domain"),
    Op("UntagResource", "POST", "/v1/untag", {"resourceArn": "domain"}, {"tagKeys": ["k"]},
       "UntagResource", "domain"),
    Op("ListTagsForResource", "POST", "/v1/tags", {"resourceArn": "domain"}, None,
       "ListTagsForResource", "domain"),
    Op("ListPackages", "POST", "/v1/packages", {"domain": "acme", "repository": "libs"}, None,
       "ListPackages", "repository"),
    Op("DescribePackage", "GET", "/v1/package", PKG, None, "DescribePackage", "package"),
    Op("DeletePackage", "DELETE", "/v1/package", PKG, None, "DeletePackage", "package"),
    Op("ListPackageVersions", "POST", "/v1/package/versions", PKG, None,
       "ListPackageVersions", "package"),
    Op("DescribePackageVersion", "GET", "/v1/package/version", VER, None,
       "DescribePackageVersion", "package"),
    Op("ListPackageVersionAssets", "POST", "/v1/package/version/assets", VER, None,
       "ListPackageVersionAssets", "package"),
    Op("GetPackageVersionAsset", "GET", "/v1/package/version/asset", {**VER, "asset": "x"},
       None, "GetPackageVersionAsset", "package"),
    Op("GetPackageVersionReadme", "GET", "/v1/package/version/readme", VER, None,
       "GetPackageVersionReadme", "package"),
    Op("ListPackageVersionDependencies", "POST", "/v1/package/version/dependencies", VER,
       None, "ListPackageVersionDependencies", "package"),
    Op("UpdatePackageVersionsStatus", "POST", "/v1/package/versions/update_status", PKG,
       {"versions": ["1.0"], "targetStatus": "Archived"}, "UpdatePackageVersionsStatus",
       "package"),
    Op("DisposePackageVersions", "POST", "/v1/package/versions/dispose", PKG,
       {"versions": ["1.0"]}, "DisposePackageVersions", "package"),
    Op("DeletePackageVersions", "POST", "/v1/package/versions/delete", PKG,
       {"versions": ["1.0"]}, "DeletePackageVersions", "package"),
    Op("CopyPackageVersions", "POST", "/v1/package/versions/copy",
       {"domain": "acme", "source-repository": "libs", "destination-repository": "store",
        "format": "pypi", "package": "demo"},
       {"versions": ["1.0"]}, "ReadFromRepository", "package"),
    Op("PutPackageOriginConfiguration", "POST", "/v1/package", PKG,
       {"restrictions": {"publish": "BLOCK", "upstream": "ALLOW"}},
       "PutPackageOriginConfiguration", "package"),
    Op("AssociateExternalConnection", "POST", "/v1/repository/external-connection",
       {"domain": "acme", "repository": "libs", "external-connection": "public:pypi"}, None,
       "AssociateExternalConnection", "repository"),
    Op("DisassociateExternalConnection", "DELETE", "/v1/repository/external-connection",
       {"domain": "acme", "repository": "libs", "external-connection": "public:pypi"}, None,
       "DisassociateExternalConnection", "repository"),
    Op("PublishPackageVersion", "POST", "/v1/package/version/publish", GENERIC, None,
       "PublishPackageVersion", "generic-package", content=b"",
       headers={"x-amz-content-sha256": ASSET_SHA256}),
    Op("CreatePackageGroup", "POST", "/v1/package-group", {"domain": "acme"},
       {"packageGroup": "/npm/*"}, "CreatePackageGroup", "group"),
    Op("DescribePackageGroup", "GET", "/v1/package-group", GROUP, None, "DescribePackageGroup",
       "group"),
    Op("UpdatePackageGroup", "PUT", "/v1/package-group", {"domain": "acme"},
       {"packageGroup": "/npm/*", "description": "x"}, "UpdatePackageGroup", "group"),
    Op("DeletePackageGroup", "DELETE", "/v1/package-group", GROUP, None, "DeletePackageGroup",
       "group"),
    Op("ListPackageGroups", "POST", "/v1/package-groups", {"domain": "acme"}, None,
       "ListPackageGroups", "domain"),
    Op("ListSubPackageGroups", "POST", "/v1/package-groups/sub-groups", GROUP, None,
       "ListSubPackageGroups", "group"),
    Op("ListAssociatedPackages", "GET", "/v1/list-associated-packages", GROUP, None,
       "ListAssociatedPackages", "group"),
    Op("GetAssociatedPackageGroup", "GET", "/v1/get-associated-package-group",
       {"domain": "acme", "format": "npm", "package": "react"}, None,
       "GetAssociatedPackageGroup", "root-group"),
    Op("UpdatePackageGroupOriginConfiguration", "PUT", "/v1/package-group-origin-configuration",
       GROUP, {"restrictions": {"PUBLISH": "BLOCK"}}, "UpdatePackageGroupOriginConfiguration",
       "group"),
    Op("ListAllowedRepositoriesForGroup", "GET", "/v1/package-group-allowed-repositories",
       {**GROUP, "originRestrictionType": "PUBLISH"}, None, "ListAllowedRepositoriesForGroup",
       "group"),
]  # fmt: skip


def resolve(op: Op, account: str) -> tuple[dict[str, str], str]:
    """The op's query (ARN placeholders filled in) and the resource its denial names."""
    resource = {
        "domain": domain_arn(account, "acme"),
        "new-domain": domain_arn(account, "fresh"),
        "repository": repository_arn(account, "acme", "libs"),
        "new-repository": repository_arn(account, "acme", "fresh"),
        "package": f"arn:aws:codeartifact:{REGION}:{account}:package/acme/libs/pypi//demo",
        "generic-package": (
            f"arn:aws:codeartifact:{REGION}:{account}:package/acme/libs/generic/ns/demo"
        ),
        "group": f"arn:aws:codeartifact:{REGION}:{account}:package-group/acme/npm/%2a",
        "root-group": f"arn:aws:codeartifact:{REGION}:{account}:package-group/acme/%2a",
        "*": "*",
    }[op.resource]
    query = dict(op.query)
    if query.get("resourceArn") == "domain":
        query["resourceArn"] = domain_arn(account, "acme")
    return query, resource


def test_the_table_covers_every_implemented_operation() -> None:
    assert {op.name for op in OPERATIONS} == set(HANDLERS)


@pytest.mark.parametrize("op", OPERATIONS, ids=[op.name for op in OPERATIONS])
async def test_user_without_policy_is_denied_everything(ca, admin, users, acme, op: Op) -> None:
    nobody = await users.create("nobody")
    await ca.put_domain_policy(
        admin,
        "acme",
        {  # a policy that names somebody else
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Principal": {"AWS": admin.arn},
                    "Action": "codeartifact:*",
                    "Resource": "*",
                }
            ],
        },
    )
    query, resource = resolve(op, admin.account_id)

    body = await ca.fail(
        op.method,
        op.path,
        query=query,
        json=op.json,
        content=op.content,
        headers=op.headers,
        creds=nobody,
        status=403,
        error="AccessDeniedException",
    )

    assert nobody.arn in body["message"]
    assert (
        f"not authorized to perform: codeartifact:{op.action} on resource: {resource}"
        in (body["message"])
    )


@pytest.mark.parametrize(
    ("method", "path", "query"),
    [
        ("DELETE", "/v1/domain", {"domain": "acme"}),
        ("DELETE", "/v1/repository", {"domain": "acme", "repository": "libs"}),
        ("PUT", "/v1/repository", {"domain": "acme", "repository": "libs"}),
    ],
)
async def test_denied_writes_change_nothing(ca, admin, users, acme, method, path, query) -> None:
    async def state() -> list[dict]:
        return [
            await ca.ok("GET", "/v1/domain", query={"domain": "acme"}, creds=admin),
            await ca.ok(
                "GET", "/v1/repository", query={"domain": "acme", "repository": "libs"}, creds=admin
            ),
        ]

    before = await state()
    nobody = await users.create("nobody")

    await ca.fail(
        method,
        path,
        query=query,
        json={"description": "hacked"} if method == "PUT" else None,
        creds=nobody,
        status=403,
        error="AccessDeniedException",
    )

    assert await state() == before


@pytest.mark.parametrize(
    ("path", "query"),
    [
        ("/v1/domain", {"domain": "ghost"}),
        ("/v1/repository", {"domain": "acme", "repository": "ghost"}),
        ("/v1/repository", {"domain": "ghost", "repository": "ghost"}),
    ],
)
async def test_denial_does_not_reveal_whether_a_resource_exists(
    ca, users, acme, path: str, query: dict
) -> None:
    nobody = await users.create("nobody")

    await ca.fail("GET", path, query=query, creds=nobody, status=403, error="AccessDeniedException")


# Identity policies --------------------------------------------------------------------------


async def test_describe_only_user(ca, users, acme) -> None:
    viewer = await users.create(
        "viewer", identity({"Effect": "Allow", "Action": "codeartifact:Describe*", "Resource": "*"})
    )

    await ca.ok("GET", "/v1/domain", query={"domain": "acme"}, creds=viewer)
    await ca.ok(
        "GET", "/v1/repository", query={"domain": "acme", "repository": "libs"}, creds=viewer
    )
    for method, path, query, body in [
        ("POST", "/v1/domain", {"domain": "fresh"}, {}),
        ("POST", "/v1/repository", {"domain": "acme", "repository": "fresh"}, {}),
        ("DELETE", "/v1/repository", {"domain": "acme", "repository": "libs"}, None),
        ("POST", "/v1/domains", {}, {}),
    ]:
        await ca.fail(
            method,
            path,
            query=query,
            json=body,
            creds=viewer,
            status=403,
            error="AccessDeniedException",
        )


async def test_identity_policy_scoped_to_one_repository(ca, users, acme, admin) -> None:
    scoped = await users.create(
        "scoped",
        identity(
            {
                "Effect": "Allow",
                "Action": "codeartifact:DescribeRepository",
                "Resource": repository_arn(admin.account_id, "acme", "libs"),
            }
        ),
    )

    await ca.ok(
        "GET", "/v1/repository", query={"domain": "acme", "repository": "libs"}, creds=scoped
    )
    await ca.fail(
        "GET",
        "/v1/repository",
        query={"domain": "acme", "repository": "store"},
        creds=scoped,
        status=403,
        error="AccessDeniedException",
    )


async def test_explicit_deny_beats_allow_in_identity_policy(ca, users, acme, admin) -> None:
    careful = await users.create(
        "careful",
        identity(
            CODEARTIFACT_ALL,
            {
                "Effect": "Deny",
                "Action": ["codeartifact:Delete*"],
                "Resource": repository_arn(admin.account_id, "acme", "libs"),
            },
        ),
    )

    body = await ca.fail(
        "DELETE",
        "/v1/repository",
        query={"domain": "acme", "repository": "libs"},
        creds=careful,
        status=403,
        error="AccessDeniedException",
    )
    assert "explicit" in body["message"]
    await ca.ok(
        "DELETE", "/v1/repository", query={"domain": "acme", "repository": "store"}, creds=careful
    )


async def test_identity_policy_changes_apply_to_the_next_request(ca, users, acme) -> None:
    user = await users.create("changing")
    await ca.fail(
        "GET",
        "/v1/domain",
        query={"domain": "acme"},
        creds=user,
        status=403,
        error="AccessDeniedException",
    )

    await users.put_policy(user, identity(CODEARTIFACT_ALL))
    await ca.ok("GET", "/v1/domain", query={"domain": "acme"}, creds=user)

    await users.put_policy(user, None)
    await ca.fail(
        "GET",
        "/v1/domain",
        query={"domain": "acme"},
        creds=user,
        status=403,
        error="AccessDeniedException",
    )


# Cross-account ------------------------------------------------------------------------------


def describe_acme(owner: str) -> dict[str, str]:
    return {"domain": "acme", "domain-owner": owner}


def allow_principal(principal: str | dict, *actions: str, **extra: Any) -> dict[str, Any]:
    return {
        "Effect": "Allow",
        "Principal": principal if isinstance(principal, str) else {"AWS": principal["AWS"]},
        "Action": [f"codeartifact:{action}" for action in actions],
        "Resource": "*",
        **extra,
    }


async def test_cross_account_without_a_domain_policy(ca, admin, users, acme) -> None:
    other = await users.account()
    builder = await users.create("builder", identity(CODEARTIFACT_ALL), account=other)

    body = await ca.fail(
        "GET",
        "/v1/domain",
        query=describe_acme(admin.account_id),
        creds=builder,
        status=403,
        error="AccessDeniedException",
    )
    assert domain_arn(admin.account_id, "acme") in body["message"]


@pytest.mark.parametrize("named_by", ["account-id", "account-root", "user-arn"])
async def test_cross_account_allowed_by_domain_policy_and_identity(
    ca, admin, users, acme, named_by: str
) -> None:
    other = await users.account()
    builder = await users.create("builder", identity(CODEARTIFACT_ALL), account=other)
    principal = {
        "account-id": other,
        "account-root": f"arn:aws:iam::{other}:root",
        "user-arn": builder.arn,
    }[named_by]
    await ca.put_domain_policy(
        admin, "acme", resource_policy(allow_principal({"AWS": principal}, "DescribeDomain"))
    )

    reply = await ca.ok("GET", "/v1/domain", query=describe_acme(admin.account_id), creds=builder)

    assert reply["domain"]["owner"] == admin.account_id
    assert reply["domain"]["arn"] == domain_arn(admin.account_id, "acme")
    # The policy grants DescribeDomain only.
    await ca.fail(
        "DELETE",
        "/v1/domain",
        query=describe_acme(admin.account_id),
        creds=builder,
        status=403,
        error="AccessDeniedException",
    )


async def test_cross_account_needs_an_identity_allow_too(ca, admin, users, acme) -> None:
    other = await users.account()
    bare = await users.create("bare", account=other)
    await ca.put_domain_policy(
        admin, "acme", resource_policy(allow_principal({"AWS": other}, "DescribeDomain"))
    )

    body = await ca.fail(
        "GET",
        "/v1/domain",
        query=describe_acme(admin.account_id),
        creds=bare,
        status=403,
        error="AccessDeniedException",
    )
    assert bare.arn in body["message"]


async def test_domain_policy_naming_one_user_does_not_admit_their_colleagues(
    ca, admin, users, acme
) -> None:
    other = await users.account()
    builder = await users.create("builder", identity(CODEARTIFACT_ALL), account=other)
    colleague = await users.create("colleague", identity(CODEARTIFACT_ALL), account=other)
    await ca.put_domain_policy(
        admin, "acme", resource_policy(allow_principal({"AWS": builder.arn}, "DescribeDomain"))
    )

    await ca.ok("GET", "/v1/domain", query=describe_acme(admin.account_id), creds=builder)
    await ca.fail(
        "GET",
        "/v1/domain",
        query=describe_acme(admin.account_id),
        creds=colleague,
        status=403,
        error="AccessDeniedException",
    )


async def test_domain_policy_by_organization(ca, admin, users, acme) -> None:
    """The seed's policy: everyone in the organization may read."""
    member_account = await users.account(organization="o-exampleorg1")
    outsider_account = await users.account(organization="o-someoneelse")
    member = await users.create("member", identity(CODEARTIFACT_ALL), account=member_account)
    outsider = await users.create("outsider", identity(CODEARTIFACT_ALL), account=outsider_account)
    await ca.put_domain_policy(
        admin,
        "acme",
        resource_policy(
            allow_principal(
                "*",
                "DescribeDomain",
                "ListRepositoriesInDomain",
                Condition={"StringEquals": {"aws:PrincipalOrgID": ["o-exampleorg1"]}},
            )
        ),
    )

    await ca.ok("GET", "/v1/domain", query=describe_acme(admin.account_id), creds=member)
    listed = await ca.ok(
        "POST", "/v1/domain/repositories", query=describe_acme(admin.account_id), creds=member
    )
    assert [r["name"] for r in listed["repositories"]] == ["libs", "store"]
    await ca.fail(
        "GET",
        "/v1/domain",
        query=describe_acme(admin.account_id),
        creds=outsider,
        status=403,
        error="AccessDeniedException",
    )


async def test_cross_account_repository_via_domain_policy(ca, admin, users, acme) -> None:
    """The domain policy applies to the repositories in the domain."""
    other = await users.account()
    builder = await users.create("builder", identity(CODEARTIFACT_ALL), account=other)
    await ca.put_domain_policy(
        admin, "acme", resource_policy(allow_principal({"AWS": other}, "DescribeRepository"))
    )

    reply = await ca.ok(
        "GET",
        "/v1/repository",
        query={"domain": "acme", "domain-owner": admin.account_id, "repository": "libs"},
        creds=builder,
    )

    assert reply["repository"]["domainOwner"] == admin.account_id


# Domain policy deny and owner lock-out ------------------------------------------------------


async def test_domain_policy_deny_beats_identity_allow(ca, admin, users, acme) -> None:
    dev = await users.create("dev", identity(CODEARTIFACT_ALL))
    await ca.put_domain_policy(
        admin,
        "acme",
        resource_policy(
            {
                "Effect": "Deny",
                "Principal": {"AWS": dev.arn},
                "Action": ["codeartifact:DescribeDomain", "codeartifact:DescribeRepository"],
                "Resource": "*",
            }
        ),
    )

    body = await ca.fail(
        "GET",
        "/v1/domain",
        query={"domain": "acme"},
        creds=dev,
        status=403,
        error="AccessDeniedException",
    )
    assert "explicit" in body["message"]
    await ca.fail(
        "GET",
        "/v1/repository",
        query={"domain": "acme", "repository": "libs"},
        creds=dev,
        status=403,
        error="AccessDeniedException",
    )
    await ca.ok("GET", "/v1/domain", query={"domain": "acme"}, creds=admin)  # others unaffected
    await ca.ok("POST", "/v1/domain/repositories", query={"domain": "acme"}, creds=dev)


async def test_domain_owner_cannot_be_locked_out_of_the_domain_policy(ca, admin, acme) -> None:
    deny_all = resource_policy(
        {"Effect": "Deny", "Principal": "*", "Action": "codeartifact:*", "Resource": "*"}
    )
    await ca.put_domain_policy(admin, "acme", deny_all)

    # The policy does deny the owner everything else ...
    await ca.fail(
        "GET",
        "/v1/domain",
        query={"domain": "acme"},
        creds=admin,
        status=403,
        error="AccessDeniedException",
    )
    # ... but never managing the policy itself.
    current = await ca.ok(
        "GET", "/v1/domain/permissions/policy", query={"domain": "acme"}, creds=admin
    )
    assert json.loads(current["policy"]["document"]) == deny_all
    await ca.put_domain_policy(admin, "acme", deny_all)
    await ca.ok("DELETE", "/v1/domain/permissions/policy", query={"domain": "acme"}, creds=admin)
    await ca.ok("GET", "/v1/domain", query={"domain": "acme"}, creds=admin)


async def test_repository_owner_cannot_be_locked_out_of_the_repository_policy(
    ca, admin, acme
) -> None:
    query = {"domain": "acme", "repository": "libs"}
    deny_all = json.dumps(
        resource_policy(
            {"Effect": "Deny", "Principal": "*", "Action": "codeartifact:*", "Resource": "*"}
        )
    )
    await ca.ok(
        "PUT",
        "/v1/repository/permissions/policy",
        query=query,
        json={"policyDocument": deny_all},
        creds=admin,
    )

    await ca.fail(
        "GET", "/v1/repository", query=query, creds=admin, status=403, error="AccessDeniedException"
    )
    await ca.ok("GET", "/v1/repository/permissions/policy", query=query, creds=admin)
    await ca.ok("DELETE", "/v1/repository/permissions/policies", query=query, creds=admin)
    await ca.ok("GET", "/v1/repository", query=query, creds=admin)


async def test_other_accounts_are_judged_by_the_domain_policy_for_policy_operations(
    ca, admin, users, acme
) -> None:
    """Only the owner bypasses the domain policy; a granted account may read it, not more."""
    other = await users.account()
    auditor = await users.create("auditor", identity(CODEARTIFACT_ALL), account=other)
    await ca.put_domain_policy(
        admin,
        "acme",
        resource_policy(allow_principal({"AWS": other}, "GetDomainPermissionsPolicy")),
    )
    query = describe_acme(admin.account_id)

    await ca.ok("GET", "/v1/domain/permissions/policy", query=query, creds=auditor)
    await ca.fail(
        "DELETE",
        "/v1/domain/permissions/policy",
        query=query,
        creds=auditor,
        status=403,
        error="AccessDeniedException",
    )


# Repository policy + domain policy ----------------------------------------------------------


@pytest.mark.parametrize("domain_grants", [False, True], ids=["domain-silent", "domain-allows"])
@pytest.mark.parametrize("repo_grants", [False, True], ids=["repo-silent", "repo-allows"])
async def test_either_resource_policy_allowing_is_enough(
    ca, admin, users, acme, domain_grants: bool, repo_grants: bool
) -> None:
    reader = await users.create("reader")  # no identity policy at all

    def grant(action: str) -> dict[str, Any]:
        return allow_principal({"AWS": reader.arn}, action)

    # Each policy exists in every case; it grants DescribeRepository or something unrelated.
    await ca.put_domain_policy(
        admin,
        "acme",
        resource_policy(grant("DescribeRepository" if domain_grants else "DescribeDomain")),
    )
    await ca.ok(
        "PUT",
        "/v1/repository/permissions/policy",
        query={"domain": "acme", "repository": "libs"},
        json={
            "policyDocument": json.dumps(
                resource_policy(grant("DescribeRepository" if repo_grants else "UpdateRepository"))
            )
        },
        creds=admin,
    )

    response = await ca.call(
        "GET", "/v1/repository", query={"domain": "acme", "repository": "libs"}, creds=reader
    )

    if domain_grants or repo_grants:
        assert response.status_code == 200, response.text
    else:
        ca.expect_error(response, 403, "AccessDeniedException")


async def test_repository_policy_grants_only_its_repository(ca, admin, users, acme) -> None:
    reader = await users.create("reader")
    await ca.ok(
        "PUT",
        "/v1/repository/permissions/policy",
        query={"domain": "acme", "repository": "libs"},
        json={
            "policyDocument": json.dumps(
                resource_policy(allow_principal({"AWS": reader.arn}, "DescribeRepository"))
            )
        },
        creds=admin,
    )

    await ca.ok(
        "GET", "/v1/repository", query={"domain": "acme", "repository": "libs"}, creds=reader
    )
    await ca.fail(
        "GET",
        "/v1/repository",
        query={"domain": "acme", "repository": "store"},
        creds=reader,
        status=403,
        error="AccessDeniedException",
    )


async def test_repository_policy_deny_beats_domain_policy_allow(ca, admin, users, acme) -> None:
    reader = await users.create("reader")
    await ca.put_domain_policy(
        admin, "acme", resource_policy(allow_principal({"AWS": reader.arn}, "DescribeRepository"))
    )
    await ca.ok(
        "PUT",
        "/v1/repository/permissions/policy",
        query={"domain": "acme", "repository": "libs"},
        json={
            "policyDocument": json.dumps(
                resource_policy(
                    {
                        "Effect": "Deny",
                        "Principal": {"AWS": reader.arn},
                        "Action": "codeartifact:*",
                        "Resource": "*",
                    }
                )
            )
        },
        creds=admin,
    )

    await ca.fail(
        "GET",
        "/v1/repository",
        query={"domain": "acme", "repository": "libs"},
        creds=reader,
        status=403,
        error="AccessDeniedException",
    )
    await ca.ok(
        "GET", "/v1/repository", query={"domain": "acme", "repository": "store"}, creds=reader
    )


# GetAuthorizationToken needs sts:GetServiceBearerToken --------------------------------------


async def test_token_needs_sts_get_service_bearer_token(ca, users, acme) -> None:
    no_sts = await users.create("no-sts", identity(CODEARTIFACT_ALL))

    body = await ca.fail(
        "POST",
        "/v1/authorization-token",
        query={"domain": "acme"},
        creds=no_sts,
        status=403,
        error="AccessDeniedException",
    )

    assert "sts:GetServiceBearerToken" in body["message"]


@pytest.mark.parametrize(
    "sts_statement",
    [
        BEARER_TOKEN,
        {
            **BEARER_TOKEN,
            "Condition": {"StringEquals": {"sts:AWSServiceName": "codeartifact.amazonaws.com"}},
        },
    ],
    ids=["plain", "service-name-condition"],
)
async def test_token_with_sts_allowed(ca, users, acme, sts_statement) -> None:
    builder = await users.create(
        "builder",
        identity(
            {"Effect": "Allow", "Action": "codeartifact:GetAuthorizationToken", "Resource": "*"},
            sts_statement,
        ),
    )

    reply = await ca.ok("POST", "/v1/authorization-token", query={"domain": "acme"}, creds=builder)

    assert reply["authorizationToken"]


async def test_token_with_sts_for_another_service_only(ca, users, acme) -> None:
    builder = await users.create(
        "builder",
        identity(
            CODEARTIFACT_ALL,
            {
                **BEARER_TOKEN,
                "Condition": {"StringEquals": {"sts:AWSServiceName": "other.amazonaws.com"}},
            },
        ),
    )

    await ca.fail(
        "POST",
        "/v1/authorization-token",
        query={"domain": "acme"},
        creds=builder,
        status=403,
        error="AccessDeniedException",
    )


async def test_sts_alone_is_not_enough(ca, users, acme) -> None:
    only_sts = await users.create("only-sts", identity(BEARER_TOKEN))

    body = await ca.fail(
        "POST",
        "/v1/authorization-token",
        query={"domain": "acme"},
        creds=only_sts,
        status=403,
        error="AccessDeniedException",
    )

    assert "codeartifact:GetAuthorizationToken" in body["message"]


# Tag conditions -----------------------------------------------------------------------------


def tags(**pairs: str) -> list[dict[str, str]]:
    return [{"key": key, "value": value} for key, value in pairs.items()]


BLUE_REQUEST = {"StringEquals": {"aws:RequestTag/team": "blue"}}


@pytest.mark.parametrize(
    "policy",
    [
        identity(
            {
                "Effect": "Allow",
                "Action": ["codeartifact:CreateDomain", "codeartifact:TagResource"],
                "Resource": "*",
                "Condition": BLUE_REQUEST,
            }
        ),
        identity(
            {
                "Effect": "Allow",
                "Action": "codeartifact:CreateDomain",
                "Resource": "*",
                "Condition": BLUE_REQUEST,
            },
            {"Effect": "Allow", "Action": "codeartifact:TagResource", "Resource": "*"},
        ),
    ],
    ids=["tag-resource-conditioned-too", "tag-resource-unconditioned"],
)
async def test_request_tag_condition_on_create_domain(ca, users, policy) -> None:
    """The usual ABAC policy: create only what you tag team=blue. Creating with tags is also
    authorized as TagResource, which sees the same request tags."""
    creator = await users.create("creator", policy)

    async def create(name: str, **body: Any):
        return await ca.call("POST", "/v1/domain", query={"domain": name}, json=body, creds=creator)

    ok = await create("blue-one", tags=tags(team="blue"))
    assert ok.status_code == 200, ok.text
    ca.expect_error(await create("red-one", tags=tags(team="red")), 403, "AccessDeniedException")
    ca.expect_error(await create("untagged"), 403, "AccessDeniedException")


async def test_resource_tag_condition_on_describe_domain(ca, admin, users) -> None:
    await ca.create_domain(admin, "blue-domain", tags=tags(team="blue"))
    await ca.create_domain(admin, "red-domain", tags=tags(team="red"))
    await ca.create_domain(admin, "plain-domain")
    blue_reader = await users.create(
        "blue-reader",
        identity(
            {
                "Effect": "Allow",
                "Action": "codeartifact:DescribeDomain",
                "Resource": "*",
                "Condition": {"StringEquals": {"aws:ResourceTag/team": "blue"}},
            }
        ),
    )

    await ca.ok("GET", "/v1/domain", query={"domain": "blue-domain"}, creds=blue_reader)
    for name in ("red-domain", "plain-domain"):
        await ca.fail(
            "GET",
            "/v1/domain",
            query={"domain": name},
            creds=blue_reader,
            status=403,
            error="AccessDeniedException",
        )

    # Retagging takes effect on the next request.
    red_arn = domain_arn(admin.account_id, "red-domain")
    await ca.ok(
        "POST",
        "/v1/tag",
        query={"resourceArn": red_arn},
        json={"tags": tags(team="blue")},
        creds=admin,
    )
    await ca.ok("GET", "/v1/domain", query={"domain": "red-domain"}, creds=blue_reader)


async def test_resource_tag_deny_protects_tagged_domains(ca, admin, users) -> None:
    await ca.create_domain(admin, "keep", tags=tags(protected="true"))
    await ca.create_domain(admin, "scratch")
    operator = await users.create(
        "operator",
        identity(
            CODEARTIFACT_ALL,
            {
                "Effect": "Deny",
                "Action": "codeartifact:DeleteDomain",
                "Resource": "*",
                "Condition": {"StringEquals": {"aws:ResourceTag/protected": "true"}},
            },
        ),
    )

    await ca.fail(
        "DELETE",
        "/v1/domain",
        query={"domain": "keep"},
        creds=operator,
        status=403,
        error="AccessDeniedException",
    )
    await ca.ok("DELETE", "/v1/domain", query={"domain": "scratch"}, creds=operator)


# Cross-account repositories and upstream association ----------------------------------------


async def test_cross_account_create_repository_in_a_shared_domain(ca, admin, users, acme) -> None:
    """The creating account administers the repository; the domain owner still owns it."""
    other = await users.account()
    team = await users.create("team", identity(CODEARTIFACT_ALL), account=other)
    await ca.put_domain_policy(
        admin,
        "acme",
        resource_policy(allow_principal({"AWS": other}, "CreateRepository", "DescribeRepository")),
    )

    created = await ca.create_repository(team, "acme", "team-libs", owner=admin.account_id)

    assert created["administratorAccount"] == other
    assert created["domainOwner"] == admin.account_id
    assert created["arn"] == repository_arn(admin.account_id, "acme", "team-libs")
    mine = await ca.ok("POST", "/v1/repositories", creds=team)
    assert [r["arn"] for r in mine["repositories"]] == [created["arn"]]
    owners_view = await ca.ok(
        "POST", "/v1/domain/repositories", query={"domain": "acme"}, creds=admin
    )
    assert "team-libs" in [r["name"] for r in owners_view["repositories"]]


async def test_list_repositories_pages_through_same_named_domains(ca, admin, users, acme) -> None:
    """An account administering ``acme/libs`` in its own domain and in a shared domain of the
    same name sees both, also one per page."""
    other = await users.account()
    team = await users.create("team", identity(CODEARTIFACT_ALL), account=other)
    await ca.put_domain_policy(
        admin, "acme", resource_policy(allow_principal({"AWS": other}, "CreateRepository"))
    )
    await ca.create_repository(team, "acme", "libs-x", owner=admin.account_id)
    await ca.create_domain(team, "acme")
    await ca.create_repository(team, "acme", "libs-x")

    everything = await ca.ok("POST", "/v1/repositories", creds=team)
    assert sorted(r["domainOwner"] for r in everything["repositories"]) == sorted(
        [admin.account_id, other]
    )

    seen, token = [], None
    for _ in range(5):
        page = await ca.ok(
            "POST", "/v1/repositories", query={"max-results": 1, "next-token": token}, creds=team
        )
        seen += [r["arn"] for r in page["repositories"]]
        token = page.get("nextToken")
        if token is None:
            break
    assert sorted(seen) == sorted(r["arn"] for r in everything["repositories"])


async def test_setting_upstreams_needs_associate_with_downstream_repository(
    ca, admin, users, acme
) -> None:
    builder = await users.create(
        "builder",
        identity(
            {
                "Effect": "Allow",
                "Action": ["codeartifact:CreateRepository", "codeartifact:UpdateRepository"],
                "Resource": "*",
            }
        ),
    )

    body = await ca.fail(
        "PUT",
        "/v1/repository",
        query={"domain": "acme", "repository": "libs"},
        json={"upstreams": [{"repositoryName": "store"}]},
        creds=builder,
        status=403,
        error="AccessDeniedException",
    )
    assert "codeartifact:AssociateWithDownstreamRepository" in body["message"]
    assert repository_arn(admin.account_id, "acme", "store") in body["message"]

    await users.put_policy(
        builder,
        identity(
            {
                "Effect": "Allow",
                "Action": [
                    "codeartifact:UpdateRepository",
                    "codeartifact:AssociateWithDownstreamRepository",
                ],
                "Resource": "*",
            }
        ),
    )
    reply = await ca.ok(
        "PUT",
        "/v1/repository",
        query={"domain": "acme", "repository": "libs"},
        json={"upstreams": [{"repositoryName": "store"}]},
        creds=builder,
    )
    assert reply["repository"]["upstreams"] == [{"repositoryName": "store"}]
