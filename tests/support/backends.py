"""Which storage backends the API and end-to-end suites run on: ``COFFER_TEST_BACKEND``.

``sqlite-files`` (the default) is Coffer's embedded default: SQLite and blobs on disk in the data
directory. ``postgres-s3`` is the scale-out deployment: a real PostgreSQL (:mod:`support.postgres`)
and an S3 API server (:mod:`support.s3`), both started once per test process on 127.0.0.1.

A test, or a ``coffer serve`` it starts, asks :func:`current` for a :class:`Storage`: the
settings that place one store somewhere. Storage is named, and asking again for the same name
gives the same database and bucket, so a server restarted over the same data directory finds
its data, as it would in production::

    storage = current().storage(f"srv-{data_dir}")      # COFFER_DATABASE_URL, …, AWS_* env
    settings = storage.apply(Settings(data_dir=data_dir))
"""

from __future__ import annotations

import dataclasses
import hashlib
import os
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field

from coffer.config import Settings

__all__ = [
    "BACKENDS",
    "BACKEND_VARIABLE",
    "Backend",
    "PostgresS3",
    "SqliteFiles",
    "Storage",
    "current",
]

BACKEND_VARIABLE = "COFFER_TEST_BACKEND"
BLOB_PREFIX = "coffer"


@dataclass(frozen=True)
class Storage:
    """Where one store keeps its metadata and blobs (``None``: the data directory's defaults)."""

    database_url: str | None = None
    blob_store_url: str | None = None
    aws_env: Mapping[str, str] = field(default_factory=dict)
    """Standard AWS settings the S3 driver needs (endpoint, credentials, region)."""

    def env(self) -> dict[str, str]:
        """Environment variables for ``coffer serve`` and ``coffer admin``."""
        env = dict(self.aws_env)
        if self.database_url is not None:
            env["COFFER_DATABASE_URL"] = self.database_url
        if self.blob_store_url is not None:
            env["COFFER_BLOB_STORE"] = self.blob_store_url
        return env

    def apply(self, settings: Settings) -> Settings:
        """``settings`` using this storage, where they do not name a database or store."""
        return dataclasses.replace(
            settings,
            database_url=settings.database_url or self.database_url,
            blob_store_url=settings.blob_store_url or self.blob_store_url,
        )


class Backend:
    """A kind of storage; :meth:`storage` places one store in it."""

    name: str = ""

    def storage(self, name: str, *, migrated: bool = False) -> Storage:
        """The storage called ``name``, made empty on first use (``migrated``: schema at head)."""
        raise NotImplementedError

    def release(self, name: str) -> None:
        """Delete the storage called ``name`` (a no-op where the data directory holds it)."""


class SqliteFiles(Backend):
    """SQLite and files inside each store's data directory: nothing to place."""

    name = "sqlite-files"

    def storage(self, name: str, *, migrated: bool = False) -> Storage:
        return Storage()


class PostgresS3(Backend):
    """A database and a bucket per store, on this process's PostgreSQL and S3 servers."""

    name = "postgres-s3"
    TEMPLATE = "coffer_migrated"

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._template_ready = False
        self._spare: list[str] = []  # emptied migrated databases, ready for reuse
        self._lent: dict[str, str] = {}  # storage name -> database taken from the spares

    def storage(self, name: str, *, migrated: bool = False) -> Storage:
        from support.postgres import shared_postgres
        from support.s3 import shared_s3

        postgres, s3 = shared_postgres(), shared_s3()
        database, bucket = self._names(name)
        with self._lock:
            if name in self._lent:
                database = self._lent[name]
            elif migrated and self._spare:
                database = self._lent[name] = self._spare.pop()
            elif not postgres.has_database(database):
                postgres.create_database(database, template=self._template() if migrated else None)
                if migrated:
                    self._lent[name] = database
        s3.create_bucket(bucket)
        return Storage(postgres.url(database), f"s3://{bucket}/{BLOB_PREFIX}", s3.env())

    def release(self, name: str) -> None:
        """Delete the bucket; empty a migrated database for the next test, or drop it."""
        import psycopg

        from support.postgres import shared_postgres
        from support.s3 import shared_s3

        postgres = shared_postgres()
        database, bucket = self._names(name)
        shared_s3().delete_bucket(bucket)
        with self._lock:
            lent = self._lent.pop(name, None)
        if lent is None:
            postgres.drop_database(database)
            return
        try:
            postgres.empty_database(lent)
        except psycopg.Error:
            postgres.drop_database(lent)
            return
        with self._lock:
            self._spare.append(lent)

    def _template(self) -> str:
        """A database migrated to head, copied for each migrated store (called locked)."""
        from coffer.storage.db import migrate
        from support.postgres import shared_postgres

        if not self._template_ready:
            postgres = shared_postgres()
            postgres.drop_database(self.TEMPLATE)
            migrate(postgres.create_database(self.TEMPLATE))
            self._template_ready = True
        return self.TEMPLATE

    @staticmethod
    def _names(name: str) -> tuple[str, str]:
        digest = hashlib.sha256(name.encode()).hexdigest()[:20]
        return f"t_{digest}", f"t-{digest}"


BACKENDS: Mapping[str, type[Backend]] = {
    SqliteFiles.name: SqliteFiles,
    PostgresS3.name: PostgresS3,
}

_current: Backend | None = None
_current_lock = threading.Lock()


def current() -> Backend:
    """The backend ``COFFER_TEST_BACKEND`` names (default ``sqlite-files``), one per process."""
    global _current
    with _current_lock:
        if _current is None:
            name = os.environ.get(BACKEND_VARIABLE) or SqliteFiles.name
            if name not in BACKENDS:
                known = ", ".join(sorted(BACKENDS))
                raise RuntimeError(f"{BACKEND_VARIABLE}={name!r} is not one of: {known}")
            _current = BACKENDS[name]()
        return _current
