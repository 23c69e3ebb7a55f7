"""The declared configuration: ``coffer.toml`` read, checked and turned into resources.

::

    [domain.example]                      # a domain (created in the caller's account)
    policy-file = "org-read.json"         # or policy = '''{…}''' (JSON); absent: not managed

    [domain.example.repository.example]
    description = "Internal packages"     # absent: ""
    upstreams = ["pypi-store"]            # ordered; each declared in the same domain
    external-connection = "public:pypi"   # absent: none
    policy = '''{…}'''                    # absent: not managed

    [[domain.example.package-origin]]     # PutPackageOriginConfiguration
    repository = "example"
    format = "pypi"
    package = "sample-lib"                # namespace = "…" for formats that have one
    publish = "ALLOW"
    upstream = "BLOCK"

    [domain.example.package-group."/pypi//internal-*"]
    description = "…"
    contact-info = "…"
    publish = "ALLOW_SPECIFIC_REPOSITORIES"   # each restriction: absent = not managed
    publish-repositories = ["example"]        # the exact allowed list for that restriction
    external-upstream = "BLOCK"
    internal-upstream = "INHERIT"

Every problem is reported with the line it is on (``coffer.toml:12: …``), all at once.
"""

from __future__ import annotations

import json
import re
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from coffer.client.declarative.locate import KeyPath, Locations, locate
from coffer.client.errors import ClientError

__all__ = [
    "RESTRICTIONS",
    "Config",
    "ConfigInvalid",
    "DomainSpec",
    "GroupSpec",
    "OriginSpec",
    "RepositorySpec",
    "load",
    "parse",
]

RESTRICTIONS = {  # file key → the API's originRestrictionType
    "publish": "PUBLISH",
    "external-upstream": "EXTERNAL_UPSTREAM",
    "internal-upstream": "INTERNAL_UPSTREAM",
}
_GROUP_MODES = {"ALLOW", "BLOCK", "ALLOW_SPECIFIC_REPOSITORIES", "INHERIT"}
_ORIGIN_MODES = {"ALLOW", "BLOCK"}
_FORMATS = {"pypi", "npm", "maven", "nuget", "generic", "swift", "ruby", "cargo"}
_DOMAIN_NAME = re.compile(r"^[a-z][a-z0-9-]{0,48}[a-z0-9]$")
_REPOSITORY_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{1,99}$")
_MAX_UPSTREAMS = 10


class ConfigInvalid(ClientError):
    """The file has problems; ``message`` lists each as ``file:line: what``."""


@dataclass(frozen=True)
class RepositorySpec:
    name: str
    description: str = ""
    upstreams: tuple[str, ...] = ()
    external_connection: str | None = None
    policy: Any = None  # parsed JSON; None: not managed


@dataclass(frozen=True)
class OriginSpec:
    repository: str
    format: str
    namespace: str | None
    package: str
    publish: str
    upstream: str


@dataclass(frozen=True)
class GroupSpec:
    pattern: str
    description: str = ""
    contact_info: str = ""
    modes: Mapping[str, str] = field(default_factory=dict)  # API restriction type → mode
    allowed: Mapping[str, tuple[str, ...]] = field(default_factory=dict)  # type → repositories


@dataclass(frozen=True)
class DomainSpec:
    name: str
    policy: Any = None
    repositories: Mapping[str, RepositorySpec] = field(default_factory=dict)
    origins: tuple[OriginSpec, ...] = ()
    groups: Mapping[str, GroupSpec] = field(default_factory=dict)


@dataclass(frozen=True)
class Config:
    domains: Mapping[str, DomainSpec]


