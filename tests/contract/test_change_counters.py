"""The change counters the hot path's caches trust (migration 0008), on SQLite and PostgreSQL.

Every committed change to what authorization reads moves ``config``; every change to what index
pages show moves ``content``; a rolled-back change moves nothing; each counter moves only for
its own tables.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import Engine, create_engine, text

from coffer.services.hotpath import ChangeCounters
from coffer.storage.db import Database, migrate
from coffer.storage.db.engine import sync_url
from contract.test_database import database_url, postgres  # noqa: F401 - fixtures


def counters(engine: Engine) -> dict[str, int]:
    with engine.connect() as connection:
        rows = connection.execute(text("SELECT name, value FROM change_counters"))
        return {name: int(value) for name, value in rows}


def change(engine: Engine, *statements: str) -> tuple[bool, bool]:
    """Run ``statements`` in one transaction; whether (config, content) moved."""
    before = counters(engine)
    with engine.begin() as connection:
        for statement in statements:
            connection.execute(text(statement))
    after = counters(engine)
    return after["config"] > before["config"], after["content"] > before["content"]


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:  # noqa: F811 - the imported fixture
    migrate(database_url)
    engine = create_engine(sync_url(database_url))
    yield engine
    engine.dispose()


def test_each_change_moves_its_counter(engine: Engine) -> None:
    config, content = change(
        engine,
        "INSERT INTO accounts (id, created_at) VALUES ('111122223333', 0)",
        "INSERT INTO users (id, account_id, name, created_at) "
        "VALUES ('AIDA1', '111122223333', 'u', 0)",
    )
    assert (config, content) == (True, False)
    assert change(engine, "UPDATE users SET policy_document = '{}' WHERE id = 'AIDA1'") == (
        True,
        False,
    )
    config, content = change(
        engine,
        "INSERT INTO domains (owner_id, name, created_at) VALUES ('111122223333', 'd', 0)",
        "INSERT INTO repositories (domain_id, name, administrator_account, created_at) "
        "SELECT id, 'r', '111122223333', 0 FROM domains WHERE name = 'd'",
    )
    assert (config, content) == (True, False)
    assert change(engine, "UPDATE repositories SET policy_document = '{}'") == (True, False)
    assert change(engine, "INSERT INTO tags (resource_arn, key, value) VALUES ('a', 'k', 'v')") == (
        True,
        False,
    )
    config, content = change(
        engine,
        "INSERT INTO packages (repository_id, format, namespace, name, display_name, "
        "origin_publish, origin_upstream, generation, created_at) "
        "SELECT id, 'pypi', '', 'p', 'p', 'ALLOW', 'BLOCK', 1, 0 FROM repositories",
    )
    assert (config, content) == (False, True)
    config, content = change(engine, "UPDATE packages SET generation = generation + 1")
    assert (config, content) == (False, True)
    config, content = change(engine, "DELETE FROM users WHERE id = 'AIDA1'")
    assert (config, content) == (True, False)


def test_a_rolled_back_change_moves_nothing(engine: Engine) -> None:
    before = counters(engine)
    with engine.connect() as connection:
        transaction = connection.begin()
        connection.execute(text("INSERT INTO accounts (id, created_at) VALUES ('444455556666', 0)"))
        transaction.rollback()
    assert counters(engine) == before


@pytest.mark.anyio
async def test_the_server_reads_each_commit_and_trusts_nothing_without_its_rows(
    engine: Engine,
    database_url: str,  # noqa: F811 - the imported fixture
) -> None:
    db = Database(database_url)
    counters_ = ChangeCounters(db)
    try:
        first = await counters_.read()
        assert await counters_.current() == first  # the rest of the request reuses it
        change(engine, "INSERT INTO accounts (id, created_at) VALUES ('777788889999', 0)")
        second = await counters_.read()
        assert (second.config > first.config, second.content == first.content) == (True, True)

        with engine.begin() as connection:
            connection.execute(text("DELETE FROM change_counters"))
        assert await counters_.read() != await counters_.read()  # no cache entry can match
    finally:
        counters_.close()
        await db.close()
