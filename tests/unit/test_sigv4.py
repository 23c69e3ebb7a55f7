"""coffer.iam.sigv4 against botocore as the signing oracle.

Every positive case is signed by botocore (``SigV4Auth`` / ``SigV4QueryAuth``, or a real
``codeartifact`` client whose request is captured just before it would be sent), converted into
the wire view a server gets (raw path and query exactly as ``urlsplit`` gives them, lower-cased
headers, host from the URL) and must verify. Besides pass/fail, each positive case compares our
canonical request and string to sign with the ones botocore computed while signing, so a
divergence shows up as a readable diff instead of two unequal hex strings.

Messages are hard-coded here (not imported) so the tests also catch wording drift.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from typing import Any
from unittest import mock
from urllib.parse import urlsplit

import botocore.auth
import botocore.session
import pytest
from botocore.awsrequest import AWSPreparedRequest, AWSRequest
from botocore.config import Config
from botocore.credentials import Credentials

from coffer.errors import IncompleteSignature, InvalidSignature, MissingAuthentication
from coffer.iam import sigv4
from coffer.iam.sigv4 import Credential, SignedRequest

AKID = "AKIDEXAMPLE"
SECRET = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
TOKEN = "IQoJb3JpZ2luX2VjEXAMPLE//////////session+token="
SIGNED_AT = datetime(2026, 11, 27, 9, 1, 1, tzinfo=UTC)
LOCAL = "http://127.0.0.1:8080"
AWS = "https://codeartifact.us-east-1.amazonaws.com"
ARN = "arn:aws:codeartifact:us-east-1:111122223333:domain/example"
ARN_QUERY = "resourceArn=arn%3Aaws%3Acodeartifact%3Aus-east-1%3A111122223333%3Adomain%2Fexample"

MISMATCH = (
    "The request signature we calculated does not match the signature you provided. "
    "Check your AWS Secret Access Key and signing method. "
    "Consult the service documentation for details."
)
CONTENT_SHA256_MISMATCH = (
    "The provided 'x-amz-content-sha256' header does not match what was computed."
)
HOST_UNSIGNED = "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization."


# ------------------------------------------------------------------------------ the oracle


class _Recording:
    """Mixin: keep what botocore computed while signing."""

    recorded_canonical: str
    recorded_string_to_sign: str

    def canonical_request(self, request: AWSRequest) -> str:
        self.recorded_canonical = super().canonical_request(request)  # type: ignore[misc]
        return self.recorded_canonical

    def string_to_sign(self, request: AWSRequest, canonical_request: str) -> str:
        sts: str = super().string_to_sign(request, canonical_request)  # type: ignore[misc]
        self.recorded_string_to_sign = sts
        return sts


class RecordingSigV4Auth(_Recording, botocore.auth.SigV4Auth):  # type: ignore[misc]
    pass


class RecordingSigV4QueryAuth(_Recording, botocore.auth.SigV4QueryAuth):  # type: ignore[misc]
    pass


@dataclass(frozen=True)
class Signed:
    request: SignedRequest
    canonical: str | None = None  # as botocore computed it; None when captured from a client
    string_to_sign: str | None = None


def frozen_clock(at: datetime) -> Any:
    """botocore takes the signing time from ``botocore.auth.get_current_datetime()``."""
    naive_utc = at.astimezone(UTC).replace(tzinfo=None)
    return mock.patch.object(botocore.auth, "get_current_datetime", return_value=naive_utc)


def to_wire(prepared: AWSPreparedRequest) -> SignedRequest:
    """What the server sees: raw path/query, lower-cased headers, Host from the URL."""
    parts = urlsplit(prepared.url)
    headers = {name.lower(): _text(value) for name, value in prepared.headers.items()}
    headers.setdefault("host", parts.netloc)
    body = prepared.body or b""
    body = body.encode() if isinstance(body, str) else body
    return SignedRequest(
        method=prepared.method,
        raw_path=parts.path,
        raw_query=parts.query,
        headers=headers,
        payload_sha256=hashlib.sha256(body).hexdigest(),
    )


def _text(value: str | bytes) -> str:
    return value.decode() if isinstance(value, bytes) else value


@dataclass(frozen=True)
class Case:
    method: str
    url: str
    headers: Mapping[str, str] = field(default_factory=dict)
    data: bytes = b""
    params: Mapping[str, str] | None = None
    region: str = "us-east-1"
    service: str = "codeartifact"
    token: str | None = None
    presign_expires: int | None = None


def sign(case: Case, *, at: datetime = SIGNED_AT, secret: str = SECRET) -> Signed:
    credentials = Credentials(AKID, secret, case.token)
    signer: RecordingSigV4Auth | RecordingSigV4QueryAuth
    if case.presign_expires is None:
        signer = RecordingSigV4Auth(credentials, case.service, case.region)
    else:
        signer = RecordingSigV4QueryAuth(
            credentials, case.service, case.region, expires=case.presign_expires
        )
    request = AWSRequest(
        method=case.method,
        url=case.url,
        headers=dict(case.headers),
        data=case.data,
        params=dict(case.params or {}),
    )
    with frozen_clock(at):
        signer.add_auth(request)
    return Signed(
        to_wire(request.prepare()), signer.recorded_canonical, signer.recorded_string_to_sign
    )


def check(signed: Signed, *, now: datetime = SIGNED_AT, secret: str = SECRET) -> Credential:
    """parse + verify; also compare our canonical forms with botocore's."""
    credential = sigv4.parse(signed.request)
    if signed.canonical is not None:
        ours = sigv4.canonical_request(signed.request, credential)
        assert ours == signed.canonical
        assert sigv4.string_to_sign(credential, ours) == signed.string_to_sign
    sigv4.verify(signed.request, credential, secret, now=now)
    return credential


