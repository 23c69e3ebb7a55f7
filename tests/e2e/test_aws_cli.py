"""The unmodified aws CLI (v1) against Coffer, reached only through standard settings:
``AWS_ENDPOINT_URL_CODEARTIFACT`` and ``AWS_SHARED_CREDENTIALS_FILE=<data-dir>/admin.credentials``.

Every control-plane operation Coffer implements is run the way DESIGN.md §1 shows it, and each
error path must print the modeled exception name and exit 255, as against AWS.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from support.aws import AwsCli
from support.iam import resource_policy, write_policy
from support.names import new_name
from support.server import CofferServer

pytestmark = pytest.mark.e2e


def _read_policy(owner: str) -> dict[str, object]:
    return resource_policy(
        {"AWS": f"arn:aws:iam::{owner}:root"},
        "codeartifact:ReadFromRepository",
        "codeartifact:DescribeDomain",
    )


# ------------------------------------------------------------------------------ domains


def test_domain_lifecycle(aws: AwsCli, coffer_server: CofferServer, unique_name: str) -> None:
    owner = coffer_server.account_id
    arn = f"arn:aws:codeartifact:us-east-1:{owner}:domain/{unique_name}"

    created = aws.call("create-domain", "--domain", unique_name)["domain"]
    assert created["name"] == unique_name
    assert created["owner"] == owner
    assert created["arn"] == arn
    assert created["status"] == "Active"
    assert created["repositoryCount"] == 0
    assert abs(created["createdTime"] - time.time()) < 120  # epoch seconds, as a JSON number

    described = aws.call("describe-domain", "--domain", unique_name)["domain"]
    assert described == created
    assert aws.call("describe-domain", "--domain", unique_name, "--domain-owner", owner) == {
        "domain": created
    }

    listed = aws.text("list-domains", "--query", f"domains[?name=='{unique_name}'].arn")
    assert listed == arn

    deleted = aws.call("delete-domain", "--domain", unique_name)["domain"]
    assert deleted["name"] == unique_name
    assert deleted["status"] == "Deleted"

    gone = aws.fails("describe-domain", "--domain", unique_name)
    assert gone.error_code == "ResourceNotFoundException"
    assert aws.text("list-domains", "--query", f"domains[?name=='{unique_name}'].arn") == ""


# ------------------------------------------------------------------------- repositories


def test_repository_lifecycle(aws: AwsCli, coffer_server: CofferServer, unique_name: str) -> None:
    owner = coffer_server.account_id
    domain = unique_name
    aws.call("create-domain", "--domain", domain)
    for name in ("pypi-store", "team-a", "team-b"):
        aws.call("create-repository", "--domain", domain, "--repository", name)

    created = aws.call(
        "create-repository",
        "--domain",
        domain,
        "--repository",
        "example",
        "--description",
        "first description",
        "--upstreams",
        "repositoryName=pypi-store",
    )["repository"]
    assert created["name"] == "example"
    assert created["domainName"] == domain
    assert created["domainOwner"] == owner
    assert created["administratorAccount"] == owner
    assert created["arn"] == f"arn:aws:codeartifact:us-east-1:{owner}:repository/{domain}/example"
    assert created["description"] == "first description"
    assert created["upstreams"] == [{"repositoryName": "pypi-store"}]

    assert aws.call("describe-repository", "--domain", domain, "--repository", "example") == {
        "repository": created
    }

    updated = aws.call(
        "update-repository",
        "--domain",
        domain,
        "--repository",
        "example",
        "--description",
        "second description",
        "--upstreams",
        "repositoryName=team-b",
        "repositoryName=team-a",
        "repositoryName=pypi-store",
    )["repository"]
    assert updated["description"] == "second description"
    assert [u["repositoryName"] for u in updated["upstreams"]] == ["team-b", "team-a", "pypi-store"]
    upstreams = aws.text(
        "describe-repository",
        "--domain",
        domain,
        "--repository",
        "example",
        "--query",
        "repository.upstreams[].repositoryName",
    )
    assert upstreams.split() == ["team-b", "team-a", "pypi-store"]

    assert aws.text("describe-domain", "--domain", domain, "--query", "domain.repositoryCount") == (
        "4"
    )
    in_domain = aws.text(
        "list-repositories-in-domain", "--domain", domain, "--query", "repositories[].name"
    )
    assert sorted(in_domain.split()) == ["example", "pypi-store", "team-a", "team-b"]
    prefixed = aws.text(
        "list-repositories-in-domain",
        "--domain",
        domain,
        "--repository-prefix",
        "team-",
        "--query",
        "repositories[].name",
    )
    assert sorted(prefixed.split()) == ["team-a", "team-b"]
    everywhere = aws.text(
        "list-repositories",
        "--repository-prefix",
        "team-",
        "--query",
        f"repositories[?domainName=='{domain}'].name",
    )
    assert sorted(everywhere.split()) == ["team-a", "team-b"]

    deleted = aws.call("delete-repository", "--domain", domain, "--repository", "example")
    assert deleted["repository"]["name"] == "example"
    gone = aws.fails("describe-repository", "--domain", domain, "--repository", "example")
    assert gone.error_code == "ResourceNotFoundException"
    assert aws.text("describe-domain", "--domain", domain, "--query", "domain.repositoryCount") == (
        "3"
    )


# ------------------------------------------------------------------- endpoint and token


def test_get_repository_endpoint_pypi(
    aws: AwsCli, coffer_server: CofferServer, unique_name: str
) -> None:
    aws.call("create-domain", "--domain", unique_name)
    aws.call("create-repository", "--domain", unique_name, "--repository", "example")
    endpoint = aws.text(
        "get-repository-endpoint",
        "--domain",
        unique_name,
        "--repository",
        "example",
        "--format",
        "pypi",
        "--query",
        "repositoryEndpoint",
    )
    owner = coffer_server.account_id
    assert endpoint == f"{coffer_server.url}/{unique_name}-{owner}/pypi/example/"


def test_get_authorization_token(aws: AwsCli, unique_name: str) -> None:
    aws.call("create-domain", "--domain", unique_name)
    token = aws.text(
        "get-authorization-token", "--domain", unique_name, "--query", "authorizationToken"
    )
    assert token
    assert len(token) < 1200  # fits the Windows credential store (poetry#6597)
    assert all(c.isalnum() or c in "-._~" for c in token), "token must be URL-safe"

    issued = aws.call(
        "get-authorization-token", "--domain", unique_name, "--duration-seconds", "900"
    )
    assert issued["authorizationToken"] != token
    assert abs(issued["expiration"] - (time.time() + 900)) < 120

    default = aws.call("get-authorization-token", "--domain", unique_name)
    assert abs(default["expiration"] - (time.time() + 12 * 3600)) < 120


# ------------------------------------------------------------------------------ policies


@pytest.mark.parametrize("kind", ["domain", "repository"])
def test_permissions_policy_round_trip(
    aws: AwsCli, coffer_server: CofferServer, unique_name: str, tmp_path: Path, kind: str
) -> None:
    owner = coffer_server.account_id
    aws.call("create-domain", "--domain", unique_name)
    aws.call("create-repository", "--domain", unique_name, "--repository", "example")
    target = ["--domain", unique_name]
    arn = f"arn:aws:codeartifact:us-east-1:{owner}:domain/{unique_name}"
    if kind == "repository":
        target += ["--repository", "example"]
        arn = f"arn:aws:codeartifact:us-east-1:{owner}:repository/{unique_name}/example"
    first = write_policy(tmp_path, _read_policy(owner))
    second = write_policy(tmp_path, resource_policy("*", "codeartifact:ReadFromRepository"))

    put = aws.call(
        f"put-{kind}-permissions-policy", *target, "--policy-document", f"file://{first}"
    )["policy"]
    assert put["resourceArn"] == arn
    assert json.loads(put["document"]) == json.loads(first.read_text())
    assert put["revision"]

    got = aws.call(f"get-{kind}-permissions-policy", *target)["policy"]
    assert got == put

    stale = aws.fails(
        f"put-{kind}-permissions-policy",
        *target,
        "--policy-document",
        f"file://{second}",
        "--policy-revision",
        "not-the-revision",
    )
    assert stale.error_code == "ConflictException"
    assert aws.call(f"get-{kind}-permissions-policy", *target)["policy"] == put

    replaced = aws.call(
        f"put-{kind}-permissions-policy",
        *target,
        "--policy-document",
        f"file://{second}",
        "--policy-revision",
        put["revision"],
    )["policy"]
    assert replaced["revision"] != put["revision"]
    assert json.loads(replaced["document"]) == json.loads(second.read_text())

    stale_delete = aws.fails(
        f"delete-{kind}-permissions-policy", *target, "--policy-revision", put["revision"]
    )
    assert stale_delete.error_code == "ConflictException"

    deleted = aws.call(
        f"delete-{kind}-permissions-policy", *target, "--policy-revision", replaced["revision"]
    )["policy"]
    assert deleted == replaced
    missing = aws.fails(f"get-{kind}-permissions-policy", *target)
    assert missing.error_code == "ResourceNotFoundException"


# ---------------------------------------------------------------------------------- tags


@pytest.mark.parametrize("kind", ["domain", "repository"])
def test_tags(aws: AwsCli, coffer_server: CofferServer, unique_name: str, kind: str) -> None:
    owner = coffer_server.account_id
    if kind == "domain":
        aws.call("create-domain", "--domain", unique_name, "--tags", "key=team,value=platform")
        arn = f"arn:aws:codeartifact:us-east-1:{owner}:domain/{unique_name}"
    else:
        aws.call("create-domain", "--domain", unique_name)
        aws.call(
            "create-repository",
            "--domain",
            unique_name,
            "--repository",
            "example",
            "--tags",
            "key=team,value=platform",
        )
        arn = f"arn:aws:codeartifact:us-east-1:{owner}:repository/{unique_name}/example"

    def tags() -> dict[str, str]:
        listed = aws.call("list-tags-for-resource", "--resource-arn", arn)["tags"]
        return {tag["key"]: tag["value"] for tag in listed}

    assert tags() == {"team": "platform"}
    assert (
        aws.call(
            "tag-resource",
            "--resource-arn",
            arn,
            "--tags",
            "key=cost-center,value=42",
            "key=team,value=security",
        )
        is None
    )
    assert tags() == {"team": "security", "cost-center": "42"}
    assert aws.call("untag-resource", "--resource-arn", arn, "--tag-keys", "team") is None
    assert tags() == {"cost-center": "42"}


# --------------------------------------------------------------------------- error paths


@dataclass(frozen=True)
class Failure:
    args: tuple[str, ...]  # {domain}, {repository}, {missing}, {policy} are filled in
    error: str
    operation: str


FAILURES = {
    "duplicate domain": Failure(
        ("create-domain", "--domain", "{domain}"), "ConflictException", "CreateDomain"
    ),
    "missing domain": Failure(
        ("describe-domain", "--domain", "{missing}"), "ResourceNotFoundException", "DescribeDomain"
    ),
    "repository in a missing domain": Failure(
        ("create-repository", "--domain", "{missing}", "--repository", "r1"),
        "ResourceNotFoundException",
        "CreateRepository",
    ),
    "missing repository": Failure(
        ("describe-repository", "--domain", "{domain}", "--repository", "{missing}"),
        "ResourceNotFoundException",
        "DescribeRepository",
    ),
    "duplicate repository": Failure(
        ("create-repository", "--domain", "{domain}", "--repository", "{repository}"),
        "ConflictException",
        "CreateRepository",
    ),
    "invalid domain name": Failure(
        ("create-domain", "--domain", "Not_A_Domain"), "ValidationException", "CreateDomain"
    ),
    "invalid repository name": Failure(
        ("create-repository", "--domain", "{domain}", "--repository", "bad!name"),
        "ValidationException",
        "CreateRepository",
    ),
    "token duration too short": Failure(
        ("get-authorization-token", "--domain", "{domain}", "--duration-seconds", "100"),
        "ValidationException",
        "GetAuthorizationToken",
    ),
    "token duration too long": Failure(
        ("get-authorization-token", "--domain", "{domain}", "--duration-seconds", "43201"),
        "ValidationException",
        "GetAuthorizationToken",
    ),
    "wrong policy revision": Failure(
        (
            "put-domain-permissions-policy",
            "--domain",
            "{domain}",
            "--policy-document",
            "file://{policy}",
            "--policy-revision",
            "wrong-revision",
        ),
        "ConflictException",
        "PutDomainPermissionsPolicy",
    ),
    "delete a domain that has repositories": Failure(
        ("delete-domain", "--domain", "{domain}"), "ConflictException", "DeleteDomain"
    ),
    "endpoint of a missing repository": Failure(
        (
            "get-repository-endpoint",
            "--domain",
            "{domain}",
            "--repository",
            "{missing}",
            "--format",
            "pypi",
        ),
        "ResourceNotFoundException",
        "GetRepositoryEndpoint",
    ),
}


@pytest.mark.parametrize("case", FAILURES.values(), ids=FAILURES.keys())
def test_error_paths(
    aws: AwsCli, ca: Any, coffer_server: CofferServer, tmp_path: Path, case: Failure
) -> None:
    # Set-up and checks go through boto3 (fast); the failing call is the CLI's.
    domain, repository, missing = new_name(), new_name(), new_name()
    policy = write_policy(tmp_path, _read_policy(coffer_server.account_id))
    ca.create_domain(domain=domain)
    ca.create_repository(domain=domain, repository=repository)
    ca.put_domain_permissions_policy(domain=domain, policyDocument=policy.read_text())
    before = ca.describe_domain(domain=domain)["domain"]
    policy_before = ca.get_domain_permissions_policy(domain=domain)["policy"]

    values = {"domain": domain, "repository": repository, "missing": missing, "policy": policy}
    result = aws.fails(*(arg.format(**values) for arg in case.args))

    assert result.error_code == case.error, result.describe()
    assert f"when calling the {case.operation} operation: " in result.stderr
    message = result.stderr.split("operation: ", 1)[1].strip()
    assert message, "the error must carry a message"
    # A failed call changes nothing.
    assert ca.describe_domain(domain=domain)["domain"] == before
    assert ca.get_domain_permissions_policy(domain=domain)["policy"] == policy_before
    listed = ca.list_repositories_in_domain(domain=domain)["repositories"]
    assert [r["name"] for r in listed] == [repository]
    with pytest.raises(ca.exceptions.ResourceNotFoundException):
        ca.describe_domain(domain=missing)
