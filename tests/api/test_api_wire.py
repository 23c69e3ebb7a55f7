"""The rest-json wire: validation messages, malformed requests, unknown operations, SigV4
authentication failures and /health, as botocore and the aws CLI see them."""

from __future__ import annotations

import pytest

from coffer.api.protocol import load_model
from coffer.api.registry import HANDLERS

pytestmark = pytest.mark.anyio

DOMAIN_PATTERN = r"[a-z][a-z0-9\-]{0,48}[a-z0-9]"
REPOSITORY_PATTERN = r"[A-Za-z0-9][A-Za-z0-9._\-]{1,99}"


async def test_health_answers_ok_without_credentials(ca) -> None:
    response = await ca.http.get("/health")

    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


async def test_success_carries_a_request_id(ca, admin) -> None:
    response = await ca.call("POST", "/v1/domains", json={}, creds=admin)

    assert response.status_code == 200
    assert response.headers["x-amzn-RequestId"]


async def test_list_domains_accepts_the_empty_object_the_cli_always_sends(ca, admin) -> None:
    assert await ca.ok("POST", "/v1/domains", json={}, creds=admin) == {"domains": []}


async def test_domain_not_matching_the_pattern(ca, admin) -> None:
    body = await ca.fail(
        "POST",
        "/v1/domain",
        query={"domain": "Bad_Domain"},
        json={},
        creds=admin,
        status=400,
        error="ValidationException",
    )

    assert body["message"] == (
        "1 validation error detected: Value 'Bad_Domain' at 'domain' failed to satisfy "
        f"constraint: Member must satisfy regular expression pattern: {DOMAIN_PATTERN}"
    )
    assert body["reason"] == "FIELD_VALIDATION_FAILED"


async def test_missing_required_member_is_null(ca, admin) -> None:
    body = await ca.fail("GET", "/v1/domain", creds=admin, status=400, error="ValidationException")

    assert body["message"] == (
        "1 validation error detected: Value null at 'domain' failed to satisfy constraint: "
        "Member must not be null"
    )
    assert body["reason"] == "FIELD_VALIDATION_FAILED"


async def test_every_violation_is_counted_and_listed(ca, admin) -> None:
    body = await ca.fail(
        "GET",
        "/v1/repository",
        query={"domain": "ok-domain", "repository": "-bad"},
        creds=admin,
        status=400,
        error="ValidationException",
    )
    assert body["message"] == (
        "1 validation error detected: Value '-bad' at 'repository' failed to satisfy "
        f"constraint: Member must satisfy regular expression pattern: {REPOSITORY_PATTERN}"
    )

    body = await ca.fail(
        "GET",
        "/v1/repository",
        query={"repository": "-bad"},
        creds=admin,
        status=400,
        error="ValidationException",
    )
    assert body["message"].startswith("2 validation errors detected: ")
    assert (
        "Value null at 'domain' failed to satisfy constraint: Member must not be null"
        in (body["message"])
    )
    assert "Value '-bad' at 'repository'" in body["message"]


async def test_length_constraint_on_a_body_member(ca, admin) -> None:
    await ca.create_domain(admin, "wire")
    body = await ca.fail(
        "POST",
        "/v1/repository",
        query={"domain": "wire", "repository": "repo"},
        json={"description": "x" * 1001},
        creds=admin,
        status=400,
        error="ValidationException",
    )

    assert (
        "at 'description' failed to satisfy constraint: Member must have length less than "
        "or equal to 1000"
    ) in body["message"]


async def test_enum_constraint(ca, admin) -> None:
    body = await ca.fail(
        "GET",
        "/v1/repository/endpoint",
        query={"domain": "wire", "repository": "repo", "format": "tarball"},
        creds=admin,
        status=400,
        error="ValidationException",
    )

    assert body["message"].startswith(
        "1 validation error detected: Value 'tarball' at 'format' failed to satisfy constraint: "
        "Member must satisfy enum value set: ["
    )
    assert "pypi" in body["message"]
    assert "npm" in body["message"]


async def test_integer_range_in_query_and_body(ca, admin) -> None:
    body = await ca.fail(
        "POST",
        "/v1/domains",
        json={"maxResults": 1001},
        creds=admin,
        status=400,
        error="ValidationException",
    )
    assert body["message"] == (
        "1 validation error detected: Value '1001' at 'maxResults' failed to satisfy "
        "constraint: Member must have value less than or equal to 1000"
    )

    body = await ca.fail(
        "POST",
        "/v1/repositories",
        query={"max-results": "0"},
        creds=admin,
        status=400,
        error="ValidationException",
    )
    assert "Value '0' at 'maxResults'" in body["message"]


@pytest.mark.parametrize(
    "content",
    [b"{", b"not json", b'{"maxResults": 1,}', b"\xff\xfe", b"[]", b'"text"', b"42"],
    ids=["truncated", "text", "trailing-comma", "binary", "array", "string", "number"],
)
async def test_malformed_json_body(ca, admin, content: bytes) -> None:
    body = await ca.fail(
        "POST",
        "/v1/domains",
        content=content,
        headers={"Content-Type": "application/json"},
        creds=admin,
        status=400,
        error="ValidationException",
    )

    assert body["reason"] == "CANNOT_PARSE"


@pytest.mark.parametrize(
    "json",
    [{"maxResults": "ten"}, {"maxResults": True}, {"nextToken": 5}],
    ids=["string-for-int", "bool-for-int", "int-for-string"],
)
async def test_json_member_of_the_wrong_type(ca, admin, json) -> None:
    body = await ca.fail(
        "POST", "/v1/domains", json=json, creds=admin, status=400, error="ValidationException"
    )

    assert body["reason"] == "CANNOT_PARSE"


