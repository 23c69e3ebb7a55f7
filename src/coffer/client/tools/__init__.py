"""Config writers, one module per tool, each with ``plan(LoginTarget) -> list[FileChange]``."""

from __future__ import annotations

from collections.abc import Callable, Mapping

from coffer.client.tools import npm, pdm, pip, poetry, twine, uv
from coffer.client.tools.base import FileChange, LoginTarget, apply

__all__ = ["FORMATS", "WRITERS", "FileChange", "LoginTarget", "apply"]

Writer = Callable[[LoginTarget], list[FileChange]]

WRITERS: Mapping[str, Writer] = {
    "pip": pip.plan,
    "twine": twine.plan,
    "poetry": poetry.plan,
    "uv": uv.plan,
    "pdm": pdm.plan,
    "npm": npm.plan,
}
# The repository endpoint format each tool talks to.
FORMATS: Mapping[str, str] = {tool: "npm" if tool == "npm" else "pypi" for tool in WRITERS}
