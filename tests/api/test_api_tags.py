"""TagResource, UntagResource, ListTagsForResource (ARN-keyed, as Terraform uses them)."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.anyio


def tag_list(tags: dict[str, str]) -> list[dict[str, str]]:
    return [{"key": key, "value": value} for key, value in tags.items()]


@pytest.fixture(params=["domain", "repository"])
async def arn(request, ca, admin) -> str:
    domain = await ca.create_domain(admin, "acme")
    repository = await ca.create_repository(admin, "acme", "libs")
    return domain["arn"] if request.param == "domain" else repository["arn"]


async def tag(ca, creds, arn: str, tags: dict[str, str]):
    return await ca.call(
        "POST", "/v1/tag", query={"resourceArn": arn}, json={"tags": tag_list(tags)}, creds=creds
    )


async def list_tags(ca, creds, arn: str) -> dict[str, str]:
    reply = await ca.ok("POST", "/v1/tags", query={"resourceArn": arn}, creds=creds)
    assert set(reply) == {"tags"}
    return {item["key"]: item["value"] for item in reply["tags"]}


async def test_untagged_resource_has_an_empty_list(ca, admin, arn) -> None:
    assert await ca.ok("POST", "/v1/tags", query={"resourceArn": arn}, creds=admin) == {"tags": []}


async def test_tag_then_list(ca, admin, arn) -> None:
    response = await tag(ca, admin, arn, {"team": "platform", "cost-center": "42"})

    assert response.status_code == 200, response.text
    assert response.json() == {}
    assert await list_tags(ca, admin, arn) == {"team": "platform", "cost-center": "42"}


async def test_tagging_an_existing_key_replaces_its_value(ca, admin, arn) -> None:
    await tag(ca, admin, arn, {"team": "platform", "tier": "gold"})
    await tag(ca, admin, arn, {"team": "payments"})

    assert await list_tags(ca, admin, arn) == {"team": "payments", "tier": "gold"}


async def test_empty_tag_value(ca, admin, arn) -> None:
    await tag(ca, admin, arn, {"flag": ""})

    assert await list_tags(ca, admin, arn) == {"flag": ""}


async def test_untag(ca, admin, arn) -> None:
    await tag(ca, admin, arn, {"team": "platform", "tier": "gold", "env": "prod"})

    reply = await ca.ok(
        "POST",
        "/v1/untag",
        query={"resourceArn": arn},
        json={"tagKeys": ["tier", "env", "never-set"]},
        creds=admin,
    )

    assert reply == {}
    assert await list_tags(ca, admin, arn) == {"team": "platform"}


async def test_tags_given_at_creation(ca, admin) -> None:
    domain = await ca.create_domain(admin, "acme", tags=tag_list({"team": "platform"}))
    repository = await ca.create_repository(
        admin, "acme", "libs", tags=tag_list({"team": "libs", "public": "no"})
    )

    assert await list_tags(ca, admin, domain["arn"]) == {"team": "platform"}
    assert await list_tags(ca, admin, repository["arn"]) == {"team": "libs", "public": "no"}


async def test_two_hundred_tags_at_most(ca, admin, arn) -> None:
    first = {f"key-{i:03d}": str(i) for i in range(150)}
    assert (await tag(ca, admin, arn, first)).status_code == 200
    fifty = {f"more-{i:03d}": str(i) for i in range(50)}
    assert (await tag(ca, admin, arn, fifty)).status_code == 200
    assert (await tag(ca, admin, arn, {"key-000": "replaced"})).status_code == 200  # not new

    body = ca.expect_error(
        await tag(ca, admin, arn, {"one-too-many": "x"}), 402, "ServiceQuotaExceededException"
    )

    assert "200" in body["message"]
    tags = await list_tags(ca, admin, arn)
    assert len(tags) == 200
    assert "one-too-many" not in tags
    assert tags["key-000"] == "replaced"


async def test_more_than_two_hundred_tags_in_one_request(ca, admin, arn) -> None:
    too_many = {f"key-{i:03d}": "v" for i in range(201)}

    ca.expect_error(await tag(ca, admin, arn, too_many), 400, "ValidationException")
    assert await list_tags(ca, admin, arn) == {}


async def test_create_domain_with_more_than_two_hundred_tags(ca, admin) -> None:
    await ca.fail(
        "POST",
        "/v1/domain",
        query={"domain": "acme"},
        json={"tags": tag_list({f"k{i}": "v" for i in range(201)})},
        creds=admin,
        status=400,
        error="ValidationException",
    )


async def test_duplicate_keys_in_one_request(ca, admin, arn) -> None:
    response = await ca.call(
        "POST",
        "/v1/tag",
        query={"resourceArn": arn},
        json={"tags": [{"key": "team", "value": "a"}, {"key": "team", "value": "b"}]},
        creds=admin,
    )

    ca.expect_error(response, 400, "ValidationException")


async def test_tag_key_length(ca, admin, arn) -> None:
    body = ca.expect_error(await tag(ca, admin, arn, {"k" * 129: "v"}), 400, "ValidationException")

    assert "128" in body["message"]


@pytest.mark.parametrize("kind", ["domain", "repository"])
@pytest.mark.parametrize(
    ("method", "path", "json"),
    [
        ("POST", "/v1/tags", None),
        ("POST", "/v1/tag", {"tags": [{"key": "k", "value": "v"}]}),
        ("POST", "/v1/untag", {"tagKeys": ["k"]}),
    ],
    ids=["ListTagsForResource", "TagResource", "UntagResource"],
)
async def test_missing_resource(ca, admin, kind: str, method: str, path: str, json) -> None:
    await ca.create_domain(admin, "acme")
    arn = f"arn:aws:codeartifact:us-east-1:{admin.account_id}:domain/nowhere"
    if kind == "repository":
        arn = f"arn:aws:codeartifact:us-east-1:{admin.account_id}:repository/acme/nothing"

    body = await ca.fail(
        method,
        path,
        query={"resourceArn": arn},
        json=json,
        creds=admin,
        status=404,
        error="ResourceNotFoundException",
    )

    assert body["resourceType"] == kind


async def test_tags_do_not_outlive_their_resource(ca, admin) -> None:
    domain = await ca.create_domain(admin, "acme", tags=tag_list({"team": "old"}))
    await ca.ok("DELETE", "/v1/domain", query={"domain": "acme"}, creds=admin)

    await ca.fail(
        "POST",
        "/v1/tags",
        query={"resourceArn": domain["arn"]},
        creds=admin,
        status=404,
        error="ResourceNotFoundException",
    )
    recreated = await ca.create_domain(admin, "acme")
    assert await list_tags(ca, admin, recreated["arn"]) == {}


@pytest.mark.parametrize(
    "bad_arn",
    [
        "not-an-arn",
        "arn:aws:s3:::bucket",
        "arn:aws:codeartifact:us-east-1:12345:domain/acme",
    ],
)
async def test_malformed_resource_arn(ca, admin, bad_arn: str) -> None:
    await ca.fail(
        "POST",
        "/v1/tags",
        query={"resourceArn": bad_arn},
        creds=admin,
        status=400,
        error="ValidationException",
    )


@pytest.mark.parametrize("suffix", ["/extra", "/libs/extra"])
async def test_arn_naming_no_real_resource_cannot_be_tagged(ca, admin, suffix: str) -> None:
    """``…:domain/acme/extra`` and ``…:repository/acme/libs/extra`` name nothing: tagging them
    must fail rather than store tags under an ARN no resource has."""
    await ca.create_domain(admin, "acme")
    await ca.create_repository(admin, "acme", "libs")
    kind = "domain" if suffix == "/extra" else "repository"
    bogus = f"arn:aws:codeartifact:us-east-1:{admin.account_id}:{kind}/acme{suffix}"

    response = await tag(ca, admin, bogus, {"team": "x"})

    assert response.status_code in (400, 404), response.text
    assert response.headers["x-amzn-ErrorType"] in (
        "ValidationException",
        "ResourceNotFoundException",
    )


async def test_arn_of_another_region(ca, admin) -> None:
    await ca.create_domain(admin, "acme")

    await ca.fail(
        "POST",
        "/v1/tags",
        query={"resourceArn": f"arn:aws:codeartifact:eu-west-1:{admin.account_id}:domain/acme"},
        creds=admin,
        status=404,
        error="ResourceNotFoundException",
    )
