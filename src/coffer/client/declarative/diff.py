"""Resources as flat attribute maps, and the changes that take the server from one to another.

Both the declared configuration (:func:`desired`) and the server's state (``state.read``) are
``{Key: attributes}``; :func:`compare` lists what to create and update (and, with ``prune``,
delete), only ever looking at the attributes the file manages.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from difflib import unified_diff
from typing import Any

from coffer.client.declarative.spec import Config

__all__ = ["KINDS", "Change", "Key", "Plan", "compare", "desired"]

Attrs = Mapping[str, Any]
# The order changes are made in (and shown): containers before contents.
KINDS = (
    "domain",
    "repository",
    "domain policy",
    "repository policy",
    "package group",
    "package origin",
)


@dataclass(frozen=True)
class Key:
    kind: str
    domain: str
    parts: tuple[str, ...] = ()

    @property
    def label(self) -> str:
        if self.kind == "package origin":
            repository, fmt, namespace, package = self.parts
            name = f"{namespace}/{package}" if namespace else package
            return f"{self.kind} {self.domain}/{repository} {fmt}:{name}"
        if self.kind == "package group":
            return f"{self.kind} {self.domain} {self.parts[0]}"
        return " ".join([self.kind, "/".join((self.domain, *self.parts))])

    def sort_key(self) -> tuple[int, str, tuple[int, ...], tuple[str, ...]]:
        # Package groups: shorter patterns (parents) first.
        return (KINDS.index(self.kind), self.domain, tuple(len(p) for p in self.parts), self.parts)


@dataclass(frozen=True)
class Change:
    action: str  # "create" | "update" | "delete"
    key: Key
    before: Attrs | None
    after: Attrs | None

    def fields(self) -> list[tuple[str, Any, Any]]:
        """``(name, before, after)`` of each attribute that differs (all, for a create)."""
        before, after = self.before or {}, self.after or {}
        names = list(after) if self.after is not None else list(before)
        return [
            (name, before.get(name), after.get(name))
            for name in names
            if self.before is None or self.after is None or before.get(name) != after.get(name)
        ]

    def describe(self) -> list[str]:
        sign = {"create": "+", "update": "~", "delete": "-"}[self.action]
        lines = [f"  {sign} {self.key.label}"]
        for name, old, new in self.fields():
            if self.action == "delete":
                continue
            if name == "policy":
                lines.extend(_policy_diff(old, new))
            elif self.action == "create":
                lines.append(f"      {name}: {_show(new)}")
            else:
                lines.append(f"      {name}: {_show(old)} -> {_show(new)}")
        return lines


@dataclass(frozen=True)
class Plan:
    changes: list[Change]
    unmanaged: list[Key]  # on the server, in a declared domain, not in the file

    def describe(self, *, prune: bool) -> list[str]:
        lines: list[str] = []
        if self.changes:
            lines.append("Changes to make the server match the file:")
            for change in self.changes:
                lines.extend(change.describe())
            counts = Counter(change.action for change in self.changes)
            lines.append(
                f"Plan: {counts['create']} to create, {counts['update']} to update, "
                f"{counts['delete']} to delete."
            )
        else:
            lines.append("No changes. The server matches the file.")
        if self.unmanaged and not prune:
            names = ", ".join(key.label for key in self.unmanaged)
            lines.append(f"Not in the file (kept; --prune deletes them): {names}")
        return lines


def _show(value: Any) -> str:
    if value is None:
        return "(none)"
    if isinstance(value, tuple):
        return "[" + ", ".join(json.dumps(item) for item in value) + "]"
    return json.dumps(value)


def _policy_diff(old: Any, new: Any) -> list[str]:
    def lines(document: Any) -> list[str]:
        if document is None:
            return []
        return json.dumps(document, indent=2, sort_keys=True).splitlines()

    return [
        "      " + line
        for line in unified_diff(lines(old), lines(new), "server", "file", lineterm="")
    ]


def desired(config: Config) -> dict[Key, Attrs]:
    """The file's resources and the attributes it manages on each."""
    resources: dict[Key, Attrs] = {}
    for domain in config.domains.values():
        name = domain.name
        resources[Key("domain", name)] = {}
        if domain.policy is not None:
            resources[Key("domain policy", name)] = {"policy": domain.policy}
        for repository in domain.repositories.values():
            resources[Key("repository", name, (repository.name,))] = {
                "description": repository.description,
                "upstreams": repository.upstreams,
                "external-connection": repository.external_connection,
            }
            if repository.policy is not None:
                resources[Key("repository policy", name, (repository.name,))] = {
                    "policy": repository.policy
                }
        for origin in domain.origins:
            parts = (origin.repository, origin.format, origin.namespace or "", origin.package)
            resources[Key("package origin", name, parts)] = {
                "publish": origin.publish,
                "upstream": origin.upstream,
            }
        for group in domain.groups.values():
            attrs: dict[str, Any] = {
                "description": group.description,
                "contact-info": group.contact_info,
            }
            for restriction, mode in group.modes.items():
                attrs[restriction] = mode
            for restriction, repositories in group.allowed.items():
                attrs[f"{restriction} repositories"] = tuple(sorted(repositories))
            resources[Key("package group", name, (group.pattern,))] = attrs
    return resources


def compare(
    wanted: Mapping[Key, Attrs],
    current: Mapping[Key, Attrs | None],
    *,
    prune: bool = False,
) -> Plan:
    """The changes from ``current`` (None: absent) to ``wanted``, in the order to make them."""
    changes: list[Change] = []
    for key, attrs in wanted.items():
        have = current.get(key)
        if have is None:
            changes.append(Change("create", key, None, attrs))
        elif any(have.get(name) != value for name, value in attrs.items()):
            changes.append(Change("update", key, {n: have.get(n) for n in attrs}, attrs))
    unmanaged = [key for key, have in current.items() if key not in wanted and have is not None]
    if prune:
        changes.extend(Change("delete", key, current[key], None) for key in unmanaged)
    changes.sort(key=lambda change: change.key.sort_key())
    unmanaged.sort(key=Key.sort_key)
    return Plan(changes, unmanaged)
