"""Hostile and broken uploads: each gets a clear 4xx and leaves the store exactly as it was.

"Exactly as it was" is checked from the outside, on a dedicated ``coffer serve`` (its own data
dir, ``COFFER_MAX_ASSET_SIZE`` = 1 MiB): every file under ``blobs/`` (bytes included; the blob
store's own ``blobs/tmp/`` scratch space aside), the row counts of ``packages``,
``package_versions`` and ``assets``, and an empty ``DIR/tmp/uploads`` spool, before and after.
Because it reads the SQLite file and the blob files directly, that server always runs on the
embedded ``sqlite-files`` store, whatever ``COFFER_TEST_BACKEND`` says.

Uploads are raw multipart requests with a valid token (what a buggy or malicious client sends),
plus twine for the duplicate-file conflict as users see it.
"""

from __future__ import annotations

import hashlib
import random
import sqlite3
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from support.aws import codeartifact_client
from support.backends import SqliteFiles
from support.dists import (
    HOSTILE,
    HOSTILE_SDIST,
    HOSTILE_VERSION,
    HOSTILE_WHEEL,
    build_sdist,
    build_wheel,
    huge_metadata_wheel,
    mismatched_name_wheel,
    non_utf8_metadata_wheel,
    not_a_zip,
    symlink_sdist,
    symlink_wheel,
    tar_bomb_sdist,
    traversal_wheel,
    wheel_filename,
    zip_bomb,
)
from support.names import new_name
from support.pypi_clients import (
    PypiRepo,
    PythonClients,
    create_pypi_repo,
    publish_files,
    wheel_metadata,
)
from support.server import CofferServer

pytestmark = pytest.mark.e2e

MAX_ASSET_SIZE = 1024 * 1024
TABLES = ("packages", "package_versions", "assets")


@pytest.fixture(scope="module")
def small_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[CofferServer]:
    """A server of its own (nothing else writes to its store), with a 1 MiB asset limit."""
    root = tmp_path_factory.mktemp("coffer-small")
    server = CofferServer.start(
        root / "data",
        logs=root / "logs",
        env={"COFFER_MAX_ASSET_SIZE": str(MAX_ASSET_SIZE)},
        backend=SqliteFiles(),
    )
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def repo(small_server: CofferServer) -> PypiRepo:
    """A repository that already holds one good package, so "unchanged" is not "empty"."""
    ca = codeartifact_client(small_server.url, small_server.credentials)
    repo = create_pypi_repo(ca, small_server, new_name("bad"))
    publish_files(repo, {wheel_filename("good-pkg", "1.0"): build_wheel("good-pkg", "1.0")})
    return repo


@dataclass(frozen=True)
class StoreSnapshot:
    blobs: dict[str, bytes]
    rows: dict[str, int]
    spooled_uploads: list[str]
    blob_scratch: list[str]

    @classmethod
    def of(cls, data_dir: Path) -> StoreSnapshot:
        blobs_dir = data_dir / "blobs"
        blobs = {
            str(path.relative_to(blobs_dir)): path.read_bytes()
            for path in sorted(blobs_dir.rglob("*"))
            if path.is_file() and path.relative_to(blobs_dir).parts[0] != "tmp"
        }
        with closing(sqlite3.connect(data_dir / "coffer.db")) as db:
            rows = {t: db.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in TABLES}  # noqa: S608
        uploads = data_dir / "tmp" / "uploads"
        spooled = sorted(p.name for p in uploads.iterdir()) if uploads.exists() else []
        scratch_dir = blobs_dir / "tmp"
        scratch = sorted(p.name for p in scratch_dir.iterdir()) if scratch_dir.exists() else []
        return cls(blobs, rows, spooled, scratch)


def _assert_unchanged(before: StoreSnapshot, after: StoreSnapshot) -> None:
    assert after.spooled_uploads == [], "the upload spool was not cleaned up"
    assert after.blob_scratch == [], "the blob store left temporary files behind"
    assert after.rows == before.rows
    assert sorted(after.blobs) == sorted(before.blobs), "blob files were added or removed"
    changed = [name for name in before.blobs if before.blobs[name] != after.blobs[name]]
    assert changed == [], f"blob files changed: {changed}"


@pytest.fixture
def unchanged_store(small_server: CofferServer, repo: PypiRepo) -> Iterator[None]:
    before = StoreSnapshot.of(small_server.data_dir)
    assert before.rows["assets"] >= 1
    yield
    _assert_unchanged(before, StoreSnapshot.of(small_server.data_dir))


