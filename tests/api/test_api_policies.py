"""Put/Get/Delete{Domain,Repository}PermissionsPolicy: storage, revisions and validation.
(Whether the policies grant or deny anything is in test_api_authorization.py.)"""

from __future__ import annotations

import json

import pytest

pytestmark = pytest.mark.anyio


def policy_text(sid: str = "Read", *, indent: int | None = 2) -> str:
    return json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Sid": sid,
                    "Effect": "Allow",
                    "Principal": {"AWS": "arn:aws:iam::111122223333:root"},
                    "Action": ["codeartifact:DescribeDomain", "codeartifact:ReadFromRepository"],
                    "Resource": "*",
                }
            ],
        },
        indent=indent,
    )


@pytest.fixture
async def domain(ca, admin) -> str:
    await ca.create_domain(admin, "acme")
    await ca.create_repository(admin, "acme", "libs")
    return "acme"


class DomainPolicy:
    """The three domain-policy calls, as the aws CLI sends them."""

    def __init__(self, ca, creds, domain: str) -> None:
        self.ca, self.creds, self.domain = ca, creds, domain
        self.arn = f"arn:aws:codeartifact:us-east-1:{creds.account_id}:domain/{domain}"

    async def put(self, document: str, revision: str | None = None):
        body = {"domain": self.domain, "policyDocument": document}
        if revision is not None:
            body["policyRevision"] = revision
        return await self.ca.call(
            "PUT", "/v1/domain/permissions/policy", json=body, creds=self.creds
        )

    async def get(self):
        return await self.ca.call(
            "GET", "/v1/domain/permissions/policy", query={"domain": self.domain}, creds=self.creds
        )

    async def delete(self, revision: str | None = None):
        return await self.ca.call(
            "DELETE",
            "/v1/domain/permissions/policy",
            query={"domain": self.domain, "policy-revision": revision},
            creds=self.creds,
        )


class RepositoryPolicy(DomainPolicy):
    def __init__(self, ca, creds, domain: str, repository: str) -> None:
        super().__init__(ca, creds, domain)
        self.repository = repository
        self.arn = (
            f"arn:aws:codeartifact:us-east-1:{creds.account_id}:repository/{domain}/{repository}"
        )

    def _query(self, **extra: str | None) -> dict:
        return {"domain": self.domain, "repository": self.repository, **extra}

    async def put(self, document: str, revision: str | None = None):
        body = {"policyDocument": document}
        if revision is not None:
            body["policyRevision"] = revision
        return await self.ca.call(
            "PUT",
            "/v1/repository/permissions/policy",
            query=self._query(),
            json=body,
            creds=self.creds,
        )

    async def get(self):
        return await self.ca.call(
            "GET", "/v1/repository/permissions/policy", query=self._query(), creds=self.creds
        )

    async def delete(self, revision: str | None = None):
        return await self.ca.call(
            "DELETE",
            "/v1/repository/permissions/policies",  # sic: the model's plural
            query=self._query(**{"policy-revision": revision}),
            creds=self.creds,
        )


@pytest.fixture(params=["domain", "repository"])
def policy(request, ca, admin, domain) -> DomainPolicy:
    if request.param == "domain":
        return DomainPolicy(ca, admin, domain)
    return RepositoryPolicy(ca, admin, domain, "libs")


def ok(response) -> dict:
    assert response.status_code == 200, response.text
    body = response.json()
    assert set(body) == {"policy"}
    assert set(body["policy"]) == {"resourceArn", "document", "revision"}
    return body["policy"]


async def test_put_returns_the_stored_policy(policy) -> None:
    document = policy_text()

    stored = ok(await policy.put(document))

    assert stored["resourceArn"] == policy.arn
    assert stored["document"] == document  # verbatim, whitespace included
    assert isinstance(stored["revision"], str)
    assert stored["revision"]


async def test_get_returns_what_was_put(policy) -> None:
    stored = ok(await policy.put(policy_text()))

    assert ok(await policy.get()) == stored


async def test_revision_changes_on_every_put(policy) -> None:
    first = ok(await policy.put(policy_text("One")))
    second = ok(await policy.put(policy_text("Two")))
    same_text = ok(await policy.put(policy_text("Two")))

    assert len({first["revision"], second["revision"], same_text["revision"]}) == 3
    assert ok(await policy.get())["revision"] == same_text["revision"]


async def test_put_with_the_current_revision(policy) -> None:
    first = ok(await policy.put(policy_text("One")))

    second = ok(await policy.put(policy_text("Two"), revision=first["revision"]))

    assert second["document"] == policy_text("Two")


async def test_put_with_a_stale_revision_conflicts(policy, ca) -> None:
    first = ok(await policy.put(policy_text("One")))
    current = ok(await policy.put(policy_text("Two")))

    ca.expect_error(
        await policy.put(policy_text("Three"), revision=first["revision"]),
        409,
        "ConflictException",
    )

    assert ok(await policy.get()) == current