def with_headers(request: SignedRequest, **changes: str) -> SignedRequest:
    headers = dict(request.headers)
    headers.update({name.replace("_", "-"): value for name, value in changes.items()})
    return replace(request, headers=headers)


def without_header(request: SignedRequest, name: str) -> SignedRequest:
    return replace(request, headers={k: v for k, v in request.headers.items() if k != name})


# ------------------------------------------------------------------------- positive cases

JSON_BODY = json.dumps({"description": "my domain", "tags": [{"key": "k", "value": "v"}]})
BINARY = bytes(range(256)) * 4

POSITIVE = {
    "get-with-query": Case(
        "GET", f"{LOCAL}/v1/packages?domain=my-domain&repository=repo&max-results=10"
    ),
    "post-empty-body": Case(
        "POST", f"{LOCAL}/v1/domain?domain=my-domain", headers={"Content-Length": "0"}
    ),
    "post-json-signed-content-type": Case(
        "POST",
        f"{LOCAL}/v1/domains",
        headers={"Content-Type": "application/json"},
        data=JSON_BODY.encode(),
    ),
    "put": Case(
        "PUT",
        f"{LOCAL}/v1/domain/permissions/policy",
        headers={"Content-Type": "application/json"},
        data=b'{"domain": "my-domain", "policyDocument": "{}"}',
    ),
    "delete": Case("DELETE", f"{LOCAL}/v1/domain?domain=my-domain&domain-owner=111122223333"),
    "percent-encoded-query": Case("POST", f"{LOCAL}/v1/tags?{ARN_QUERY}"),
    "repeated-and-empty-params": Case("GET", f"{LOCAL}/v1/x?b=2&a=&a=z&a=1&flag&c=%20"),
    "params-urlencoded-by-botocore": Case(
        "GET",
        f"{LOCAL}/v1/package",
        params={"package": "my package", "namespace": "@scope", "v": "1.0+local", "ü k": "ünï"},
    ),
    "session-token": Case("POST", f"{LOCAL}/v1/domains", data=b"{}", token=TOKEN),
    "raw-body-with-content-sha256": Case(
        "POST",
        f"{LOCAL}/v1/package/version/publish?domain=d0&asset=a%20b.whl",
        headers={"X-Amz-Content-SHA256": hashlib.sha256(BINARY).hexdigest()},
        data=BINARY,
    ),
    "unsigned-payload": Case(
        "POST",
        f"{AWS}/v1/package/version/publish?domain=d0",
        headers={"X-Amz-Content-SHA256": "UNSIGNED-PAYLOAD"},
        data=BINARY,
    ),
    "aws-hostname-https": Case("GET", f"{AWS}/v1/domain?domain=my-domain"),
    "path-needs-double-encoding": Case("GET", f"{LOCAL}/v1/a%3Ab/c%20d/~user/%2F/%C3%BC"),
    "path-dot-segments-and-slashes": Case("GET", f"{LOCAL}//v1/./a/../b//c/?x=1"),
    "empty-path": Case("GET", f"{LOCAL}?x=1"),
    "header-whitespace-collapsed": Case(
        "GET", f"{LOCAL}/v1/x", headers={"X-Custom": "  a   b \t c  ", "X-Other": "v"}
    ),
    "date-header-instead-of-x-amz-date": Case(
        "GET", f"{LOCAL}/v1/x", headers={"Date": "replaced by botocore"}
    ),
    "presigned-get": Case("GET", f"{LOCAL}/v1/x?domain=my-domain&b=%2F", presign_expires=900),
    "presigned-with-token": Case("GET", f"{LOCAL}/v1/x", presign_expires=3600, token=TOKEN),
    "region-eu-west-1": Case("GET", f"{LOCAL}/v1/domains", region="eu-west-1"),
    "region-ap-southeast-2": Case("POST", f"{LOCAL}/v1/domains", region="ap-southeast-2"),
}


