"""The package's exports, and who may import it."""

from __future__ import annotations

import subprocess
import sys
import types

import coffer.remotes as remotes


def test_all_names_exist_once() -> None:
    assert len(set(remotes.__all__)) == len(remotes.__all__)
    for name in remotes.__all__:
        assert hasattr(remotes, name), name


def test_everything_public_is_exported() -> None:
    public = {
        name
        for name, value in vars(remotes).items()
        if not name.startswith("_") and not isinstance(value, types.ModuleType)
    }
    assert public == set(remotes.__all__)


def test_no_web_framework() -> None:
    forbidden = ("starlette", "uvicorn", "coffer.api", "coffer.web", "coffer.formats.routes")
    code = (
        f"import sys, coffer.remotes\nprint(','.join(m for m in {forbidden!r} if m in sys.modules))"
    )
    loaded = subprocess.run(
        [sys.executable, "-c", code], check=True, capture_output=True, text=True
    ).stdout.strip()
    assert loaded == ""
