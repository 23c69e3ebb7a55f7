"""change counters the hot path's caches are validated against

Two rows, ``config`` and ``content``, moved on by triggers in the same transaction as any change
to what authorization and search paths read (accounts, users, domains, repositories, upstream
edges, tags, package groups) or to what index pages show (packages, versions, assets). A server
process reads both in one indexed query and trusts its caches while they are unchanged, so a
change committed by any process is seen by every process's next request — whichever code path
(or an operator's SQL) made it.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-27 14:20:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

CONFIG_TABLES = (
    "accounts",
    "users",
    "domains",
    "repositories",
    "repository_upstreams",
    "tags",
    "package_groups",
    "package_group_repositories",
)
CONTENT_TABLES = ("packages", "package_versions", "assets")
OPERATIONS = ("INSERT", "UPDATE", "DELETE")


def _tables() -> list[tuple[str, str]]:
    return [(t, "config") for t in CONFIG_TABLES] + [(t, "content") for t in CONTENT_TABLES]


def upgrade() -> None:
    op.create_table(
        "change_counters",
        sa.Column("name", sa.String(length=32), nullable=False),
        sa.Column("value", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_change_counters")),
    )
    op.execute("INSERT INTO change_counters (name, value) VALUES ('config', 1), ('content', 1)")
    if op.get_bind().dialect.name == "postgresql":
        for counter in ("config", "content"):
            op.execute(
                f"CREATE FUNCTION coffer_bump_{counter}() RETURNS trigger LANGUAGE plpgsql AS $$ "  # noqa: S608 - constants
                f"BEGIN UPDATE change_counters SET value = value + 1 WHERE name = '{counter}'; "
                "RETURN NULL; END $$"
            )
        for table, counter in _tables():
            op.execute(
                f"CREATE TRIGGER coffer_bump_{table} AFTER INSERT OR UPDATE OR DELETE ON {table} "
                f"FOR EACH STATEMENT EXECUTE PROCEDURE coffer_bump_{counter}()"
            )
        return
    for table, counter in _tables():
        for operation in OPERATIONS:
            op.execute(
                f"CREATE TRIGGER coffer_bump_{table}_{operation.lower()} AFTER {operation} "  # noqa: S608
                f"ON {table} BEGIN UPDATE change_counters SET value = value + 1 "
                f"WHERE name = '{counter}'; END"
            )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for table, _counter in _tables():
            op.execute(f"DROP TRIGGER coffer_bump_{table} ON {table}")
        for counter in ("config", "content"):
            op.execute(f"DROP FUNCTION coffer_bump_{counter}()")
    else:
        for table, _counter in _tables():
            for operation in OPERATIONS:
                op.execute(f"DROP TRIGGER coffer_bump_{table}_{operation.lower()}")
    op.drop_table("change_counters")