@pytest.mark.parametrize("case", POSITIVE.values(), ids=POSITIVE.keys())
def test_botocore_signed_request_verifies(case: Case) -> None:
    credential = check(sign(case))
    assert credential.access_key_id == AKID
    assert credential.region == case.region
    assert credential.service == "codeartifact"
    assert credential.date == "20261127"
    assert credential.amz_date == "20261127T090101Z"
    assert credential.session_token == case.token
    assert credential.presigned is (case.presign_expires is not None)
    assert credential.expires == case.presign_expires
    assert "host" in credential.signed_headers


def test_wire_forms_are_what_the_cases_claim() -> None:
    """Guard the fixtures: the interesting encodings really reach the verifier."""
    encoded = sign(POSITIVE["params-urlencoded-by-botocore"]).request
    assert "package=my+package" in encoded.raw_query
    assert "%40scope" in encoded.raw_query
    path = sign(POSITIVE["path-needs-double-encoding"])
    assert path.request.raw_path == "/v1/a%3Ab/c%20d/~user/%2F/%C3%BC"
    assert path.canonical is not None
    assert "/v1/a%253Ab/c%2520d/~user/%252F/%25C3%25BC\n" in path.canonical
    arn = sign(POSITIVE["percent-encoded-query"]).request
    assert arn.raw_query == ARN_QUERY


def test_the_fifteen_minute_edges_still_verify() -> None:
    signed = sign(POSITIVE["get-with-query"])
    check(signed, now=SIGNED_AT + timedelta(minutes=15))
    check(signed, now=SIGNED_AT - timedelta(minutes=15))


def test_naive_now_is_taken_as_utc() -> None:
    check(sign(POSITIVE["get-with-query"]), now=SIGNED_AT.replace(tzinfo=None))


@pytest.mark.parametrize(
    "authorization",
    [
        "AWS4-HMAC-SHA256 Credential={c},SignedHeaders={h},Signature={s}",
        "AWS4-HMAC-SHA256   Credential={c} ,  SignedHeaders={h},   Signature={s}  ",
        "AWS4-HMAC-SHA256 Signature={s}, Credential={c}, SignedHeaders={h}",
    ],
    ids=["no-spaces", "extra-spaces", "reordered"],
)
def test_authorization_header_spacing_is_tolerated(authorization: str) -> None:
    signed = sign(POSITIVE["post-json-signed-content-type"])
    original = sigv4.parse(signed.request)
    rewritten = authorization.format(
        c=f"{AKID}/{original.scope}",
        h=";".join(original.signed_headers),
        s=original.signature,
    )
    check(Signed(with_headers(signed.request, authorization=rewritten)))


# ------------------------------------------------------------------- real botocore client


class _Captured(Exception):
    def __init__(self, request: AWSPreparedRequest) -> None:
        super().__init__("captured")
        self.request = request


