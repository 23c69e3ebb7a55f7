"""Coffer URL recognition, token export lines, and the token cache's idea of "fresh"."""

from __future__ import annotations

import json
import stat
from pathlib import Path

import pytest

from coffer.client import clock
from coffer.client.api import Token
from coffer.client.cache import TokenCache, is_fresh
from coffer.client.errors import ClientError
from coffer.client.token import Exported, env_name, export
from coffer.client.urls import EndpointUrl, parse_endpoint_url, with_credentials


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        (
            "http://127.0.0.1:8000/my-dom-111122223333/pypi/repo.x/simple/pkg/",
            EndpointUrl("http://127.0.0.1:8000", "my-dom", "111122223333", "pypi", "repo.x"),
        ),
        (
            "https://u:p@coffer.example.com/base/path/d1-000000000001/npm/r/",
            EndpointUrl("https://coffer.example.com/base/path", "d1", "000000000001", "npm", "r"),
        ),
    ],
)
def test_coffer_urls_are_recognised(url: str, expected: EndpointUrl) -> None:
    assert parse_endpoint_url(url) == expected


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:8000/simple/",
        "127.0.0.1:8000",
        "https://pypi.org/simple/requests/",
        "https://acme-111122223333.d.codeartifact.us-east-1.amazonaws.com/pypi/repo/simple/",
        "http://host/dom-12345/pypi/repo/",  # owner is not 12 digits
        "ftp://host/dom-111122223333/pypi/repo/",
    ],
)
def test_other_urls_are_not(url: str) -> None:
    assert parse_endpoint_url(url) is None


def test_with_credentials_encodes_and_replaces() -> None:
    assert with_credentials("https://old:x@h/p/", "aws", "a/b") == "https://aws:a%2Fb@h/p/"
    assert with_credentials("https://h/p/", "aws") == "https://aws@h/p/"


ENDPOINT = "https://h/acme-111122223333/pypi/team-repo/"


def test_export_formats() -> None:
    data = Exported("tok'en", "team-repo", ENDPOINT)
    assert export("token", data) == "tok'en\n"
    assert export("docker-secret", data) == "tok'en"
    assert export("env", data) == "export CODEARTIFACT_AUTH_TOKEN='tok'\"'\"'en'\n"
    assert export("poetry", Exported("t", "team-repo", ENDPOINT, export_keyword=False)) == (
        "POETRY_HTTP_BASIC_TEAM_REPO_USERNAME=aws\nPOETRY_HTTP_BASIC_TEAM_REPO_PASSWORD=t\n"
        f"POETRY_REPOSITORIES_TEAM_REPO_URL={ENDPOINT}\n"
    )
    assert export("uv", Exported("t", "x.y", None)) == (
        "export UV_INDEX_X_Y_USERNAME=aws\nexport UV_INDEX_X_Y_PASSWORD=t\n"
    )
    assert export("pip", Exported("t", None, ENDPOINT)) == (
        "export PIP_INDEX_URL=https://aws:t@h/acme-111122223333/pypi/team-repo/simple/\n"
    )
    assert env_name("my.repo-1") == "MY_REPO_1"


@pytest.mark.parametrize("fmt", ["pip", "poetry", "uv"])
def test_export_needs_a_repository(fmt: str) -> None:
    with pytest.raises(ClientError, match=f"--export-format {fmt} needs"):
        export(fmt, Exported("t"))


def test_a_token_goes_stale_before_it_expires(monkeypatch: pytest.MonkeyPatch) -> None:
    start = clock.now()
    token = Token("t", start + 3600)
    assert is_fresh(token, start)
    monkeypatch.setenv(clock.OFFSET_VARIABLE, "3290")  # 5 min 10 s left: still fine
    assert is_fresh(token, start)
    monkeypatch.setenv(clock.OFFSET_VARIABLE, "3310")  # under 5 minutes left: refresh
    assert not is_fresh(token, start)
    tiny = Token("t", start + 100)  # a very short token is refreshed at half its life
    monkeypatch.setenv(clock.OFFSET_VARIABLE, "40")
    assert is_fresh(tiny, start)
    monkeypatch.setenv(clock.OFFSET_VARIABLE, "60")
    assert not is_fresh(tiny, start)


def test_cache_reuses_then_refreshes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    fetched: list[Token] = []

    def fetch() -> Token:
        fetched.append(Token(f"t{len(fetched)}", clock.now() + 3600))
        return fetched[-1]

    cache = TokenCache(tmp_path / "tokens")
    assert cache.get("k", fetch).value == "t0"
    assert TokenCache(tmp_path / "tokens").get("k", fetch).value == "t0"  # from disk
    assert len(fetched) == 1
    path = cache.path("k")
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    assert json.loads(path.read_text())["token"] == "t0"

    monkeypatch.setenv(clock.OFFSET_VARIABLE, "3400")
    assert TokenCache(tmp_path / "tokens").get("k", fetch).value == "t1"
    assert cache.get("k", fetch).value == "t1"  # the in-memory copy went stale too
    path.write_text("not json")
    assert TokenCache(tmp_path / "tokens").get("k", fetch).value == "t2"  # unreadable: refetch
