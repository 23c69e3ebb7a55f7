"""Content-addressed blob storage: the contract, its errors, and the driver registry.

``open_blob_store(url)`` picks a driver by the URL's scheme (``COFFER_BLOB_STORE``)::

    file:///var/lib/coffer/blobs    coffer.storage.blobs.filesystem
    s3://bucket/prefix              coffer.storage.blobs.s3 (AWS S3, MinIO, Ceph RGW, R2, ...)

Drivers are registered by *name*, as ``"module:function"``, and imported on first use, so the app
never imports a driver module (or its SDK) it is not configured to use. Adding a driver is one
line in ``_BUILTIN_DRIVERS`` or one :func:`register_blob_store` call. The function receives the
whole URL and returns a :class:`BlobStore`, raising :class:`BlobStoreConfigError` if the URL is
malformed for it.
"""

from __future__ import annotations

import importlib
import re
from collections.abc import Callable, Mapping
from urllib.parse import urlsplit

from coffer.storage.blobs.base import (
    BlobDigestMismatch,
    BlobError,
    BlobHasher,
    BlobInfo,
    BlobNotFound,
    BlobStore,
    BlobStoreConfigError,
    BlobStoreUnavailable,
    BlobTooLarge,
    InvalidBlobKey,
    InvalidBlobRange,
    StoredBlob,
    resolve_range,
    validate_key,
)

__all__ = [
    "BlobDigestMismatch",
    "BlobError",
    "BlobHasher",
    "BlobInfo",
    "BlobNotFound",
    "BlobStore",
    "BlobStoreConfigError",
    "BlobStoreOpener",
    "BlobStoreRegistry",
    "BlobStoreUnavailable",
    "BlobTooLarge",
    "InvalidBlobKey",
    "InvalidBlobRange",
    "StoredBlob",
    "open_blob_store",
    "register_blob_store",
    "resolve_range",
    "validate_key",
]

BlobStoreOpener = Callable[[str], BlobStore]
"""Builds a store from its URL without I/O; the app calls ``check()`` when it starts."""

_BUILTIN_DRIVERS: Mapping[str, str] = {
    "file": "coffer.storage.blobs.filesystem:from_url",
    "s3": "coffer.storage.blobs.s3:from_url",
}
_SCHEME = re.compile(r"[a-z][a-z0-9+.-]*")


class BlobStoreRegistry:
    """Maps URL schemes to driver openers, given as callables or lazy ``"module:function"``."""

    def __init__(self, drivers: Mapping[str, BlobStoreOpener | str] = _BUILTIN_DRIVERS) -> None:
        self._drivers: dict[str, BlobStoreOpener | str] = {}
        for scheme, opener in drivers.items():
            self.register(scheme, opener)

    @property
    def schemes(self) -> list[str]:
        return sorted(self._drivers)

    def register(self, scheme: str, opener: BlobStoreOpener | str) -> None:
        """Register a driver for ``scheme`` (lowercase); a scheme is registered only once."""
        if _SCHEME.fullmatch(scheme) is None:
            raise ValueError(f"invalid URL scheme {scheme!r}")
        if isinstance(opener, str) and opener.count(":") != 1:
            raise ValueError(f"driver {opener!r} must be given as 'module:function'")
        if scheme in self._drivers:
            raise ValueError(f"a blob store driver is already registered for {scheme}://")
        self._drivers[scheme] = opener

    def open(self, url: str) -> BlobStore:
        """Build the store ``url`` names; raise :class:`BlobStoreConfigError` if none can."""
        scheme = urlsplit(url).scheme
        opener = self._drivers.get(scheme)
        if opener is None:
            known = ", ".join(f"{name}://" for name in self.schemes)
            raise BlobStoreConfigError(
                f"unsupported blob store URL {url!r}: the scheme must be one of {known}"
            )
        if isinstance(opener, str):
            opener = self._drivers[scheme] = _load(scheme, opener)
        return opener(url)


def _load(scheme: str, spec: str) -> BlobStoreOpener:
    module_name, _, attribute = spec.partition(":")
    try:
        opener: BlobStoreOpener = getattr(importlib.import_module(module_name), attribute)
    except (ImportError, AttributeError) as exc:
        raise BlobStoreConfigError(
            f"the blob store driver for {scheme}:// ({spec}) cannot be loaded: {exc}"
        ) from exc
    return opener


_registry = BlobStoreRegistry()


def open_blob_store(url: str) -> BlobStore:
    """Build the blob store ``url`` names, e.g. ``file:///var/lib/coffer/blobs``.

    Raises :class:`BlobStoreConfigError` (a ``ValueError``) for an unknown scheme or a URL its
    driver rejects. No I/O happens here; call ``check()`` to verify the store.
    """
    return _registry.open(url)


def register_blob_store(scheme: str, opener: BlobStoreOpener | str) -> None:
    """Add a driver to the registry :func:`open_blob_store` uses (plugins, tests)."""
    _registry.register(scheme, opener)
