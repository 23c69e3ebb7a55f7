"""The metadata store's contract, on every database Coffer supports: SQLite and PostgreSQL.

Migrations reach the models exactly (``alembic check``: autogenerate finds nothing), run once
however many processes start together, and the column types and query shapes services rely on
behave the same on both databases.
"""

from __future__ import annotations

import subprocess
import sys
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, func, insert, select, text, tuple_
from sqlalchemy.exc import IntegrityError

from coffer.storage.db import Account, Asset, Base, Database, Package, PackageVersion, migrate
from coffer.storage.db.engine import MIGRATIONS, POOL_OPTIONS, _alembic_config, async_url, sync_url
from support.postgres import PostgresServer, shared_postgres

DIALECTS = ["sqlite", "postgresql"]


@pytest.fixture(scope="session")
def postgres() -> PostgresServer:
    return shared_postgres()


@pytest.fixture(params=DIALECTS)
def database_url(
    request: pytest.FixtureRequest, tmp_path: Path, postgres: PostgresServer
) -> Iterator[str]:
    """An empty database (no schema) as a user would configure it."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'coffer.db'}"
        return
    name = f"c_{uuid.uuid4().hex}"
    url = postgres.create_database(name)
    yield url
    postgres.drop_database(name)


@pytest.fixture
async def database(database_url: str) -> AsyncIterator[Database]:
    migrate(database_url)
    db = Database(database_url)
    yield db
    await db.close()


def head_revision() -> str:
    head = ScriptDirectory.from_config(_alembic_config()).get_current_head()
    assert head is not None
    return head


def schema_revisions(url: str) -> list[str]:
    engine = create_engine(sync_url(url))
    try:
        with engine.connect() as connection:
            return list(
                connection.execute(text("SELECT version_num FROM alembic_version")).scalars()
            )
    finally:
        engine.dispose()


# -- migrations ---------------------------------------------------------------------------------


def test_migrations_match_the_models(database_url: str) -> None:
    """``alembic upgrade head && alembic check``: autogenerate finds no difference."""
    migrate(database_url)
    engine = create_engine(sync_url(database_url))
    try:
        with engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"compare_type": True})
            assert compare_metadata(context, Base.metadata) == []
    finally:
        engine.dispose()
    assert schema_revisions(database_url) == [head_revision()]


def test_migrate_is_idempotent(database_url: str) -> None:
    migrate(database_url)
    migrate(database_url)
    assert schema_revisions(database_url) == [head_revision()]


def test_concurrent_migrations_run_once(database_url: str) -> None:
    """N servers starting together over one empty database: all succeed, the schema is head."""
    script = "import sys; from coffer.storage.db import migrate; migrate(sys.argv[1])"
    processes = [
        subprocess.Popen(
            [sys.executable, "-c", script, database_url],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
        )
        for _ in range(4)
    ]
    outputs = [process.communicate(timeout=120)[0].decode() for process in processes]
    assert [process.returncode for process in processes] == [0] * 4, outputs
    assert schema_revisions(database_url) == [head_revision()]


def test_migrations_directory_is_the_packaged_one() -> None:
    assert (MIGRATIONS / "env.py").exists()


# -- URLs and pooling ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("given", "sync", "async_"),
    [
        ("sqlite:////d/coffer.db", "sqlite:////d/coffer.db", "sqlite+aiosqlite:////d/coffer.db"),
        (
            "sqlite+aiosqlite:////d/coffer.db",
            "sqlite:////d/coffer.db",
            "sqlite+aiosqlite:////d/coffer.db",
        ),
        ("postgresql://u:p@h:5432/db", "postgresql+psycopg://u:p@h:5432/db", None),
        ("postgres://u:p@h/db", "postgresql+psycopg://u:p@h/db", "postgresql+psycopg://u:p@h/db"),
        ("postgresql+psycopg2://u@h/db", "postgresql+psycopg://u@h/db", None),
        (
            "postgresql+asyncpg://u@h/db",
            "postgresql+psycopg://u@h/db",
            "postgresql+asyncpg://u@h/db",
        ),
        ("postgresql://u@/db?host=/run/pg", "postgresql+psycopg://u@/db?host=%2Frun%2Fpg", None),
    ],
)
def test_urls_name_the_drivers_coffer_ships(given: str, sync: str, async_: str | None) -> None:
    assert sync_url(given) == sync
    assert async_url(given) == (async_ or sync)


@pytest.mark.anyio
async def test_postgresql_connections_are_pooled(postgres: PostgresServer) -> None:
    name = f"c_{uuid.uuid4().hex}"
    db = Database(postgres.create_database(name))
    try:
        assert db.dialect == "postgresql"
        pool = db.engine.sync_engine.pool
        assert pool.size() == POOL_OPTIONS["pool_size"]  # type: ignore[attr-defined]
        assert pool._pre_ping  # type: ignore[attr-defined]
        await db.check()
    finally:
        await db.close()
        postgres.drop_database(name)


# -- what services rely on ----------------------------------------------------------------------


async def _account(db: Database, account_id: str = "123456789012") -> None:
    async with db.session() as session:
        session.add(Account(id=account_id, organization_id=None, created_at=time.time()))


async def _version(db: Database) -> int:
    """A package version to hang assets on; returns its id."""
    from coffer.storage.db import Domain, Repository

    await _account(db)
    async with db.session() as session:
        domain = Domain(owner_id="123456789012", name="d", created_at=1.0)
        session.add(domain)
        await session.flush()
        repo = Repository(
            domain_id=domain.id, name="r", administrator_account="123456789012", created_at=1.0
        )
        session.add(repo)
        await session.flush()
        package = Package(
            repository_id=repo.id, format="pypi", namespace="", name="p", display_name="p",
            created_at=1.0,
        )  # fmt: skip
        session.add(package)
        await session.flush()
        version = PackageVersion(
            package_id=package.id, version="1.0", canonical_version="1", status="Published",
            revision="r", published_at=1.0,
        )  # fmt: skip
        session.add(version)
        await session.flush()
        return version.id


def _asset(version_id: int, name: str, size: int = 1) -> Asset:
    return Asset(
        version_id=version_id, name=name, size=size, sha256="a" * 64, md5="b" * 32,
        sha1="c" * 40, sha512="d" * 128, blake2b_256="e" * 64, created_at=time.time(),
    )  # fmt: skip


@pytest.mark.anyio
async def test_sizes_beyond_32_bits_and_exact_timestamps(database: Database) -> None:
    version_id = await _version(database)
    size, now = 6 * 1024**3 + 7, time.time()
    async with database.session() as session:
        asset = _asset(version_id, "big.whl", size)
        asset.created_at = now
        session.add(asset)
    async with database.session() as session:
        stored = (await session.execute(select(Asset))).scalar_one()
    assert (stored.size, stored.created_at) == (size, now)


@pytest.mark.anyio
async def test_binary_columns_keep_every_byte(database: Database) -> None:
    from coffer.storage.db import SigningKey

    secret = bytes(range(256)) * 3
    async with database.session() as session:
        session.add(SigningKey(id="k1", secret_encrypted=secret, created_at=1.0))
    async with database.session() as session:
        stored = (await session.execute(select(SigningKey.secret_encrypted))).scalar_one()
    assert stored == secret


@pytest.mark.anyio
async def test_strings_of_the_declared_length_fit_in_any_script(database: Database) -> None:
    version_id = await _version(database)
    name = ("é" * 127 + "名")[:255]  # 255 characters, 383 bytes in UTF-8
    async with database.session() as session:
        session.add(_asset(version_id, name))
    async with database.session() as session:
        assert (await session.execute(select(Asset.name))).scalar_one() == name


@pytest.mark.anyio
async def test_a_constraint_violation_is_an_integrity_error(database: Database) -> None:
    version_id = await _version(database)
    async with database.session() as session:
        session.add(_asset(version_id, "same.whl"))
    with pytest.raises(IntegrityError):
        async with database.session() as session:
            session.add(_asset(version_id, "same.whl"))


@pytest.mark.anyio
async def test_a_savepoint_survives_a_constraint_violation(database: Database) -> None:
    """After a failed INSERT, PostgreSQL refuses further statements in the same transaction;
    a savepoint (``session.begin_nested()``) is how a service tries an insert and carries on."""
    version_id = await _version(database)
    async with database.session() as session:
        session.add(_asset(version_id, "first.whl"))
    async with database.session() as session:
        with pytest.raises(IntegrityError):
            async with session.begin_nested():
                await session.execute(
                    insert(Asset).values(
                        version_id=version_id, name="first.whl", size=1, sha256="a" * 64,
                        md5="b" * 32, sha1="c" * 40, sha512="d" * 128, blake2b_256="e" * 64,
                        created_at=1.0,
                    )
                )  # fmt: skip
        count = await session.scalar(select(func.count()).select_from(Asset))
    assert count == 1


@pytest.mark.anyio
async def test_keyset_pagination_by_row_values(database: Database) -> None:
    """``tuple_(a, b) > tuple_(x, y)`` with ``ORDER BY a, b`` pages alike on both databases,
    in binary order of the names (test PostgreSQL clusters use the C collation)."""
    version_id = await _version(database)
    names = ["B.whl", "a.whl", "a-1.whl", "b.whl", "Z.whl", "ä.whl"]
    async with database.session() as session:
        for index, name in enumerate(names):
            asset = _asset(version_id, name, size=index % 2)
            session.add(asset)
    columns = (Asset.size, Asset.name)
    seen: list[tuple[int, str]] = []
    after: tuple[int, str] | None = None
    while True:
        async with database.session() as session:
            query = select(*columns).order_by(*columns).limit(2)
            if after is not None:
                query = query.where(tuple_(*columns) > tuple_(*after))
            page = [(row[0], row[1]) for row in (await session.execute(query)).all()]
        if not page:
            break
        seen.extend(page)
        after = page[-1]
    expected = sorted((index % 2, name.encode()) for index, name in enumerate(names))
    assert [(size, name.encode()) for size, name in seen] == expected


@pytest.mark.anyio
async def test_prefix_filters_are_exact_and_case_sensitive(database: Database) -> None:
    """``starts_with`` matches alike on both databases (``LIKE`` would not: SQLite ignores
    ASCII case, and ``%``/``_`` are wildcards)."""
    from coffer.services.filters import starts_with

    version_id = await _version(database)
    names = ["Apple.whl", "apple.whl", "a%b.whl", "a_c.whl", "ab.whl", "äpfel.whl"]
    async with database.session() as session:
        session.add_all(_asset(version_id, name) for name in names)

    async def matching(prefix: str) -> list[str]:
        async with database.session() as session:
            query = select(Asset.name).where(starts_with(Asset.name, prefix))
            return sorted((await session.execute(query)).scalars())

    assert await matching("a") == ["a%b.whl", "a_c.whl", "ab.whl", "apple.whl"]
    assert await matching("A") == ["Apple.whl"]
    assert await matching("a%") == ["a%b.whl"]
    assert await matching("a_") == ["a_c.whl"]
    assert await matching("äp") == ["äpfel.whl"]


@pytest.mark.anyio
async def test_exclusive_serializes_check_then_create_across_processes(
    database: Database, database_url: str
) -> None:
    """Each task stands for a process (its own engine): read, think, write back. Without the
    lock, they would all read 0; with it, every increment survives."""
    import anyio

    from coffer.storage.db.engine import BOOTSTRAP_LOCK_ID

    await _account(database, "000000000000")
    processes = [Database(database_url) for _ in range(4)]
    seen: list[int] = []

    async def increment(index: int, db: Database) -> None:
        async with db.exclusive(BOOTSTRAP_LOCK_ID):
            async with db.session() as session:
                count = await session.scalar(select(func.count()).select_from(Account))
            seen.append(count or 0)
            await anyio.sleep(0.05)
            await _account(db, f"{index + 1:012d}")

    try:
        async with anyio.create_task_group() as group:
            for index, db in enumerate(processes):
                group.start_soon(increment, index, db)
    finally:
        for db in processes:
            await db.close()
    assert sorted(seen) == [1, 2, 3, 4]
