"""Condition operators: parsing ``{"<Operator>": {"<key>": value | [values]}}`` and deciding it.

Semantics (AWS "IAM JSON policy elements: Condition operators" and the pages on multi-valued keys):

* Every operator block, and every key within a block, must hold (AND); the policy values listed
  for one key are alternatives (OR). For a negated operator (``StringNotEquals``,
  ``NotIpAddress``, ``ArnNotLike``...) the request value must match *none* of them.
* A key absent from the request makes the condition false, except: negated operators are then
  true; ``...IfExists`` is then true; ``ForAllValues:`` is then true; ``ForAnyValue:`` is then
  false (unless it is also ``...IfExists``); ``Null`` tests exactly that absence. A key supplied
  with an empty list counts as absent.
* ``ForAllValues:`` holds when every request value satisfies the operator, ``ForAnyValue:`` when
  at least one does (for a negated operator "satisfies" means "matches none of the policy
  values"). A plain operator applied to a multi-valued key behaves like ``ForAnyValue:``, and its
  negated form is the negation of that (no request value matches any policy value).
* A request value of the wrong type for the operator (say ``"abc"`` for ``NumericLessThan``) makes
  the condition false, whether or not the operator is negated. (Our choice; AWS leaves it open.)
* Keys are matched case-insensitively, values case-sensitively except by ``...IgnoreCase``.
  ``ArnEquals`` and ``ArnLike`` are the same operator, as in AWS. Policy variables are substituted
  in the values of the String and Arn operators only.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from enum import Enum, StrEnum
from operator import eq, ge, gt, le, lt
from typing import Protocol, TypeVar

from coffer.iam.policy import matching
from coffer.iam.policy.matching import Atom, KeyLookup, MatchMode, Network, Template, atom_text

__all__ = ["Condition", "Family", "Operator", "SetOperator", "conditions_hold", "parse_conditions"]


class SetOperator(StrEnum):
    NONE = ""
    FOR_ANY_VALUE = "ForAnyValue"
    FOR_ALL_VALUES = "ForAllValues"


class Family(Enum):
    STRING = "String"
    NUMERIC = "Numeric"
    DATE = "Date"
    BOOL = "Bool"
    BINARY = "Binary"
    IP = "IpAddress"
    ARN = "Arn"
    NULL = "Null"


class Comparison(Enum):
    EQUALS = "equals"
    EQUALS_IGNORE_CASE = "equals-ignore-case"
    LIKE = "like"
    LESS = "<"
    LESS_EQUALS = "<="
    GREATER = ">"
    GREATER_EQUALS = ">="


_F, _C = Family, Comparison
_ORDERED = {"Equals": _C.EQUALS, "NotEquals": _C.EQUALS, "LessThan": _C.LESS}
_ORDERED |= {"LessThanEquals": _C.LESS_EQUALS, "GreaterThan": _C.GREATER}
_ORDERED |= {"GreaterThanEquals": _C.GREATER_EQUALS}
_BASE: dict[str, tuple[Family, Comparison, bool]] = {
    "StringEquals": (_F.STRING, _C.EQUALS, False),
    "StringNotEquals": (_F.STRING, _C.EQUALS, True),
    "StringEqualsIgnoreCase": (_F.STRING, _C.EQUALS_IGNORE_CASE, False),
    "StringNotEqualsIgnoreCase": (_F.STRING, _C.EQUALS_IGNORE_CASE, True),
    "StringLike": (_F.STRING, _C.LIKE, False),
    "StringNotLike": (_F.STRING, _C.LIKE, True),
    **{f"Numeric{n}": (_F.NUMERIC, c, n == "NotEquals") for n, c in _ORDERED.items()},
    **{f"Date{n}": (_F.DATE, c, n == "NotEquals") for n, c in _ORDERED.items()},
    "Bool": (_F.BOOL, _C.EQUALS, False),
    "BinaryEquals": (_F.BINARY, _C.EQUALS, False),
    "IpAddress": (_F.IP, _C.EQUALS, False),
    "NotIpAddress": (_F.IP, _C.EQUALS, True),
    "ArnEquals": (_F.ARN, _C.LIKE, False),
    "ArnLike": (_F.ARN, _C.LIKE, False),
    "ArnNotEquals": (_F.ARN, _C.LIKE, True),
    "ArnNotLike": (_F.ARN, _C.LIKE, True),
    "Null": (_F.NULL, _C.EQUALS, False),
}


@dataclass(frozen=True)
class Operator:
    name: str
    family: Family
    comparison: Comparison
    negated: bool
    if_exists: bool = False
    set_operator: SetOperator = SetOperator.NONE

    @classmethod
    def parse(cls, name: str) -> Operator:
        """Raises ValueError naming the operator when it is not one IAM knows."""
        prefix, _, rest = name.rpartition(":")
        base = rest.removesuffix("IfExists")
        spec = _BASE.get(base)
        valid_prefix = prefix in {"ForAnyValue", "ForAllValues"} or ":" not in name
        if spec is None or not valid_prefix or (spec[0] is Family.NULL and base != name):
            raise ValueError(f'unsupported condition operator "{name}"')
        family, comparison, negated = spec
        return cls(name, family, comparison, negated, base != rest, SetOperator(prefix))


_ORDER: dict[Comparison, Callable[[float, float], bool]] = {
    Comparison.LESS: lt,
    Comparison.LESS_EQUALS: le,
    Comparison.GREATER: gt,
    Comparison.GREATER_EQUALS: ge,
}


class _Values(Protocol):
    def any_match(self, atom: Atom, lookup: KeyLookup) -> bool | None:
        """Whether ``atom`` matches one of the values; None when it has the wrong type."""


@dataclass(frozen=True)
class _StringValues:
    templates: tuple[Template, ...]
    mode: MatchMode
    ignore_case: bool

    def any_match(self, atom: Atom, lookup: KeyLookup) -> bool | None:
        text = atom_text(atom)
        return any(
            template.matches(text, lookup, self.mode, ignore_case=self.ignore_case)
            for template in self.templates
        )


@dataclass(frozen=True)
class _OrderedValues:
    bounds: tuple[float, ...]
    compare: Callable[[float, float], bool]
    convert: Callable[[Atom], float | None]

    def any_match(self, atom: Atom, lookup: KeyLookup) -> bool | None:
        left = self.convert(atom)
        if left is None:
            return None
        return any(self.compare(left, bound) for bound in self.bounds)


@dataclass(frozen=True)
class _EqualValues:
    expected: tuple[bool | bytes, ...]
    convert: Callable[[Atom], bool | bytes | None]

    def any_match(self, atom: Atom, lookup: KeyLookup) -> bool | None:
        value = self.convert(atom)
        return None if value is None else value in self.expected


@dataclass(frozen=True)
class _NetworkValues:
    networks: tuple[Network, ...]

    def any_match(self, atom: Atom, lookup: KeyLookup) -> bool | None:
        address = matching.request_address(atom)
        return None if address is None else any(address in net for net in self.networks)


@dataclass(frozen=True)
class _NullValues:
    absent: tuple[bool, ...]

    def any_match(self, atom: Atom, lookup: KeyLookup) -> bool | None:
        return False in self.absent  # only asked when the key is present


_T = TypeVar("_T")


def _converted(texts: list[str], convert: Callable[[str], _T | None], what: str) -> tuple[_T, ...]:
    values: list[_T] = []
    for text in texts:
        value = convert(text)
        if value is None:
            raise ValueError(f'"{text}" is not {what}')
        values.append(value)
    return tuple(values)


def _string_values(operator: Operator, texts: list[str], variables: bool) -> _StringValues:
    substitute = variables and operator.family in (Family.STRING, Family.ARN)
    templates = tuple(Template.parse(text, variables=substitute) for text in texts)
    if operator.comparison is not Comparison.LIKE:
        mode = MatchMode.EXACT
    else:
        mode = MatchMode.ARN if operator.family is Family.ARN else MatchMode.GLOB
    ignore_case = operator.comparison is Comparison.EQUALS_IGNORE_CASE
    return _StringValues(templates, mode, ignore_case)


def _values(operator: Operator, texts: list[str], variables: bool) -> _Values:
    family, compare, m = operator.family, _ORDER.get(operator.comparison, eq), matching
    if family is Family.NUMERIC:
        numbers = _converted(texts, m.parse_number, "a number")
        return _OrderedValues(numbers, compare, m.request_number)
    if family is Family.DATE:
        dates = _converted(texts, m.parse_timestamp, "an ISO 8601 date or epoch seconds")
        return _OrderedValues(dates, compare, m.request_timestamp)
    if family in (Family.BOOL, Family.NULL):
        flags = _converted(texts, m.parse_boolean, '"true" or "false"')
        return (
            _NullValues(flags) if family is Family.NULL else _EqualValues(flags, m.request_boolean)
        )
    if family is Family.BINARY:
        return _EqualValues(_converted(texts, m.parse_binary, "base64"), m.request_binary)
    if family is Family.IP:
        return _NetworkValues(_converted(texts, m.parse_network, "an IP address or CIDR block"))
    return _string_values(operator, texts, variables)


@dataclass(frozen=True)
class Condition:
    """One key under one operator, with the policy values it is compared against."""

    operator: Operator
    key: str
    values: tuple[str, ...]
    matcher: _Values = field(repr=False, compare=False)

    def holds(self, lookup: KeyLookup) -> bool:
        """Raises UnresolvedVariable when a policy variable in a value cannot be substituted."""
        operator = self.operator
        present = lookup.values(self.key)
        if isinstance(self.matcher, _NullValues):
            return (present is None) in self.matcher.absent
        if present is None:
            if operator.if_exists or operator.set_operator is SetOperator.FOR_ALL_VALUES:
                return True
            if operator.set_operator is SetOperator.FOR_ANY_VALUE:
                return False
            return operator.negated
        results = [self.matcher.any_match(atom, lookup) for atom in present]
        matched = [result for result in results if result is not None]
        if len(matched) != len(results):
            return False  # a request value of the wrong type: the condition fails
        if operator.set_operator is SetOperator.FOR_ALL_VALUES:
            return all(result != operator.negated for result in matched)
        if operator.set_operator is SetOperator.FOR_ANY_VALUE:
            return any(result != operator.negated for result in matched)
        return any(matched) != operator.negated


def conditions_hold(conditions: Iterable[Condition], lookup: KeyLookup) -> bool:
    """AND over every operator and key of a statement's Condition element."""
    return all(condition.holds(lookup) for condition in conditions)


