"""Parsing and validating IAM JSON policy documents (identity-based and resource-based)."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from enum import StrEnum

from coffer.errors import ValidationError, ValidationReason
from coffer.iam.policy.conditions import Condition, parse_conditions
from coffer.iam.policy.matching import Template

__all__ = [
    "VERSIONS",
    "Effect",
    "PolicyDocument",
    "PolicyError",
    "PolicyKind",
    "PrincipalEntry",
    "Statement",
]

VERSIONS = ("2012-10-17", "2008-10-17")
_VARIABLES_VERSION = "2012-10-17"  # AWS substitutes policy variables only under this Version
_TOP_LEVEL = frozenset({"Version", "Id", "Statement"})
_ELEMENTS = frozenset(
    {"Sid", "Effect", "Action", "NotAction", "Resource", "NotResource"}
    | {"Principal", "NotPrincipal", "Condition"}
)
_PRINCIPAL_TYPES = frozenset({"AWS", "Service", "Federated", "CanonicalUser"})


class PolicyKind(StrEnum):
    IDENTITY = "identity"
    RESOURCE = "resource"


class Effect(StrEnum):
    ALLOW = "Allow"
    DENY = "Deny"


class PolicyError(ValidationError):
    """A policy document that is not valid JSON or not a valid IAM policy."""

    def __init__(self, message: str) -> None:
        super().__init__(message, ValidationReason.FIELD_VALIDATION_FAILED)


_ACCOUNT = re.compile(r"\d{12}")
_PRINCIPAL_ARN = re.compile(
    r"arn:aws[a-z-]*:(?:iam::\d{12}:(?:root|user/.+|role/.+)"
    r"|sts::\d{12}:(?:assumed-role/[^/]+/.+|federated-user/.+))"
)
_ACTION = re.compile(r"[A-Za-z0-9*?-]+:[A-Za-z0-9*?_-]+")
_RESOURCE = re.compile(r"arn:[^:]+:[^:]+:.*", re.DOTALL)  # arn:partition:service:...


@dataclass(frozen=True)
class PrincipalEntry:
    """One entry of a Principal/NotPrincipal element; ``"*"`` is read as ``{"AWS": "*"}``.

    Only ``AWS`` entries ever match a caller; the other types parse but name nobody here.
    """

    type: str  # "AWS", "Service", "Federated" or "CanonicalUser"
    value: str


@dataclass(frozen=True)
class Statement:
    number: int  # 1-based position in the document
    sid: str | None
    effect: Effect
    actions: tuple[str, ...]
    not_action: bool
    resources: tuple[Template, ...]
    not_resource: bool
    principals: tuple[PrincipalEntry, ...] | None  # None: identity policy (no Principal element)
    not_principal: bool
    conditions: tuple[Condition, ...]

    @property
    def label(self) -> str:
        """How a reason names the statement: its Sid, else its position."""
        return f"'{self.sid}'" if self.sid else f"#{self.number}"


@dataclass(frozen=True)
class PolicyDocument:
    text: str  # exactly as submitted; the service stores and returns it verbatim
    kind: PolicyKind
    statements: tuple[Statement, ...]
    version: str | None = None
    id: str | None = None
    name: str | None = field(default=None, compare=False)  # e.g. "domain policy", for reasons

    @classmethod
    def parse(cls, text: str, kind: PolicyKind, *, name: str | None = None) -> PolicyDocument:
        """Parse and validate ``text``; raises PolicyError naming the first problem found."""
        raw = _load(text)
        if not isinstance(raw, dict):
            raise PolicyError("Policy document must be a JSON object")
        _reject_unknown(raw, _TOP_LEVEL, "Policy document")
        version = raw.get("Version")
        if version is not None and version not in VERSIONS:
            raise PolicyError('Policy document: Version must be "2012-10-17" or "2008-10-17"')
        policy_id = raw.get("Id")
        if policy_id is not None and not isinstance(policy_id, str):
            raise PolicyError("Policy document: Id must be a string")
        variables = version == _VARIABLES_VERSION
        statements = _statements(raw.get("Statement"), kind, variables)
        return cls(text, kind, statements, version, policy_id, name)


def _reject_constant(name: str) -> object:
    raise ValueError(f"{name} is not allowed")


def _load(text: str) -> object:
    try:
        return json.loads(text, parse_constant=_reject_constant)
    except json.JSONDecodeError as exc:
        raise PolicyError(f"Policy document is not valid JSON: {exc}") from None
    except (ValueError, RecursionError) as exc:
        raise PolicyError(f"Policy document is not valid JSON: {exc}") from None


def _reject_unknown(raw: dict[str, object], known: frozenset[str], where: str) -> None:
    for element in raw:
        if element not in known:
            raise PolicyError(f'{where}: unknown element "{element}"')


def _statements(raw: object, kind: PolicyKind, variables: bool) -> tuple[Statement, ...]:
    if raw is None:
        raise PolicyError("Policy document must contain a Statement")
    items = raw if isinstance(raw, list) else [raw]
    if not items:
        raise PolicyError("Policy document must contain at least one statement")
    statements = tuple(
        _statement(item, number, kind, variables) for number, item in enumerate(items, 1)
    )
    seen: set[str] = set()
    for statement in statements:
        if statement.sid:
            if statement.sid in seen:
                raise PolicyError(f'Policy document: duplicate Sid "{statement.sid}"')
            seen.add(statement.sid)
    return statements


def _strings(raw: object, where: str, element: str) -> tuple[str, ...]:
    items = raw if isinstance(raw, list) else [raw]
    if not items or not all(isinstance(item, str) and item for item in items):
        raise PolicyError(f"{where}: {element} must be a string or a non-empty list of strings")
    return tuple(str(item) for item in items)


def _one_of(raw: dict[str, object], where: str, names: tuple[str, str]) -> tuple[object, bool]:
    """The value of whichever of ``names`` (X, NotX) is present and whether it is the Not form."""
    present = [name for name in names if name in raw]
    if len(present) != 1:
        raise PolicyError(f"{where}: must contain exactly one of {names[0]} or {names[1]}")
    return raw[present[0]], present[0] == names[1]


def _where(number: int, raw: dict[str, object]) -> str:
    sid = raw.get("Sid")
    return f'Statement "{sid}"' if isinstance(sid, str) and sid else f"Policy statement {number}"


def _statement(raw: object, number: int, kind: PolicyKind, variables: bool) -> Statement:
    if not isinstance(raw, dict):
        raise PolicyError(f"Policy statement {number} must be a JSON object")
    where = _where(number, raw)
    _reject_unknown(raw, _ELEMENTS, where)
    sid = raw.get("Sid")
    if sid is not None and not isinstance(sid, str):
        raise PolicyError(f"{where}: Sid must be a string")
    effect = raw.get("Effect")
    if effect not in ("Allow", "Deny"):
        raise PolicyError(f'{where}: Effect must be "Allow" or "Deny"')
    actions, not_action = _actions(raw, where)
    resources, not_resource = _resources(raw, where, kind, variables)
    principals, not_principal = _principals(raw, where, kind)
    try:
        conditions = parse_conditions(raw.get("Condition", {}), variables=variables)
    except ValueError as exc:
        raise PolicyError(f"{where}: {exc}") from None
    return Statement(
        number, sid or None, Effect(effect), actions, not_action, resources, not_resource,
        principals, not_principal, conditions,
    )  # fmt: skip


def _actions(raw: dict[str, object], where: str) -> tuple[tuple[str, ...], bool]:
    value, negated = _one_of(raw, where, ("Action", "NotAction"))
    element = "NotAction" if negated else "Action"
    actions = _strings(value, where, element)
    for action in actions:
        if action != "*" and not _ACTION.fullmatch(action):
            raise PolicyError(f'{where}: invalid {element} "{action}" (expected "service:Action")')
    return actions, negated


def _resources(
    raw: dict[str, object], where: str, kind: PolicyKind, variables: bool
) -> tuple[tuple[Template, ...], bool]:
    if kind is PolicyKind.RESOURCE and "Resource" not in raw and "NotResource" not in raw:
        return (Template.parse("*", variables=False),), False  # lenient: a missing Resource is "*"
    value, negated = _one_of(raw, where, ("Resource", "NotResource"))
    element = "NotResource" if negated else "Resource"
    resources = _strings(value, where, element)
    for resource in resources:
        if resource != "*" and not _RESOURCE.fullmatch(resource):
            raise PolicyError(f'{where}: invalid {element} "{resource}" (expected "*" or an ARN)')
    return tuple(Template.parse(item, variables=variables) for item in resources), negated


def _principals(
    raw: dict[str, object], where: str, kind: PolicyKind
) -> tuple[tuple[PrincipalEntry, ...] | None, bool]:
    if kind is PolicyKind.IDENTITY:
        if "Principal" in raw or "NotPrincipal" in raw:
            raise PolicyError(f"{where}: Identity policies must not contain a Principal")
        return None, False
    if "Principal" not in raw and "NotPrincipal" not in raw:
        raise PolicyError(f"{where}: Resource policies require a Principal")
    value, negated = _one_of(raw, where, ("Principal", "NotPrincipal"))
    element = "NotPrincipal" if negated else "Principal"
    if value == "*":
        return (PrincipalEntry("AWS", "*"),), negated
    if not isinstance(value, dict) or not value:
        raise PolicyError(f'{where}: {element} must be "*" or an object such as {{"AWS": ...}}')
    entries: list[PrincipalEntry] = []
    for principal_type, items in value.items():
        if principal_type not in _PRINCIPAL_TYPES:
            raise PolicyError(f'{where}: unknown principal type "{principal_type}" in {element}')
        for item in _strings(items, where, f"{element} {principal_type}"):
            if principal_type == "AWS" and not _is_aws_principal(item):
                raise PolicyError(f'{where}: invalid AWS principal "{item}" in {element}')
            entries.append(PrincipalEntry(principal_type, item))
    return tuple(entries), negated


def _is_aws_principal(value: str) -> bool:
    """``*``, a 12-digit account id, an account root ARN or an IAM/STS principal ARN."""
    return value == "*" or any(pattern.fullmatch(value) for pattern in (_ACCOUNT, _PRINCIPAL_ARN))
