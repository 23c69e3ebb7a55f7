"""CreateDomain, DescribeDomain, DeleteDomain, ListDomains: shapes, errors and pagination."""

from __future__ import annotations

import time

import pytest

pytestmark = pytest.mark.anyio

DOMAIN_DESCRIPTION = {
    "name", "owner", "arn", "status", "createdTime", "encryptionKey", "repositoryCount",
    "assetSizeBytes", "s3BucketArn",
}  # fmt: skip
DOMAIN_SUMMARY = {"name", "owner", "arn", "status", "createdTime", "encryptionKey"}


def assert_epoch_number(value: object) -> None:
    """Timestamps are JSON numbers of epoch seconds (the Go SDK rejects strings)."""
    assert isinstance(value, int | float), value
    assert not isinstance(value, bool)
    assert abs(value - time.time()) < 300


async def test_create_domain_shape(ca, admin) -> None:
    reply = await ca.ok("POST", "/v1/domain", query={"domain": "acme"}, json={}, creds=admin)

    domain = reply["domain"]
    assert set(reply) == {"domain"}
    assert set(domain) <= DOMAIN_DESCRIPTION
    assert domain["name"] == "acme"
    assert domain["owner"] == admin.account_id
    assert domain["arn"] == f"arn:aws:codeartifact:us-east-1:{admin.account_id}:domain/acme"
    assert domain["status"] == "Active"
    assert domain["repositoryCount"] == 0
    assert domain["assetSizeBytes"] == 0
    assert_epoch_number(domain["createdTime"])


async def test_describe_domain_round_trips_create(ca, admin) -> None:
    created = await ca.create_domain(admin, "acme", encryptionKey="arn:aws:kms:us-east-1:1:key/k")

    described = await ca.ok("GET", "/v1/domain", query={"domain": "acme"}, creds=admin)
    explicit_owner = await ca.ok(
        "GET", "/v1/domain", query={"domain": "acme", "domain-owner": admin.account_id}, creds=admin
    )

    assert described == explicit_owner == {"domain": created}
    assert created["encryptionKey"] == "arn:aws:kms:us-east-1:1:key/k"


async def test_repository_count_follows_repositories(ca, admin) -> None:
    await ca.create_domain(admin, "acme")
    await ca.create_repository(admin, "acme", "one")
    await ca.create_repository(admin, "acme", "two")

    described = await ca.ok("GET", "/v1/domain", query={"domain": "acme"}, creds=admin)

    assert described["domain"]["repositoryCount"] == 2


async def test_create_existing_domain_conflicts(ca, admin) -> None:
    await ca.create_domain(admin, "acme")

    body = await ca.fail(
        "POST",
        "/v1/domain",
        query={"domain": "acme"},
        json={},
        creds=admin,
        status=409,
        error="ConflictException",
    )

    assert body["resourceType"] == "domain"
    assert body["resourceId"] == "acme"


async def test_describe_missing_domain(ca, admin) -> None:
    body = await ca.fail(
        "GET",
        "/v1/domain",
        query={"domain": "nowhere"},
        creds=admin,
        status=404,
        error="ResourceNotFoundException",
    )

    assert body["resourceType"] == "domain"
    assert "nowhere" in body["message"]


async def test_same_name_in_two_accounts_are_two_domains(ca, admin, users) -> None:
    other_account = await users.account()
    other = await users.create(
        "root",
        {"Statement": [{"Effect": "Allow", "Action": "codeartifact:*", "Resource": "*"}]},
        account=other_account,
    )
    mine = await ca.create_domain(admin, "shared-name")
    theirs = await ca.create_domain(other, "shared-name")

    assert mine["owner"] == admin.account_id
    assert theirs["owner"] == other_account
    assert mine["arn"] != theirs["arn"]
    listed = await ca.ok("POST", "/v1/domains", json={}, creds=other)
    assert [d["owner"] for d in listed["domains"]] == [other_account]


async def test_delete_domain(ca, admin) -> None:
    created = await ca.create_domain(admin, "acme")

    deleted = await ca.ok("DELETE", "/v1/domain", query={"domain": "acme"}, creds=admin)

    assert deleted["domain"]["status"] == "Deleted"
    assert deleted["domain"]["arn"] == created["arn"]
    await ca.fail(
        "GET",
        "/v1/domain",
        query={"domain": "acme"},
        creds=admin,
        status=404,
        error="ResourceNotFoundException",
    )
    assert await ca.ok("POST", "/v1/domains", json={}, creds=admin) == {"domains": []}


async def test_deleted_domain_name_can_be_reused(ca, admin) -> None:
    await ca.create_domain(admin, "acme")
    await ca.ok("DELETE", "/v1/domain", query={"domain": "acme"}, creds=admin)

    recreated = await ca.create_domain(admin, "acme")

    assert recreated["repositoryCount"] == 0


async def test_delete_domain_with_repositories_conflicts(ca, admin) -> None:
    await ca.create_domain(admin, "acme")
    await ca.create_repository(admin, "acme", "libs")

    body = await ca.fail(
        "DELETE",
        "/v1/domain",
        query={"domain": "acme"},
        creds=admin,
        status=409,
        error="ConflictException",
    )

    assert body["resourceType"] == "domain"
    await ca.ok("GET", "/v1/domain", query={"domain": "acme"}, creds=admin)  # still there
    await ca.ok(
        "DELETE", "/v1/repository", query={"domain": "acme", "repository": "libs"}, creds=admin
    )
    await ca.ok("DELETE", "/v1/domain", query={"domain": "acme"}, creds=admin)


async def test_delete_missing_domain(ca, admin) -> None:
    await ca.fail(
        "DELETE",
        "/v1/domain",
        query={"domain": "nowhere"},
        creds=admin,
        status=404,
        error="ResourceNotFoundException",
    )


async def test_list_domains_summaries_sorted_by_name(ca, admin) -> None:
    for name in ("charlie", "alpha", "bravo"):
        await ca.create_domain(admin, name)

    listed = await ca.ok("POST", "/v1/domains", json={}, creds=admin)

    assert [d["name"] for d in listed["domains"]] == ["alpha", "bravo", "charlie"]
    assert "nextToken" not in listed
    for summary in listed["domains"]:
        assert set(summary) <= DOMAIN_SUMMARY
        assert summary["owner"] == admin.account_id
        assert summary["status"] == "Active"
        assert summary["arn"].endswith(f":domain/{summary['name']}")
        assert_epoch_number(summary["createdTime"])


async def test_list_domains_one_per_page(ca, admin) -> None:
    for name in ("charlie", "alpha", "bravo"):
        await ca.create_domain(admin, name)

    seen, token, pages = [], None, 0
    while True:
        body = {"maxResults": 1} if token is None else {"maxResults": 1, "nextToken": token}
        page = await ca.ok("POST", "/v1/domains", json=body, creds=admin)
        pages += 1
        assert len(page["domains"]) == 1
        seen.append(page["domains"][0]["name"])
        token = page.get("nextToken")
        if token is None:
            break
        assert isinstance(token, str)
        assert pages < 10

    assert seen == ["alpha", "bravo", "charlie"]


@pytest.mark.parametrize("token", ["garbage", "bm90LWpzb24", "eyJhZnRlciI6IDF9"])
async def test_list_domains_garbage_next_token(ca, admin, token: str) -> None:
    await ca.fail(
        "POST",
        "/v1/domains",
        json={"nextToken": token},
        creds=admin,
        status=400,
        error="ValidationException",
    )
