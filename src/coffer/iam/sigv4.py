"""Server-side verification of AWS Signature Version 4 requests. Pure: stdlib only, no I/O.

The caller owns the secret store, so verification happens in two steps::

    credential = sigv4.parse(request)         # MissingAuthentication / IncompleteSignature
    secret = lookup(credential.access_key_id) # UnrecognizedClient is the caller's to raise
    sigv4.verify(request, credential, secret, now=clock())  # InvalidSignature

Both the ``Authorization`` header form and the presigned query-string form are accepted.

The canonical request is rebuilt exactly as botocore's ``SigV4Auth`` builds it for non-S3
services, starting from what was received on the wire:

* URI: the raw (still percent-encoded) path, dot segments and empty segments removed, then
  percent-encoded a *second* time with ``quote(path, safe="/~")``; so ``%3A`` on the wire is
  ``%253A`` in the canonical request, as botocore signs it.
* Query: each ``key=value`` is decoded (``+`` is a space, as the application layer reads it)
  and re-encoded with ``quote(s, safe="-_.~")``, then sorted by key and value. For the requests
  botocore clients send this reproduces the wire form byte for byte; for ``urlencode``-style
  clients it normalises ``+`` to ``%20``. The signature therefore covers what the handler will
  see, not merely the bytes.
* Headers: only the SignedHeaders, lower-cased, values trimmed with whitespace runs collapsed.
* Payload: the ``x-amz-content-sha256`` header when the client sent one, else the body hash the
  caller computed (:attr:`SignedRequest.payload_sha256`).

Error messages follow AWS's wording and never contain the secret or the expected signature.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from urllib.parse import parse_qsl, quote, unquote_plus

from coffer.errors import IncompleteSignature, InvalidSignature, MissingAuthentication

__all__ = [
    "ALGORITHM",
    "MAX_PRESIGNED_EXPIRES",
    "TERMINATOR",
    "UNSIGNED_PAYLOAD",
    "Credential",
    "SignedRequest",
    "canonical_query",
    "canonical_request",
    "canonical_uri",
    "parse",
    "string_to_sign",
    "verify",
]

ALGORITHM = "AWS4-HMAC-SHA256"
TERMINATOR = "aws4_request"
UNSIGNED_PAYLOAD = "UNSIGNED-PAYLOAD"
MAX_PRESIGNED_EXPIRES = 7 * 24 * 3600  # seconds; AWS's ceiling for X-Amz-Expires

_AMZ_DATE_FORMAT = "%Y%m%dT%H%M%SZ"
_AMZ_DATE_SHAPE = re.compile(r"[0-9]{8}T[0-9]{6}Z")
_HEADER_PARAMS = ("Credential", "Signature", "SignedHeaders")
_QUERY_PARAMS = (
    "X-Amz-Credential",
    "X-Amz-Date",
    "X-Amz-SignedHeaders",
    "X-Amz-Signature",
    "X-Amz-Expires",
)

_MSG_MISSING = "Missing Authentication Token"
_MSG_MISMATCH = (
    "The request signature we calculated does not match the signature you provided. "
    "Check your AWS Secret Access Key and signing method. "
    "Consult the service documentation for details."
)
_MSG_HOST_UNSIGNED = "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization."
_MSG_CONTENT_SHA256 = "The provided 'x-amz-content-sha256' header does not match what was computed."


@dataclass(frozen=True)
class SignedRequest:
    """The parts of an HTTP request that SigV4 covers, as received.

    ``raw_path`` and ``raw_query`` are the wire forms (still percent-encoded, no ``?``);
    ``headers`` maps lower-cased names to values, repeated headers joined with ``","``;
    ``payload_sha256`` is the hex SHA-256 of the body computed by the caller, or
    ``"UNSIGNED-PAYLOAD"`` if the caller did not hash it (then it must check the body against
    the ``x-amz-content-sha256`` header itself, and a request without that header fails).
    """

    method: str
    raw_path: str
    raw_query: str
    headers: Mapping[str, str]
    payload_sha256: str


@dataclass(frozen=True)
class Credential:
    """What the client claims, parsed from the Authorization header or presigned query.

    ``terminator`` is the scope's last element (checked by :func:`verify`); ``expires`` is
    X-Amz-Expires in seconds, set only for presigned requests. Both have defaults.
    """

    access_key_id: str
    date: str
    region: str
    service: str
    signed_headers: tuple[str, ...]
    signature: str
    amz_date: str
    session_token: str | None
    terminator: str = TERMINATOR
    expires: int | None = None

    @property
    def presigned(self) -> bool:
        return self.expires is not None

    @property
    def scope(self) -> str:
        return f"{self.date}/{self.region}/{self.service}/{self.terminator}"


# ----------------------------------------------------------------------------------- parse


def parse(request: SignedRequest) -> Credential:
    """Extract the claimed credential; no secret needed. Check it with :func:`verify`."""
    authorization = request.headers.get("authorization", "").strip()
    if authorization:
        return _parse_header(request.headers, authorization)
    query = _first_values(request.raw_query)
    if "X-Amz-Algorithm" in query:
        return _parse_query(query)
    raise MissingAuthentication(_MSG_MISSING)


def _parse_header(headers: Mapping[str, str], authorization: str) -> Credential:
    algorithm, *rest = authorization.split(maxsplit=1)
    _check_algorithm(algorithm)
    params = _header_params(rest[0] if rest else "", authorization)
    raw_date, is_http_date = _header_date(headers)
    raw_date = _require_header_params(params, raw_date, authorization)
    return _credential(
        params["Credential"],
        signed_headers=params["SignedHeaders"],
        signature=params["Signature"],
        amz_date=_amz_date(raw_date, http_date_ok=is_http_date),
        session_token=headers.get("x-amz-security-token"),
    )


def _parse_query(query: Mapping[str, str]) -> Credential:
    _check_algorithm(query["X-Amz-Algorithm"])
    missing = [
        f"AWS query-string parameters must include '{name}'."
        for name in _QUERY_PARAMS
        if not query.get(name)
    ]
    if missing:
        raise IncompleteSignature(" ".join([*missing, "Re-examine the query-string parameters."]))
    return _credential(
        query["X-Amz-Credential"],
        signed_headers=query["X-Amz-SignedHeaders"],
        signature=query["X-Amz-Signature"],
        amz_date=_amz_date(query["X-Amz-Date"], http_date_ok=False),
        session_token=query.get("X-Amz-Security-Token"),
        expires=_expires(query["X-Amz-Expires"]),
    )


def _check_algorithm(algorithm: str) -> None:
    if algorithm != ALGORITHM:
        raise IncompleteSignature(f"Unsupported AWS 'algorithm': '{algorithm}'.")


def _header_params(rest: str, authorization: str) -> dict[str, str]:
    """``Credential=a, SignedHeaders=b,Signature=c`` -> dict; any spacing around , and =."""
    params: dict[str, str] = {}
    for item in (piece.strip() for piece in rest.split(",")):
        if not item:
            continue
        key, equals, value = item.partition("=")
        if not equals:
            raise IncompleteSignature(
                f"'{item}' not a valid key=value pair (missing equal-sign) "
                f"in Authorization header: '{authorization}'."
            )
        params[key.strip()] = value.strip()
    return params


def _header_date(headers: Mapping[str, str]) -> tuple[str | None, bool]:
    """The request time and whether it came from ``Date`` (which may be an HTTP-date)."""
    amz_date = headers.get("x-amz-date")
    if amz_date is not None:
        return amz_date, False
    return headers.get("date"), True


def _require_header_params(
    params: Mapping[str, str], raw_date: str | None, authorization: str
) -> str:
    """Raise AWS's combined "requires ..." message; return the (now certain) raw date."""
    problems = [
        f"Authorization header requires '{name}' parameter."
        for name in _HEADER_PARAMS
        if not params.get(name)
    ]
    if raw_date is None:
        problems.append(
            "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header."
        )
    if problems or raw_date is None:
        raise IncompleteSignature(" ".join([*problems, f"Authorization={authorization}"]))
    return raw_date


