"""The control plane in-process: a fresh store per test, requests signed by botocore's SigV4.

Fixtures:

* ``settings`` - ``Settings(data_dir=<tmp>)`` on ``storage``; override it in a module to change
  settings.
* ``storage`` - where the test's store lives on ``COFFER_TEST_BACKEND`` (``support.backends``):
  nothing for ``sqlite-files``; a fresh database and bucket for ``postgres-s3``.
* ``services`` - ``open_services(settings)`` (migrated, empty, on ``storage`` unless the
  settings name a database and blob store themselves), closed after the test.
* ``admin`` - the bootstrap administrator (``Allow */*``) as :class:`Creds`.
* ``users`` - :class:`Users`: more accounts and users, each with its own access key.
* ``ca`` - :class:`CodeArtifact`: ``await ca.call(method, path, query=…, json=…, creds=…)``
  returns the ``httpx.Response``; ``ca.ok(…)``/``ca.fail(…)`` also check status and error type.

The app's lifespan is not run by ``httpx.ASGITransport``, so ``services`` closes the store.
"""

from __future__ import annotations

import configparser
import json as jsonlib
import shutil
import uuid
from collections.abc import AsyncIterator, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode

import httpx
import pytest
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials
from starlette.applications import Starlette

from coffer.app import create_app
from coffer.config import Settings
from coffer.services import Services, open_services
from coffer.services.bootstrap import bootstrap
from coffer.storage.db import migrate
from support.backends import Storage, current

BASE_URL = "http://coffer.test"
REGION = "us-east-1"

QueryValue = str | int | Sequence[str]
Query = Mapping[str, QueryValue | None] | Sequence[tuple[str, str]]


@dataclass(frozen=True)
class Creds:
    access_key_id: str
    secret_access_key: str
    account_id: str
    user_name: str

    @property
    def arn(self) -> str:
        return f"arn:aws:iam::{self.account_id}:user/{self.user_name}"


def encode_query(query: Query | None) -> str:
    """The query string botocore would send: every reserved character percent-encoded."""
    if not query:
        return ""
    if isinstance(query, Mapping):
        pairs: list[tuple[str, str]] = []
        for key, value in query.items():
            if value is None:
                continue
            if isinstance(value, str | int):
                pairs.append((key, str(value)))
            else:
                pairs.extend((key, str(item)) for item in value)
    else:
        pairs = list(query)
    return urlencode(pairs, quote_via=quote)