class _Reader:
    """Typed access to the parsed file that records problems instead of stopping at the first."""

    def __init__(self, origin: str, locations: Locations, base: Path) -> None:
        self.origin = origin
        self.locations = locations
        self.base = base
        self.problems: list[tuple[int, str]] = []

    def problem(self, path: KeyPath, message: str) -> None:
        self.problems.append((self.locations.line(path) or 1, message))

    def table(self, data: Any, path: KeyPath, what: str) -> Mapping[str, Any]:
        if not isinstance(data, dict):
            self.problem(path, f"{what} must be a table")
            return {}
        return data

    def keys(self, data: Mapping[str, Any], path: KeyPath, allowed: set[str], what: str) -> None:
        for key in data:
            if key not in allowed:
                known = ", ".join(sorted(allowed))
                self.problem((*path, key), f"unknown key {key!r} in {what} (known: {known})")

    def string(self, data: Mapping[str, Any], path: KeyPath, key: str) -> str | None:
        value = data.get(key)
        if value is not None and not isinstance(value, str):
            self.problem((*path, key), f"{key} must be a string")
            return None
        return value

    def strings(self, data: Mapping[str, Any], path: KeyPath, key: str) -> tuple[str, ...]:
        value = data.get(key, [])
        if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
            self.problem((*path, key), f"{key} must be a list of strings")
            return ()
        return tuple(value)

    def choice(
        self, data: Mapping[str, Any], path: KeyPath, key: str, choices: set[str]
    ) -> str | None:
        value = self.string(data, path, key)
        if value is not None and value not in choices:
            self.problem((*path, key), f"{key} must be one of {', '.join(sorted(choices))}")
            return None
        return value

    def policy(self, data: Mapping[str, Any], path: KeyPath) -> Any:
        inline = self.string(data, path, "policy")
        file = self.string(data, path, "policy-file")
        if inline is not None and file is not None:
            self.problem((*path, "policy-file"), "set policy or policy-file, not both")
            return None
        key, text = "policy", inline
        if file is not None:
            key = "policy-file"
            try:
                text = (self.base / file).read_text()
            except OSError as error:
                self.problem((*path, key), f"cannot read policy file {file}: {error.strerror}")
                return None
        if text is None:
            return None
        try:
            document = json.loads(text)
        except ValueError as error:
            self.problem((*path, key), f"the policy is not valid JSON: {error}")
            return None
        if not isinstance(document, dict):
            self.problem((*path, key), "the policy must be a JSON object")
            return None
        return document


def load(path: Path) -> Config:
    try:
        text = path.read_text()
    except OSError as error:
        raise ClientError(f"cannot read {path}: {error.strerror}") from None
    return parse(text, str(path), path.parent)


def parse(text: str, origin: str, base: Path) -> Config:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        found = re.search(r"\(at line (\d+), column \d+\)", str(error))
        line = found.group(1) if found else "1"
        message = re.sub(r"\s*\(at line \d+, column \d+\)", "", str(error))
        raise ConfigInvalid(f"{origin}:{line}: {message}") from None
    reader = _Reader(origin, locate(text), base)
    reader.keys(data, (), {"domain"}, "the file")
    domains = {
        name: _domain(reader, name, value)
        for name, value in reader.table(data.get("domain", {}), ("domain",), "domain").items()
    }
    if reader.problems:
        ordered = sorted(reader.problems, key=lambda problem: problem[0])
        lines = [f"{origin}:{line}: {message}" for line, message in ordered]
        raise ConfigInvalid("\n".join(lines))
    return Config(domains)


def _domain(reader: _Reader, name: str, data: Any) -> DomainSpec:
    path: KeyPath = ("domain", name)
    table = reader.table(data, path, f"domain {name!r}")
    reader.keys(
        table,
        path,
        {"policy", "policy-file", "repository", "package-origin", "package-group"},
        f"domain {name!r}",
    )
    if not _DOMAIN_NAME.match(name):
        reader.problem(path, f"{name!r} is not a valid domain name")
    repositories = {
        repo: _repository(reader, (*path, "repository", repo), repo, value)
        for repo, value in reader.table(
            table.get("repository", {}), (*path, "repository"), "repository"
        ).items()
    }
    for repository in repositories.values():
        _check_upstreams(reader, path, repository, repositories)
    origins = table.get("package-origin", [])
    if not isinstance(origins, list):
        reader.problem((*path, "package-origin"), "package-origin must be [[…]] tables")
        origins = []
    groups = reader.table(table.get("package-group", {}), (*path, "package-group"), "groups")
    return DomainSpec(
        name=name,
        policy=reader.policy(table, path),
        repositories=repositories,
        origins=tuple(
            spec
            for index, value in enumerate(origins)
            if (spec := _origin(reader, (*path, "package-origin", index), value, repositories))
        ),
        groups={
            pattern: _group(reader, (*path, "package-group", pattern), pattern, value, repositories)
            for pattern, value in groups.items()
        },
    )