async def test_wrong_type_message_names_the_member(ca, admin) -> None:
    """The message names the member the caller sent, not the model's internal shape name."""
    body = await ca.fail(
        "POST",
        "/v1/domains",
        json={"maxResults": "ten"},
        creds=admin,
        status=400,
        error="ValidationException",
    )

    assert "'maxResults'" in body["message"], body["message"]


async def test_non_numeric_integer_in_query(ca, admin) -> None:
    body = await ca.fail(
        "POST",
        "/v1/repositories",
        query={"max-results": "ten"},
        creds=admin,
        status=400,
        error="ValidationException",
    )

    assert "'ten'" in body["message"]
    assert "maxResults" in body["message"] or "max-results" in body["message"], body["message"]


async def test_known_path_with_an_unmodelled_method(ca, admin) -> None:
    body = await ca.fail("GET", "/v1/domains", creds=admin, status=400, error="ValidationException")

    assert body["reason"] == "UNKNOWN_OPERATION"


def test_every_modelled_operation_has_a_handler() -> None:
    """All 48 operations of botocore's codeartifact model are served."""
    assert {op.name for op in load_model().routes.values()} - set(HANDLERS) == set()


@pytest.mark.parametrize(
    ("method", "path"),
    [("GET", "/v1/no-such-thing"), ("POST", "/v1/domain/unknown"), ("PATCH", "/v1/domain")],
)
async def test_unknown_path_or_method_is_an_aws_error(ca, admin, method: str, path: str) -> None:
    """Every error carries x-amzn-ErrorType and a JSON message (DESIGN.md section 4); without
    them botocore reports the bare status code ("An error occurred (404)")."""
    response = await ca.call(method, path, creds=admin)

    assert 400 <= response.status_code < 500, response.text
    assert response.headers.get("x-amzn-ErrorType"), (response.status_code, response.text)
    assert response.headers["content-type"].startswith("application/json"), response.text
    assert response.json()["message"]


async def test_unsigned_request(ca) -> None:
    body = await ca.fail(
        "POST",
        "/v1/domains",
        json={},
        creds=None,
        status=403,
        error="MissingAuthenticationTokenException",
    )

    assert body["message"] == "Missing Authentication Token"


async def test_unknown_access_key(ca, admin) -> None:
    stranger = type(admin)("AKIAUNKNOWNUNKNOWNXX", "secret", admin.account_id, "nobody")
    body = await ca.fail(
        "POST",
        "/v1/domains",
        json={},
        creds=stranger,
        status=403,
        error="UnrecognizedClientException",
    )

    assert body["message"] == "The security token included in the request is invalid."


async def test_wrong_secret(ca, admin) -> None:
    forged = type(admin)(admin.access_key_id, "x" * 40, admin.account_id, admin.user_name)
    body = await ca.fail(
        "POST", "/v1/domains", json={}, creds=forged, status=403, error="InvalidSignatureException"
    )

    assert "signature we calculated does not match" in body["message"]
    assert admin.secret_access_key not in body["message"]


async def test_body_changed_after_signing(ca, admin) -> None:
    response = await ca.call("POST", "/v1/domains", json={"maxResults": 5}, creds=admin)
    assert response.status_code == 200
    signed = response.request

    tampered = await ca.http.request(
        "POST", signed.url, content=b'{"maxResults": 6}', headers=dict(signed.headers)
    )

    ca.expect_error(tampered, 403, "InvalidSignatureException")


async def test_query_changed_after_signing(ca, admin) -> None:
    await ca.create_domain(admin, "alpha")
    response = await ca.call("GET", "/v1/domain", query={"domain": "alpha"}, creds=admin)
    assert response.status_code == 200
    signed = response.request

    tampered = await ca.http.request(
        "GET", str(signed.url).replace("alpha", "omega"), headers=dict(signed.headers)
    )

    ca.expect_error(tampered, 403, "InvalidSignatureException")


async def test_deleted_users_keys_stop_working(ca, users, services, admin) -> None:
    bob = await users.create(
        "bob", {"Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}
    )
    await ca.ok("POST", "/v1/domains", json={}, creds=bob)

    await services.iam.delete_user(admin.account_id, "bob")

    await ca.fail(
        "POST", "/v1/domains", json={}, creds=bob, status=403, error="UnrecognizedClientException"
    )


async def test_health_reports_an_unreachable_store(ca, services, monkeypatch) -> None:
    async def unreachable() -> None:
        raise OSError("blob store is gone")

    monkeypatch.setattr(services.blobs, "check", unreachable)

    response = await ca.http.get("/health")

    assert response.status_code == 503
    assert response.json()["status"] != "ok"
    assert "blob store is gone" not in response.text  # no internals leak


@pytest.mark.parametrize(
    "upstreams",
    [
        pytest.param([{"repositoryName": {"nested": "dict"}}], id="dict-for-string"),
        pytest.param(["store"], id="string-for-structure"),
        pytest.param({"repositoryName": "store"}, id="object-for-list"),
    ],
)
async def test_wrongly_typed_nested_members_are_validation_errors(
    ca, admin, upstreams: object
) -> None:
    await ca.create_domain(admin, "acme")
    body = await ca.fail(
        "POST",
        "/v1/repository",
        query={"domain": "acme", "repository": "libs"},
        json={"upstreams": upstreams},
        creds=admin,
        status=400,
        error="ValidationException",
    )
    assert "upstreams" in body["message"]
