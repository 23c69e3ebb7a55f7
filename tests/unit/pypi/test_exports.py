"""The package's exports, and its promise to stay sans-IO."""

from __future__ import annotations

import subprocess
import sys
import types

import coffer.formats.pypi as pypi


def test_all_names_exist_once() -> None:
    assert len(set(pypi.__all__)) == len(pypi.__all__)
    for name in pypi.__all__:
        assert hasattr(pypi, name), name


def test_everything_public_is_exported() -> None:
    public = {
        name
        for name, value in vars(pypi).items()
        if not name.startswith("_") and not isinstance(value, types.ModuleType)
    }
    assert public == set(pypi.__all__)


def test_no_http_database_or_event_loop() -> None:
    forbidden = (
        "starlette",
        "sqlalchemy",
        "httpx",
        "asyncio",
        "anyio",
        "coffer.services",
        "coffer.storage",
    )
    code = (
        "import sys, coffer.formats.pypi\n"
        f"print(','.join(m for m in {forbidden!r} if m in sys.modules))"
    )
    loaded = subprocess.run(
        [sys.executable, "-c", code], check=True, capture_output=True, text=True
    ).stdout.strip()
    assert loaded == ""
