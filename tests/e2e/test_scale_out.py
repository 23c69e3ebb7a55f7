"""Scale-out proofs: ``coffer serve --workers 4`` over PostgreSQL and S3, and blob redirects.

These run on PostgreSQL + S3 whatever ``COFFER_TEST_BACKEND`` says (they are about that
deployment); the tests start both on 127.0.0.1. Fifty clients race through the legacy upload
API, the same request twine sends, released together by a barrier.
"""

from __future__ import annotations

import hashlib
import os
import threading
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit

import httpx
import pytest

from coffer.iam.secrets import new_server_key
from support.aws import codeartifact_client
from support.backends import Backend, PostgresS3, current
from support.dists import build_wheel, wheel_filename
from support.names import new_name
from support.pypi_clients import PypiRepo, PythonClients, create_pypi_repo
from support.s3 import shared_s3
from support.server import CofferServer

pytestmark = pytest.mark.e2e

RACERS = 50
WORKERS = 4
JSON_PAGE = {"Accept": "application/vnd.pypi.simple.v1+json"}


def _postgres_s3() -> Backend:
    backend = current()
    return backend if isinstance(backend, PostgresS3) else PostgresS3()


def _start(data_dir: Path, *args: str, env: dict[str, str] | None = None) -> CofferServer:
    return CofferServer.start(data_dir, backend=_postgres_s3(), extra_args=args, env=env)


def _release(data_dir: Path) -> None:
    _postgres_s3().release(f"serve:{data_dir.resolve()}")


def _children(pid: int) -> list[int]:
    """Processes whose parent is ``pid`` (Linux /proc)."""
    children = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                status = Path(f"/proc/{entry}/status").read_text()
            except OSError:
                continue
            if f"\nPPid:\t{pid}\n" in status:
                children.append(int(entry))
    return children


def _race(calls: list[Callable[[], httpx.Response]]) -> list[httpx.Response]:
    """Run every call in its own thread, all released at once; their responses, in order."""
    barrier = threading.Barrier(len(calls))
    responses: list[httpx.Response | BaseException | None] = [None] * len(calls)

    def run(index: int) -> None:
        barrier.wait()
        try:
            responses[index] = calls[index]()
        except BaseException as error:  # reported by the assertion below
            responses[index] = error

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(calls))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    failures = [r for r in responses if not isinstance(r, httpx.Response)]
    assert failures == [], failures
    return [r for r in responses if isinstance(r, httpx.Response)]


def _bucket_keys(server: CofferServer) -> list[str]:
    bucket, _, prefix = str(server.storage.blob_store_url).removeprefix("s3://").partition("/")
    paginator = shared_s3().client().get_paginator("list_objects_v2")
    return [
        entry["Key"]
        for page in paginator.paginate(Bucket=bucket, Prefix=f"{prefix}/sha256/")
        for entry in page.get("Contents", [])
    ]


def _assets(ca: Any, repo: PypiRepo, package: str, version: str) -> dict[str, str]:
    listed = ca.list_package_version_assets(
        domain=repo.domain,
        repository=repo.repository,
        format="pypi",
        package=package,
        packageVersion=version,
    )
    return {asset["name"]: asset["hashes"]["SHA-256"] for asset in listed["assets"]}


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@pytest.fixture
def cluster(tmp_path: Path) -> Iterator[CofferServer]:
    server = _start(tmp_path / "data", "--workers", str(WORKERS))
    try:
        yield server
    finally:
        server.stop()
        _release(tmp_path / "data")


