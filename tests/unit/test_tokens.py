"""coffer.iam.tokens: signed, URL-safe bearer tokens verified without a database."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
from dataclasses import replace

import pytest

from coffer.errors import InvalidToken
from coffer.iam.tokens import TOKEN_PREFIX, TokenClaims, issue_token, verify_token

KEY = bytes(range(32))
OTHER_KEY = bytes(range(1, 33))
NOW = 1_800_000_000
CLAIMS = TokenClaims(
    key_id="k1",
    account_id="111122223333",
    user_id="AIDAEXAMPLEEXAMPLE12",
    domain="acme",
    domain_owner="444455556666",
    issued_at=NOW,
    expires_at=NOW + 43200,
)
KEYS = {"k1": KEY}


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def test_round_trip() -> None:
    token = issue_token(CLAIMS, KEY)

    assert verify_token(token, KEYS, now=NOW + 1) == CLAIMS


def test_token_is_marked_for_secret_scanners() -> None:
    assert issue_token(CLAIMS, KEY).startswith(TOKEN_PREFIX)


def test_url_safe_and_short_even_with_long_names() -> None:
    long = replace(
        CLAIMS,
        key_id="f" * 16,
        user_id="AIDA" + "X" * 28,
        domain="d" * 50,
        expires_at=NOW + 10**9,
    )

    token = issue_token(long, KEY)

    assert re.fullmatch(r"[A-Za-z0-9._-]+", token), token  # no '=', '+', '/': safe in a URL
    assert len(token) < 1200
    assert verify_token(token, {"f" * 16: KEY}, now=NOW) == long


def test_no_two_tokens_are_alike() -> None:
    """Two tokens for the same claims (same second, same user) are distinct, and both work."""
    first, second = issue_token(CLAIMS, KEY), issue_token(CLAIMS, KEY)

    assert first != second
    assert verify_token(first, KEYS, now=NOW) == verify_token(second, KEYS, now=NOW) == CLAIMS


def test_verifies_with_the_key_the_token_names_among_several() -> None:
    token = issue_token(replace(CLAIMS, key_id="old"), OTHER_KEY)

    claims = verify_token(token, {"new": KEY, "old": OTHER_KEY}, now=NOW)

    assert claims.key_id == "old"


def test_unknown_key_id() -> None:
    token = issue_token(replace(CLAIMS, key_id="retired"), KEY)

    with pytest.raises(InvalidToken):
        verify_token(token, KEYS, now=NOW)


def test_signed_with_a_different_key_under_the_same_id() -> None:
    token = issue_token(CLAIMS, OTHER_KEY)

    with pytest.raises(InvalidToken, match="not valid"):
        verify_token(token, KEYS, now=NOW)


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("a", "999999999999"),  # someone else's account
        ("u", "AIDAANOTHERUSER00000"),
        ("d", "other-domain"),
        ("e", NOW + 10**8),  # a longer life
    ],
)
def test_tampered_payload(field: str, value: object) -> None:
    prefix, payload, signature = issue_token(CLAIMS, KEY).split(".")
    claims = json.loads(unb64(payload))
    claims[field] = value
    forged = f"{prefix}.{b64(json.dumps(claims).encode())}.{signature}"

    with pytest.raises(InvalidToken, match="not valid"):
        verify_token(forged, KEYS, now=NOW)


def test_tampered_signature() -> None:
    prefix, payload, signature = issue_token(CLAIMS, KEY).split(".")
    flipped = ("A" if signature[0] != "A" else "B") + signature[1:]

    with pytest.raises(InvalidToken, match="not valid"):
        verify_token(f"{prefix}.{payload}.{flipped}", KEYS, now=NOW)


def test_signature_of_another_token() -> None:
    mine = issue_token(CLAIMS, KEY)
    theirs = issue_token(replace(CLAIMS, account_id="999999999999"), KEY)

    spliced = mine.rpartition(".")[0] + "." + theirs.rpartition(".")[2]

    with pytest.raises(InvalidToken):
        verify_token(spliced, KEYS, now=NOW)


def test_expiry_boundary() -> None:
    token = issue_token(CLAIMS, KEY)

    verify_token(token, KEYS, now=CLAIMS.expires_at - 0.001)
    with pytest.raises(InvalidToken, match="expired"):
        verify_token(token, KEYS, now=CLAIMS.expires_at)
    with pytest.raises(InvalidToken, match="expired"):
        verify_token(token, KEYS, now=CLAIMS.expires_at + 86400)


def _token_with_payload(payload: bytes, key: bytes = KEY) -> str:
    """A correctly *signed* token around an arbitrary payload."""
    signed_part = TOKEN_PREFIX + b64(payload)
    signature = b64(hmac.new(key, signed_part.encode(), hashlib.sha256).digest())
    return f"{signed_part}.{signature}"


GOOD = issue_token(CLAIMS, KEY)
GOOD_PAYLOAD, GOOD_SIGNATURE = GOOD.split(".")[1:]


MALFORMED = {
    "empty": "",
    "prefix-only": "cfr1.",
    "empty-parts": "cfr1..",
    "short-garbage": "cfr1.a.b",
    "punctuation": "cfr1.!!!.###",
    "other-prefix": f"cfr2.{GOOD_PAYLOAD}.{GOOD_SIGNATURE}",
    "no-prefix": f"{GOOD_PAYLOAD}.{GOOD_SIGNATURE}",
    "four-parts": f"{GOOD}.extra",
    "two-parts": GOOD.replace(".", "", 1),
    "no-signature": f"cfr1.{GOOD_PAYLOAD}.",
    "padded-signature": f"cfr1.{GOOD_PAYLOAD}.{GOOD_SIGNATURE}=",
    "short-signature": f"cfr1.{GOOD_PAYLOAD}.{GOOD_SIGNATURE[:-4]}",
    "non-ascii-signature": f"cfr1.{GOOD_PAYLOAD}.\u00e9{GOOD_SIGNATURE[1:]}",
    "non-ascii-payload": f"cfr1.\u00e9{GOOD_PAYLOAD}.{GOOD_SIGNATURE}",
    "basic-header": "Basic YXdzOnRva2Vu",
    "huge": "x" * 5000,
    "payload-array": _token_with_payload(b"[]"),
    "payload-null": _token_with_payload(b"null"),
    "payload-text": _token_with_payload(b"not json"),
    "missing-claims": _token_with_payload(b'{"k": "k1"}'),
    "non-numeric-times": _token_with_payload(
        b'{"k": "k1", "a": "1", "u": "u", "d": "d", "o": "o", "i": "x", "e": "y"}'
    ),
}


@pytest.mark.parametrize("token", MALFORMED.values(), ids=MALFORMED.keys())
def test_malformed(token: str) -> None:
    with pytest.raises(InvalidToken):
        verify_token(token, KEYS, now=NOW)


def test_malformed_tokens_say_so() -> None:
    with pytest.raises(InvalidToken, match="malformed"):
        verify_token("hello", KEYS, now=NOW)


def test_no_keys_at_all() -> None:
    with pytest.raises(InvalidToken):
        verify_token(GOOD, {}, now=NOW)
