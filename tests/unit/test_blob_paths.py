"""Blob keys, ranges, digests, the filesystem layout and URL, and the driver registry."""

from __future__ import annotations

import hashlib
import inspect
from pathlib import Path
from types import ModuleType

import pytest

import coffer.storage.blobs as blobs
from coffer.storage.blobs import (
    BlobHasher,
    BlobStore,
    BlobStoreConfigError,
    BlobStoreRegistry,
    InvalidBlobKey,
    InvalidBlobRange,
    filesystem,
    open_blob_store,
    resolve_range,
    validate_key,
)
from coffer.storage.blobs import base as blobs_base
from coffer.storage.blobs.filesystem import FilesystemBlobStore

ABC_SHA256 = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"


@pytest.mark.parametrize("module", [blobs, blobs_base, filesystem])
def test_exports_name_every_public_definition(module: ModuleType) -> None:
    exported: list[str] = getattr(module, "__all__")  # noqa: B009 - ModuleType declares none
    defined = {
        name
        for name, value in vars(module).items()
        if not name.startswith("_")
        and (inspect.isclass(value) or inspect.isfunction(value))
        and value.__module__ == module.__name__
    }
    assert exported == sorted(set(exported))
    assert defined <= set(exported)
    assert all(hasattr(module, name) for name in exported)


def test_the_package_reexports_the_contract() -> None:
    assert set(blobs_base.__all__) <= set(blobs.__all__)


def test_valid_key_passes_through() -> None:
    assert validate_key(ABC_SHA256) == ABC_SHA256


@pytest.mark.parametrize(
    "key",
    [
        ABC_SHA256.upper(),
        ABC_SHA256[:-1],
        ABC_SHA256 + "0",
        ABC_SHA256 + "\n",
        "../" + ABC_SHA256[3:],
        "z" * 64,
        "",
        None,
        b"a" * 64,
    ],
)
def test_invalid_keys_raise_a_value_error(key: object) -> None:
    with pytest.raises(InvalidBlobKey, match="64 lowercase hex") as caught:
        validate_key(key)  # type: ignore[arg-type]
    assert isinstance(caught.value, ValueError)


def test_a_long_bad_key_is_shortened_in_the_message() -> None:
    with pytest.raises(InvalidBlobKey) as caught:
        validate_key("x" * 10_000)
    assert len(str(caught.value)) < 150


@pytest.mark.parametrize(
    ("start", "end", "stop"), [(0, None, 10), (3, None, 10), (3, 5, 5), (10, None, 10), (0, 0, 0)]
)
def test_ranges_resolve_to_an_exclusive_end(start: int, end: int | None, stop: int) -> None:
    assert resolve_range(10, start, end) == stop


@pytest.mark.parametrize(("start", "end"), [(-1, None), (11, None), (0, 11), (5, 4), (0, -1)])
def test_ranges_outside_the_blob_are_rejected(start: int, end: int | None) -> None:
    with pytest.raises(InvalidBlobRange, match="outside a blob of 10 bytes"):
        resolve_range(10, start, end)


def test_hasher_computes_every_asset_digest() -> None:
    hasher = BlobHasher()
    hasher.update(b"a")
    hasher.update(b"bc")
    info = hasher.info(created=True)
    assert (info.sha256, info.size, info.created) == (ABC_SHA256, 3, True)
    assert info.md5 == "900150983cd24fb0d6963f7d28e17f72"
    assert info.sha1 == "a9993e364706816aba3e25717850c26c9cd0d89d"
    assert info.sha512 == hashlib.sha512(b"abc").hexdigest()
    assert info.blake2b_256 == hashlib.blake2b(b"abc", digest_size=32).hexdigest()
    assert hasher.sha256() == ABC_SHA256


def test_filesystem_fan_out(tmp_path: Path) -> None:
    store = FilesystemBlobStore(tmp_path)
    assert store.local_path(ABC_SHA256) == tmp_path / "sha256" / "ba" / "78" / ABC_SHA256
    assert repr(store) == f"FilesystemBlobStore({str(tmp_path)!r})"


