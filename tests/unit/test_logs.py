"""coffer.logs: JSON-lines records, and no credentials in request logs."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl

import pytest

from coffer.logs import JsonFormatter, RequestLogMiddleware, redact_query

pytestmark = pytest.mark.anyio

SIGNATURE = "5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7"
CREDENTIAL = "AKIAIOSFODNN7EXAMPLE/20261127/us-east-1/codeartifact/aws4_request"
SESSION_TOKEN = "IQoJb3JpZ2luX2VjEXAMPLE//////////session+token="


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


# redact_query -------------------------------------------------------------------------------


def test_presigned_credentials_are_redacted() -> None:
    query = (
        "X-Amz-Algorithm=AWS4-HMAC-SHA256"
        f"&X-Amz-Credential={CREDENTIAL.replace('/', '%2F')}"
        "&X-Amz-Date=20261127T090101Z"
        "&X-Amz-SignedHeaders=host"
        f"&X-Amz-Security-Token={SESSION_TOKEN.replace('/', '%2F').replace('+', '%2B')}"
        f"&X-Amz-Signature={SIGNATURE}"
        "&domain=acme"
    )

    redacted = redact_query(query)

    assert SIGNATURE not in redacted
    assert "AKIAIOSFODNN7EXAMPLE" not in redacted
    assert "session" not in redacted
    assert dict(parse_qsl(redacted)) == {
        "X-Amz-Algorithm": "AWS4-HMAC-SHA256",
        "X-Amz-Credential": "REDACTED",
        "X-Amz-Date": "20261127T090101Z",
        "X-Amz-SignedHeaders": "host",
        "X-Amz-Security-Token": "REDACTED",
        "X-Amz-Signature": "REDACTED",
        "domain": "acme",
    }


@pytest.mark.parametrize(
    "name", ["x-amz-signature", "X-AMZ-SIGNATURE", "x-Amz-Credential", "x-amz-security-token"]
)
def test_redaction_ignores_case(name: str) -> None:
    assert redact_query(f"{name}=secret-value") == f"{name}=REDACTED"


def test_token_parameter_is_redacted() -> None:
    assert "cfr1" not in redact_query("token=cfr1.payload.signature&format=pypi")


def test_other_parameters_keep_their_order_and_values() -> None:
    query = "domain=acme&repository=libs&format=pypi&max-results=5"

    assert parse_qsl(redact_query(query)) == parse_qsl(query)
    assert [k for k, _ in parse_qsl(redact_query(query))] == [
        "domain", "repository", "format", "max-results",
    ]  # fmt: skip


def test_repeated_secret_parameters_are_all_redacted() -> None:
    redacted = redact_query("X-Amz-Signature=one&X-Amz-Signature=two")

    assert "one" not in redacted
    assert "two" not in redacted


def test_blank_values_are_kept() -> None:
    assert parse_qsl(redact_query("namespace=&domain=acme"), keep_blank_values=True) == [
        ("namespace", ""),
        ("domain", "acme"),
    ]


def test_empty_query() -> None:
    assert redact_query("") == ""


# JsonFormatter ------------------------------------------------------------------------------


@pytest.fixture
def json_log() -> Iterator[tuple[logging.Logger, io.StringIO]]:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    logger = logging.getLogger(f"coffer.test.{id(stream)}")
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG)
    logger.propagate = False
    yield logger, stream
    logger.removeHandler(handler)


def lines(stream: io.StringIO) -> list[dict[str, Any]]:
    text = stream.getvalue()
    assert text.endswith("\n")
    return [json.loads(line) for line in text.splitlines()]


def test_one_json_object_per_line(json_log) -> None:
    logger, stream = json_log

    logger.info("first")
    logger.warning("second %s", "arg")

    first, second = lines(stream)
    assert first["message"] == "first"
    assert first["level"] == "info"
    assert first["logger"] == logger.name
    assert isinstance(first["time"], int | float)
    assert second["message"] == "second arg"
    assert second["level"] == "warning"


def test_extras_become_fields(json_log) -> None:
    logger, stream = json_log

    logger.info(
        "request",
        extra={"method": "GET", "status": 200, "duration_ms": 1.5, "client": None},
    )

    (entry,) = lines(stream)
    assert entry["method"] == "GET"
    assert entry["status"] == 200
    assert entry["duration_ms"] == 1.5
    assert entry["client"] is None
    assert "args" not in entry  # LogRecord internals stay out
    assert "levelno" not in entry


def test_values_json_cannot_encode_are_stringified(json_log) -> None:
    logger, stream = json_log

    logger.info(
        "odd values",
        extra={"path": Path("/srv/coffer"), "when": datetime(2026, 1, 2, tzinfo=UTC)},
    )

    (entry,) = lines(stream)
    assert entry["path"] == "/srv/coffer"
    assert entry["when"].startswith("2026-01-02")


def test_multi_line_message_stays_on_one_line(json_log) -> None:
    logger, stream = json_log

    logger.info("line one\nline two\r\nline three")

    (entry,) = lines(stream)
    assert entry["message"] == "line one\nline two\r\nline three"


def test_exception_is_one_field(json_log) -> None:
    logger, stream = json_log

    try:
        raise RuntimeError("boom")
    except RuntimeError:
        logger.exception("failed", extra={"request_id": "r-1"})

    (entry,) = lines(stream)
    assert entry["level"] == "error"
    assert entry["request_id"] == "r-1"
    assert "RuntimeError: boom" in entry["exception"]
    assert "Traceback" in entry["exception"]


# RequestLogMiddleware -----------------------------------------------------------------------


async def _run(scope: dict[str, Any], status: int = 200, body: bytes = b"hello") -> None:
    async def app(scope, receive, send) -> None:
        await send({"type": "http.response.start", "status": status, "headers": []})
        await send({"type": "http.response.body", "body": body})

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message) -> None:
        pass

    await RequestLogMiddleware(app)(scope, receive, send)


def _scope(query: bytes, headers: list[tuple[bytes, bytes]] | None = None) -> dict[str, Any]:
    return {
        "type": "http",
        "method": "GET",
        "path": "/acme-111122223333/pypi/libs/simple/",
        "query_string": query,
        "headers": headers or [],
        "client": ("203.0.113.9", 5000),
    }


async def test_access_log_line_without_secrets(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="coffer.access")
    query = f"X-Amz-Signature={SIGNATURE}&X-Amz-Credential=AKIAIOSFODNN7EXAMPLE&page=2".encode()
    headers = [(b"authorization", b"Basic YXdzOmNmcjEuc2VjcmV0LnNpZ25hdHVyZQ==")]

    await _run(_scope(query, headers), status=404, body=b"not here")

    (record,) = [r for r in caplog.records if r.name == "coffer.access"]
    fields = record.__dict__
    assert fields["method"] == "GET"
    assert fields["path"] == "/acme-111122223333/pypi/libs/simple/"
    assert fields["status"] == 404
    assert fields["bytes"] == len(b"not here")
    assert fields["client"] == "203.0.113.9"
    assert fields["duration_ms"] >= 0
    assert "page=2" in fields["query"]
    formatted = JsonFormatter().format(record)
    assert SIGNATURE not in formatted
    assert "AKIAIOSFODNN7EXAMPLE" not in formatted
    assert "YXdzOmNmcjEu" not in formatted  # headers are never logged


async def test_access_log_when_the_app_fails(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="coffer.access")

    async def broken(scope, receive, send) -> None:
        raise RuntimeError("boom")

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b""}

    async def send(message) -> None:
        pass

    with pytest.raises(RuntimeError):
        await RequestLogMiddleware(broken)(_scope(b""), receive, send)

    (record,) = [r for r in caplog.records if r.name == "coffer.access"]
    assert record.__dict__["status"] == 500