@pytest.fixture(scope="module")
def client() -> Iterator[Any]:
    session = botocore.session.Session()
    codeartifact = session.create_client(
        "codeartifact",
        region_name="eu-central-1",
        endpoint_url=LOCAL,
        aws_access_key_id=AKID,
        aws_secret_access_key=SECRET,
        config=Config(retries={"max_attempts": 1}),
    )

    def capture(request: AWSPreparedRequest, **_: object) -> None:
        raise _Captured(request)

    codeartifact.meta.events.register("before-send.codeartifact", capture)
    yield codeartifact
    codeartifact.close()


CLIENT_CALLS: dict[str, tuple[str, dict[str, Any]]] = {
    "list-domains-json-body": ("list_domains", {"maxResults": 5}),
    "list-tags-percent-encoded-arn": ("list_tags_for_resource", {"resourceArn": ARN}),
    "describe-package-version-odd-values": (
        "describe_package_version",
        {
            "domain": "my-domain",
            "repository": "my-repo",
            "format": "npm",
            "namespace": "sc ope",
            "package": "p+q",
            "packageVersion": "1.0.0 ~x/y",
        },
    ),
    "get-authorization-token": (
        "get_authorization_token",
        {"domain": "my-domain", "domainOwner": "111122223333", "durationSeconds": 900},
    ),
    "publish-package-version-sha256-header": (
        "publish_package_version",
        {
            "domain": "my-domain",
            "repository": "my-repo",
            "format": "generic",
            "namespace": "ns",
            "package": "pkg",
            "packageVersion": "1.0",
            "assetContent": b"asset bytes",
            "assetName": "pkg 1.0.tar.gz",
            "assetSHA256": hashlib.sha256(b"asset bytes").hexdigest(),
        },
    ),
}


def call(client: Any, operation: str, kwargs: dict[str, Any]) -> SignedRequest:
    with frozen_clock(SIGNED_AT), pytest.raises(_Captured) as captured:
        getattr(client, operation)(**kwargs)
    return to_wire(captured.value.request)


@pytest.mark.parametrize("operation", CLIENT_CALLS.values(), ids=CLIENT_CALLS.keys())
def test_real_codeartifact_client_request_verifies(
    client: Any, operation: tuple[str, dict[str, Any]]
) -> None:
    request = call(client, *operation)
    assert check(Signed(request)).region == "eu-central-1"


def test_publish_with_wrong_asset_sha256_is_refused(client: Any) -> None:
    _, kwargs = CLIENT_CALLS["publish-package-version-sha256-header"]
    request = call(client, "publish_package_version", {**kwargs, "assetSHA256": "0" * 64})
    _expect(InvalidSignature, CONTENT_SHA256_MISMATCH, Signed(request))


def test_caller_may_defer_body_hashing_to_the_declared_header(client: Any) -> None:
    """payload_sha256="UNSIGNED-PAYLOAD": the header is trusted for the signature."""
    _, kwargs = CLIENT_CALLS["publish-package-version-sha256-header"]
    request = call(client, "publish_package_version", kwargs)
    check(Signed(replace(request, payload_sha256="UNSIGNED-PAYLOAD")))


# ---------------------------------------------------------------------- tampered requests


def _expect(exception: type[Exception], message: str, signed: Signed, **kwargs: Any) -> None:
    with pytest.raises(exception) as raised:
        check(Signed(signed.request), **kwargs)
    assert str(raised.value) == message
    assert SECRET not in str(raised.value)


def _tamper_body(r: SignedRequest) -> SignedRequest:
    return replace(r, payload_sha256=hashlib.sha256(b'{"description": "evil"}').hexdigest())