def test_filesystem_rejects_a_zero_chunk_size(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="chunk_size"):
        FilesystemBlobStore(tmp_path, chunk_size=0)


@pytest.mark.parametrize(
    ("url", "root"),
    [
        ("file:///var/lib/coffer/blobs", "/var/lib/coffer/blobs"),
        ("file://localhost/srv/blobs", "/srv/blobs"),
        ("file:/srv/blobs", "/srv/blobs"),
        ("file:///srv/blob%20store", "/srv/blob store"),
        ("FILE:///srv/blobs", "/srv/blobs"),
    ],
)
def test_file_urls_open_the_filesystem_driver(url: str, root: str) -> None:
    store = open_blob_store(url)
    assert isinstance(store, FilesystemBlobStore)
    assert store.root == Path(root)


def test_path_as_uri_round_trips(tmp_path: Path) -> None:
    root = tmp_path / "blob store #1 ü"
    store = open_blob_store(root.as_uri())
    assert isinstance(store, FilesystemBlobStore)
    assert store.root == root


@pytest.mark.parametrize(
    "url",
    [
        "file://relative/path",
        "file:relative/path",
        "file://host.example/srv/blobs",
        "file:///srv/blobs?mode=fast",
        "file:///srv/blobs#frag",
        "file:///srv/blobs%00",
    ],
)
def test_malformed_file_urls_are_config_errors(url: str) -> None:
    with pytest.raises(BlobStoreConfigError, match="file:///absolute/path"):
        open_blob_store(url)


@pytest.mark.parametrize("url", ["gs://bucket/prefix", "/srv/blobs", "", "blobs"])
def test_unknown_schemes_are_config_errors(url: str) -> None:
    with pytest.raises(BlobStoreConfigError, match="must be one of file://") as caught:
        open_blob_store(url)
    assert isinstance(caught.value, ValueError)


def test_filesystem_from_url_checks_its_scheme() -> None:
    with pytest.raises(BlobStoreConfigError):
        filesystem.from_url("s3://bucket/prefix")


def test_registering_a_driver_for_a_new_scheme(tmp_path: Path) -> None:
    opened: list[str] = []

    def open_memory(url: str) -> BlobStore:
        opened.append(url)
        return FilesystemBlobStore(tmp_path)

    registry = BlobStoreRegistry()
    registry.register("mem", open_memory)
    assert registry.schemes == ["file", "mem", "s3"]
    assert isinstance(registry.open("mem://anything"), FilesystemBlobStore)
    assert opened == ["mem://anything"]


def test_drivers_named_by_module_load_on_first_use() -> None:
    registry = BlobStoreRegistry({"s3": "coffer.storage.blobs.filesystem:from_url"})
    with pytest.raises(BlobStoreConfigError, match="expected file:///absolute/path"):
        registry.open("s3://bucket/prefix")  # loaded, and the driver judged the URL


@pytest.mark.parametrize(
    "spec", ["coffer.storage.blobs.no_such_driver:from_url", "coffer.storage.blobs:no_such_name"]
)
def test_a_driver_that_cannot_load_is_a_config_error(spec: str) -> None:
    registry = BlobStoreRegistry({"s3": spec})
    with pytest.raises(BlobStoreConfigError, match=r"driver for s3:// .* cannot be loaded"):
        registry.open("s3://bucket/prefix")


@pytest.mark.parametrize(
    ("scheme", "opener", "message"),
    [
        ("file", "somewhere:else", "already registered"),
        ("S3", "m:f", "invalid URL scheme"),
        ("s3", "no-colon", "module:function"),
        ("s3", "a:b:c", "module:function"),
    ],
)
def test_bad_registrations_are_refused(scheme: str, opener: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        BlobStoreRegistry().register(scheme, opener)