def _padding_wheel(size: int) -> bytes:
    """A valid ``hostile`` wheel of at least ``size`` bytes (random bytes do not compress)."""
    padding = random.Random(1).randbytes(size)  # noqa: S311 - test data
    return build_wheel(
        HOSTILE, HOSTILE_VERSION, files={f"{HOSTILE}/__init__.py": b"", f"{HOSTILE}/pad": padding}
    )


@dataclass(frozen=True)
class BadUpload:
    filename: str
    content: Callable[[], bytes]
    status: int
    message: str
    fields: dict[str, str | None] | None = None


def _good_wheel() -> bytes:
    return build_wheel(HOSTILE, HOSTILE_VERSION)


CASES: dict[str, BadUpload] = {
    "wrong sha256 digest": BadUpload(
        HOSTILE_WHEEL, _good_wheel, 400, "sha256_digest does not match the uploaded file",
        fields={"sha256_digest": hashlib.sha256(b"other").hexdigest()},
    ),
    "wrong md5 digest": BadUpload(
        HOSTILE_WHEEL, _good_wheel, 400, "md5_digest does not match the uploaded file",
        fields={"md5_digest": hashlib.md5(b"other").hexdigest()},  # noqa: S324
    ),
    "digest not hex": BadUpload(
        HOSTILE_WHEEL, _good_wheel, 400, "sha256_digest is not a hex digest",
        fields={"sha256_digest": "zz" * 32},
    ),
    "form name differs from the file": BadUpload(
        HOSTILE_WHEEL, _good_wheel, 400,
        "Name in the upload form ('other-name') does not match the filename ('hostile')",
        fields={"name": "other-name"},
    ),
    "form version differs from the file": BadUpload(
        HOSTILE_WHEEL, _good_wheel, 400, "Version in the upload form ('2.0') does not match",
        fields={"version": "2.0"},
    ),
    "METADATA name differs from the filename": BadUpload(
        HOSTILE_WHEEL, mismatched_name_wheel, 400,
        "Name in METADATA ('other-name') does not match the filename ('hostile')",
    ),
    "filetype contradicts the filename": BadUpload(
        HOSTILE_WHEEL, _good_wheel, 400, "filetype 'sdist' in the upload form does not match",
        fields={"filetype": "sdist", "pyversion": "source"},
    ),
    "egg": BadUpload(
        "hostile-1.0-py3.11.egg", _good_wheel, 400, "eggs are not supported",
        fields={"filetype": "bdist_wheel"},
    ),
    "filename not a wheel name": BadUpload("hostile.whl", _good_wheel, 400, "hostile.whl"),
    "filename with a path": BadUpload(
        "../hostile-1.0-py3-none-any.whl", _good_wheel, 400, "hostile-1.0-py3-none-any.whl"
    ),
    "tar.bz2 sdist": BadUpload(
        "hostile-1.0.tar.bz2", lambda: build_sdist(HOSTILE, HOSTILE_VERSION), 400,
        "source distributions must be .tar.gz",
    ),
    "not a zip": BadUpload(HOSTILE_WHEEL, not_a_zip, 400, "not a zip archive"),
    "not a tar.gz": BadUpload(HOSTILE_SDIST, not_a_zip, 400, "File is not a valid sdist"),
    "zip bomb": BadUpload(HOSTILE_WHEEL, zip_bomb, 400, "compressed (ratio"),
    "tar bomb": BadUpload(HOSTILE_SDIST, tar_bomb_sdist, 400, "compressed (ratio"),
    "path traversal": BadUpload(
        HOSTILE_WHEEL, traversal_wheel, 400, "Archive member '../evil' escapes the archive"
    ),
    "absolute member": BadUpload(
        HOSTILE_WHEEL, lambda: traversal_wheel("/etc/evil"), 400,
        "Archive member '/etc/evil' is an absolute path",
    ),
    "symlink in a wheel": BadUpload(
        HOSTILE_WHEEL, symlink_wheel, 400, "Archive member 'hostile/link' is a symbolic link"
    ),
    "symlink in an sdist": BadUpload(
        HOSTILE_SDIST, symlink_sdist, 400, "Archive member 'hostile-1.0/link' is a symbolic link"
    ),
    "hard link in an sdist": BadUpload(
        HOSTILE_SDIST, lambda: symlink_sdist(hardlink=True), 400, "is a hard link"
    ),
    "non-UTF-8 METADATA": BadUpload(
        HOSTILE_WHEEL, non_utf8_metadata_wheel, 400, "METADATA is not UTF-8"
    ),
    "huge METADATA": BadUpload(
        HOSTILE_WHEEL, huge_metadata_wheel, 400, "METADATA is larger than 10.0 MiB; refusing"
    ),
    "oversized": BadUpload(
        HOSTILE_WHEEL, lambda: _padding_wheel(MAX_ASSET_SIZE + 64 * 1024), 413,
        f"The file is larger than this server's limit of {MAX_ASSET_SIZE} bytes",
    ),
    "no :action": BadUpload(
        HOSTILE_WHEEL, _good_wheel, 400, "Missing ':action' field", fields={":action": None}
    ),
    "unknown :action": BadUpload(
        HOSTILE_WHEEL, _good_wheel, 400, "Unsupported ':action' 'remove_pkg'",
        fields={":action": "remove_pkg"},
    ),
    "no name": BadUpload(
        HOSTILE_WHEEL, _good_wheel, 400, "Missing required field 'name'", fields={"name": None}
    ),
    "invalid version": BadUpload(
        HOSTILE_WHEEL, _good_wheel, 400, "Invalid version 'one.zero'",
        fields={"version": "one.zero"},
    ),
}  # fmt: skip


