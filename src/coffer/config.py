"""Settings, read from command-line flags and ``COFFER_*`` environment variables.

Every entry point (``coffer serve``, ``coffer admin …``) builds one :class:`Settings` the same way,
so the admin commands always act on the store the server uses.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

__all__ = ["DEFAULT_DATA_DIR", "ConfigError", "Settings"]

DEFAULT_DATA_DIR = Path("coffer-data")
DEFAULT_MAX_ASSET_SIZE = 5 * 1024**3  # CodeArtifact's default asset size quota: 5 GB


class ConfigError(ValueError):
    """A setting has a value Coffer cannot use."""


def _env(environ: Mapping[str, str], name: str) -> str | None:
    value = environ.get(f"COFFER_{name}")
    return value if value else None


@dataclass(frozen=True)
class Settings:
    data_dir: Path = DEFAULT_DATA_DIR
    database_url: str | None = None
    blob_store_url: str | None = None
    public_url: str | None = None
    region: str = "us-east-1"
    secret_key: str | None = None
    max_asset_size: int = DEFAULT_MAX_ASSET_SIZE
    external_connections: Mapping[str, str] = field(default_factory=dict)
    remote_index_ttl: int = 600  # seconds an upstream project page is trusted before revalidation
    blob_redirect: bool = False
    """Answer downloads with a redirect to the blob store's presigned URL, where it offers one
    (``COFFER_BLOB_REDIRECT=1``; S3: clients must reach the S3 endpoint themselves)."""
    remote_timeout: float = 30.0  # seconds to wait on an upstream registry

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None, **overrides: object) -> Settings:
        """Settings from ``COFFER_*`` variables; ``overrides`` (flags) win when not None."""
        env = os.environ if environ is None else environ
        values: dict[str, object] = {
            "data_dir": Path(_env(env, "DATA_DIR") or DEFAULT_DATA_DIR),
            "database_url": _env(env, "DATABASE_URL"),
            "blob_store_url": _env(env, "BLOB_STORE"),
            "public_url": _env(env, "PUBLIC_URL"),
            "region": _env(env, "REGION") or "us-east-1",
            "secret_key": _env(env, "SECRET_KEY"),
            "max_asset_size": _int(env, "MAX_ASSET_SIZE", DEFAULT_MAX_ASSET_SIZE),
            "external_connections": _pairs(_env(env, "EXTERNAL_CONNECTIONS")),
            "remote_index_ttl": _int(env, "REMOTE_INDEX_TTL", 600),
            "blob_redirect": _bool(env, "BLOB_REDIRECT"),
            "remote_timeout": float(_int(env, "REMOTE_TIMEOUT", 30)),
        }
        values.update({k: v for k, v in overrides.items() if v is not None})
        settings = cls(**values)  # type: ignore[arg-type]
        settings.validate()
        return settings

    def validate(self) -> None:
        if self.public_url is not None and not self.public_url.startswith(("http://", "https://")):
            raise ConfigError(f"COFFER_PUBLIC_URL must be an http(s) URL, not {self.public_url!r}")
        if self.max_asset_size <= 0:
            raise ConfigError("COFFER_MAX_ASSET_SIZE must be a positive number of bytes")

    @property
    def resolved_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite+aiosqlite:///{self.data_dir.resolve() / 'coffer.db'}"

    @property
    def resolved_blob_store_url(self) -> str:
        if self.blob_store_url:
            return self.blob_store_url
        return (self.data_dir.resolve() / "blobs").as_uri()

    @property
    def public_path(self) -> str:
        """The path part of ``public_url`` without a trailing slash ("" when unset)."""
        return urlsplit(self.public_url).path.rstrip("/") if self.public_url else ""

    @property
    def credentials_path(self) -> Path:
        return self.data_dir / "admin.credentials"


def _int(environ: Mapping[str, str], name: str, default: int) -> int:
    raw = _env(environ, name)
    if raw is None:
        return default
    try:
        return int(raw)
    except ValueError:
        raise ConfigError(f"COFFER_{name} must be a whole number, not {raw!r}") from None


def _bool(environ: Mapping[str, str], name: str) -> bool:
    """``1``/``true``/``yes``/``on`` or ``0``/``false``/``no``/``off``, any case; unset: False."""
    raw = _env(environ, name)
    if raw is None:
        return False
    value = raw.strip().lower()
    if value in ("1", "true", "yes", "on"):
        return True
    if value in ("0", "false", "no", "off"):
        return False
    raise ConfigError(f"COFFER_{name} must be 1 or 0 (true/false, yes/no, on/off), not {raw!r}")


def _pairs(raw: str | None) -> dict[str, str]:
    """``name=url,name2=url2`` (``COFFER_EXTERNAL_CONNECTIONS``)."""
    result: dict[str, str] = {}
    for item in (raw or "").split(","):
        if not item.strip():
            continue
        name, sep, url = item.partition("=")
        if not sep or not name.strip() or not url.strip():
            raise ConfigError(f"external connection must look like NAME=URL, got {item!r}")
        result[name.strip()] = url.strip()
    return result
