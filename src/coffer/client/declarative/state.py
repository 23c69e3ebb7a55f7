"""What the server has for the resources a file declares, in ``diff``'s attribute shape."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from functools import partial
from typing import Any

from coffer.client.api import ControlPlane
from coffer.client.declarative.diff import Attrs, Key
from coffer.client.errors import NotFound

__all__ = ["read"]


def _or_none(read: Callable[[], Attrs]) -> Attrs | None:
    try:
        return read()
    except NotFound:
        return None


def read(plane: ControlPlane, wanted: Mapping[Key, Attrs]) -> dict[Key, Attrs | None]:
    """The current attributes of every key in ``wanted`` (None: absent), plus the undeclared
    repositories of each declared domain that exists."""
    current: dict[Key, Attrs | None] = {}
    missing_domains = set()
    for key in sorted(wanted, key=Key.sort_key):
        if key.domain in missing_domains:
            current[key] = None
            continue
        current[key] = _or_none(partial(READERS[key.kind], plane, key, wanted[key]))
        if key.kind == "domain" and current[key] is None:
            missing_domains.add(key.domain)
        if key.kind == "domain" and current[key] is not None:
            for name in _repositories(plane, key.domain):
                other = Key("repository", key.domain, (name,))
                if other not in wanted:
                    current[other] = {}
    return current


def _repositories(plane: ControlPlane, domain: str) -> list[str]:
    names: list[str] = []
    token = None
    while True:
        page = plane.call("list_repositories_in_domain", domain=domain, nextToken=token)
        names.extend(item["name"] for item in page.get("repositories", []))
        token = page.get("nextToken")
        if not token:
            return names


def _domain(plane: ControlPlane, key: Key, wanted: Attrs) -> Attrs:
    plane.call("describe_domain", domain=key.domain)
    return {}


def _policy(document: str) -> Any:
    try:
        return json.loads(document)
    except ValueError:
        return document  # never equal to a parsed one: shown as drift


def _domain_policy(plane: ControlPlane, key: Key, wanted: Attrs) -> Attrs:
    found = plane.call("get_domain_permissions_policy", domain=key.domain)
    return {"policy": _policy(found["policy"]["document"])}


def _repository(plane: ControlPlane, key: Key, wanted: Attrs) -> Attrs:
    [name] = key.parts
    found = plane.call("describe_repository", domain=key.domain, repository=name)["repository"]
    connections = [c["externalConnectionName"] for c in found.get("externalConnections", [])]
    return {
        "description": found.get("description") or "",
        "upstreams": tuple(u["repositoryName"] for u in found.get("upstreams", [])),
        "external-connection": connections[0] if connections else None,
    }


def _repository_policy(plane: ControlPlane, key: Key, wanted: Attrs) -> Attrs:
    [name] = key.parts
    found = plane.call("get_repository_permissions_policy", domain=key.domain, repository=name)
    return {"policy": _policy(found["policy"]["document"])}


def _package_origin(plane: ControlPlane, key: Key, wanted: Attrs) -> Attrs:
    repository, fmt, namespace, package = key.parts
    found = plane.call(
        "describe_package",
        domain=key.domain,
        repository=repository,
        format=fmt,
        namespace=namespace or None,
        package=package,
    )["package"]
    restrictions = found.get("originConfiguration", {}).get("restrictions", {})
    return {"publish": restrictions.get("publish"), "upstream": restrictions.get("upstream")}


def _package_group(plane: ControlPlane, key: Key, wanted: Attrs) -> Attrs:
    [pattern] = key.parts
    found = plane.call("describe_package_group", domain=key.domain, packageGroup=pattern)
    group = found["packageGroup"]
    restrictions = group.get("originConfiguration", {}).get("restrictions", {})
    attrs: dict[str, Any] = {
        "description": group.get("description") or "",
        "contact-info": group.get("contactInfo") or "",
    }
    for name in wanted:
        if name in restrictions:
            attrs[name] = restrictions[name]["mode"]
        elif name.endswith(" repositories"):
            restriction = name.removesuffix(" repositories")
            attrs[name] = tuple(sorted(_allowed(plane, key.domain, pattern, restriction)))
    return attrs


def _allowed(plane: ControlPlane, domain: str, pattern: str, restriction: str) -> list[str]:
    names: list[str] = []
    token = None
    while True:
        page = plane.call(
            "list_allowed_repositories_for_group",
            domain=domain,
            packageGroup=pattern,
            originRestrictionType=restriction,
            nextToken=token,
        )
        names.extend(page.get("allowedRepositories", []))
        token = page.get("nextToken")
        if not token:
            return names


READERS: Mapping[str, Callable[[ControlPlane, Key, Attrs], Attrs]] = {
    "domain": _domain,
    "domain policy": _domain_policy,
    "repository": _repository,
    "repository policy": _repository_policy,
    "package origin": _package_origin,
    "package group": _package_group,
}