@pytest.mark.parametrize("case", list(CASES))
@pytest.mark.usefixtures("unchanged_store")
def test_bad_upload_is_refused_and_changes_nothing(case: str, repo: PypiRepo) -> None:
    bad = CASES[case]
    response = repo.upload(bad.filename, bad.content(), fields=bad.fields)
    assert response.status_code == bad.status, (response.status_code, response.text)
    assert bad.message in response.text
    assert response.text.endswith("\n")
    assert "Traceback" not in response.text
    # Nothing became visible either.
    assert repo.get(f"simple/{HOSTILE}/").status_code == 404
    assert [r["status"] for r in repo.requests() if r["method"] == "POST"][-1] == bad.status


@pytest.mark.usefixtures("unchanged_store")
def test_malformed_requests_are_refused(repo: PypiRepo) -> None:
    auth = ("aws", repo.token)
    form = {"Content-Type": "application/x-www-form-urlencoded"}
    not_multipart = httpx.post(repo.endpoint, content=b"name=x", headers=form, auth=auth)
    assert not_multipart.status_code == 400
    assert "multipart/form-data" in not_multipart.text

    no_file = httpx.post(repo.endpoint, data={":action": "file_upload", "name": HOSTILE},
                         files={"other": ("x.txt", b"x")}, auth=auth, timeout=30)  # fmt: skip
    assert no_file.status_code == 400
    assert "The upload has no file: send it in the 'content' field" in no_file.text

    truncated = httpx.post(
        repo.endpoint,
        content=b'--xyz\r\nContent-Disposition: form-data; name="content"; '
        b'filename="hostile-1.0-py3-none-any.whl"\r\n\r\nPK\x03\x04 and then nothing',
        headers={"Content-Type": "multipart/form-data; boundary=xyz"},
        auth=auth,
        timeout=30,
    )
    assert truncated.status_code == 400, truncated.text

    submit = repo.upload(HOSTILE_WHEEL, _good_wheel(), fields={":action": "submit"})
    assert submit.status_code == 410
    assert "pre-registration is not needed" in submit.text


# ------------------------------------------------------------------------------ duplicates


def test_same_bytes_twice_succeeds_other_bytes_conflict(
    repo: PypiRepo, small_server: CofferServer
) -> None:
    wheel = build_wheel("dup-pkg", "1.0")
    name = wheel_filename("dup-pkg", "1.0")
    assert repo.upload(name, wheel).status_code == 200
    after_first = StoreSnapshot.of(small_server.data_dir)
    again = repo.upload(name, wheel)
    assert again.status_code == 200, again.text
    _assert_unchanged(after_first, StoreSnapshot.of(small_server.data_dir))

    other = build_wheel("dup-pkg", "1.0", files={"dup_pkg/__init__.py": b"CHANGED = 1\n"})
    conflict = repo.upload(name, other)
    assert conflict.status_code == 409, conflict.text
    assert "already exists" in conflict.text
    assert name in conflict.text
    _assert_unchanged(after_first, StoreSnapshot.of(small_server.data_dir))
    assert repo.get(f"simple/dup-pkg/1.0/{name}").content == wheel

    # A new file for the same version (an sdist beside the wheel) is still welcome.
    sdist = build_sdist("dup-pkg", "1.0")
    assert repo.upload("dup_pkg-1.0.tar.gz", sdist).status_code == 200


