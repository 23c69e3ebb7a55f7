"""Who may read and publish through a repository's PyPI endpoint.

* No credentials, or credentials that are not a valid token (malformed, forged, expired):
  ``401`` with ``WWW-Authenticate: Basic realm="coffer"``, which makes pip, uv, Maven & co.
  retry with credentials from their keyring or netrc.
* A genuine token whose principal may not do this (no ``ReadFromRepository`` /
  ``PublishPackageVersion``, or a token for another domain): ``403``.

Expiry uses the server's clock hook (``COFFER_TEST_CLOCK_OFFSET``) instead of waiting: a second
``coffer serve`` on the same data dir, running 50,000 seconds in the past, mints a 900-second
token, and the real server (the present) refuses it.
"""

from __future__ import annotations

import base64
import datetime as dt
from pathlib import Path
from typing import Any

import botocore.auth
import httpx
import pytest

from support.aws import codeartifact_client
from support.dists import build_wheel, wheel_filename
from support.iam import create_user, identity_policy
from support.pypi_clients import PypiRepo, PythonClients, create_pypi_repo, publish_files
from support.server import CofferServer

pytestmark = pytest.mark.e2e

CHALLENGE = 'Basic realm="coffer"'
PACKAGE = "guarded-pkg"
WHEEL = wheel_filename(PACKAGE, "1.0.0")
FILE_PATH = f"simple/{PACKAGE}/1.0.0/{WHEEL}"
TOKEN_ONLY = identity_policy("codeartifact:GetAuthorizationToken", "sts:GetServiceBearerToken")


@pytest.fixture
def repo(ca: Any, coffer_server: CofferServer, unique_name: str) -> PypiRepo:
    repo = create_pypi_repo(ca, coffer_server, unique_name)
    publish_files(repo, {WHEEL: build_wheel(PACKAGE, "1.0.0")})
    return repo


def _token_of(server: CofferServer, policy: dict[str, Any], domain: str, directory: Path) -> str:
    """A token for ``domain`` issued to a new user of the server's account with ``policy``."""
    user = create_user(server, server.account_id, directory, policy=policy)
    client = codeartifact_client(server.url, user.credentials)
    token: str = client.get_authorization_token(domain=domain, domainOwner=server.account_id)[
        "authorizationToken"
    ]
    return token


def _assert_challenge(response: httpx.Response) -> None:
    assert response.status_code == 401, (response.status_code, response.text)
    assert response.headers["www-authenticate"] == CHALLENGE
    assert "token" in response.text.lower() or "authentication" in response.text.lower()


READ_PATHS = ("simple/", f"simple/{PACKAGE}/", FILE_PATH, FILE_PATH + ".metadata")


def test_missing_or_invalid_credentials_get_a_basic_challenge(repo: PypiRepo) -> None:
    for path in READ_PATHS:
        _assert_challenge(repo.get(path, auth=False))
        assert repo.get(path).status_code == 200, path
    upload = repo.upload(
        wheel_filename(PACKAGE, "2.0.0"), build_wheel(PACKAGE, "2.0.0"), auth=False
    )
    _assert_challenge(upload)
    assert upload.text == "Authentication is required\n"

    payload, _, signature = repo.token.rpartition(".")
    forged = payload + "." + ("A" if signature[0] != "A" else "B") + signature[1:]
    for token in ("not-a-token", "cfr1.e30.e30", forged):
        response = repo.get("simple/", token=token)
        _assert_challenge(response)
        assert token not in response.text
    assert repo.get("simple/", token=forged).text == "The authorization token is not valid\n"

    for header in ("Basic !!!not-base64", "Bearer", "Digest abc", "Basic " + _b64("aws:")):
        response = repo.get("simple/", auth=False, headers={"Authorization": header})
        _assert_challenge(response)


def _b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


def test_basic_with_any_user_name_or_bearer(repo: PypiRepo) -> None:
    for user in ("aws", "__token__", "someone"):
        header = "Basic " + _b64(f"{user}:{repo.token}")
        response = repo.get(f"simple/{PACKAGE}/", auth=False, headers={"Authorization": header})
        assert response.status_code == 200, (user, response.text)
    bearer = repo.get("simple/", auth=False, headers={"Authorization": f"Bearer {repo.token}"})
    assert bearer.status_code == 200
    assert PACKAGE in bearer.text


def test_token_without_read_permission_is_forbidden(
    repo: PypiRepo, coffer_server: CofferServer, tmp_path: Path
) -> None:
    token = _token_of(coffer_server, TOKEN_ONLY, repo.domain, tmp_path / "iam")
    for path in READ_PATHS:
        response = repo.get(path, token=token)
        assert response.status_code == 403, (path, response.status_code, response.text)
        assert "www-authenticate" not in response.headers
        assert "ReadFromRepository" in response.text
    upload = repo.upload(
        wheel_filename(PACKAGE, "2.0.0"), build_wheel(PACKAGE, "2.0.0"), token=token
    )
    assert upload.status_code == 403, upload.text
    assert "PublishPackageVersion" in upload.text