TAMPERING: dict[str, tuple[str, Callable[[SignedRequest], SignedRequest]]] = {
    "body": ("post-json-signed-content-type", _tamper_body),
    "query-value": (
        "get-with-query",
        lambda r: replace(r, raw_query=r.raw_query.replace("max-results=10", "max-results=11")),
    ),
    "query-added": ("get-with-query", lambda r: replace(r, raw_query=r.raw_query + "&admin=1")),
    "query-removed": (
        "repeated-and-empty-params",
        lambda r: replace(r, raw_query=r.raw_query.replace("a=z&", "")),
    ),
    "encoded-arn": (
        "percent-encoded-query",
        lambda r: replace(r, raw_query=r.raw_query.replace("example", "other")),
    ),
    "path": ("get-with-query", lambda r: replace(r, raw_path="/v1/repositories")),
    "path-encoding": (
        "path-needs-double-encoding",
        lambda r: replace(r, raw_path=r.raw_path.replace("%3A", ":")),
    ),
    "method": ("put", lambda r: replace(r, method="POST")),
    "signed-header": (
        "post-json-signed-content-type",
        lambda r: with_headers(r, content_type="text/plain"),
    ),
    "host": ("get-with-query", lambda r: with_headers(r, host="evil.example:8080")),
    "session-token": (
        "session-token",
        lambda r: with_headers(r, x_amz_security_token="other-token"),
    ),
    "presigned-query": (
        "presigned-get",
        lambda r: replace(r, raw_query=r.raw_query.replace("my-domain", "other")),
    ),
    "presigned-signature": (
        "presigned-get",
        lambda r: replace(r, raw_query=r.raw_query[:-1] + ("0" if r.raw_query[-1] != "0" else "1")),
    ),
}


@pytest.mark.parametrize("change", TAMPERING.values(), ids=TAMPERING.keys())
def test_tampered_request_is_refused(
    change: tuple[str, Callable[[SignedRequest], SignedRequest]],
) -> None:
    case, tamper = change
    signed = sign(POSITIVE[case])
    _expect(InvalidSignature, MISMATCH, Signed(tamper(signed.request)))


def test_wrong_secret_is_refused() -> None:
    _expect(InvalidSignature, MISMATCH, sign(POSITIVE["get-with-query"]), secret="x" + SECRET)


def test_tampered_body_under_declared_sha256_is_refused() -> None:
    signed = sign(POSITIVE["raw-body-with-content-sha256"])
    _expect(InvalidSignature, CONTENT_SHA256_MISMATCH, Signed(_tamper_body(signed.request)))


def test_streaming_payload_sentinel_is_not_accepted_as_a_hash() -> None:
    signed = sign(
        Case(
            "PUT",
            f"{LOCAL}/v1/x",
            headers={"X-Amz-Content-SHA256": "STREAMING-AWS4-HMAC-SHA256-PAYLOAD"},
            data=b"chunked",
        )
    )
    _expect(InvalidSignature, CONTENT_SHA256_MISMATCH, signed)


def test_unsigned_host_is_refused() -> None:
    signed = sign(POSITIVE["post-json-signed-content-type"])
    authorization = signed.request.headers["authorization"].replace(
        "SignedHeaders=content-type;host;x-amz-date", "SignedHeaders=content-type;x-amz-date"
    )
    _expect(
        InvalidSignature,
        HOST_UNSIGNED,
        Signed(with_headers(signed.request, authorization=authorization)),
    )


# --------------------------------------------------------------------------- time & scope


def test_stale_signature_is_refused() -> None:
    _expect(
        InvalidSignature,
        "Signature expired: 20261127T090101Z is now earlier than 20261127T090201Z "
        "(20261127T091701Z - 15 min.)",
        sign(POSITIVE["get-with-query"]),
        now=SIGNED_AT + timedelta(minutes=16),
    )


def test_future_signature_is_refused() -> None:
    _expect(
        InvalidSignature,
        "Signature not yet current: 20261127T090101Z is still later than 20261127T090001Z "
        "(20261127T084501Z + 15 min.)",
        sign(POSITIVE["get-with-query"]),
        now=SIGNED_AT - timedelta(minutes=16),
    )


def test_max_skew_is_configurable() -> None:
    signed = sign(POSITIVE["get-with-query"])
    request = signed.request
    credential = sigv4.parse(request)
    later = SIGNED_AT + timedelta(minutes=6)
    sigv4.verify(request, credential, SECRET, now=later, max_skew=timedelta(minutes=10))
    with pytest.raises(InvalidSignature, match=r"\(20261127T090701Z - 5 min\.\)"):
        sigv4.verify(request, credential, SECRET, now=later, max_skew=timedelta(minutes=5))