def test_twine_on_a_conflicting_file(
    repo: PypiRepo, small_server: CofferServer, tmp_path: Path
) -> None:
    name = wheel_filename("twine-dup", "1.0")
    publish_files(repo, {name: build_wheel("twine-dup", "1.0")})
    before = StoreSnapshot.of(small_server.data_dir)
    dist = tmp_path / "dist"
    dist.mkdir()
    (dist / name).write_bytes(
        build_wheel("twine-dup", "1.0", files={"twine_dup/__init__.py": b"OTHER = 2\n"})
    )
    clients = PythonClients(tmp_path / "clients")
    args: list[Any] = [
        "upload", "--non-interactive", "--disable-progress-bar", "--repository-url",
        repo.endpoint, "-u", "aws", "-p", repo.token, dist / name,
    ]  # fmt: skip
    conflict = clients.tool("twine", *args, check=False)
    assert conflict.returncode == 1, conflict.describe()
    assert "409 Conflict" in conflict.output
    # twine's --skip-existing only works against pypi.org: it refuses before uploading anything.
    skip = clients.tool("twine", *args[:1], "--skip-existing", *args[1:], check=False)
    assert skip.returncode == 1, skip.describe()
    assert "UnsupportedConfiguration" in skip.output
    assert "--skip-existing" in skip.output
    _assert_unchanged(before, StoreSnapshot.of(small_server.data_dir))


def _dangling_blobs(data_dir: Path) -> list[str]:
    """Blobs that asset rows reference (file or PEP 658 metadata) but the store lacks."""
    with closing(sqlite3.connect(data_dir / "coffer.db")) as db:
        rows = db.execute("SELECT name, sha256, metadata_sha256 FROM assets").fetchall()
    missing = []
    for name, *keys in rows:
        for key in filter(None, keys):
            if not (data_dir / "blobs" / "sha256" / key[:2] / key[2:4] / key).exists():
                missing.append(f"{name}: {key}")
    return missing


def test_refused_uploads_never_take_files_from_accepted_ones(
    repo: PypiRepo, small_server: CofferServer
) -> None:
    """Parallel CI jobs: some re-upload a rebuilt wheel (409: the version already has that file
    with other bytes) while another uploads a new wheel of the same version. The wheels differ,
    their METADATA is the same bytes, so all of them store the same PEP 658 metadata blob.

    A refused upload must not remove anything an accepted one relies on: afterwards the
    accepted wheel and its ``.metadata`` are served and no asset row points at a missing blob.
    (Rule at stake: "delete the blob only if this call created it" is not enough when another
    call found that blob already there and committed a reference to it meanwhile.)
    """
    rebuilt = 11
    for round_ in range(10):
        package = f"race-{round_}"
        first, other = (
            wheel_filename(package, "1.0"),
            wheel_filename(package, "1.0", "py2-none-any"),
        )
        module = f"race_{round_}/__init__.py"
        # The first build's METADATA differs from the later builds' (another Keywords line).
        original = build_wheel(package, "1.0", files={module: b""}, metadata_extra="Keywords: a\n")
        publish_files(repo, {first: original})
        jobs = [
            (first, build_wheel(package, "1.0", files={module: b"BUILD = %d\n" % i}))
            for i in range(rebuilt)
        ]
        new_wheel = build_wheel(package, "1.0", tag="py2-none-any", files={module: b""})
        jobs.append((other, new_wheel))
        with ThreadPoolExecutor(len(jobs)) as pool:
            responses = list(pool.map(lambda job: repo.upload(*job), jobs))
        assert [r.status_code for r in responses] == [409] * rebuilt + [200], [
            r.text for r in responses
        ]
        path = f"simple/{package}/1.0/{other}"
        assert repo.get(path).content == new_wheel
        assert repo.get(f"simple/{package}/1.0/{first}").content == original
        metadata = repo.get(path + ".metadata")
        assert metadata.status_code == 200, f"round {round_}: {metadata.status_code}"
        assert metadata.content == wheel_metadata(new_wheel)
    assert _dangling_blobs(small_server.data_dir) == []
