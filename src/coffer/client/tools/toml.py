"""Setting keys in TOML files with tomlkit, which keeps comments, order and formatting."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import tomlkit
import tomlkit.exceptions
from tomlkit.container import Container
from tomlkit.items import AoT, Table

from coffer.client.errors import ClientError

__all__ = ["parse", "remove_table", "set_in_array", "set_table", "set_top"]


def parse(text: str | None, origin: str) -> tomlkit.TOMLDocument:
    try:
        return tomlkit.parse(text or "")
    except tomlkit.exceptions.ParseError as error:
        raise ClientError(f"cannot parse {origin}: {error}") from None


def _table(parent: Container | Table, key: str, origin: str, *, super_table: bool) -> Table:
    found = parent.get(key)
    if found is None:
        table = tomlkit.table(is_super_table=super_table)
        parent[key] = table
        return table
    if not isinstance(found, Table):
        raise ClientError(f"{origin}: {key!r} is not a table")
    return found


def set_table(
    doc: tomlkit.TOMLDocument,
    path: Sequence[str],
    values: Mapping[str, Any | None],
    origin: str,
) -> list[str]:
    """Set (None: remove) ``values`` in the table at ``path`` (created as needed)."""
    parent: Container | Table = doc
    for index, key in enumerate(path):
        parent = _table(parent, key, origin, super_table=index < len(path) - 1)
    changed = []
    dotted = ".".join(path)
    for key, value in values.items():
        current = parent.get(key)
        if value is None:
            if current is not None:
                del parent[key]
                changed.append(f"{dotted}.{key} (removed)")
        elif current != value:
            parent[key] = value
            changed.append(f"{dotted}.{key}")
    return changed


def remove_table(doc: tomlkit.TOMLDocument, path: Sequence[str]) -> list[str]:
    parent: Any = doc
    for key in path[:-1]:
        parent = parent.get(key)
        if not isinstance(parent, Table | Container):
            return []
    if path[-1] not in parent:
        return []
    del parent[path[-1]]
    return [f"{'.'.join(path)} (removed)"]


def set_top(doc: tomlkit.TOMLDocument, values: Mapping[str, Any | None]) -> list[str]:
    """Set (None: remove) top-level keys, kept above the first table."""
    changed = []
    for key, value in values.items():
        current = doc.get(key)
        if value is None:
            if current is not None:
                del doc[key]
                changed.append(f"{key} (removed)")
        elif current != value:
            doc[key] = value  # tomlkit places a new plain key above the tables
            changed.append(key)
    return changed


def set_in_array(
    doc: tomlkit.TOMLDocument,
    array: str,
    match: Mapping[str, str],
    values: Mapping[str, Any],
    origin: str,
) -> list[str]:
    """In the array of tables ``array``, set ``values`` on the entry matching ``match`` (added
    if there is none)."""
    found = doc.get(array)
    if found is None:
        found = tomlkit.aot()
        doc[array] = found
    if not isinstance(found, AoT):
        raise ClientError(f"{origin}: {array!r} is not an array of tables")
    label = ", ".join(f"{k} = {v!r}" for k, v in match.items())
    for entry in found:
        if all(entry.get(k) == v for k, v in match.items()):
            changed = []
            for key, value in values.items():
                if entry.get(key) != value:
                    entry[key] = value
                    changed.append(f"[[{array}]] {label}: {key}")
            return changed
    entry = tomlkit.table()
    for key, value in {**match, **values}.items():
        entry[key] = value
    found.append(entry)
    return [f"[[{array}]] {label} (added)"]