def _rewrite_authorization(signed: Signed, old: str, new: str) -> Signed:
    authorization = signed.request.headers["authorization"]
    assert old in authorization
    return Signed(with_headers(signed.request, authorization=authorization.replace(old, new)))


def test_scope_date_must_match_x_amz_date() -> None:
    signed = _rewrite_authorization(sign(POSITIVE["get-with-query"]), "/20261127/", "/20261126/")
    _expect(
        InvalidSignature,
        "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from "
        "HTTP: '20261126' != '20261127', from '20261127T090101Z'.",
        signed,
    )


def test_scope_date_must_match_even_just_after_midnight() -> None:
    """Signed 23:59:59 with scope of that day, X-Amz-Date moved to 00:00:00 the next day."""
    signed = sign(POSITIVE["get-with-query"], at=datetime(2026, 11, 26, 23, 59, 59, tzinfo=UTC))
    moved = Signed(with_headers(signed.request, x_amz_date="20261127T000000Z"))
    with pytest.raises(InvalidSignature, match="'20261126' != '20261127'"):
        check(moved, now=datetime(2026, 11, 27, 0, 0, 1, tzinfo=UTC))


def test_wrong_service_in_scope_is_refused() -> None:
    signed = sign(replace(POSITIVE["get-with-query"], service="codecommit"))
    _expect(
        InvalidSignature, "Credential should be scoped to correct service: 'codeartifact'.", signed
    )


def test_service_is_configurable() -> None:
    signed = sign(replace(POSITIVE["get-with-query"], service="sts"))
    request = signed.request
    sigv4.verify(request, sigv4.parse(request), SECRET, now=SIGNED_AT, service="sts")


def test_wrong_terminator_is_refused() -> None:
    signed = _rewrite_authorization(
        sign(POSITIVE["get-with-query"]), "/aws4_request", "/aws5_request"
    )
    _expect(
        InvalidSignature,
        "Credential should be scoped with a valid terminator: 'aws4_request', not 'aws5_request'.",
        signed,
    )


def test_scope_problems_are_reported_together() -> None:
    signed = _rewrite_authorization(
        sign(POSITIVE["get-with-query"]),
        "/20261127/us-east-1/codeartifact/aws4_request",
        "/20261126/us-east-1/s3/aws5_request",
    )
    with pytest.raises(InvalidSignature) as raised:
        check(signed)
    assert str(raised.value).count("Credential should be scoped") == 2
    assert "Date in Credential scope" in str(raised.value)


# --------------------------------------------------------------------------- presigned URLs


def test_expired_presigned_url_is_refused() -> None:
    signed = sign(replace(POSITIVE["presigned-get"], presign_expires=60))
    check(signed, now=SIGNED_AT + timedelta(seconds=60))
    _expect(
        InvalidSignature,
        "Signature expired: 20261127T090101Z is now earlier than 20261127T090102Z "
        "(20261127T090202Z - 1 min.)",
        signed,
        now=SIGNED_AT + timedelta(seconds=61),
    )


def test_presigned_url_outlives_the_skew_window_until_it_expires() -> None:
    signed = sign(replace(POSITIVE["presigned-get"], presign_expires=7200))
    check(signed, now=SIGNED_AT + timedelta(minutes=119))
    _expect(
        InvalidSignature,
        "Signature expired: 20261127T090101Z is now earlier than 20261127T090111Z "
        "(20261127T110111Z - 120 min.)",
        signed,
        now=SIGNED_AT + timedelta(minutes=120, seconds=10),
    )


def test_presigned_url_from_the_future_is_refused() -> None:
    signed = sign(POSITIVE["presigned-get"])
    with pytest.raises(InvalidSignature, match=r"^Signature not yet current: "):
        check(Signed(signed.request), now=SIGNED_AT - timedelta(minutes=16))


def _drop_param(query: str, name: str) -> str:
    return "&".join(p for p in query.split("&") if not p.startswith(f"{name}="))


