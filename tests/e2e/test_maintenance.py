"""``coffer fsck``, ``coffer backup`` / ``coffer restore`` and crash safety, on real servers.

Each test runs its own ``coffer serve`` (fsck looks at a whole store, so no sharing): on the
backend ``COFFER_TEST_BACKEND`` names, except backups, which exist for the embedded defaults.
"""

from __future__ import annotations

import asyncio
import hashlib
import random
import subprocess
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urljoin

import httpx
import pytest

from support.aws import codeartifact_client
from support.backends import SqliteFiles, current
from support.dists import build_sdist, build_wheel, sdist_filename, wheel_filename
from support.names import new_name
from support.pypi_clients import PypiRepo, create_pypi_repo
from support.server import CofferServer, coffer_executable
from support.stores import blob_store_of, stored_keys

pytestmark = pytest.mark.e2e

JSON_PAGE = {"Accept": "application/vnd.pypi.simple.v1+json"}


@pytest.fixture
def server(tmp_path: Path) -> Iterator[CofferServer]:
    server = CofferServer.start(tmp_path / "data")
    try:
        yield server
    finally:
        server.stop()
        current().release(f"serve:{(tmp_path / 'data').resolve()}")


def _repo(server: CofferServer) -> tuple[Any, PypiRepo]:
    ca = codeartifact_client(server.url, server.credentials)
    return ca, create_pypi_repo(ca, server, new_name())


def _wheel(name: str, version: str, payload: bytes = b"") -> tuple[str, bytes]:
    module = name.replace("-", "_")
    files = {f"{module}/__init__.py": b"VALUE = 1\n", f"{module}/data.bin": payload}
    return wheel_filename(name, version), build_wheel(name, version, files=files)


def _fsck(server: CofferServer, *args: str) -> subprocess.CompletedProcess[str]:
    return server.coffer("fsck", *args)


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _overwrite(server: CofferServer, sha256: str, data: bytes) -> None:
    """Replace a stored blob's bytes behind Coffer's back (disk rot, a bad restore …)."""
    store = blob_store_of(server)
    path = store.local_path(sha256)
    if path is not None:
        path.chmod(0o644)
        path.write_bytes(data)
        return
    from support.s3 import shared_s3

    bucket = server.storage.blob_store_url.removeprefix("s3://").partition("/")[0]  # type: ignore[union-attr]
    shared_s3().client().put_object(Bucket=bucket, Key=store.key(sha256), Body=data)  # type: ignore[attr-defined]


# ----------------------------------------------------------------------------------- fsck


def test_fsck_reports_missing_orphaned_and_corrupt_blobs(server: CofferServer) -> None:
    ca, repo = _repo(server)
    wheels = [_wheel("fsck-demo", f"1.{i}", payload=bytes([i]) * 1000) for i in range(4)]
    for filename, content in wheels:
        assert repo.upload(filename, content).status_code == 200
    clean = _fsck(server)
    assert clean.returncode == 0, clean.stdout + clean.stderr
    assert "0 missing, 0 orphaned, 0 corrupt" in clean.stdout

    (lost, lost_bytes), (_, truncated_bytes), (_, rotten_bytes), _ = wheels

    async def damage() -> str:
        async with blob_store_of(server) as store:
            await store.delete(_sha(lost_bytes))
            return (await store.put_bytes(b"nobody references this")).sha256

    orphan = asyncio.run(damage())
    _overwrite(server, _sha(truncated_bytes), truncated_bytes[:-10])
    flipped = bytearray(rotten_bytes)
    flipped[-30] ^= 0xFF  # same size: only re-hashing notices
    _overwrite(server, _sha(rotten_bytes), bytes(flipped))

    within_grace = _fsck(server)
    assert within_grace.returncode == 1
    assert f"missing blob {_sha(lost_bytes)}: referenced by {repo.domain}/" in within_grace.stdout
    assert lost in within_grace.stdout
    assert f"corrupt blob {_sha(truncated_bytes)}: " in within_grace.stdout
    assert "1 missing, 0 orphaned, 1 corrupt" in within_grace.stdout
    assert "1 unreferenced blobs are within the grace period" in within_grace.stdout
    assert _sha(rotten_bytes) not in within_grace.stdout

    thorough = _fsck(server, "--grace-seconds", "0", "--verify-hashes")
    assert thorough.returncode == 1
    assert f"orphan blob {orphan}: 22 bytes" in thorough.stdout
    assert f"corrupt blob {_sha(rotten_bytes)}: the content's sha256 is" in thorough.stdout
    assert "1 missing, 1 orphaned, 2 corrupt" in thorough.stdout

    repaired = _fsck(server, "--repair", "--grace-seconds", "0")
    assert repaired.returncode == 1  # missing and corrupt blobs are not repairable
    assert "removed 1 orphaned blobs" in repaired.stdout
    keys = asyncio.run(stored_keys(server))
    assert orphan not in keys
    assert _sha(truncated_bytes) in keys  # a corrupt blob is evidence: never deleted
    versions = _listings(ca, repo.domain, repo.repository)["fsck-demo"]
    assert len(versions) == 4  # --repair never touches the database


