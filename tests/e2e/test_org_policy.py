"""The seed's organization-wide read access, driven with the unmodified aws CLI.

Account A (the bootstrap administrator's) owns domain D and grants, by domain policy, every
principal of organization o-X the right to fetch tokens and read. An account in o-X whose users
may use CodeArtifact gets tokens for D; an account elsewhere, a user without an identity policy,
and an action the domain policy does not grant are all refused, and removing a user's identity
policy takes effect on its next request.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from support.aws import AwsCli, CliResult
from support.iam import (
    DENY_ALL,
    User,
    create_account,
    create_user,
    identity_policy,
    resource_policy,
    write_policy,
)
from support.names import new_name, new_organization_id
from support.server import CofferServer

pytestmark = pytest.mark.e2e

# Policy changes must reach a running server at once. DESIGN.md §3 lets a per-process policy
# cache lag the database by about a second, so allow that much (and no more).
LIVE_WITHIN = 3.0

ORG_READ_ACTIONS = (
    "codeartifact:GetAuthorizationToken",
    "codeartifact:ReadFromRepository",
    "codeartifact:DescribeDomain",
    "codeartifact:GetRepositoryEndpoint",
    "sts:GetServiceBearerToken",
)
CODEARTIFACT_USER = identity_policy("codeartifact:*", "sts:GetServiceBearerToken")


@dataclass(frozen=True)
class Seed:
    domain: str
    repository: str
    owner: str  # account A
    organization: str  # o-X
    policy_revision: str


@pytest.fixture
def seed(ca: Any, coffer_server: CofferServer) -> Seed:
    """Domain D with a repository, owned by account A, readable by organization o-X.

    Set up with boto3 as A's administrator; the calls under test are the CLI's.
    """
    organization = new_organization_id()
    domain, repository = new_name(), new_name()
    ca.create_domain(domain=domain)
    ca.create_repository(domain=domain, repository=repository)
    policy = resource_policy(
        "*",
        *ORG_READ_ACTIONS,
        condition={"StringEquals": {"aws:PrincipalOrgID": [organization]}},
    )
    put = ca.put_domain_permissions_policy(domain=domain, policyDocument=json.dumps(policy))
    return Seed(
        domain, repository, coffer_server.account_id, organization, put["policy"]["revision"]
    )


def _user_in(
    server: CofferServer, tmp_path: Path, organization: str | None, policy: object | None
) -> User:
    account = create_account(server, organization)
    directory = tmp_path / f"account-{account}"
    return create_user(server, account, directory, policy=policy)  # type: ignore[arg-type]


def _token(cli: AwsCli, seed: Seed) -> CliResult:
    return cli.run(
        "codeartifact",
        "get-authorization-token",
        "--domain",
        seed.domain,
        "--domain-owner",
        seed.owner,
        "--query",
        "authorizationToken",
        "--output",
        "text",
    )


def _assert_denied(result: CliResult) -> None:
    assert result.returncode == 255, result.describe()
    assert result.error_code == "AccessDeniedException", result.describe()


def test_member_of_the_organization_gets_a_token(
    aws: AwsCli, coffer_server: CofferServer, seed: Seed, tmp_path: Path
) -> None:
    member = _user_in(coffer_server, tmp_path, seed.organization, CODEARTIFACT_USER)
    cli = aws.with_credentials(member.credentials)

    result = _token(cli, seed)
    assert result.returncode == 0, result.describe()
    assert result.stdout.strip()

    # The other actions the domain policy grants work too.
    described = cli.call("describe-domain", "--domain", seed.domain, "--domain-owner", seed.owner)
    assert described["domain"]["owner"] == seed.owner
    endpoint = cli.text(
        "get-repository-endpoint",
        "--domain",
        seed.domain,
        "--domain-owner",
        seed.owner,
        "--repository",
        seed.repository,
        "--format",
        "pypi",
        "--query",
        "repositoryEndpoint",
    )
    assert endpoint == f"{coffer_server.url}/{seed.domain}-{seed.owner}/pypi/{seed.repository}/"


def test_token_also_needs_sts_get_service_bearer_token(
    aws: AwsCli, coffer_server: CofferServer, seed: Seed, tmp_path: Path
) -> None:
    """The domain policy grants both actions, but sts:GetServiceBearerToken must also be in the
    caller's identity policy (CodeArtifact's rule); codeartifact:* alone does not include it."""
    member = _user_in(coffer_server, tmp_path, seed.organization, identity_policy("codeartifact:*"))
    cli = aws.with_credentials(member.credentials)
    _assert_denied(_token(cli, seed))
    described = cli.call("describe-domain", "--domain", seed.domain, "--domain-owner", seed.owner)
    assert described["domain"]["name"] == seed.domain


def test_account_outside_the_organization_is_denied(
    aws: AwsCli, coffer_server: CofferServer, seed: Seed, tmp_path: Path
) -> None:
    outsider = _user_in(coffer_server, tmp_path, new_organization_id(), CODEARTIFACT_USER)
    cli = aws.with_credentials(outsider.credentials)
    _assert_denied(_token(cli, seed))
    _assert_denied(
        cli.run(
            "codeartifact", "describe-domain", "--domain", seed.domain, "--domain-owner", seed.owner
        )
    )


def test_account_in_no_organization_is_denied(
    aws: AwsCli, coffer_server: CofferServer, seed: Seed, tmp_path: Path
) -> None:
    loner = _user_in(coffer_server, tmp_path, None, CODEARTIFACT_USER)
    _assert_denied(_token(aws.with_credentials(loner.credentials), seed))


@pytest.mark.parametrize(
    "args",
    [
        pytest.param(("create-repository", "--repository", "sneaky"), id="create-repository"),
        pytest.param(("delete-domain",), id="delete-domain"),
        pytest.param(("list-repositories-in-domain",), id="list-repositories-in-domain"),
        pytest.param(("get-domain-permissions-policy",), id="get-domain-permissions-policy"),
        pytest.param(
            ("put-domain-permissions-policy", "--policy-document", "file://{grab_all}"),
            id="put-domain-permissions-policy",
        ),
    ],
)
def test_member_cannot_do_what_the_domain_policy_does_not_grant(
    aws: AwsCli,
    ca: Any,
    coffer_server: CofferServer,
    seed: Seed,
    tmp_path: Path,
    args: tuple[str, ...],
) -> None:
    member = _user_in(coffer_server, tmp_path, seed.organization, CODEARTIFACT_USER)
    cli = aws.with_credentials(member.credentials)
    # A member trying to rewrite the domain policy to grant itself everything.
    grab_all = write_policy(tmp_path, resource_policy("*", "codeartifact:*"))
    rest = [arg.format(grab_all=grab_all) for arg in args[1:]]
    result = cli.run(
        "codeartifact", args[0], "--domain", seed.domain, "--domain-owner", seed.owner, *rest
    )
    _assert_denied(result)
    # Nothing changed in A's domain.
    repositories = ca.list_repositories_in_domain(domain=seed.domain)["repositories"]
    assert [r["name"] for r in repositories] == [seed.repository]
    assert ca.describe_domain(domain=seed.domain)["domain"]["status"] == "Active"
    policy = ca.get_domain_permissions_policy(domain=seed.domain)["policy"]
    assert policy["revision"] == seed.policy_revision


def test_same_account_user_without_identity_policy_is_denied_everything(
    aws: AwsCli, coffer_server: CofferServer, seed: Seed, tmp_path: Path
) -> None:
    nobody = create_user(coffer_server, seed.owner, tmp_path / "nobody")  # no --policy-file
    cli = aws.with_credentials(nobody.credentials)
    d, r = ("--domain", seed.domain), ("--repository", seed.repository)
    attempts = [
        ("get-authorization-token", *d),
        ("describe-domain", *d),
        ("list-domains",),
        ("create-domain", "--domain", new_name()),
        ("delete-domain", *d),
        ("describe-repository", *d, *r),
        ("create-repository", *d, "--repository", new_name()),
        ("list-repositories",),
        ("list-repositories-in-domain", *d),
        ("get-repository-endpoint", *d, *r, "--format", "pypi"),
        ("get-domain-permissions-policy", *d),
        (
            "list-tags-for-resource",
            "--resource-arn",
            f"arn:aws:codeartifact:us-east-1:{seed.owner}:domain/{seed.domain}",
        ),
    ]
    for attempt in attempts:
        _assert_denied(cli.run("codeartifact", *attempt))


def test_removing_the_identity_policy_takes_effect_at_once(
    aws: AwsCli, coffer_server: CofferServer, seed: Seed, tmp_path: Path
) -> None:
    member = _user_in(coffer_server, tmp_path, seed.organization, CODEARTIFACT_USER)
    cli = aws.with_credentials(member.credentials)
    first = _token(cli, seed)
    assert first.returncode == 0, first.describe()

    coffer_server.admin(
        "put-user-policy",
        "--account",
        member.account_id,
        member.name,
        "--policy-file",
        str(write_policy(tmp_path, DENY_ALL)),
    )
    _assert_denied_soon(cli, seed)

    coffer_server.admin(
        "put-user-policy",
        "--account",
        member.account_id,
        member.name,
        "--policy-file",
        str(write_policy(tmp_path, CODEARTIFACT_USER)),
    )
    again = _token(cli, seed)
    assert again.returncode == 0, again.describe()

    coffer_server.admin("delete-user-policy", "--account", member.account_id, member.name)
    _assert_denied_soon(cli, seed)


def _assert_denied_soon(cli: AwsCli, seed: Seed) -> None:
    deadline = time.monotonic() + LIVE_WITHIN
    while True:
        result = _token(cli, seed)
        if result.returncode != 0 or time.monotonic() > deadline:
            break
    _assert_denied(result)
