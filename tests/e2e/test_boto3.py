"""boto3 against Coffer: every implemented operation, its response shapes and modeled errors.

boto3 parses responses with the same service model the server is written against, so these
tests see what every SDK user sees: timestamps as datetimes, modeled exception classes,
paginators that follow ``nextToken``.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import botocore.session
import pytest
from botocore.exceptions import ClientError

from support.aws import codeartifact_client
from support.iam import ALLOW_ALL, create_account, create_user, resource_policy
from support.names import new_name
from support.server import CofferServer

pytestmark = pytest.mark.e2e

REGION = "us-east-1"
FORMATS = (
    botocore.session.get_session().get_service_model("codeartifact").shape_for("PackageFormat").enum
)


def _near_now(moment: datetime, slack: timedelta = timedelta(minutes=2)) -> bool:
    return abs(moment - datetime.now(UTC)) < slack


def _policy(owner: str, *actions: str) -> str:
    return json.dumps(resource_policy({"AWS": f"arn:aws:iam::{owner}:root"}, *actions))


@dataclass(frozen=True)
class Account:
    id: str
    client: Any


@pytest.fixture
def fresh_account(coffer_server: CofferServer, tmp_path: Path) -> Account:
    """A new, empty account with an all-powerful user: lists in it hold only what a test made."""
    account_id = create_account(coffer_server)
    user = create_user(coffer_server, account_id, tmp_path / "iam", policy=ALLOW_ALL)
    return Account(account_id, codeartifact_client(coffer_server.url, user.credentials))


@pytest.fixture
def domain(ca: Any, unique_name: str) -> str:
    ca.create_domain(domain=unique_name)
    return unique_name


def _error(call: Callable[[], object]) -> ClientError:
    with pytest.raises(ClientError) as caught:
        call()
    return caught.value


# ------------------------------------------------------------------------------ domains


def test_domain_shapes(ca: Any, coffer_server: CofferServer, unique_name: str) -> None:
    owner = coffer_server.account_id
    created = ca.create_domain(domain=unique_name)["domain"]
    assert created["name"] == unique_name
    assert created["owner"] == owner
    assert created["arn"] == f"arn:aws:codeartifact:{REGION}:{owner}:domain/{unique_name}"
    assert created["status"] == "Active"
    assert isinstance(created["createdTime"], datetime)
    assert created["createdTime"].tzinfo is not None
    assert _near_now(created["createdTime"])
    assert created["repositoryCount"] == 0
    assert created["assetSizeBytes"] == 0

    assert ca.describe_domain(domain=unique_name)["domain"] == created
    assert ca.describe_domain(domain=unique_name, domainOwner=owner)["domain"] == created

    ca.create_repository(domain=unique_name, repository="one")
    ca.create_repository(domain=unique_name, repository="two")
    assert ca.describe_domain(domain=unique_name)["domain"]["repositoryCount"] == 2
    ca.delete_repository(domain=unique_name, repository="one")
    assert ca.describe_domain(domain=unique_name)["domain"]["repositoryCount"] == 1

    summaries = [
        d
        for page in ca.get_paginator("list_domains").paginate()
        for d in page["domains"]
        if d["name"] == unique_name
    ]
    assert len(summaries) == 1
    assert summaries[0]["arn"] == created["arn"]
    assert summaries[0]["createdTime"] == created["createdTime"]
    assert summaries[0]["status"] == "Active"

    ca.delete_repository(domain=unique_name, repository="two")
    deleted = ca.delete_domain(domain=unique_name)["domain"]
    assert deleted["name"] == unique_name
    assert deleted["status"] == "Deleted"
    with pytest.raises(ca.exceptions.ResourceNotFoundException):
        ca.describe_domain(domain=unique_name)


# ------------------------------------------------------------------------- repositories


def test_repository_shapes_and_updates(ca: Any, coffer_server: CofferServer, domain: str) -> None:
    owner = coffer_server.account_id
    for name in ("up-a", "up-b", "up-c"):
        ca.create_repository(domain=domain, repository=name)
    created = ca.create_repository(
        domain=domain,
        repository="app",
        description="the app",
        upstreams=[{"repositoryName": "up-a"}, {"repositoryName": "up-b"}],
    )["repository"]
    assert created["name"] == "app"
    assert created["domainName"] == domain
    assert created["domainOwner"] == owner
    assert created["administratorAccount"] == owner
    assert created["arn"] == f"arn:aws:codeartifact:{REGION}:{owner}:repository/{domain}/app"
    assert created["description"] == "the app"
    assert created["upstreams"] == [{"repositoryName": "up-a"}, {"repositoryName": "up-b"}]
    assert created["externalConnections"] == []
    assert isinstance(created["createdTime"], datetime)
    assert _near_now(created["createdTime"])
    assert ca.describe_repository(domain=domain, repository="app")["repository"] == created

    for order in (["up-c", "up-a", "up-b"], ["up-b", "up-c"], ["up-a", "up-c", "up-b"]):
        updated = ca.update_repository(
            domain=domain, repository="app", upstreams=[{"repositoryName": n} for n in order]
        )["repository"]
        assert [u["repositoryName"] for u in updated["upstreams"]] == order
        assert updated["description"] == "the app"  # untouched when not sent
        described = ca.describe_repository(domain=domain, repository="app")["repository"]
        assert [u["repositoryName"] for u in described["upstreams"]] == order

    updated = ca.update_repository(domain=domain, repository="app", description="renamed")
    assert updated["repository"]["description"] == "renamed"
    assert [u["repositoryName"] for u in updated["repository"]["upstreams"]] == order

    cleared = ca.update_repository(domain=domain, repository="app", upstreams=[])["repository"]
    assert cleared.get("upstreams", []) == []
    assert cleared["createdTime"] == created["createdTime"]

    deleted = ca.delete_repository(domain=domain, repository="app")["repository"]
    assert deleted["name"] == "app"
    assert deleted["arn"] == created["arn"]
    with pytest.raises(ca.exceptions.ResourceNotFoundException):
        ca.describe_repository(domain=domain, repository="app")


def test_upstream_of_another_repository_cannot_be_deleted(ca: Any, domain: str) -> None:
    ca.create_repository(domain=domain, repository="store")
    ca.create_repository(domain=domain, repository="app", upstreams=[{"repositoryName": "store"}])
    with pytest.raises(ca.exceptions.ConflictException):
        ca.delete_repository(domain=domain, repository="store")
    ca.describe_repository(domain=domain, repository="store")


@pytest.mark.parametrize("fmt", FORMATS)
def test_repository_endpoint_for_every_format(
    ca: Any, coffer_server: CofferServer, domain: str, fmt: str
) -> None:
    ca.create_repository(domain=domain, repository="example")
    endpoint = ca.get_repository_endpoint(domain=domain, repository="example", format=fmt)
    owner = coffer_server.account_id
    assert endpoint["repositoryEndpoint"] == (
        f"{coffer_server.url}/{domain}-{owner}/{fmt}/example/"
    )


def test_model_lists_the_expected_formats() -> None:
    assert set(FORMATS) == {"npm", "pypi", "maven", "nuget", "generic", "ruby", "swift", "cargo"}


# ---------------------------------------------------------------------------------- token


def test_authorization_token(ca: Any, domain: str) -> None:
    issued = ca.get_authorization_token(domain=domain, durationSeconds=900)
    assert isinstance(issued["authorizationToken"], str)
    assert issued["authorizationToken"]
    assert isinstance(issued["expiration"], datetime)
    assert abs(issued["expiration"] - (datetime.now(UTC) + timedelta(seconds=900))) < timedelta(
        minutes=2
    )
    default = ca.get_authorization_token(domain=domain)
    twelve_hours = datetime.now(UTC) + timedelta(hours=12)
    assert abs(default["expiration"] - twelve_hours) < timedelta(minutes=2)
    longest = ca.get_authorization_token(domain=domain, durationSeconds=43200)
    assert abs(longest["expiration"] - twelve_hours) < timedelta(minutes=2)
    # 0 means "the caller's session"; a Coffer access key has none, so the default applies.
    session = ca.get_authorization_token(domain=domain, durationSeconds=0)
    assert abs(session["expiration"] - twelve_hours) < timedelta(minutes=2)


# ------------------------------------------------------------------------------ policies


@pytest.mark.parametrize("kind", ["domain", "repository"])
def test_permissions_policies(ca: Any, coffer_server: CofferServer, domain: str, kind: str) -> None:
    owner = coffer_server.account_id
    ca.create_repository(domain=domain, repository="example")
    target: dict[str, str] = {"domain": domain}
    arn = f"arn:aws:codeartifact:{REGION}:{owner}:domain/{domain}"
    put: Callable[..., Any] = ca.put_domain_permissions_policy
    get: Callable[..., Any] = ca.get_domain_permissions_policy
    delete: Callable[..., Any] = ca.delete_domain_permissions_policy
    if kind == "repository":
        target["repository"] = "example"
        arn = f"arn:aws:codeartifact:{REGION}:{owner}:repository/{domain}/example"
        put = ca.put_repository_permissions_policy
        get = ca.get_repository_permissions_policy
        delete = ca.delete_repository_permissions_policy

    with pytest.raises(ca.exceptions.ResourceNotFoundException):
        get(**target)

    documents = [
        _policy(owner, "codeartifact:ReadFromRepository"),
        _policy(owner, "codeartifact:ReadFromRepository", "codeartifact:DescribeRepository"),
        _policy(owner, "codeartifact:DescribeDomain"),
    ]
    revisions: list[str] = []
    for document in documents:
        policy = put(**target, policyDocument=document)["policy"]
        assert policy["resourceArn"] == arn
        assert policy["document"] == document
        assert policy["revision"] not in revisions, "each put makes a new revision"
        revisions.append(policy["revision"])
        assert get(**target)["policy"] == policy

    with pytest.raises(ca.exceptions.ConflictException):
        put(**target, policyDocument=documents[0], policyRevision=revisions[0])
    assert get(**target)["policy"]["revision"] == revisions[-1]
    locked = put(**target, policyDocument=documents[0], policyRevision=revisions[-1])["policy"]
    assert locked["revision"] not in revisions

    with pytest.raises(ca.exceptions.ConflictException):
        delete(**target, policyRevision=revisions[-1])
    deleted = delete(**target, policyRevision=locked["revision"])["policy"]
    assert deleted == {"resourceArn": arn, "document": documents[0], "revision": locked["revision"]}
    with pytest.raises(ca.exceptions.ResourceNotFoundException):
        get(**target)
    with pytest.raises(ca.exceptions.ResourceNotFoundException):
        delete(**target)


def test_invalid_policy_document_is_rejected(ca: Any, domain: str) -> None:
    not_json = _error(
        lambda: ca.put_domain_permissions_policy(domain=domain, policyDocument="{not json")
    )
    assert not_json.response["Error"]["Code"] == "ValidationException"
    no_principal = json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [{"Effect": "Allow", "Action": "codeartifact:*", "Resource": "*"}],
        }
    )
    with pytest.raises(ca.exceptions.ValidationException):
        ca.put_domain_permissions_policy(domain=domain, policyDocument=no_principal)
    with pytest.raises(ca.exceptions.ResourceNotFoundException):
        ca.get_domain_permissions_policy(domain=domain)


# ---------------------------------------------------------------------------------- tags


def test_tags_round_trip(ca: Any, coffer_server: CofferServer, unique_name: str) -> None:
    owner = coffer_server.account_id
    ca.create_domain(domain=unique_name, tags=[{"key": "team", "value": "platform"}])
    ca.create_repository(
        domain=unique_name, repository="example", tags=[{"key": "tier", "value": "gold"}]
    )
    domain_arn = f"arn:aws:codeartifact:{REGION}:{owner}:domain/{unique_name}"
    repo_arn = f"arn:aws:codeartifact:{REGION}:{owner}:repository/{unique_name}/example"

    def tags(arn: str) -> dict[str, str]:
        listed = ca.list_tags_for_resource(resourceArn=arn)["tags"]
        return {tag["key"]: tag["value"] for tag in listed}

    assert tags(domain_arn) == {"team": "platform"}
    assert tags(repo_arn) == {"tier": "gold"}

    ca.tag_resource(
        resourceArn=domain_arn,
        tags=[{"key": "team", "value": "security"}, {"key": "cost-center", "value": ""}],
    )
    assert tags(domain_arn) == {"team": "security", "cost-center": ""}
    ca.untag_resource(resourceArn=domain_arn, tagKeys=["team", "not-there"])
    assert tags(domain_arn) == {"cost-center": ""}
    assert tags(repo_arn) == {"tier": "gold"}

    ca.delete_repository(domain=unique_name, repository="example")
    with pytest.raises(ca.exceptions.ResourceNotFoundException):
        ca.list_tags_for_resource(resourceArn=repo_arn)

    # Tags go with the resource: a new resource of the same name starts untagged.
    ca.create_repository(domain=unique_name, repository="example")
    assert tags(repo_arn) == {}
    ca.delete_repository(domain=unique_name, repository="example")
    ca.delete_domain(domain=unique_name)
    ca.create_domain(domain=unique_name)
    assert tags(domain_arn) == {}


# --------------------------------------------------------------------------- error paths


def test_modeled_errors(ca: Any, domain: str) -> None:
    missing = new_name()
    ca.create_repository(domain=domain, repository="example")
    ca.put_domain_permissions_policy(
        domain=domain, policyDocument=_policy("111122223333", "codeartifact:DescribeDomain")
    )

    duplicate = _error(lambda: ca.create_domain(domain=domain))
    assert isinstance(duplicate, ca.exceptions.ConflictException)
    assert duplicate.response["ResponseMetadata"]["HTTPStatusCode"] == 409
    assert duplicate.response["resourceType"] == "domain"
    assert duplicate.response["resourceId"] == domain
    assert domain in duplicate.response["Error"]["Message"]

    not_found = _error(lambda: ca.describe_domain(domain=missing))
    assert isinstance(not_found, ca.exceptions.ResourceNotFoundException)
    assert not_found.response["ResponseMetadata"]["HTTPStatusCode"] == 404
    assert not_found.response["resourceType"] == "domain"
    assert not_found.response["Error"]["Message"]

    repo_missing = _error(lambda: ca.describe_repository(domain=domain, repository=missing))
    assert isinstance(repo_missing, ca.exceptions.ResourceNotFoundException)
    assert repo_missing.response["resourceType"] == "repository"

    duplicate_repo = _error(lambda: ca.create_repository(domain=domain, repository="example"))
    assert isinstance(duplicate_repo, ca.exceptions.ConflictException)
    assert duplicate_repo.response["resourceType"] == "repository"

    invalid = _error(lambda: ca.create_domain(domain="Upper_Case"))
    assert isinstance(invalid, ca.exceptions.ValidationException)
    assert invalid.response["ResponseMetadata"]["HTTPStatusCode"] == 400
    assert invalid.response["Error"]["Message"]

    for seconds in (1, 100, 899, 43201):
        with pytest.raises(ca.exceptions.ValidationException):
            ca.get_authorization_token(domain=domain, durationSeconds=seconds)

    revision = _error(
        lambda: ca.put_domain_permissions_policy(
            domain=domain,
            policyDocument=_policy("111122223333", "codeartifact:ReadFromRepository"),
            policyRevision="stale",
        )
    )
    assert isinstance(revision, ca.exceptions.ConflictException)

    not_empty = _error(lambda: ca.delete_domain(domain=domain))
    assert isinstance(not_empty, ca.exceptions.ConflictException)
    assert not_empty.response["resourceType"] == "domain"
    assert ca.describe_domain(domain=domain)["domain"]["repositoryCount"] == 1

    too_many = _error(
        lambda: ca.update_repository(
            domain=domain,
            repository="example",
            upstreams=[{"repositoryName": f"up{i}"} for i in range(11)],
        )
    )
    assert isinstance(too_many, ca.exceptions.ValidationException)

    unknown_upstream = _error(
        lambda: ca.update_repository(
            domain=domain, repository="example", upstreams=[{"repositoryName": missing}]
        )
    )
    assert isinstance(
        unknown_upstream,
        ca.exceptions.ResourceNotFoundException | ca.exceptions.ValidationException,
    )
    assert (
        ca.describe_repository(domain=domain, repository="example")["repository"]["upstreams"] == []
    )


# ---------------------------------------------------------------------------- pagination


def test_list_domains_pagination(fresh_account: Account) -> None:
    client = fresh_account.client
    names = sorted(new_name() for _ in range(3))
    for name in names:
        client.create_domain(domain=name)

    seen: list[str] = []
    token: str | None = None
    pages = 0
    while True:
        kwargs: dict[str, Any] = {"maxResults": 1}
        if token:
            kwargs["nextToken"] = token
        page = client.list_domains(**kwargs)
        pages += 1
        assert len(page["domains"]) <= 1
        seen += [d["name"] for d in page["domains"]]
        token = page.get("nextToken")
        if not token:
            break
        assert pages < 10, "pagination does not end"
    assert sorted(seen) == names
    assert len(seen) == len(set(seen))

    paginator = client.get_paginator("list_domains")
    pages_seen = list(paginator.paginate(PaginationConfig={"PageSize": 1}))
    assert sum(len(p["domains"]) for p in pages_seen) == 3
    assert sorted(d["name"] for p in pages_seen for d in p["domains"]) == names
    everything = paginator.paginate().build_full_result()
    assert sorted(d["name"] for d in everything["domains"]) == names
    assert all(d["owner"] == fresh_account.id for d in everything["domains"])


def test_list_repositories_pagination_and_prefix(fresh_account: Account) -> None:
    client = fresh_account.client
    first, second = new_name("a"), new_name("b")
    client.create_domain(domain=first)
    client.create_domain(domain=second)
    expected = {
        (first, "app-one"),
        (first, "lib-one"),
        (second, "app-two"),
        (second, "lib-two"),
        (second, "app-three"),
    }
    for domain_name, repo in expected:
        client.create_repository(domain=domain_name, repository=repo)

    paginator = client.get_paginator("list_repositories")
    pages = list(paginator.paginate(PaginationConfig={"PageSize": 1}))
    listed = [(r["domainName"], r["name"]) for p in pages for r in p["repositories"]]
    assert len(pages) >= len(expected)
    assert sorted(listed) == sorted(expected)
    for page in pages:
        for repository in page["repositories"]:
            assert repository["administratorAccount"] == fresh_account.id
            assert repository["domainOwner"] == fresh_account.id
            assert isinstance(repository["createdTime"], datetime)

    manual: list[tuple[str, str]] = []
    token: str | None = None
    for _ in range(20):
        kwargs: dict[str, Any] = {"maxResults": 2}
        if token:
            kwargs["nextToken"] = token
        page = client.list_repositories(**kwargs)
        assert len(page["repositories"]) <= 2
        manual += [(r["domainName"], r["name"]) for r in page["repositories"]]
        token = page.get("nextToken")
        if not token:
            break
    assert sorted(manual) == sorted(expected)

    apps = paginator.paginate(repositoryPrefix="app-").build_full_result()["repositories"]
    assert sorted((r["domainName"], r["name"]) for r in apps) == sorted(
        item for item in expected if item[1].startswith("app-")
    )
    assert client.list_repositories(repositoryPrefix="nothing-")["repositories"] == []


def test_list_repositories_in_domain(
    fresh_account: Account, coffer_server: CofferServer, tmp_path: Path
) -> None:
    client = fresh_account.client
    domain_name = new_name()
    client.create_domain(domain=domain_name)
    for repo in ("r-1", "r-2", "r-3", "other"):
        client.create_repository(domain=domain_name, repository=repo)

    paginator = client.get_paginator("list_repositories_in_domain")
    pages = list(paginator.paginate(domain=domain_name, PaginationConfig={"PageSize": 1}))
    assert all(len(p["repositories"]) <= 1 for p in pages)
    names = [r["name"] for p in pages for r in p["repositories"]]
    assert sorted(names) == ["other", "r-1", "r-2", "r-3"]

    first = client.list_repositories_in_domain(domain=domain_name, maxResults=1)
    assert len(first["repositories"]) == 1
    assert first["nextToken"]
    rest = client.list_repositories_in_domain(
        domain=domain_name, maxResults=10, nextToken=first["nextToken"]
    )
    assert "nextToken" not in rest or not rest["nextToken"]
    names = [first["repositories"][0]["name"]] + [r["name"] for r in rest["repositories"]]
    assert sorted(names) == ["other", "r-1", "r-2", "r-3"]

    prefixed = client.list_repositories_in_domain(domain=domain_name, repositoryPrefix="r-")
    assert sorted(r["name"] for r in prefixed["repositories"]) == ["r-1", "r-2", "r-3"]

    # A repository created in this domain by another account is administered by that account.
    other_id = create_account(coffer_server)
    other = create_user(coffer_server, other_id, tmp_path / "other", policy=ALLOW_ALL)
    client.put_domain_permissions_policy(
        domain=domain_name,
        policyDocument=_policy(other_id, "codeartifact:CreateRepository"),
    )
    other_client = codeartifact_client(coffer_server.url, other.credentials)
    made = other_client.create_repository(
        domain=domain_name, domainOwner=fresh_account.id, repository="theirs"
    )["repository"]
    assert made["administratorAccount"] == other_id
    assert made["domainOwner"] == fresh_account.id

    by_other = client.list_repositories_in_domain(domain=domain_name, administratorAccount=other_id)
    assert [r["name"] for r in by_other["repositories"]] == ["theirs"]
    by_owner = paginator.paginate(
        domain=domain_name, administratorAccount=fresh_account.id
    ).build_full_result()["repositories"]
    assert sorted(r["name"] for r in by_owner) == ["other", "r-1", "r-2", "r-3"]
    assert client.describe_domain(domain=domain_name)["domain"]["repositoryCount"] == 5
    theirs = other_client.list_repositories()["repositories"]
    assert [(r["domainName"], r["name"]) for r in theirs] == [(domain_name, "theirs")]


def test_timestamps_are_stable(ca: Any, domain: str) -> None:
    """createdTime is the creation time, not the time of the read."""
    first = ca.describe_domain(domain=domain)["domain"]["createdTime"]
    time.sleep(1.1)
    assert ca.describe_domain(domain=domain)["domain"]["createdTime"] == first


def test_list_repositories_pages_through_same_names_in_different_owners_domains(
    coffer_server: CofferServer, tmp_path: Path
) -> None:
    """ListRepositories lists what an account administers, across domain owners: two domains
    of the same name (different owners) holding same-named repositories are two entries."""
    administrator_id = create_account(coffer_server)
    administrator = create_user(coffer_server, administrator_id, tmp_path / "adm", policy=ALLOW_ALL)
    client = codeartifact_client(coffer_server.url, administrator.credentials)
    domain_name = new_name()
    owners = []
    for index in range(2):
        owner_id = create_account(coffer_server)
        owner = create_user(coffer_server, owner_id, tmp_path / f"o{index}", policy=ALLOW_ALL)
        owner_client = codeartifact_client(coffer_server.url, owner.credentials)
        owner_client.create_domain(domain=domain_name)
        owner_client.put_domain_permissions_policy(
            domain=domain_name,
            policyDocument=_policy(administrator_id, "codeartifact:CreateRepository"),
        )
        client.create_repository(domain=domain_name, domainOwner=owner_id, repository="shared")
        owners.append(owner_id)

    everything = client.list_repositories()["repositories"]
    assert sorted(r["domainOwner"] for r in everything) == sorted(owners)

    paginator = client.get_paginator("list_repositories")
    paged = [
        r["domainOwner"]
        for page in paginator.paginate(PaginationConfig={"PageSize": 1})
        for r in page["repositories"]
    ]
    assert sorted(paged) == sorted(owners)


def test_concurrent_creates_of_one_domain_give_one_success_and_conflicts(
    ca: Any, unique_name: str
) -> None:
    def create(_: int) -> str:
        try:
            ca.create_domain(domain=unique_name)
        except ClientError as error:
            return str(error.response["Error"]["Code"])
        return "created"

    with ThreadPoolExecutor(max_workers=8) as pool:
        outcomes = list(pool.map(create, range(8)))
    assert sorted(outcomes) == ["ConflictException"] * 7 + ["created"], outcomes

    repositories = [new_name("r") for _ in range(8)]

    def create_repository(name: str) -> str:
        try:
            ca.create_repository(domain=unique_name, repository=name)
        except ClientError as error:
            return str(error.response["Error"]["Code"])
        return "created"

    with ThreadPoolExecutor(max_workers=8) as pool:
        outcomes = list(pool.map(create_repository, repositories))
    assert outcomes == ["created"] * 8
    assert ca.describe_domain(domain=unique_name)["domain"]["repositoryCount"] == 8