class CodeArtifact:
    """A CodeArtifact control-plane client over an in-process ASGI app."""

    def __init__(self, http: httpx.AsyncClient) -> None:
        self.http = http

    async def call(
        self,
        method: str,
        path: str,
        *,
        creds: Creds | None,
        query: Query | None = None,
        json: Any = None,
        content: bytes | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> httpx.Response:
        """Send one request, signed with ``creds`` (unsigned when ``creds`` is None).

        ``json`` becomes a JSON body with ``Content-Type: application/json`` (as botocore sends
        it); ``content`` is sent verbatim. With neither, the body is empty.
        """
        url = BASE_URL + path
        encoded = encode_query(query)
        if encoded:
            url += "?" + encoded
        all_headers = dict(headers or {})
        body = b""
        if json is not None:
            body = jsonlib.dumps(json).encode()
            all_headers.setdefault("Content-Type", "application/json")
        elif content is not None:
            body = content
        if creds is not None:
            request = AWSRequest(method=method, url=url, data=body, headers=all_headers)
            SigV4Auth(
                Credentials(creds.access_key_id, creds.secret_access_key), "codeartifact", REGION
            ).add_auth(request)
            all_headers = dict(request.headers.items())
        return await self.http.request(method, url, content=body, headers=all_headers)

    async def ok(self, method: str, path: str, **kwargs: Any) -> dict[str, Any]:
        """``call``, expecting 200 and a JSON object; returns the body."""
        response = await self.call(method, path, **kwargs)
        assert response.status_code == 200, (response.status_code, response.text)
        assert response.headers["content-type"].startswith("application/json")
        body = response.json()
        assert isinstance(body, dict)
        return body

    async def fail(
        self, method: str, path: str, *, status: int, error: str, **kwargs: Any
    ) -> dict[str, Any]:
        """``call``, expecting an AWS error of type ``error``; returns the error body."""
        return check_error(await self.call(method, path, **kwargs), status, error)

    @staticmethod
    def expect_error(response: httpx.Response, status: int, error: str) -> dict[str, Any]:
        return check_error(response, status, error)

    # Shortcuts for set-up steps (the operations themselves are tested with call/ok/fail).

    async def create_domain(self, creds: Creds, domain: str, **body: Any) -> dict[str, Any]:
        reply = await self.ok(
            "POST", "/v1/domain", query={"domain": domain}, json=body, creds=creds
        )
        return reply["domain"]  # type: ignore[no-any-return]

    async def create_repository(
        self,
        creds: Creds,
        domain: str,
        repository: str,
        *,
        upstreams: Sequence[str] = (),
        owner: str | None = None,
        **body: Any,
    ) -> dict[str, Any]:
        if upstreams:
            body["upstreams"] = [{"repositoryName": name} for name in upstreams]
        reply = await self.ok(
            "POST",
            "/v1/repository",
            query={"domain": domain, "domain-owner": owner, "repository": repository},
            json=body,
            creds=creds,
        )
        return reply["repository"]  # type: ignore[no-any-return]

    async def put_domain_policy(
        self, creds: Creds, domain: str, document: str | Mapping[str, Any]
    ) -> dict[str, Any]:
        text = document if isinstance(document, str) else jsonlib.dumps(document)
        reply = await self.ok(
            "PUT",
            "/v1/domain/permissions/policy",
            json={"domain": domain, "policyDocument": text},
            creds=creds,
        )
        return reply["policy"]  # type: ignore[no-any-return]


def check_error(response: httpx.Response, status: int, error: str) -> dict[str, Any]:
    """Assert the rest-json error shape botocore parses; returns the JSON body."""
    assert (response.status_code, response.headers.get("x-amzn-ErrorType")) == (status, error), (
        response.status_code,
        response.headers.get("x-amzn-ErrorType"),
        response.text,
    )
    assert response.headers["content-type"].startswith("application/json")
    assert response.headers.get("x-amzn-RequestId")
    body = response.json()
    assert isinstance(body, dict)
    assert isinstance(body.get("message"), str)
    assert body["message"]
    return body


class Users:
    """More principals: accounts, users with identity policies, access keys."""

    def __init__(self, services: Services, admin: Creds) -> None:
        self.services = services
        self.admin = admin

    async def account(self, account_id: str | None = None, organization: str | None = None) -> str:
        return await self.services.iam.create_account(account_id, organization)

    async def create(
        self,
        name: str,
        policy: str | Mapping[str, Any] | None = None,
        *,
        account: str | None = None,
    ) -> Creds:
        account_id = account or self.admin.account_id
        text = policy if policy is None or isinstance(policy, str) else jsonlib.dumps(policy)
        await self.services.iam.create_user(account_id, name, text)
        key = await self.services.iam.create_access_key(account_id, name)
        return Creds(key.access_key_id, key.secret_access_key, account_id, name)

    async def put_policy(self, creds: Creds, policy: str | Mapping[str, Any] | None) -> None:
        text = policy if policy is None or isinstance(policy, str) else jsonlib.dumps(policy)
        await self.services.iam.put_user_policy(creds.account_id, creds.user_name, text)


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
def settings(tmp_path: Path, storage: Storage) -> Settings:
    return storage.apply(Settings(data_dir=tmp_path / "data"))


@pytest.fixture(scope="session")
def migrated_database(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An empty store's database, migrated once per test process (Alembic is the slow part)."""
    settings = Settings(data_dir=tmp_path_factory.mktemp("template") / "data")
    migrate(settings.resolved_database_url)
    path = settings.data_dir / "coffer.db"
    assert path.exists()
    return path


@pytest.fixture
def storage(monkeypatch: pytest.MonkeyPatch) -> Iterator[Storage]:
    """A fresh, migrated store on the test backend; its AWS settings are in the environment."""
    backend, name = current(), f"api-{uuid.uuid4().hex}"
    placed = backend.storage(name, migrated=True)
    for variable, value in placed.aws_env.items():
        monkeypatch.setenv(variable, value)
    yield placed
    backend.release(name)


@pytest.fixture
async def services(
    settings: Settings, migrated_database: Path, storage: Storage
) -> AsyncIterator[Services]:
    """``open_services`` over a fresh copy of the migrated database (the same as migrating an
    empty data dir, minus the time)."""
    placed = storage.apply(settings)
    if placed.database_url is None:
        placed.data_dir.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(migrated_database, placed.data_dir / "coffer.db")
    migrated = placed.database_url in (None, storage.database_url)
    opened = open_services(placed, run_migrations=not migrated)
    try:
        yield opened
    finally:
        await opened.close()


@pytest.fixture
async def admin(services: Services, settings: Settings) -> Creds:
    made = await bootstrap(services.iam, settings.credentials_path)
    assert made is not None
    parser = configparser.ConfigParser()
    parser.read(made.credentials_path)
    profile = parser["default"]
    return Creds(
        profile["aws_access_key_id"], profile["aws_secret_access_key"], made.account_id, "admin"
    )


@pytest.fixture
def users(services: Services, admin: Creds) -> Users:
    return Users(services, admin)


@pytest.fixture
def app(settings: Settings, services: Services) -> Starlette:
    return create_app(services.settings, services)


@pytest.fixture
async def ca(app: Starlette) -> AsyncIterator[CodeArtifact]:
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=BASE_URL) as http:
        yield CodeArtifact(http)
