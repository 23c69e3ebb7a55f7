"""SigV4 authentication of the control plane, with raw HTTP requests signed by botocore.

Each request is built and signed exactly as botocore signs it (``SigV4Auth``), then sent with
httpx, so a test can change one thing after signing (the secret, the time, the body) and see
Coffer refuse it the way AWS does: 403, ``x-amzn-ErrorType``, and a JSON ``message``.
"""

from __future__ import annotations

import json
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from botocore.auth import SIGV4_TIMESTAMP, SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials
from botocore.exceptions import ClientError

from support.aws import codeartifact_client
from support.iam import ALLOW_ALL, create_user
from support.names import new_name
from support.server import CofferServer, read_credentials

pytestmark = pytest.mark.e2e

SERVICE = "codeartifact"
REGION = "us-east-1"


class _SigV4At(SigV4Auth):  # type: ignore[misc]  # botocore is untyped
    """``SigV4Auth`` with a chosen signing time instead of the clock."""

    def __init__(self, credentials: Credentials, when: datetime) -> None:
        super().__init__(credentials, SERVICE, REGION)
        self._when = when

    def add_auth(self, request: AWSRequest) -> None:
        request.context["timestamp"] = self._when.strftime(SIGV4_TIMESTAMP)
        self._modify_request_before_signing(request)
        canonical = self.canonical_request(request)
        string_to_sign = self.string_to_sign(request, canonical)
        self._inject_signature_to_request(request, self.signature(string_to_sign, request))


@dataclass(frozen=True)
class Signer:
    url: str
    access_key: str
    secret_key: str

    def send(
        self,
        method: str,
        path_and_query: str,
        body: bytes = b"",
        *,
        secret_key: str | None = None,
        access_key: str | None = None,
        when: datetime | None = None,
        send_body: bytes | None = None,
        send_path_and_query: str | None = None,
        sign: bool = True,
    ) -> httpx.Response:
        """Sign ``method path_and_query body``; optionally send something else than was signed."""
        headers = {"Content-Type": "application/json"} if body else {}
        request = AWSRequest(
            method=method, url=self.url + path_and_query, data=body, headers=headers
        )
        if sign:
            credentials = Credentials(access_key or self.access_key, secret_key or self.secret_key)
            _SigV4At(credentials, when or datetime.now(UTC)).add_auth(request)
        sent_headers = {key: str(value) for key, value in request.headers.items()}
        return httpx.request(
            method,
            self.url + (send_path_and_query or path_and_query),
            content=body if send_body is None else send_body,
            headers=sent_headers,
            timeout=30,
        )


@pytest.fixture
def signer(coffer_server: CofferServer) -> Signer:
    access_key, secret_key = read_credentials(coffer_server.credentials)
    return Signer(coffer_server.url, access_key, secret_key)


def _assert_error(response: httpx.Response, status: int, error_type: str) -> str:
    assert response.status_code == status, response.text
    assert response.headers["x-amzn-ErrorType"] == error_type
    assert response.headers.get("x-amzn-RequestId")
    assert response.headers["content-type"].startswith("application/json")
    body: dict[str, Any] = response.json()
    assert isinstance(body.get("message"), str)
    assert body["message"]
    message: str = body["message"]
    return message


def test_correctly_signed_requests_succeed(signer: Signer, unique_name: str) -> None:
    listed = signer.send("POST", "/v1/domains", b"{}")
    assert listed.status_code == 200, listed.text
    assert "domains" in listed.json()
    created = signer.send("POST", f"/v1/domain?domain={unique_name}", b"{}")
    assert created.status_code == 200, created.text
    assert created.json()["domain"]["name"] == unique_name
    described = signer.send("GET", f"/v1/domain?domain={unique_name}")
    assert described.status_code == 200, described.text
    assert isinstance(described.json()["domain"]["createdTime"], int | float)


def test_wrong_secret_is_an_invalid_signature(signer: Signer) -> None:
    wrong = signer.secret_key[:-1] + ("A" if signer.secret_key[-1] != "A" else "B")
    response = signer.send("POST", "/v1/domains", b"{}", secret_key=wrong)
    message = _assert_error(response, 403, "InvalidSignatureException")
    assert "signature we calculated does not match" in message
    assert signer.secret_key not in response.text
    assert wrong not in response.text


def test_unknown_access_key_is_unrecognized(signer: Signer) -> None:
    unknown = "AKIA" + secrets.token_hex(8).upper()
    response = signer.send("POST", "/v1/domains", b"{}", access_key=unknown)
    _assert_error(response, 403, "UnrecognizedClientException")