async def test_get_without_a_policy(policy, ca) -> None:
    body = ca.expect_error(await policy.get(), 404, "ResourceNotFoundException")

    assert policy.arn in body["message"]


async def test_delete_returns_the_old_policy(policy, ca) -> None:
    stored = ok(await policy.put(policy_text()))

    deleted = ok(await policy.delete())

    assert deleted == stored
    ca.expect_error(await policy.get(), 404, "ResourceNotFoundException")
    ca.expect_error(await policy.delete(), 404, "ResourceNotFoundException")


async def test_delete_checks_the_revision(policy, ca) -> None:
    first = ok(await policy.put(policy_text("One")))
    current = ok(await policy.put(policy_text("Two")))

    ca.expect_error(await policy.delete(first["revision"]), 409, "ConflictException")
    assert ok(await policy.delete(current["revision"])) == current


@pytest.mark.parametrize(
    ("document", "named"),
    [
        ('{"Version": "2012-10-17", "Statement": [', "JSON"),
        ("not a policy at all", "JSON"),
        ('{"Version": "2012-10-17"}', "Statement"),
        (
            '{"Statement": [{"Effect": "Allow", "Action": "codeartifact:*", "Resource": "*"}]}',
            "Principal",
        ),
        (
            '{"Statement": [{"Effect": "Maybe", "Principal": "*", "Action": "codeartifact:*"}]}',
            "Effect",
        ),
        ('{"Version": "2099-01-01", "Statement": []}', "Version"),
    ],
    ids=["truncated", "text", "no-statement", "no-principal", "bad-effect", "bad-version"],
)
async def test_invalid_policy_is_rejected_naming_the_problem(
    policy, ca, document: str, named: str
) -> None:
    body = ca.expect_error(await policy.put(document), 400, "ValidationException")

    assert named in body["message"]
    ca.expect_error(await policy.get(), 404, "ResourceNotFoundException")  # nothing stored


async def test_policy_over_7168_characters(policy, ca) -> None:
    statement = json.loads(policy_text())["Statement"][0]
    padded = json.dumps({"Version": "2012-10-17", "Statement": [statement]}, indent=1)
    padded = padded[:-1] + " " * (7169 - len(padded)) + "}"
    assert len(padded) == 7169
    json.loads(padded)  # still a valid policy, only too long

    body = ca.expect_error(await policy.put(padded), 400, "ValidationException")

    assert "7168" in body["message"]
    at_limit = padded[:-2] + "}"
    assert len(at_limit) == 7168
    assert ok(await policy.put(at_limit))["document"] == at_limit


async def test_policy_of_a_missing_domain(ca, admin) -> None:
    missing = DomainPolicy(ca, admin, "nowhere")
    for response in (
        await missing.put(policy_text()),
        await missing.get(),
        await missing.delete(),
    ):
        ca.expect_error(response, 404, "ResourceNotFoundException")


async def test_policy_of_a_missing_repository(ca, admin, domain) -> None:
    missing = RepositoryPolicy(ca, admin, domain, "nothing")
    for response in (
        await missing.put(policy_text()),
        await missing.get(),
        await missing.delete(),
    ):
        body = ca.expect_error(response, 404, "ResourceNotFoundException")
        assert body["resourceType"] == "repository"


async def test_domain_and_repository_policies_are_separate(ca, admin, domain) -> None:
    on_domain = ok(await DomainPolicy(ca, admin, domain).put(policy_text("OnDomain")))

    ca.expect_error(
        await RepositoryPolicy(ca, admin, domain, "libs").get(), 404, "ResourceNotFoundException"
    )
    on_repository = ok(await RepositoryPolicy(ca, admin, domain, "libs").put(policy_text("Repo")))
    assert on_domain["resourceArn"] != on_repository["resourceArn"]
    assert ok(await DomainPolicy(ca, admin, domain).get()) == on_domain


async def test_put_domain_policy_takes_the_domain_in_the_body(ca, admin, domain) -> None:
    """The CLI sends domain/domainOwner in the JSON body and no query string."""
    reply = await ca.ok(
        "PUT",
        "/v1/domain/permissions/policy",
        json={"domain": domain, "domainOwner": admin.account_id, "policyDocument": policy_text()},
        creds=admin,
    )

    assert reply["policy"]["resourceArn"].endswith(":domain/acme")
    body = await ca.fail(
        "PUT",
        "/v1/domain/permissions/policy",
        query={"domain": domain},
        json={"policyDocument": policy_text()},
        creds=admin,
        status=400,
        error="ValidationException",
    )
    assert "Value null at 'domain'" in body["message"]
