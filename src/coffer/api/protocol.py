"""The server side of AWS rest-json, driven by botocore's ``codeartifact`` service model.

The model botocore ships is the contract the aws CLI, boto3 and every SDK were generated from, so
reading routes, member locations and constraints from it (rather than restating them by hand)
keeps Coffer byte-compatible with them: query names such as ``domain-owner``, which members come
from the JSON body, the patterns and lengths behind each ``ValidationException``, and which output
members are timestamps (sent as epoch-second numbers, the only form the Go SDK accepts).
"""

from __future__ import annotations

import base64
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from typing import Any

import botocore.session
import regex

from coffer.errors import ValidationError, ValidationReason

__all__ = ["Operation", "ServiceModel", "load_model"]

SERVICE = "codeartifact"


@cache
def load_model() -> ServiceModel:
    return ServiceModel(botocore.session.get_session().get_service_model(SERVICE))


@cache
def _compile(pattern: str) -> regex.Pattern[str]:
    # Java's \p{IsWhitespace} is \s to everyone else.
    return regex.compile(pattern.replace(r"\p{IsWhitespace}", r"\s"))


@dataclass(frozen=True)
class Operation:
    name: str
    model: Any  # botocore.model.OperationModel

    @property
    def payload_member(self) -> str | None:
        shape = self.model.input_shape
        return None if shape is None else shape.serialization.get("payload")

    @property
    def streaming_input(self) -> bool:
        """The request body is a raw blob (PublishPackageVersion), not JSON."""
        member = self.payload_member
        return member is not None and bool(
            self.model.input_shape.members[member].serialization.get("streaming")
        )

    @property
    def streaming_output(self) -> str | None:
        """The output member sent as the raw response body (GetPackageVersionAsset)."""
        shape = self.model.output_shape
        return None if shape is None else shape.serialization.get("payload")


class ServiceModel:
    def __init__(self, model: Any) -> None:
        self.model = model
        self.routes: dict[tuple[str, str], Operation] = {}
        for name in model.operation_names:
            op = model.operation_model(name)
            path = op.http["requestUri"].split("?")[0]
            self.routes[(op.http["method"], path)] = Operation(name, op)

    def route(self, method: str, path: str) -> Operation | None:
        return self.routes.get((method, path))

    def paths(self) -> set[str]:
        return {path for _, path in self.routes}


class _Errors:
    def __init__(self) -> None:
        self.items: list[str] = []

    def add(self, value: object, where: str, constraint: str) -> None:
        shown = "null" if value is None else f"'{value}'"
        self.items.append(
            f"Value {shown} at '{where}' failed to satisfy constraint: Member must {constraint}"
        )

    def raise_if_any(self) -> None:
        if self.items:
            count = len(self.items)
            noun = "error" if count == 1 else "errors"
            raise ValidationError(
                f"{count} validation {noun} detected: " + "; ".join(self.items),
                ValidationReason.FIELD_VALIDATION_FAILED,
            )


def parse_input(
    op: Operation, query: Mapping[str, Sequence[str]], headers: Mapping[str, str], body: Any
) -> dict[str, Any]:
    """Input members by model name, converted and validated; raises ``ValidationError``."""
    shape = op.model.input_shape
    if shape is None:
        return {}
    payload = op.payload_member
    json_body = _json_body(body) if payload is None else {}
    params: dict[str, Any] = {}
    for name, member in shape.members.items():
        location = member.serialization.get("location")
        wire = member.serialization.get("name", name)
        if location == "querystring":
            value = _from_strings(member, name, query.get(wire))
        elif location == "header":
            raw = headers.get(wire.lower())
            value = None if raw is None else _from_strings(member, name, [raw])
        elif name == payload:
            value = body
        else:
            value = _from_json(member, name, json_body.get(name))
        if value is not None:
            params[name] = value
    errors = _Errors()
    _validate_structure(shape, params, "", errors)
    errors.raise_if_any()
    return params


def _json_body(body: bytes) -> dict[str, Any]:
    if not body.strip():
        return {}
    try:
        value = json.loads(body)
    except ValueError:
        raise ValidationError(
            "Request body is not valid JSON", ValidationReason.CANNOT_PARSE
        ) from None
    if not isinstance(value, dict):
        raise ValidationError("Request body must be a JSON object", ValidationReason.CANNOT_PARSE)
    return value


def _from_strings(member: Any, name: str, values: Sequence[str] | None) -> Any:
    if not values:
        return None
    if member.type_name == "list":
        return list(values)
    return _scalar(member, name, values[0])


