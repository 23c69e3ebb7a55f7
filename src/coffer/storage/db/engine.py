"""Engines, sessions and schema migrations, on SQLite (the default) and PostgreSQL.

``migrate`` runs Alembic synchronously before the server accepts requests; the server itself uses
SQLAlchemy's asyncio engine. URLs may name a database without a driver; both functions below pick
the one Coffer ships (``postgresql://`` and ``postgres://`` mean psycopg 3, ``sqlite://`` means
the standard library's sqlite3, or aiosqlite for asyncio).

Migrations run *once* however many processes start together (N ``coffer serve`` hosts over one
PostgreSQL): each takes an exclusive lock before Alembic reads the schema's revision, so the first
upgrades and the others wait, then find the schema at head and do nothing.

- PostgreSQL: a transaction-scoped advisory lock (``pg_advisory_xact_lock``); PostgreSQL's DDL is
  transactional, so the upgrade commits (or rolls back) as a whole and releases the lock with it.
- SQLite: ``BEGIN IMMEDIATE`` takes the database's write lock for the whole upgrade (sqlite3 would
  otherwise run DDL outside any transaction); other processes wait up to ``busy_timeout``.
"""

from __future__ import annotations

import fcntl
import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from anyio import to_thread
from sqlalchemy import Connection, Engine, create_engine, event, text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.pool import NullPool

__all__ = [
    "BOOTSTRAP_LOCK_ID",
    "MIGRATION_LOCK_ID",
    "POOL_OPTIONS",
    "Database",
    "async_url",
    "migrate",
    "sync_url",
]

MIGRATIONS = Path(__file__).parent / "migrations"

MIGRATION_LOCK_ID = 0x636F_6666_6572_0001
"""The PostgreSQL advisory lock key that serializes migrations ("coffer" in ASCII, then 1)."""

BOOTSTRAP_LOCK_ID = 0x636F_6666_6572_0002
"""The lock that lets one of several servers starting together create the first account."""

POOL_OPTIONS: dict[str, Any] = {
    "pool_size": 5,  # connections kept open per process; N processes hold up to 15 N
    "max_overflow": 10,  # extra connections under a burst, closed when returned
    "pool_timeout": 30,  # seconds a request waits for a connection before failing
    "pool_recycle": 1800,  # replace connections older than this (idle timeouts, failovers)
    "pool_pre_ping": True,  # test a connection before use; survives database restarts
}
"""Connection pooling for server databases (PostgreSQL); SQLite keeps SQLAlchemy's defaults."""

_POSTGRES_ALIASES = ("postgres", "postgresql", "postgresql+psycopg2", "postgresql+psycopg")


def _postgres_driver(parsed: URL) -> URL:
    return parsed.set(drivername="postgresql+psycopg")


def sync_url(url: str) -> str:
    """The URL of a synchronous driver for the same database (for Alembic)."""
    parsed = make_url(url)
    if parsed.drivername == "sqlite+aiosqlite":
        parsed = parsed.set(drivername="sqlite")
    elif parsed.drivername in (*_POSTGRES_ALIASES, "postgresql+asyncpg"):
        parsed = _postgres_driver(parsed)
    return parsed.render_as_string(hide_password=False)


def async_url(url: str) -> str:
    """The URL of an asyncio driver for the same database (for the server)."""
    parsed = make_url(url)
    if parsed.drivername == "sqlite":
        parsed = parsed.set(drivername="sqlite+aiosqlite")
    elif parsed.drivername in _POSTGRES_ALIASES:
        parsed = _postgres_driver(parsed)
    return parsed.render_as_string(hide_password=False)


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


def _sqlite_manual_transactions(dbapi_connection: Any, _record: Any) -> None:
    # Let SQLAlchemy's "begin" event below start transactions, instead of sqlite3's implicit
    # BEGIN that skips DDL (SQLAlchemy's documented recipe for transactional DDL on SQLite).
    dbapi_connection.isolation_level = None


def _sqlite_begin_immediate(connection: Connection) -> None:
    connection.exec_driver_sql("BEGIN IMMEDIATE")


def _ensure_sqlite_dir(url: str) -> None:
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite" and parsed.database not in (None, "", ":memory:"):
        Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)


def _alembic_config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return config


def _migration_engine(url: str) -> Engine:
    """A one-connection engine whose transactions hold the migration lock."""
    _ensure_sqlite_dir(url)
    engine: Engine = create_engine(sync_url(url), poolclass=NullPool)
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "connect", _sqlite_manual_transactions)
        event.listen(engine, "begin", _sqlite_begin_immediate)
    return engine


def migrate(url: str) -> None:
    """Bring the schema to the newest revision (idempotent; safe from many processes at once)."""
    engine = _migration_engine(url)
    try:
        with engine.begin() as connection:
            if connection.dialect.name == "postgresql":
                connection.execute(
                    text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK_ID}
                )
            config = _alembic_config()
            config.attributes["connection"] = connection
            command.upgrade(config, "head")
    finally:
        engine.dispose()


class Database:
    """The async engine and session factory one process shares."""

    def __init__(self, url: str) -> None:
        _ensure_sqlite_dir(url)
        resolved = async_url(url)
        options = POOL_OPTIONS if make_url(resolved).get_backend_name() == "postgresql" else {}
        self.engine: AsyncEngine = create_async_engine(resolved, **options)
        if self.engine.dialect.name == "sqlite":
            event.listen(self.engine.sync_engine, "connect", _sqlite_pragmas)
        self._sessions = async_sessionmaker(self.engine, expire_on_commit=False)

    @property
    def dialect(self) -> str:
        """``"sqlite"`` or ``"postgresql"``."""
        return self.engine.dialect.name

    @asynccontextmanager
    async def session(self) -> AsyncIterator[AsyncSession]:
        """A session whose transaction commits when the block ends without an error."""
        async with self._sessions() as session, session.begin():
            yield session

    @asynccontextmanager
    async def exclusive(self, lock_id: int) -> AsyncIterator[None]:
        """Hold a lock every process using this database respects, for a check-then-create.

        PostgreSQL: a session advisory lock on a connection of its own. SQLite: an exclusive
        ``flock`` on ``<database>.lock`` (the processes sharing an SQLite file share a host).
        """
        if self.dialect == "postgresql":
            async with self.engine.connect() as connection:
                await connection.execute(text("SELECT pg_advisory_lock(:key)"), {"key": lock_id})
                try:
                    yield
                finally:
                    unlock = text("SELECT pg_advisory_unlock(:key)")
                    await connection.execute(unlock, {"key": lock_id})
            return
        database = self.engine.url.database
        if not database or database == ":memory:":
            yield
            return
        fd = os.open(f"{database}.lock", os.O_RDWR | os.O_CREAT, 0o600)
        try:
            await to_thread.run_sync(fcntl.flock, fd, fcntl.LOCK_EX)
            yield
        finally:
            os.close(fd)  # releases the lock

    async def check(self) -> None:
        async with self.engine.connect() as connection:
            await connection.execute(text("SELECT 1"))

    async def close(self) -> None:
        await self.engine.dispose()