def test_racing_publishers_on_four_workers(cluster: CofferServer) -> None:
    assert len(_children(cluster.process.pid)) >= WORKERS  # uvicorn's workers (and its helper)
    ca = codeartifact_client(cluster.url, cluster.credentials)
    repo = create_pypi_repo(ca, cluster, new_name())

    # (a) Different builds under one filename: exactly one wins, the others are told it exists.
    filename = wheel_filename("race-same", "1.0")
    builds = [
        build_wheel("race-same", "1.0", files={"race_same/__init__.py": f"N = {i}\n".encode()})
        for i in range(RACERS)
    ]
    responses = _race([lambda b=b: repo.upload(filename, b) for b in builds])  # type: ignore[misc]
    assert Counter(r.status_code for r in responses) == {200: 1, 409: RACERS - 1}
    assert all("already exists" in r.text for r in responses if r.status_code == 409)
    (winner,) = [b for b, r in zip(builds, responses, strict=True) if r.status_code == 200]
    assert _assets(ca, repo, "race-same", "1.0") == {filename: _sha(winner)}
    page_url = f"{repo.simple}race-same/"
    page = httpx.get(page_url, auth=("aws", repo.token), headers=JSON_PAGE).json()
    (entry,) = page["files"]
    download = httpx.get(urljoin(page_url, entry["url"]), auth=("aws", repo.token))
    assert download.content == winner

    # (b) The same file fifty times: all succeed, and S3 holds its bytes once.
    twin = build_wheel("race-twin", "1.0")
    twin_name = wheel_filename("race-twin", "1.0")
    keys_before = set(_bucket_keys(cluster))
    responses = _race([lambda: repo.upload(twin_name, twin)] * RACERS)
    assert [r.status_code for r in responses] == [200] * RACERS
    new_keys = set(_bucket_keys(cluster)) - keys_before
    assert len(new_keys) == 2  # the wheel and its PEP 658 METADATA file, once each
    assert sum(key.endswith(_sha(twin)) for key in new_keys) == 1
    assert _assets(ca, repo, "race-twin", "1.0") == {twin_name: _sha(twin)}

    # (c) Fifty different files of one new version at once: all succeed, all are listed.
    files = {
        wheel_filename("race-many", "2.0", tag=tag): build_wheel("race-many", "2.0", tag=tag)
        for tag in (f"py3-none-manylinux_2_{i}_x86_64" for i in range(RACERS))
    }
    responses = _race([lambda f=f, c=c: repo.upload(f, c) for f, c in files.items()])  # type: ignore[misc]
    assert [r.status_code for r in responses] == [200] * RACERS, [r.text for r in responses]
    expected = {name: _sha(content) for name, content in files.items()}
    assert _assets(ca, repo, "race-many", "2.0") == expected
    page = httpx.get(f"{repo.simple}race-many/", auth=("aws", repo.token), headers=JSON_PAGE)
    assert sorted(entry["filename"] for entry in page.json()["files"]) == sorted(files)

    # Nothing is inconsistent; the losers' blobs of (a) are only unreferenced, and young.
    check = cluster.coffer("fsck")
    assert check.returncode == 0, check.stdout + check.stderr
    assert "0 missing, 0 orphaned, 0 corrupt" in check.stdout
    repair = cluster.coffer("fsck", "--repair", "--grace-seconds", "0")
    assert repair.returncode == 0, repair.stdout
    after = cluster.coffer("fsck", "--grace-seconds", "0", "--verify-hashes")
    assert after.returncode == 0, after.stdout
    assert "0 missing, 0 orphaned, 0 corrupt" in after.stdout
    assert "grace period" not in after.stdout
    # What rows reference: (a) and (b) a wheel and a METADATA each, (c) fifty wheels sharing one.
    assert len(_bucket_keys(cluster)) == 2 + 2 + RACERS + 1


def test_downloads_redirect_to_presigned_urls(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    server = _start(data_dir, env={"COFFER_BLOB_REDIRECT": "1"})
    try:
        ca = codeartifact_client(server.url, server.credentials)
        repo = create_pypi_repo(ca, server, new_name())
        module = b"PI = 3.14\n"
        wheel = build_wheel("redirected", "1.0", files={"redirected/__init__.py": module})
        filename = wheel_filename("redirected", "1.0")
        assert repo.upload(filename, wheel).status_code == 200

        link = f"{repo.simple}redirected/1.0/{filename}"
        response = httpx.get(link, auth=("aws", repo.token))
        assert response.status_code == 307
        assert response.headers["cache-control"] == "no-store"
        location = response.headers["location"]
        assert urlsplit(location).netloc == urlsplit(shared_s3().endpoint_url).netloc
        assert "X-Amz-Signature=" in location
        followed = httpx.get(link, auth=("aws", repo.token), follow_redirects=True)
        assert followed.status_code == 200
        assert followed.content == wheel
        assert filename in followed.headers["content-disposition"]
        assert httpx.get(link).status_code == 401  # the redirect is only for readers

        clients = PythonClients(tmp_path / "clients")
        target = clients.new_venv()
        clients.tool(
            "pip", "--python", str(target), "install", "--index-url",
            repo.with_credentials(repo.simple), "redirected",
        )  # fmt: skip
        assert clients.python(target, "import redirected; print(redirected.PI)") == "3.14"
        pip_gets = [(r["path"], r["status"]) for r in repo.requests() if r["method"] == "GET"]
        assert (urlsplit(link).path, 307) in pip_gets[-2:]  # pip's download went to S3
    finally:
        server.stop()
        _release(data_dir)


def test_hosts_starting_together_over_one_database_bootstrap_once(tmp_path: Path) -> None:
    """Three ``coffer serve`` on three hosts (data directories), one PostgreSQL and bucket:
    the schema is migrated once and exactly one host creates the first administrator."""
    backend = _postgres_s3()
    shared = backend.storage(f"shared:{tmp_path.resolve()}")
    env = {**shared.env(), "COFFER_SECRET_KEY": new_server_key()}  # the same on every host
    hosts = [tmp_path / f"host-{i}" for i in range(3)]
    servers: list[CofferServer] = []
    errors: list[BaseException] = []

    def start(data_dir: Path) -> None:
        try:
            servers.append(CofferServer.start(data_dir, backend=backend, env=env))
        except BaseException as error:  # reported by the assertion below
            errors.append(error)

    threads = [threading.Thread(target=start, args=(host,)) for host in hosts]
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert errors == []
        creators = [s for s in servers if "Created account" in s.stdout_text()]
        assert len(creators) == 1
        assert [s.credentials.exists() for s in servers].count(True) == 1
        (creator,) = creators
        assert creator.admin("list-accounts").strip().splitlines() == [creator.account_id]
        for server in servers:  # every host accepts the one administrator's key
            ca = codeartifact_client(server.url, creator.credentials)
            assert ca.list_domains()["domains"] == []
    finally:
        for server in servers:
            server.stop()
        for host in hosts:
            _release(host)
        backend.release(f"shared:{tmp_path.resolve()}")