def _credential(
    scope: str,
    *,
    signed_headers: str,
    signature: str,
    amz_date: str,
    session_token: str | None,
    expires: int | None = None,
) -> Credential:
    parts = scope.split("/")
    if len(parts) != 5:
        raise IncompleteSignature(
            "Credential must have exactly 5 slash-delimited elements, "
            f"e.g. keyid/date/region/service/term, got '{scope}'"
        )
    access_key_id, date, region, service, terminator = parts
    return Credential(
        access_key_id=access_key_id,
        date=date,
        region=region,
        service=service,
        signed_headers=_split_signed_headers(signed_headers),
        signature=signature,
        amz_date=amz_date,
        session_token=session_token,
        terminator=terminator,
        expires=expires,
    )


def _split_signed_headers(value: str) -> tuple[str, ...]:
    names = (name.strip().lower() for name in value.split(";"))
    return tuple(name for name in names if name)


def _amz_date(value: str, *, http_date_ok: bool) -> str:
    """Normalise to ``yyyymmddTHHMMSSZ``; ``Date`` may also be an RFC 7231 HTTP-date."""
    value = value.strip()
    if _parse_amz_date(value) is not None:
        return value
    if http_date_ok:
        converted = _from_http_date(value)
        if converted is not None:
            return converted
    raise _date_error(value)