def test_read_only_token_cannot_publish(
    repo: PypiRepo, coffer_server: CofferServer, tmp_path: Path
) -> None:
    reader = identity_policy(
        "codeartifact:GetAuthorizationToken",
        "sts:GetServiceBearerToken",
        "codeartifact:ReadFromRepository",
    )
    token = _token_of(coffer_server, reader, repo.domain, tmp_path / "iam")
    assert repo.get(f"simple/{PACKAGE}/", token=token).status_code == 200
    assert repo.get(FILE_PATH, token=token).content == build_wheel(PACKAGE, "1.0.0")
    upload = repo.upload(
        wheel_filename(PACKAGE, "2.0.0"), build_wheel(PACKAGE, "2.0.0"), token=token
    )
    assert upload.status_code == 403, upload.text
    assert "PublishPackageVersion" in upload.text
    page = repo.get(f"simple/{PACKAGE}/", headers={"Accept": "application/vnd.pypi.simple.v1+json"})
    assert page.json()["versions"] == ["1.0.0"]  # nothing was published


def test_token_for_another_domain_is_forbidden(
    repo: PypiRepo, ca: Any, coffer_server: CofferServer, unique_name: str
) -> None:
    other = create_pypi_repo(ca, coffer_server, unique_name + "x")
    response = repo.get("simple/", token=other.token)
    assert response.status_code == 403, response.text
    assert f"issued for domain '{other.domain}'" in response.text
    upload = repo.upload(
        wheel_filename(PACKAGE, "2.0.0"), build_wheel(PACKAGE, "2.0.0"), token=other.token
    )
    assert upload.status_code == 403, upload.text


def test_expired_token_gets_401(
    repo: PypiRepo, coffer_server: CofferServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    offset = -50_000
    past = CofferServer.start(
        coffer_server.data_dir,
        logs=tmp_path / "past-logs",
        env={"COFFER_TEST_CLOCK_OFFSET": str(offset)},
    )
    try:
        # The signing client lives in the same past, or SigV4 would refuse its clock skew.
        real_now = botocore.auth.get_current_datetime
        monkeypatch.setattr(
            botocore.auth,
            "get_current_datetime",
            lambda *args, **kwargs: real_now(*args, **kwargs) + dt.timedelta(seconds=offset),
        )
        client = codeartifact_client(past.url, coffer_server.credentials)
        issued = client.get_authorization_token(domain=repo.domain, durationSeconds=900)
        monkeypatch.undo()
        token = issued["authorizationToken"]
        expires = issued["expiration"].timestamp()
        assert expires < dt.datetime.now(dt.UTC).timestamp() + offset + 1000

        past_endpoint = repo.endpoint.replace(coffer_server.url, past.url)
        still_valid_then = httpx.get(past_endpoint + "simple/", auth=("aws", token), timeout=30)
        assert still_valid_then.status_code == 200, still_valid_then.text
    finally:
        past.stop()

    response = repo.get("simple/", token=token)
    _assert_challenge(response)
    assert response.text == "The authorization token has expired\n"
    upload = repo.upload(
        wheel_filename(PACKAGE, "2.0.0"), build_wheel(PACKAGE, "2.0.0"), token=token
    )
    _assert_challenge(upload)


def test_installers_without_credentials_fail_cleanly(repo: PypiRepo, tmp_path: Path) -> None:
    clients = PythonClients(tmp_path / "clients")
    target = clients.new_venv()
    pip = clients.tool(
        "pip", "--python", str(target), "install", "--index-url", repo.simple, PACKAGE,
        check=False,
    )  # fmt: skip
    assert pip.returncode == 1, pip.describe()
    assert "Traceback" not in pip.output
    assert f"No matching distribution found for {PACKAGE}" in pip.output
    # pip got the challenge (and, with --no-input and no keyring, had nothing to answer it).
    assert ("GET", f"{repo.path}simple/{PACKAGE}/", 401) in [
        (r["method"], r["path"], r["status"]) for r in repo.requests()
    ]

    uv = clients.tool(
        "uv", "pip", "install", "--python", str(target), "--index-url", repo.simple, PACKAGE,
        check=False,
    )  # fmt: skip
    assert uv.returncode != 0, uv.describe()
    assert "401 Unauthorized" in uv.output
    assert "panic" not in uv.output.lower()

    # The same commands with the token in the URL install.
    clients.tool(
        "pip", "--python", str(target), "install", "--index-url",
        repo.with_credentials(repo.simple), PACKAGE,
    )  # fmt: skip
    anonymous = [r for r in repo.requests() if r["status"] == 401]
    assert anonymous
    assert {r["method"] for r in anonymous} == {"GET"}
