"""PEP 691 content negotiation, with the Accept headers real clients send (clients.md §3)."""

from __future__ import annotations

import pytest

from coffer.formats.pypi import SimpleFormat, negotiate

JSON, HTML, TEXT = SimpleFormat.JSON, SimpleFormat.HTML, SimpleFormat.TEXT_HTML

PIP = (
    "application/vnd.pypi.simple.v1+json, application/vnd.pypi.simple.v1+html; q=0.1, "
    "text/html; q=0.01"
)
UV = (
    "application/vnd.pypi.simple.v1+json, application/vnd.pypi.simple.v1+html;q=0.2, "
    "text/html;q=0.01"
)
POETRY = "application/vnd.pypi.simple.v1+json, */*;q=0.1"
BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,*/*;q=0.8"


@pytest.mark.parametrize(
    ("accept", "expected"),
    [
        # real clients
        (PIP, JSON),
        (UV, JSON),
        (POETRY, JSON),
        (BROWSER, TEXT),
        ("*/*", TEXT),  # pip's file downloads, curl
        # no preference
        (None, TEXT),
        ("", TEXT),
        ("   ", TEXT),
        # single types
        ("text/html", TEXT),
        ("application/vnd.pypi.simple.v1+html", HTML),
        ("application/vnd.pypi.simple.v1+json", JSON),
        ("application/vnd.pypi.simple.latest+json", JSON),
        ("application/vnd.pypi.simple.latest+html", HTML),
        ("application/*", JSON),
        ("text/*", TEXT),
        # q-values decide; ties go to JSON, then the versioned HTML
        ("application/vnd.pypi.simple.v1+json;q=0.1, text/html", TEXT),
        ("application/vnd.pypi.simple.v1+html, application/vnd.pypi.simple.v1+json", JSON),
        ("text/html;q=0.5, application/vnd.pypi.simple.v1+html;q=0.5", HTML),
        ("text/html, application/vnd.pypi.simple.v1+html;q=0.999", TEXT),
        # an exact match beats a wildcard at the same q, whatever the order
        ("*/*, application/vnd.pypi.simple.v1+html", HTML),
        # the most specific range sets an offer's q
        ("application/vnd.pypi.simple.v1+json;q=0.5, */*", TEXT),
        ("application/*;q=0.2, application/vnd.pypi.simple.v1+html;q=0.3, text/html;q=0.1", HTML),
        # q=0 excludes
        ("application/vnd.pypi.simple.v1+json;q=0", None),
        ("application/vnd.pypi.simple.v1+json;q=0, text/html", TEXT),
        ("*/*, application/vnd.pypi.simple.v1+json;q=0", TEXT),
        ("text/html;q=0, */*", JSON),
        ("*/*;q=0", None),
        ("text/html;q=0.000", None),
        # nothing we serve
        ("application/json", None),
        ("application/vnd.pypi.simple.v2+json", None),
        ("image/png, text/plain", None),
        # case, whitespace and other parameters
        ("Application/Vnd.PyPI.Simple.V1+JSON", JSON),
        ("TEXT/HTML;Q=0.5", TEXT),
        ("text/html ; charset=utf-8 ; q=0.3 , application/vnd.pypi.simple.v1+json;q=0.2", TEXT),
        # garbage: malformed ranges are skipped; if none is left, it is as if none was sent
        ("garbage", TEXT),
        (";;;,,,", TEXT),
        ("*/html", TEXT),
        ("text/html;q=abc", TEXT),
        ("text/html;q=2", TEXT),
        ("text/html;q=-1, application/json", None),
        ("application/json, text/html;q=nan", None),
        ("/, text/", TEXT),
    ],
)
def test_negotiate(accept: str | None, expected: SimpleFormat | None) -> None:
    assert negotiate(accept) is expected


def test_the_result_is_the_content_type() -> None:
    assert negotiate(PIP) == "application/vnd.pypi.simple.v1+json"
    assert (
        negotiate("application/vnd.pypi.simple.latest+html")
        == "application/vnd.pypi.simple.v1+html"
    )
    assert negotiate(None) == "text/html"
    assert [f.is_json for f in SimpleFormat] == [True, False, False]