def _scalar(member: Any, name: str, raw: str) -> Any:
    kind = member.type_name
    try:
        if kind in ("integer", "long"):
            return int(raw)
        if kind in ("float", "double"):
            return float(raw)
    except ValueError:
        raise ValidationError(
            f"Value '{raw}' at '{name}' must be a number", ValidationReason.CANNOT_PARSE
        ) from None
    if kind == "boolean":
        if raw.lower() not in ("true", "false"):
            raise ValidationError(
                f"Value '{raw}' at '{name}' must be true or false",
                ValidationReason.CANNOT_PARSE,
            )
        return raw.lower() == "true"
    return raw


def _from_json(member: Any, name: str, value: Any) -> Any:
    if value is None:
        return None
    kind = member.type_name
    expected: dict[str, type | tuple[type, ...]] = {
        "string": str,
        "integer": int,
        "long": int,
        "boolean": bool,
        "list": list,
        "map": dict,
        "structure": dict,
        "timestamp": (int, float, str),
        "blob": str,
    }
    wanted = expected.get(kind)
    if wanted is not None and (
        not isinstance(value, wanted) or (kind in ("integer", "long") and isinstance(value, bool))
    ):
        raise ValidationError(
            f"Value at '{name}' must be of type {kind}", ValidationReason.CANNOT_PARSE
        )
    if kind == "blob":
        return base64.b64decode(value)
    return value


_JSON_TYPES: dict[str, type | tuple[type, ...]] = {
    "string": str,
    "integer": int,
    "long": int,
    "boolean": bool,
    "list": list,
    "map": dict,
    "structure": dict,
}


def _validate(member: Any, value: Any, where: str, errors: _Errors) -> None:
    meta = member.metadata
    kind = member.type_name
    expected = _JSON_TYPES.get(kind)
    if expected is not None and (
        not isinstance(value, expected) or (expected is int and isinstance(value, bool))
    ):
        errors.add(type(value).__name__, where, f"be of type {kind}")
        return
    if kind == "structure":
        _validate_structure(member, value, where + ".", errors)
    elif kind == "list":
        _check_size(len(value), meta, where, "length", errors, value)
        for index, item in enumerate(value):
            _validate(member.member, item, f"{where}.{index + 1}.member", errors)
    elif kind == "map":
        _check_size(len(value), meta, where, "length", errors, value)
        for key, item in value.items():
            _validate(member.key, key, f"{where}.key", errors)
            _validate(member.value, item, f"{where}.value", errors)
    elif kind == "string":
        _check_size(len(value), meta, where, "length", errors, value)
        pattern = meta.get("pattern")
        if pattern and not _compile(pattern).fullmatch(value):
            errors.add(value, where, f"satisfy regular expression pattern: {pattern}")
        if member.enum and value not in member.enum:
            errors.add(value, where, f"satisfy enum value set: [{', '.join(member.enum)}]")
    elif kind in ("integer", "long"):
        _check_size(value, meta, where, "value", errors, value)


def _validate_structure(shape: Any, value: Mapping[str, Any], prefix: str, errors: _Errors) -> None:
    for name in shape.required_members:
        if value.get(name) is None:
            errors.add(None, prefix + name, "not be null")
    for name, member in shape.members.items():
        item = value.get(name)
        if item is not None and member.type_name != "blob":
            _validate(member, item, prefix + name, errors)


def _check_size(
    size: int, meta: Mapping[str, Any], where: str, what: str, errors: _Errors, value: Any
) -> None:
    if "min" in meta and size < meta["min"]:
        errors.add(value, where, f"have {what} greater than or equal to {meta['min']}")
    if "max" in meta and size > meta["max"]:
        errors.add(value, where, f"have {what} less than or equal to {meta['max']}")


def serialize_output(op: Operation, result: Mapping[str, Any]) -> tuple[dict[str, str], bytes]:
    """Headers and JSON body for an operation's result (members by model name); a streaming
    payload member is left to the caller."""
    shape = op.model.output_shape
    if shape is None:
        return {}, b"{}"
    headers: dict[str, str] = {}
    body: dict[str, Any] = {}
    for name, member in shape.members.items():
        value = result.get(name)
        if value is None or name == op.streaming_output:
            continue
        if member.serialization.get("location") == "header":
            headers[member.serialization.get("name", name)] = str(value)
        else:
            body[name] = _to_json(member, value)
    return headers, json.dumps(body, separators=(",", ":")).encode()


def _to_json(member: Any, value: Any) -> Any:
    kind = member.type_name
    if kind == "timestamp":
        return value.timestamp() if isinstance(value, datetime) else float(value)
    if kind == "structure":
        return {
            name: _to_json(sub, value[name])
            for name, sub in member.members.items()
            if value.get(name) is not None
        }
    if kind == "list":
        return [_to_json(member.member, item) for item in value]
    if kind == "map":
        return {key: _to_json(member.value, item) for key, item in value.items()}
    if kind == "blob":
        return base64.b64encode(value).decode("ascii")
    return value
