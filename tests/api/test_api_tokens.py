"""GetAuthorizationToken: durations, and tokens the data plane will verify (or refuse)."""

from __future__ import annotations

import re
import time

import pytest

from coffer.errors import InvalidToken
from coffer.services import open_services

pytestmark = pytest.mark.anyio

TWELVE_HOURS = 12 * 3600


@pytest.fixture
async def acme(ca, admin) -> str:
    await ca.create_domain(admin, "acme")
    return "acme"


async def get_token(ca, creds, duration: int | str | None = None, **query: str) -> dict:
    return await ca.ok(
        "POST",
        "/v1/authorization-token",
        query={"domain": "acme", "duration": duration, **query},
        creds=creds,
    )


@pytest.mark.parametrize(
    ("duration", "lifetime"),
    [(None, TWELVE_HOURS), (0, TWELVE_HOURS), (900, 900), (3600, 3600), (43200, 43200)],
    ids=["omitted", "zero", "minimum", "hour", "maximum"],
)
async def test_token_lifetime(ca, admin, acme, duration, lifetime: int) -> None:
    before = time.time()

    reply = await get_token(ca, admin, duration)

    after = time.time()
    assert set(reply) == {"authorizationToken", "expiration"}
    expiration = reply["expiration"]
    assert isinstance(expiration, int | float)
    assert not isinstance(expiration, bool)
    assert before + lifetime - 2 <= expiration <= after + lifetime + 2


@pytest.mark.parametrize("duration", [899, 43201, -1, 1])
async def test_token_lifetime_out_of_range(ca, admin, acme, duration: int) -> None:
    body = await ca.fail(
        "POST",
        "/v1/authorization-token",
        query={"domain": "acme", "duration": duration},
        creds=admin,
        status=400,
        error="ValidationException",
    )

    assert str(duration) in body["message"]


async def test_token_is_url_safe_and_short(ca, admin, acme) -> None:
    token = (await get_token(ca, admin))["authorizationToken"]

    assert re.fullmatch(r"[A-Za-z0-9._~-]+", token), token  # fits in https://aws:<token>@host
    assert len(token) < 1200  # Windows credential manager limit


async def test_token_for_a_missing_domain(ca, admin) -> None:
    await ca.fail(
        "POST",
        "/v1/authorization-token",
        query={"domain": "nowhere"},
        creds=admin,
        status=404,
        error="ResourceNotFoundException",
    )


async def test_each_call_issues_a_fresh_token(ca, admin, acme) -> None:
    first = (await get_token(ca, admin, 900))["authorizationToken"]
    second = (await get_token(ca, admin, 900))["authorizationToken"]

    assert first != second


async def test_token_verifies_to_the_caller(ca, admin, acme, services) -> None:
    token = (await get_token(ca, admin))["authorizationToken"]

    principal, claims = await services.tokens.verify(token)

    assert principal.account_id == admin.account_id
    assert principal.user_name == "admin"
    assert principal.arn == admin.arn
    assert (claims.domain, claims.domain_owner) == ("acme", admin.account_id)


async def test_token_of_another_user(ca, admin, users, acme, services) -> None:
    builder = await users.create(
        "builder",
        {
            "Statement": [
                {"Effect": "Allow", "Action": "codeartifact:*", "Resource": "*"},
                {"Effect": "Allow", "Action": "sts:GetServiceBearerToken", "Resource": "*"},
            ]
        },
    )

    token = (await get_token(ca, builder))["authorizationToken"]
    principal, _ = await services.tokens.verify(token)

    assert principal.user_name == "builder"
    assert principal.arn == builder.arn


async def test_cross_account_token(ca, admin, users, acme, services) -> None:
    other = await users.account()
    builder = await users.create(
        "builder",
        {
            "Statement": [
                {"Effect": "Allow", "Action": "codeartifact:*", "Resource": "*"},
                {"Effect": "Allow", "Action": "sts:GetServiceBearerToken", "Resource": "*"},
            ]
        },
        account=other,
    )
    await ca.put_domain_policy(
        admin,
        "acme",
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Principal": {"AWS": other},
                    "Action": "codeartifact:GetAuthorizationToken",
                    "Resource": "*",
                }
            ],
        },
    )

    token = (await get_token(ca, builder, **{"domain-owner": admin.account_id}))[
        "authorizationToken"
    ]
    principal, claims = await services.tokens.verify(token)

    assert principal.account_id == other
    assert claims.domain_owner == admin.account_id


async def test_deleting_the_user_invalidates_their_tokens(ca, admin, users, acme, services):
    builder = await users.create(
        "builder", {"Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}
    )
    token = (await get_token(ca, builder))["authorizationToken"]
    await services.tokens.verify(token)

    await services.iam.delete_user(admin.account_id, "builder")

    with pytest.raises(InvalidToken):
        await services.tokens.verify(token)


async def test_recreated_user_does_not_revive_old_tokens(ca, admin, users, acme, services):
    policy = {"Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}
    builder = await users.create("builder", policy)
    token = (await get_token(ca, builder))["authorizationToken"]
    await services.iam.delete_user(admin.account_id, "builder")

    await users.create("builder", policy)  # same name, a new user

    with pytest.raises(InvalidToken):
        await services.tokens.verify(token)


@pytest.mark.parametrize("where", ["payload", "signature", "prefix"])
async def test_tampered_token(ca, admin, acme, services, where: str) -> None:
    token = (await get_token(ca, admin))["authorizationToken"]
    prefix, payload, signature = token.split(".")
    swap = {"A": "B", "B": "A"}

    def flip(text: str, index: int) -> str:
        return text[:index] + swap.get(text[index], "A") + text[index + 1 :]

    tampered = {
        "payload": f"{prefix}.{flip(payload, 10)}.{signature}",
        "signature": f"{prefix}.{payload}.{flip(signature, 5)}",
        "prefix": f"xyz1.{payload}.{signature}",
    }[where]
    assert tampered != token

    with pytest.raises(InvalidToken):
        await services.tokens.verify(tampered)


async def test_expired_token(ca, admin, acme, services, monkeypatch) -> None:
    token = (await get_token(ca, admin, 900))["authorizationToken"]

    monkeypatch.setenv("COFFER_TEST_CLOCK_OFFSET", "890")
    await services.tokens.verify(token)  # still valid ten seconds before it expires

    monkeypatch.setenv("COFFER_TEST_CLOCK_OFFSET", "901")
    with pytest.raises(InvalidToken, match="expired"):
        await services.tokens.verify(token)


async def test_default_token_lasts_twelve_hours(ca, admin, acme, services, monkeypatch) -> None:
    token = (await get_token(ca, admin))["authorizationToken"]

    monkeypatch.setenv("COFFER_TEST_CLOCK_OFFSET", str(TWELVE_HOURS - 10))
    await services.tokens.verify(token)
    monkeypatch.setenv("COFFER_TEST_CLOCK_OFFSET", str(TWELVE_HOURS + 1))
    with pytest.raises(InvalidToken):
        await services.tokens.verify(token)


async def test_tokens_survive_a_restart(ca, admin, acme, settings) -> None:
    """Another process (or the next start) over the same store verifies the token."""
    token = (await get_token(ca, admin))["authorizationToken"]

    fresh = open_services(settings, run_migrations=False)
    try:
        principal, _ = await fresh.tokens.verify(token)
    finally:
        await fresh.close()
    assert principal.arn == admin.arn