def _texts(raw: object, where: str) -> list[str]:
    items = raw if isinstance(raw, list) else [raw]
    if not items:
        raise ValueError(f"{where} has an empty list of values")
    texts: list[str] = []
    for item in items:
        if isinstance(item, bool):
            texts.append("true" if item else "false")
        elif isinstance(item, str | int | float):
            texts.append(str(item))
        else:
            raise ValueError(f"{where}: values must be strings, numbers or booleans")
    return texts


def _parse_block(operator: Operator, block: object, variables: bool) -> list[Condition]:
    if not isinstance(block, dict) or not block:
        raise ValueError(f'condition "{operator.name}" must map condition keys to values')
    conditions: list[Condition] = []
    for key, raw in block.items():
        where = f'condition "{operator.name}" on key "{key}"'
        if not key:
            raise ValueError(f'condition "{operator.name}" has an empty condition key')
        texts = _texts(raw, where)
        try:
            matcher = _values(operator, texts, variables)
        except ValueError as exc:
            raise ValueError(f"{where}: {exc}") from None
        conditions.append(Condition(operator, key, tuple(texts), matcher))
    return conditions


def parse_conditions(raw: object, *, variables: bool) -> tuple[Condition, ...]:
    """Parse a statement's Condition element; raises ValueError describing the first problem.

    ``variables`` enables policy variables (the document's Version is 2012-10-17).
    """
    if not isinstance(raw, dict):
        raise ValueError("Condition must be a JSON object")
    conditions: list[Condition] = []
    for name, block in raw.items():
        conditions.extend(_parse_block(Operator.parse(name), block, variables))
    return tuple(conditions)
