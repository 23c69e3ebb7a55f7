"""Making a plan's changes through the control plane, in dependency order.

Repositories are created first without upstreams (an upstream may be declared after, or
point back), then updated with their upstreams and external connection, so one pass works for
any order of declaration.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from typing import Any

from coffer.client.api import ControlPlane
from coffer.client.declarative.diff import Attrs, Change, Key

__all__ = ["converge"]


def converge(plane: ControlPlane, changes: list[Change], report: Callable[[str], None]) -> None:
    """Make ``changes`` (already ordered); ``report`` hears one line per change made."""
    created = False
    for change in changes:
        if change.key.kind == "repository" and not created:
            _create_repositories(plane, changes)  # all at once, before any upstream is set
            created = True
        if change.key.kind == "repository" and change.action == "create":
            after = change.after or {}
            _repository(plane, change.key, {"description": after.get("description")}, after)
        else:
            APPLIERS[change.key.kind](plane, change)
        report(f"{change.action.capitalize()}d {change.key.label}")


def _create_repositories(plane: ControlPlane, changes: list[Change]) -> None:
    for change in changes:
        if change.key.kind == "repository" and change.action == "create":
            plane.call(
                "create_repository",
                domain=change.key.domain,
                repository=change.key.parts[0],
                description=(change.after or {}).get("description") or None,
            )


def _domain(plane: ControlPlane, change: Change) -> None:
    if change.action == "create":
        plane.call("create_domain", domain=change.key.domain)
    elif change.action == "delete":
        plane.call("delete_domain", domain=change.key.domain)


def _repository_change(plane: ControlPlane, change: Change) -> None:
    [name] = change.key.parts
    if change.action == "delete":
        plane.call("delete_repository", domain=change.key.domain, repository=name)
    else:
        _repository(plane, change.key, change.before or {}, change.after or {})


def _repository(plane: ControlPlane, key: Key, before: Attrs, after: Attrs) -> None:
    domain, [name] = key.domain, key.parts
    description, upstreams = after.get("description"), after.get("upstreams", ())
    if before.get("description") != description or before.get("upstreams", ()) != upstreams:
        plane.call(
            "update_repository",
            domain=domain,
            repository=name,
            description=description,
            upstreams=[{"repositoryName": upstream} for upstream in upstreams],
        )
    old, new = before.get("external-connection"), after.get("external-connection")
    if old != new:
        if old:
            plane.call(
                "disassociate_external_connection",
                domain=domain,
                repository=name,
                externalConnection=old,
            )
        if new:
            plane.call(
                "associate_external_connection",
                domain=domain,
                repository=name,
                externalConnection=new,
            )


def _domain_policy(plane: ControlPlane, change: Change) -> None:
    document = json.dumps((change.after or {})["policy"])
    plane.call("put_domain_permissions_policy", domain=change.key.domain, policyDocument=document)


def _repository_policy(plane: ControlPlane, change: Change) -> None:
    document = json.dumps((change.after or {})["policy"])
    plane.call(
        "put_repository_permissions_policy",
        domain=change.key.domain,
        repository=change.key.parts[0],
        policyDocument=document,
    )


def _package_origin(plane: ControlPlane, change: Change) -> None:
    repository, fmt, namespace, package = change.key.parts
    after = change.after or {}
    plane.call(
        "put_package_origin_configuration",
        domain=change.key.domain,
        repository=repository,
        format=fmt,
        namespace=namespace or None,
        package=package,
        restrictions={"publish": after["publish"], "upstream": after["upstream"]},
    )


def _package_group(plane: ControlPlane, change: Change) -> None:
    domain, [pattern] = change.key.domain, change.key.parts
    if change.action == "delete":
        plane.call("delete_package_group", domain=domain, packageGroup=pattern)
        return
    before, after = change.before or {}, change.after or {}
    info = {
        "description": after["description"] or None,
        "contactInfo": after["contact-info"] or None,
    }
    if change.action == "create":
        plane.call("create_package_group", domain=domain, packageGroup=pattern, **info)
    elif (before.get("description"), before.get("contact-info")) != (
        after["description"],
        after["contact-info"],
    ):
        plane.call("update_package_group", domain=domain, packageGroup=pattern, **info)
    modes = {
        name: mode
        for name, mode in after.items()
        if not name.endswith(" repositories")
        and name not in ("description", "contact-info")
        and before.get(name) != mode
    }
    add: list[dict[str, str]] = []
    remove: list[dict[str, str]] = []
    for name, repositories in after.items():
        if not name.endswith(" repositories"):
            continue
        restriction = name.removesuffix(" repositories")
        had = set(before.get(name) or ())
        add += _allowed(set(repositories) - had, restriction)
        remove += _allowed(had - set(repositories), restriction)
    if modes or add or remove:
        plane.call(
            "update_package_group_origin_configuration",
            domain=domain,
            packageGroup=pattern,
            restrictions=modes or None,
            addAllowedRepositories=add or None,
            removeAllowedRepositories=remove or None,
        )


def _allowed(names: set[str], restriction: str) -> list[dict[str, str]]:
    return [
        {"repositoryName": name, "originRestrictionType": restriction} for name in sorted(names)
    ]


APPLIERS: Mapping[str, Callable[[ControlPlane, Change], Any]] = {
    "domain": _domain,
    "repository": _repository_change,
    "domain policy": _domain_policy,
    "repository policy": _repository_policy,
    "package origin": _package_origin,
    "package group": _package_group,
}
