"""The hot path's caches are exact across processes sharing one store.

Two ``coffer serve`` processes (A and B) run over the same database and blobs, as N servers behind
a load balancer do. B caches pages, files and authorization decisions; every change made through
A — a publish, a yank, an unlisting, a narrowed identity policy, a deleted repository — shows on
B's very next request. No sleeps: a stale cache fails these tests.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from support.aws import codeartifact_client
from support.dists import build_wheel, wheel_filename
from support.iam import create_user, identity_policy, write_policy
from support.pypi_clients import PypiRepo, PythonClients, create_pypi_repo, publish_files
from support.server import CofferServer

pytestmark = pytest.mark.e2e

JSON = {"Accept": "application/vnd.pypi.simple.v1+json"}
PROJECT = "cached-pkg"
READER = identity_policy(
    "codeartifact:GetAuthorizationToken",
    "sts:GetServiceBearerToken",
    "codeartifact:ReadFromRepository",
)
TOKEN_ONLY = identity_policy("codeartifact:GetAuthorizationToken", "sts:GetServiceBearerToken")


@pytest.fixture(scope="module")
def pair(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[CofferServer, CofferServer]]:
    root = tmp_path_factory.mktemp("pair")
    first = CofferServer.start(root / "data", logs=root / "logs")
    second = CofferServer.start(root / "data", logs=root / "logs")
    try:
        yield first, second
    finally:
        second.stop()
        first.stop()


def _repos(pair: tuple[CofferServer, CofferServer], domain: str) -> tuple[PypiRepo, PypiRepo]:
    """The same repository through A and through B (B's endpoint, A's token: one store)."""
    a, b = pair
    ca = codeartifact_client(a.url, a.credentials)
    repo_a = create_pypi_repo(ca, a, domain)
    endpoint_b = repo_a.endpoint.replace(a.url, b.url)
    return repo_a, PypiRepo(b, domain, repo_a.owner, repo_a.repository, endpoint_b, repo_a.token)


def _versions(repo: PypiRepo) -> list[str]:
    response = repo.get(f"simple/{PROJECT}/", headers=JSON)
    assert response.status_code == 200, response.text
    versions: list[str] = response.json()["versions"]
    return versions


def _wheel(version: str) -> dict[str, bytes]:
    return {wheel_filename(PROJECT, version): build_wheel(PROJECT, version)}


def test_publish_on_one_process_shows_on_the_others_next_request(
    pair: tuple[CofferServer, CofferServer], unique_name: str, tmp_path: Path
) -> None:
    repo_a, repo_b = _repos(pair, unique_name)
    publish_files(repo_a, _wheel("1.0.0"))
    assert _versions(repo_b) == ["1.0.0"]
    root = repo_b.get("simple/")
    etag = root.headers["etag"]
    assert repo_b.get("simple/", headers={"If-None-Match": etag}).status_code == 304

    publish_files(repo_a, _wheel("1.1.0"))
    assert _versions(repo_b) == ["1.0.0", "1.1.0"]
    html = repo_b.get(f"simple/{PROJECT}/", headers={"Accept": "text/html"}).text
    assert wheel_filename(PROJECT, "1.1.0") in html
    wheel = repo_b.get(f"simple/{PROJECT}/1.1.0/{wheel_filename(PROJECT, '1.1.0')}")
    assert wheel.content == build_wheel(PROJECT, "1.1.0")

    publish_files(repo_a, {wheel_filename("other-pkg", "1.0"): build_wheel("other-pkg", "1.0")})
    assert repo_b.get("simple/", headers={"If-None-Match": etag}).status_code == 200
    assert "other-pkg" in repo_b.get("simple/").text

    clients = PythonClients(tmp_path / "clients")
    python = clients.new_venv()
    clients.tool(
        "uv",
        "pip",
        "install",
        "--python",
        python,
        "--index-url",
        repo_b.with_credentials(repo_b.simple),
        f"{PROJECT}==1.1.0",
    )


def test_yank_unlist_and_delete_through_the_api_update_the_other_process(
    pair: tuple[CofferServer, CofferServer], unique_name: str
) -> None:
    repo_a, repo_b = _repos(pair, unique_name)
    ca = codeartifact_client(pair[0].url, pair[0].credentials)
    publish_files(repo_a, {**_wheel("1.0.0"), **_wheel("2.0.0")})
    assert _versions(repo_b) == ["1.0.0", "2.0.0"]
    address: dict[str, Any] = {
        "domain": repo_a.domain,
        "repository": repo_a.repository,
        "format": "pypi",
        "package": PROJECT,
    }
    ca.update_package_versions_status(**address, versions=["2.0.0"], targetStatus="Unlisted")
    files = repo_b.get(f"simple/{PROJECT}/", headers=JSON).json()["files"]
    assert {f["filename"]: f["yanked"] for f in files} == {
        wheel_filename(PROJECT, "1.0.0"): False,
        wheel_filename(PROJECT, "2.0.0"): "Unlisted",
    }
    ca.update_package_versions_status(**address, versions=["2.0.0"], targetStatus="Archived")
    assert _versions(repo_b) == ["1.0.0"]
    file_2 = f"simple/{PROJECT}/2.0.0/{wheel_filename(PROJECT, '2.0.0')}"
    assert repo_b.get(file_2).status_code == 404
    ca.delete_package_versions(**address, versions=["1.0.0"])
    assert repo_b.get(f"simple/{PROJECT}/", headers=JSON).status_code == 404


def test_narrowed_policy_and_deleted_repository_take_effect_on_the_other_process(
    pair: tuple[CofferServer, CofferServer], unique_name: str, tmp_path: Path
) -> None:
    a, _b = pair
    repo_a, repo_b = _repos(pair, unique_name)
    publish_files(repo_a, _wheel("1.0.0"))
    user = create_user(a, a.account_id, tmp_path / "iam", policy=READER)
    token = codeartifact_client(a.url, user.credentials).get_authorization_token(
        domain=repo_a.domain
    )["authorizationToken"]
    assert repo_b.get(f"simple/{PROJECT}/", token=token).status_code == 200
    assert repo_b.get(f"simple/{PROJECT}/", token=token).status_code == 200  # now cached

    policy = write_policy(tmp_path / "iam", TOKEN_ONLY)
    a.admin("put-user-policy", "--account", a.account_id, user.name, "--policy-file", str(policy))
    denied = repo_b.get(f"simple/{PROJECT}/", token=token)
    assert denied.status_code == 403, denied.text
    assert "ReadFromRepository" in denied.text

    ca = codeartifact_client(a.url, a.credentials)
    ca.delete_repository(domain=repo_a.domain, repository=repo_a.repository)
    gone = repo_b.get(f"simple/{PROJECT}/")
    assert gone.status_code == 404, gone.text