# ------------------------------------------------------------------------------ backups


def _listings(ca: Any, domain: str, repository: str) -> dict[str, Any]:
    """Everything the control plane lists about a repository's packages (every page)."""

    def pages(operation: str, key: str, **params: str) -> list[Any]:
        paginator = ca.get_paginator(operation)
        return [item for page in paginator.paginate(**params) for item in page[key]]

    where = {"domain": domain, "repository": repository, "format": "pypi"}
    packages = pages("list_packages", "packages", domain=domain, repository=repository)
    result: dict[str, Any] = {"packages": packages}
    for package in packages:
        name = package["package"]
        versions = pages("list_package_versions", "versions", **where, package=name)
        result[name] = versions
        for version in versions:
            assets = pages(
                "list_package_version_assets",
                "assets",
                **where,
                package=name,
                packageVersion=version["version"],
            )
            result[f"{name} {version['version']}"] = assets
    return result


def _downloads(repo: PypiRepo, projects: list[str]) -> dict[str, bytes]:
    """Every file the simple index links, downloaded through its link."""
    files: dict[str, bytes] = {}
    for project in projects:
        page_url = f"{repo.simple}{project}/"
        page = httpx.get(page_url, auth=("aws", repo.token), headers=JSON_PAGE, timeout=30)
        assert page.status_code == 200, page.text
        for entry in page.json()["files"]:
            response = httpx.get(urljoin(page_url, entry["url"]), auth=("aws", repo.token))
            assert response.status_code == 200
            assert _sha(response.content) == entry["hashes"]["sha256"]
            files[entry["filename"]] = response.content
    return files


