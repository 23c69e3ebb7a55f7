"""What keeps the data plane's hot path off the database: change counters and stamped caches.

Database triggers (migration 0008) move two counters in the same transaction as any change:
``config`` for what authorization and search paths read (users, domains, repositories, their
upstreams and policies, tags, package groups) and ``content`` for what index pages show
(packages, versions, assets). Each request reads both once — one primary-key query, on SQLite
through a plain ``sqlite3`` connection that costs microseconds — and every per-process cache
entry remembers the counter it was loaded under. An entry is used only while that counter is
unchanged, so a change committed by any process is visible to every process's next request:
no TTL, no staleness. The counters are read *before* the data they validate, so a cache can
only ever hold data at least as new as its stamp.
"""

from __future__ import annotations

import sqlite3
from collections import OrderedDict
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Generic, TypeVar

from sqlalchemy import select

from coffer.storage.db import ChangeCounter, Database

__all__ = ["ChangeCounters", "Stamp", "StampedCache"]

K = TypeVar("K")
V = TypeVar("V")


@dataclass(frozen=True, slots=True)
class Stamp:
    config: int
    content: int

    @property
    def both(self) -> tuple[int, int]:
        return (self.config, self.content)


_CURRENT: ContextVar[tuple[int, Stamp] | None] = ContextVar("coffer_stamp", default=None)


class ChangeCounters:
    """Reads the counters; :meth:`read` once per request, :meth:`current` for the rest of it."""

    def __init__(self, db: Database) -> None:
        self._db = db
        self._sqlite: sqlite3.Connection | None = None
        self._missing = 0
        url = db.engine.url
        if db.dialect == "sqlite" and url.database not in (None, "", ":memory:"):
            self._path: str | None = url.database
        else:
            self._path = None

    async def read(self) -> Stamp:
        """The counters as committed now; remembered for the rest of this request (task)."""
        if self._path is not None:
            stamp = self._read_sqlite(self._path)
        else:
            async with self._db.engine.connect() as connection:
                result = await connection.execute(select(ChangeCounter.name, ChangeCounter.value))
                rows = {name: int(value) for name, value in result}
            stamp = self._stamp(rows)
        _CURRENT.set((id(self), stamp))
        return stamp

    async def current(self) -> Stamp:
        """The stamp :meth:`read` took earlier in this request, or a fresh one."""
        found = _CURRENT.get()
        if found is not None and found[0] == id(self):
            return found[1]
        return await self.read()

    def _read_sqlite(self, path: str) -> Stamp:
        if self._sqlite is None:
            # autocommit: every SELECT is its own read transaction and sees the latest commit
            self._sqlite = sqlite3.connect(
                f"file:{path}?mode=ro", uri=True, isolation_level=None, check_same_thread=False
            )
            self._sqlite.execute("PRAGMA busy_timeout=30000")
        rows = dict(self._sqlite.execute("SELECT name, value FROM change_counters").fetchall())
        return self._stamp(rows)

    def _stamp(self, rows: dict[str, int]) -> Stamp:
        if "config" in rows and "content" in rows:
            return Stamp(int(rows["config"]), int(rows["content"]))
        # Rows deleted by hand (or a TRUNCATE): nothing can be trusted, so every request gets a
        # stamp no cache entry has.
        self._missing -= 1
        return Stamp(self._missing, self._missing)

    def close(self) -> None:
        if self._sqlite is not None:
            self._sqlite.close()
            self._sqlite = None


class StampedCache(Generic[K, V]):
    """A bounded LRU of values, each valid only under the stamp it was stored with."""

    def __init__(self, size: int = 4096) -> None:
        self._size = size
        self._entries: OrderedDict[K, tuple[object, V]] = OrderedDict()

    def get(self, key: K, stamp: object) -> V | None:
        found = self._entries.get(key)
        if found is None or found[0] != stamp:
            return None
        self._entries.move_to_end(key)
        return found[1]

    def put(self, key: K, stamp: object, value: V) -> None:
        self._entries[key] = (stamp, value)
        self._entries.move_to_end(key)
        while len(self._entries) > self._size:
            self._entries.popitem(last=False)

    def clear(self) -> None:
        self._entries.clear()