def test_stale_request_time_is_an_expired_signature(signer: Signer) -> None:
    stale = datetime.now(UTC) - timedelta(minutes=20)
    response = signer.send("POST", "/v1/domains", b"{}", when=stale)
    message = _assert_error(response, 403, "InvalidSignatureException")
    assert "Signature expired" in message


def test_future_request_time_is_refused(signer: Signer) -> None:
    future = datetime.now(UTC) + timedelta(minutes=20)
    response = signer.send("POST", "/v1/domains", b"{}", when=future)
    _assert_error(response, 403, "InvalidSignatureException")


def test_small_clock_skew_is_tolerated(signer: Signer) -> None:
    skewed = datetime.now(UTC) - timedelta(minutes=4)
    assert signer.send("POST", "/v1/domains", b"{}", when=skewed).status_code == 200


def test_body_tampered_after_signing_is_refused_and_changes_nothing(
    signer: Signer, ca: Any, unique_name: str
) -> None:
    ca.create_domain(domain=unique_name)
    repository = new_name("r")
    path = f"/v1/repository?domain={unique_name}&repository={repository}"
    signed_body = json.dumps({"description": "approved by review"}).encode()
    evil_body = json.dumps({"description": "replaced by attack"}).encode()
    assert len(signed_body) == len(evil_body)

    response = signer.send("POST", path, signed_body, send_body=evil_body)
    _assert_error(response, 403, "InvalidSignatureException")
    with pytest.raises(ca.exceptions.ResourceNotFoundException):
        ca.describe_repository(domain=unique_name, repository=repository)

    honest = signer.send("POST", path, signed_body)
    assert honest.status_code == 200, honest.text
    assert honest.json()["repository"]["description"] == "approved by review"


def test_query_tampered_after_signing_is_refused(signer: Signer, ca: Any, unique_name: str) -> None:
    other = new_name()
    response = signer.send(
        "POST",
        f"/v1/domain?domain={unique_name}",
        b"{}",
        send_path_and_query=f"/v1/domain?domain={other}",
    )
    _assert_error(response, 403, "InvalidSignatureException")
    for name in (unique_name, other):
        with pytest.raises(ca.exceptions.ResourceNotFoundException):
            ca.describe_domain(domain=name)


def test_missing_authorization_is_refused(signer: Signer) -> None:
    for method, path in (("POST", "/v1/domains"), ("GET", "/v1/domain?domain=anything")):
        response = signer.send(method, path, b"{}" if method == "POST" else b"", sign=False)
        assert "authorization" not in {key.lower() for key in response.request.headers}
        _assert_error(response, 403, "MissingAuthenticationTokenException")


def test_deleted_access_key_is_refused(
    coffer_server: CofferServer, tmp_path: Path, unique_name: str
) -> None:
    user = create_user(coffer_server, coffer_server.account_id, tmp_path, policy=ALLOW_ALL)
    client = codeartifact_client(coffer_server.url, user.credentials)
    client.create_domain(domain=unique_name)
    listed = coffer_server.admin("list-access-keys", "--account", user.account_id, user.name)
    assert user.access_key_id in listed

    coffer_server.admin(
        "delete-access-key", "--account", user.account_id, user.name, user.access_key_id
    )
    assert user.access_key_id not in coffer_server.admin(
        "list-access-keys", "--account", user.account_id, user.name
    )

    with pytest.raises(ClientError) as caught:
        client.describe_domain(domain=unique_name)
    assert caught.value.response["Error"]["Code"] == "UnrecognizedClientException"
    assert caught.value.response["ResponseMetadata"]["HTTPStatusCode"] == 403

    raw = Signer(coffer_server.url, user.access_key_id, user.secret_access_key)
    _assert_error(raw.send("POST", "/v1/domains", b"{}"), 403, "UnrecognizedClientException")


def test_deleted_user_keys_are_refused(
    coffer_server: CofferServer, tmp_path: Path, unique_name: str
) -> None:
    user = create_user(coffer_server, coffer_server.account_id, tmp_path, policy=ALLOW_ALL)
    client = codeartifact_client(coffer_server.url, user.credentials)
    client.create_domain(domain=unique_name)
    coffer_server.admin("delete-user", "--account", user.account_id, user.name)
    with pytest.raises(ClientError) as caught:
        client.describe_domain(domain=unique_name)
    assert caught.value.response["Error"]["Code"] == "UnrecognizedClientException"
