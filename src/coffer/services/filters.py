"""Query filters that behave the same on SQLite and PostgreSQL.

``column.startswith(prefix)`` compiles to ``LIKE``, which is case-insensitive for ASCII on SQLite
and case-sensitive on PostgreSQL, so a ``repositoryPrefix`` of ``Team`` would match ``team-a`` on
one database and not on the other. :func:`starts_with` compares the leading characters exactly,
case-sensitively, on both (and needs no escaping of ``%`` or ``_``).
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, func
from sqlalchemy.orm import QueryableAttribute

__all__ = ["starts_with"]


def starts_with(
    column: QueryableAttribute[str] | ColumnElement[str], prefix: str
) -> ColumnElement[bool]:
    """``column`` begins with exactly ``prefix`` (case-sensitive on every database)."""
    return func.substr(column, 1, len(prefix)) == prefix