@pytest.mark.parametrize(
    ("name", "message"),
    [
        (
            "X-Amz-Credential",
            "AWS query-string parameters must include 'X-Amz-Credential'. "
            "Re-examine the query-string parameters.",
        ),
        (
            "X-Amz-Signature",
            "AWS query-string parameters must include 'X-Amz-Signature'. "
            "Re-examine the query-string parameters.",
        ),
        (
            "X-Amz-Expires",
            "AWS query-string parameters must include 'X-Amz-Expires'. "
            "Re-examine the query-string parameters.",
        ),
    ],
)
def test_presigned_url_missing_parameter_is_incomplete(name: str, message: str) -> None:
    request = sign(POSITIVE["presigned-get"]).request
    request = replace(request, raw_query=_drop_param(request.raw_query, name))
    with pytest.raises(IncompleteSignature) as raised:
        sigv4.parse(request)
    assert str(raised.value) == message


@pytest.mark.parametrize("expires", ["604801", "0", "-5", "soon"])
def test_presigned_expires_out_of_range_is_incomplete(expires: str) -> None:
    request = sign(POSITIVE["presigned-get"]).request
    query = request.raw_query.replace("X-Amz-Expires=900", f"X-Amz-Expires={expires}")
    with pytest.raises(IncompleteSignature, match=r"^X-Amz-Expires must be"):
        sigv4.parse(replace(request, raw_query=query))


def test_presigned_bad_algorithm_is_incomplete() -> None:
    request = sign(POSITIVE["presigned-get"]).request
    query = request.raw_query.replace("X-Amz-Algorithm=AWS4-HMAC-SHA256", "X-Amz-Algorithm=HS256")
    with pytest.raises(IncompleteSignature, match=r"^Unsupported AWS 'algorithm': 'HS256'\.$"):
        sigv4.parse(replace(request, raw_query=query))


def test_header_wins_over_presigned_query() -> None:
    """An X-Amz-Signature query parameter on a header-signed request is just a parameter."""
    case = replace(
        POSITIVE["get-with-query"], url=POSITIVE["get-with-query"].url + "&X-Amz-Signature=1"
    )
    assert not check(sign(case)).presigned


# ------------------------------------------------------------------ malformed / missing auth


def _parse_with_authorization(authorization: str) -> Credential:
    base = sign(POSITIVE["get-with-query"]).request
    return sigv4.parse(with_headers(base, authorization=authorization))


GOOD_CREDENTIAL = f"Credential={AKID}/20261127/us-east-1/codeartifact/aws4_request"
MALFORMED = {
    "missing-signature": (
        f"AWS4-HMAC-SHA256 {GOOD_CREDENTIAL}, SignedHeaders=host;x-amz-date",
        "Authorization header requires 'Signature' parameter. "
        f"Authorization=AWS4-HMAC-SHA256 {GOOD_CREDENTIAL}, SignedHeaders=host;x-amz-date",
    ),
    "missing-credential": (
        "AWS4-HMAC-SHA256 SignedHeaders=host;x-amz-date, Signature=abc",
        "Authorization header requires 'Credential' parameter. "
        "Authorization=AWS4-HMAC-SHA256 SignedHeaders=host;x-amz-date, Signature=abc",
    ),
    "missing-everything": (
        "AWS4-HMAC-SHA256",
        "Authorization header requires 'Credential' parameter. "
        "Authorization header requires 'Signature' parameter. "
        "Authorization header requires 'SignedHeaders' parameter. "
        "Authorization=AWS4-HMAC-SHA256",
    ),
    "bad-algorithm": (
        f"AWS4-HMAC-SHA1 {GOOD_CREDENTIAL}, SignedHeaders=host, Signature=abc",
        "Unsupported AWS 'algorithm': 'AWS4-HMAC-SHA1'.",
    ),
    "bearer-token": ("Bearer eyJhbGciOi.x.y", "Unsupported AWS 'algorithm': 'Bearer'."),
    "bad-credential-scope": (
        f"AWS4-HMAC-SHA256 Credential={AKID}/20261127/us-east-1, SignedHeaders=host, Signature=a",
        "Credential must have exactly 5 slash-delimited elements, "
        f"e.g. keyid/date/region/service/term, got '{AKID}/20261127/us-east-1'",
    ),
    "not-key-value": (
        "AWS4-HMAC-SHA256 FooBar, BazBurp",
        "'FooBar' not a valid key=value pair (missing equal-sign) in Authorization header: "
        "'AWS4-HMAC-SHA256 FooBar, BazBurp'.",
    ),
}