def _date_error(value: str) -> IncompleteSignature:
    return IncompleteSignature(
        f"Date must be in ISO-8601 'basic format'. Got '{value}'. "
        "See http://en.wikipedia.org/wiki/ISO_8601"
    )


def _parse_amz_date(value: str) -> datetime | None:
    if not _AMZ_DATE_SHAPE.fullmatch(value):
        return None
    try:
        return datetime.strptime(value, _AMZ_DATE_FORMAT).replace(tzinfo=UTC)
    except ValueError:
        return None


def _from_http_date(value: str) -> str | None:
    try:
        parsed = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return _utc(parsed).strftime(_AMZ_DATE_FORMAT)


def _expires(value: str) -> int:
    seconds = int(value) if value.isascii() and value.isdigit() else 0
    if not 1 <= seconds <= MAX_PRESIGNED_EXPIRES:
        raise IncompleteSignature(
            f"X-Amz-Expires must be a whole number of seconds from 1 to {MAX_PRESIGNED_EXPIRES}"
            f", got '{value}'. Re-examine the query-string parameters."
        )
    return seconds


def _first_values(raw_query: str) -> dict[str, str]:
    params: dict[str, str] = {}
    for key, value in parse_qsl(raw_query, keep_blank_values=True):
        params.setdefault(key, value)
    return params


# ---------------------------------------------------------------------------------- verify


def verify(
    request: SignedRequest,
    credential: Credential,
    secret_access_key: str,
    *,
    now: datetime,
    service: str = "codeartifact",
    max_skew: timedelta = timedelta(minutes=15),
) -> None:
    """Raise :class:`InvalidSignature` unless ``request`` was signed with this secret.

    ``now`` should be timezone-aware (a naive value is taken as UTC). Any region is accepted.
    Checks, in AWS's order: request time, ``host`` signed, credential scope, declared payload
    hash, signature (constant-time).
    """
    _check_time(credential, _utc(now), max_skew)
    if "host" not in credential.signed_headers:
        raise InvalidSignature(_MSG_HOST_UNSIGNED)
    _check_scope(credential, service)
    _check_declared_payload(request)
    expected = _signature(request, credential, secret_access_key)
    if not hmac.compare_digest(expected.encode(), credential.signature.encode()):
        raise InvalidSignature(_MSG_MISMATCH)


def _check_time(credential: Credential, now: datetime, max_skew: timedelta) -> None:
    signed_at = _parse_amz_date(credential.amz_date)
    if signed_at is None:  # only for a Credential not made by parse()
        raise _date_error(credential.amz_date)
    latest = now + max_skew
    if signed_at > latest:
        raise InvalidSignature(
            f"Signature not yet current: {credential.amz_date} is still later than "
            f"{_stamp(latest)} ({_stamp(now)} + {_span(max_skew)})"
        )
    window = max_skew if credential.expires is None else timedelta(seconds=credential.expires)
    earliest = now - window
    if signed_at < earliest:
        raise InvalidSignature(
            f"Signature expired: {credential.amz_date} is now earlier than "
            f"{_stamp(earliest)} ({_stamp(now)} - {_span(window)})"
        )