def test_backup_and_restore_round_trip(tmp_path: Path) -> None:
    embedded = SqliteFiles()
    original = CofferServer.start(tmp_path / "original", backend=embedded)
    try:
        ca, repo = _repo(original)
        uploads = dict(
            [_wheel("round-trip", version, payload=version.encode() * 3000) for version in
             ("1.0", "1.1", "2.0")]
            + [_wheel("other-lib", "0.1")]
        )  # fmt: skip
        uploads[sdist_filename("round-trip", "1.0")] = build_sdist("round-trip", "1.0")
        for filename, content in uploads.items():
            assert repo.upload(filename, content).status_code == 200
        before = _listings(ca, repo.domain, repo.repository)
        files = _downloads(repo, ["round-trip", "other-lib"])
        assert files == uploads

        backup = original.coffer("backup", str(tmp_path / "backup"))  # while serving
        assert backup.returncode == 0, backup.stderr
        assert "Backed up 9 blobs" in backup.stdout  # 5 files and the 4 wheels' METADATA
        late = _wheel("round-trip", "3.0")
        assert repo.upload(*late).status_code == 200  # after the backup: not in it
    finally:
        original.stop()

    restored_dir = tmp_path / "restored"
    restore = [str(coffer_executable()), "restore", str(tmp_path / "backup")]
    done = subprocess.run(
        [*restore, "--data-dir", str(restored_dir)], capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr
    again = subprocess.run(
        [*restore, "--data-dir", str(restored_dir)], capture_output=True, text=True, check=False
    )
    assert again.returncode == 1
    assert "already holds a store" in again.stderr

    restored = CofferServer.start(restored_dir, backend=embedded)
    try:
        ca = codeartifact_client(restored.url, restored.credentials)  # the restored admin key
        assert _listings(ca, repo.domain, repo.repository) == before
        moved = PypiRepo(
            restored, repo.domain, repo.owner, repo.repository,
            repo.endpoint.replace(original.url, restored.url), repo.token,
        )  # fmt: skip
        assert _downloads(moved, ["round-trip", "other-lib"]) == uploads  # old token: same key
        fsck = _fsck(restored, "--grace-seconds", "0", "--verify-hashes")
        assert fsck.returncode == 0, fsck.stdout
    finally:
        restored.stop()


def test_backup_explains_it_is_for_the_embedded_defaults(tmp_path: Path) -> None:
    env = {
        "PATH": "/usr/bin:/bin",
        "COFFER_DATA_DIR": str(tmp_path / "data"),
        "COFFER_DATABASE_URL": "postgresql://coffer@127.0.0.1:9/coffer",
    }
    done = subprocess.run(
        [str(coffer_executable()), "backup", str(tmp_path / "backup")],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert done.returncode == 1
    assert "supports only the embedded defaults" in done.stderr
    assert "pg_dump" in done.stderr
    assert not (tmp_path / "backup").exists()


# ------------------------------------------------------------------------- crash safety


@dataclass
class _Round:
    """One server life: uploaders drain ``queue``; ``killable`` is set after ``kill_after``
    successes (or when the queue is done), so a kill lands while uploads are in flight."""

    repo: PypiRepo
    files: dict[str, bytes]
    queue: list[str]
    kill_after: int
    failed: list[str] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)
    succeeded: int = 0
    killable: threading.Event = field(default_factory=threading.Event)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def upload_all(self) -> None:
        while True:
            with self.lock:
                if not self.queue:
                    self.killable.set()
                    return
                filename = self.queue.pop()
            try:
                response = self.repo.upload(filename, self.files[filename])
            except httpx.TransportError:  # the server died under this request
                ok = False
            else:
                ok = True
                if response.status_code != 200:  # any answer at all must be a success
                    self.refused.append(f"{filename}: {response.status_code} {response.text}")
            with self.lock:
                if ok:
                    self.succeeded += 1
                    if self.succeeded >= self.kill_after:
                        self.killable.set()
                else:
                    self.failed.append(filename)


UPLOADS = 100
UPLOADERS = 6
KILLS = 4


def test_sigkill_during_uploads_loses_nothing_and_leaves_nothing_partial(
    tmp_path: Path,
) -> None:
    """Kill the server at random moments while 100 uploads stream in; retry what failed."""
    rng = random.Random(20261127)  # noqa: S311 - test data, not secrets
    data_dir = tmp_path / "data"
    server = CofferServer.start(data_dir)
    _, repo = _repo(server)
    files = dict(
        _wheel("crash-test", f"1.{i}", payload=rng.randbytes(rng.randrange(8, 128) * 1024))
        for i in range(UPLOADS)
    )
    pending = list(files)
    kills = 0
    try:
        while pending:
            kill = kills < KILLS
            kill_after = rng.randrange(max(1, len(pending) // 2))  # half at least in flight
            life = _Round(repo, files, list(pending), kill_after)
            threads = [threading.Thread(target=life.upload_all) for _ in range(UPLOADERS)]
            for thread in threads:
                thread.start()
            if kill:
                life.killable.wait(60)
                time.sleep(rng.uniform(0, 0.02))
                server.kill()
                kills += 1
            for thread in threads:
                thread.join()
            assert life.refused == []
            pending = life.failed + life.queue
            if not server.running:
                server = CofferServer.start(data_dir)
                moved = repo.endpoint.replace(repo.server.url, server.url)
                repo = PypiRepo(server, repo.domain, repo.owner, repo.repository, moved, repo.token)
        assert kills == KILLS

        listed = _listings(codeartifact_client(server.url, server.credentials), repo.domain,
                           repo.repository)  # fmt: skip
        recorded = {
            asset["name"]: asset["hashes"]["SHA-256"]
            for key, value in listed.items()
            if key.startswith("crash-test ")
            for asset in value
        }
        assert recorded == {filename: _sha(content) for filename, content in files.items()}
        assert _downloads(repo, ["crash-test"]) == files

        check = _fsck(server)
        assert check.returncode == 0, check.stdout
        assert "0 missing, 0 orphaned, 0 corrupt" in check.stdout
        repair = _fsck(server, "--repair", "--grace-seconds", "0")
        assert repair.returncode == 0, repair.stdout
        after = _fsck(server, "--grace-seconds", "0", "--verify-hashes")
        assert after.returncode == 0, after.stdout
        assert "0 missing, 0 orphaned, 0 corrupt" in after.stdout
        assert "within the grace period" not in after.stdout
        if server.storage.blob_store_url is None:
            assert list((data_dir / "blobs" / "tmp").iterdir()) == []
        assert list((data_dir / "tmp" / "uploads").glob("*")) == []
    finally:
        server.stop()
        current().release(f"serve:{data_dir.resolve()}")