@pytest.mark.parametrize(("authorization", "message"), MALFORMED.values(), ids=MALFORMED.keys())
def test_malformed_authorization_header_is_incomplete(authorization: str, message: str) -> None:
    with pytest.raises(IncompleteSignature) as raised:
        _parse_with_authorization(authorization)
    assert str(raised.value) == message


def test_missing_date_is_incomplete() -> None:
    signed = sign(POSITIVE["get-with-query"])
    request = without_header(signed.request, "x-amz-date")
    with pytest.raises(IncompleteSignature) as raised:
        sigv4.parse(request)
    assert str(raised.value) == (
        "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header. "
        f"Authorization={request.headers['authorization']}"
    )


@pytest.mark.parametrize("value", ["2026-11-27T09:01:01Z", "20261127T0901Z", "20261345T090101Z"])
def test_badly_formatted_x_amz_date_is_incomplete(value: str) -> None:
    signed = sign(POSITIVE["get-with-query"])
    with pytest.raises(IncompleteSignature) as raised:
        sigv4.parse(with_headers(signed.request, x_amz_date=value))
    assert str(raised.value) == (
        f"Date must be in ISO-8601 'basic format'. Got '{value}'. "
        "See http://en.wikipedia.org/wiki/ISO_8601"
    )


@pytest.mark.parametrize(
    "headers",
    [{}, {"authorization": ""}, {"authorization": "   "}],
    ids=["no-header", "empty", "blank"],
)
def test_missing_authentication(headers: dict[str, str]) -> None:
    request = SignedRequest("GET", "/v1/domains", "a=1", {"host": "h", **headers}, "e3b0")
    with pytest.raises(MissingAuthentication) as raised:
        sigv4.parse(request)
    assert str(raised.value) == "Missing Authentication Token"


# ------------------------------------------------------------------------- canonical forms


@pytest.mark.parametrize(
    ("raw_path", "expected"),
    [
        ("", "/"),
        ("/", "/"),
        ("/v1/domain", "/v1/domain"),
        ("/a%3Ab", "/a%253Ab"),
        ("/a b/~c", "/a%20b/~c"),
        ("/a/./b/../c//d/", "/a/c/d/"),
        ("/..", "/"),
    ],
)
def test_canonical_uri_matches_botocore(raw_path: str, expected: str) -> None:
    assert sigv4.canonical_uri(raw_path) == expected
    url = f"{LOCAL}{raw_path}"
    assert (
        botocore.auth.SigV4Auth(None, "s", "r")._normalize_url_path(urlsplit(url).path) == expected
    )


@pytest.mark.parametrize(
    ("raw_query", "expected"),
    [
        ("", ""),
        ("b=2&a=1", "a=1&b=2"),
        ("a=2&a=1&a=", "a=&a=1&a=2"),
        ("flag", "flag="),
        ("q=a+b&r=a%20b", "q=a%20b&r=a%20b"),
        ("k=%7e%2a", "k=~%2A"),
        ("arn=arn:aws:x/y", "arn=arn%3Aaws%3Ax%2Fy"),
        ("a=1&&b=2", "a=1&b=2"),
        ("%7Ek=1&a+b=2&c%5Bd%5D=3", "a%20b=2&c%5Bd%5D=3&~k=1"),
    ],
)
def test_canonical_query(raw_query: str, expected: str) -> None:
    assert sigv4.canonical_query(raw_query) == expected


def test_presigned_canonical_query_drops_only_the_signature() -> None:
    query = "X-Amz-Signature=abc&X-Amz-Date=1&a=b"
    assert sigv4.canonical_query(query, presigned=True) == "X-Amz-Date=1&a=b"
    assert sigv4.canonical_query(query) == "X-Amz-Date=1&X-Amz-Signature=abc&a=b"


def test_credential_exposes_scope() -> None:
    credential = check(sign(POSITIVE["region-eu-west-1"]))
    assert credential.scope == "20261127/eu-west-1/codeartifact/aws4_request"
    assert credential.terminator == "aws4_request"