def _check_scope(credential: Credential, service: str) -> None:
    problems: list[str] = []
    if not credential.region:
        problems.append("Credential should be scoped to a valid region, not ''.")
    if credential.service != service:
        problems.append(f"Credential should be scoped to correct service: '{service}'.")
    if credential.terminator != TERMINATOR:
        problems.append(
            f"Credential should be scoped with a valid terminator: '{TERMINATOR}', "
            f"not '{credential.terminator}'."
        )
    request_date = credential.amz_date[:8]
    if credential.date != request_date:
        problems.append(
            "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date "
            f"from HTTP: '{credential.date}' != '{request_date}', from '{credential.amz_date}'."
        )
    if problems:
        raise InvalidSignature(" ".join(problems))


def _check_declared_payload(request: SignedRequest) -> None:
    declared = request.headers.get("x-amz-content-sha256")
    if declared is None or request.payload_sha256 == UNSIGNED_PAYLOAD:
        return
    declared = declared.strip()
    if declared != UNSIGNED_PAYLOAD and declared.lower() != request.payload_sha256.lower():
        raise InvalidSignature(_MSG_CONTENT_SHA256)


def _signature(request: SignedRequest, credential: Credential, secret_access_key: str) -> str:
    key = ("AWS4" + secret_access_key).encode()
    for part in (credential.date, credential.region, credential.service, TERMINATOR):
        key = hmac.new(key, part.encode(), hashlib.sha256).digest()
    to_sign = string_to_sign(credential, canonical_request(request, credential))
    return hmac.new(key, to_sign.encode(), hashlib.sha256).hexdigest()


# ----------------------------------------------------------------------- canonical request


def canonical_request(request: SignedRequest, credential: Credential) -> str:
    """The SigV4 canonical request the client should have signed (for debugging too)."""
    return "\n".join(
        (
            request.method.upper(),
            canonical_uri(request.raw_path),
            canonical_query(request.raw_query, presigned=credential.presigned),
            _canonical_headers(request.headers, credential.signed_headers),
            ";".join(credential.signed_headers),
            _payload_hash(request),
        )
    )


def string_to_sign(credential: Credential, canonical: str) -> str:
    digest = hashlib.sha256(canonical.encode()).hexdigest()
    return "\n".join((ALGORITHM, credential.amz_date, credential.scope, digest))


def canonical_uri(raw_path: str) -> str:
    """botocore: ``quote(remove_dot_segments(path), safe="/~")`` on the *encoded* path."""
    return quote(_remove_dot_segments(raw_path) if raw_path else "/", safe="/~")


def canonical_query(raw_query: str, *, presigned: bool = False) -> str:
    pairs: list[tuple[str, str]] = []
    for item in raw_query.split("&"):
        if not item:
            continue
        raw_key, _, raw_value = item.partition("=")
        key = unquote_plus(raw_key)
        if presigned and key == "X-Amz-Signature":
            continue
        pairs.append((_uri_encode(key), _uri_encode(unquote_plus(raw_value))))
    return "&".join(f"{key}={value}" for key, value in sorted(pairs))


def _uri_encode(value: str) -> str:
    return quote(value, safe="-_.~")


def _remove_dot_segments(path: str) -> str:
    """RFC 3986 5.2.4 plus collapsing of empty segments, as ``botocore.utils`` does it."""
    output: list[str] = []
    for segment in path.split("/"):
        if segment in ("", "."):
            continue
        if segment == "..":
            if output:
                output.pop()
        else:
            output.append(segment)
    first = "/" if path.startswith("/") else ""
    last = "/" if path.endswith("/") and output else ""
    return first + "/".join(output) + last


def _canonical_headers(headers: Mapping[str, str], signed_headers: tuple[str, ...]) -> str:
    return "".join(f"{name}:{_trim_all(headers.get(name, ''))}\n" for name in signed_headers)


def _trim_all(value: str) -> str:
    return " ".join(value.split())


def _payload_hash(request: SignedRequest) -> str:
    declared = request.headers.get("x-amz-content-sha256")
    return request.payload_sha256 if declared is None else declared.strip()


# ----------------------------------------------------------------------------------- time


def _utc(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def _stamp(moment: datetime) -> str:
    return moment.strftime(_AMZ_DATE_FORMAT)


def _span(window: timedelta) -> str:
    seconds = int(window.total_seconds())
    return f"{seconds // 60} min." if seconds % 60 == 0 else f"{seconds} sec."