def _repository(reader: _Reader, path: KeyPath, name: str, data: Any) -> RepositorySpec:
    what = f"repository {name!r}"
    table = reader.table(data, path, what)
    allowed = {"description", "upstreams", "external-connection", "policy", "policy-file"}
    reader.keys(table, path, allowed, what)
    if not _REPOSITORY_NAME.match(name):
        reader.problem(path, f"{name!r} is not a valid repository name")
    return RepositorySpec(
        name=name,
        description=reader.string(table, path, "description") or "",
        upstreams=reader.strings(table, path, "upstreams"),
        external_connection=reader.string(table, path, "external-connection"),
        policy=reader.policy(table, path),
    )


def _check_upstreams(
    reader: _Reader,
    domain_path: KeyPath,
    repository: RepositorySpec,
    declared: Mapping[str, RepositorySpec],
) -> None:
    path = (*domain_path, "repository", repository.name, "upstreams")
    for upstream in repository.upstreams:
        if upstream == repository.name:
            reader.problem(path, f"repository {repository.name!r} lists itself as an upstream")
        elif upstream not in declared:
            reader.problem(
                path,
                f"repository {repository.name!r} upstream {upstream!r} is not declared",
            )
    if len(repository.upstreams) > _MAX_UPSTREAMS:
        reader.problem(path, f"a repository has at most {_MAX_UPSTREAMS} upstreams")
    if len(set(repository.upstreams)) != len(repository.upstreams):
        reader.problem(path, f"repository {repository.name!r} lists an upstream twice")


def _declared(
    reader: _Reader, path: KeyPath, name: str | None, declared: Mapping[str, Any], what: str
) -> None:
    if name is not None and name not in declared:
        reader.problem(path, f"{what} {name!r} is not declared")


def _origin(
    reader: _Reader, path: KeyPath, data: Any, repositories: Mapping[str, RepositorySpec]
) -> OriginSpec | None:
    table = reader.table(data, path, "package-origin")
    fields = {"repository", "format", "namespace", "package", "publish", "upstream"}
    reader.keys(table, path, fields, "package-origin")
    required: dict[str, Callable[[], str | None]] = {
        "repository": lambda: reader.string(table, path, "repository"),
        "format": lambda: reader.choice(table, path, "format", _FORMATS),
        "package": lambda: reader.string(table, path, "package"),
        "publish": lambda: reader.choice(table, path, "publish", _ORIGIN_MODES),
        "upstream": lambda: reader.choice(table, path, "upstream", _ORIGIN_MODES),
    }
    values: dict[str, str] = {}
    for key, read in required.items():
        if key not in table:
            reader.problem(path, f"package-origin needs {key}")
        elif (value := read()) is not None:
            values[key] = value
    _declared(reader, (*path, "repository"), values.get("repository"), repositories, "repository")
    if len(values) != len(required):
        return None
    return OriginSpec(
        repository=values["repository"],
        format=values["format"],
        namespace=reader.string(table, path, "namespace"),
        package=values["package"],
        publish=values["publish"],
        upstream=values["upstream"],
    )


def _group(
    reader: _Reader,
    path: KeyPath,
    pattern: str,
    data: Any,
    repositories: Mapping[str, RepositorySpec],
) -> GroupSpec:
    what = f"package group {pattern!r}"
    table = reader.table(data, path, what)
    allowed = {"description", "contact-info", *RESTRICTIONS}
    allowed |= {f"{key}-repositories" for key in RESTRICTIONS}
    reader.keys(table, path, allowed, what)
    if not pattern.startswith("/"):
        reader.problem(path, f"package group pattern {pattern!r} must start with '/'")
    modes: dict[str, str] = {}
    lists: dict[str, tuple[str, ...]] = {}
    for key, restriction in RESTRICTIONS.items():
        mode = reader.choice(table, path, key, _GROUP_MODES)
        if mode is not None:
            modes[restriction] = mode
        list_key = f"{key}-repositories"
        if list_key in table:
            lists[restriction] = reader.strings(table, path, list_key)
            for name in lists[restriction]:
                _declared(reader, (*path, list_key), name, repositories, "repository")
            if mode != "ALLOW_SPECIFIC_REPOSITORIES":
                reader.problem(
                    (*path, list_key),
                    f'{list_key} needs {key} = "ALLOW_SPECIFIC_REPOSITORIES"',
                )
    return GroupSpec(
        pattern=pattern,
        description=reader.string(table, path, "description") or "",
        contact_info=reader.string(table, path, "contact-info") or "",
        modes=modes,
        allowed=lists,
    )
