"""uv: an ``[[index]]`` in the user's ``uv.toml`` (``$UV_CONFIG_FILE``, else
``$XDG_CONFIG_HOME/uv/uv.toml``), which ``uv pip``, ``uv add``, ``uv sync`` and ``uv lock`` read.

Credentials: uv has no separate credentials key for a configured index (only the environment
variables ``UV_INDEX_<NAME>_USERNAME/PASSWORD``, its ``uv auth`` store, or a keyring), so a
token login puts ``aws:TOKEN@`` in the index URL of this *user* file (created 0600; uv keeps
credentials out of ``uv.lock``). Do not copy that URL into a project's ``pyproject.toml``. A
keyring set-up writes ``aws@`` (no password) and ``keyring-provider = "subprocess"``: uv asks
``keyring get URL aws`` only when the URL names a user, and Coffer's backend answers.
"""

from __future__ import annotations

from pathlib import Path

import tomlkit

from coffer.client.tools import toml
from coffer.client.tools.base import USERNAME, FileChange, LoginTarget, config_home, read_text
from coffer.client.urls import with_credentials

__all__ = ["config_path", "plan"]


def config_path(target: LoginTarget) -> Path:
    configured = target.env.get("UV_CONFIG_FILE")
    if configured:
        return Path(configured)
    return config_home(target.env, target.home) / "uv" / "uv.toml"


def plan(target: LoginTarget) -> list[FileChange]:
    path = config_path(target)
    before = read_text(path)
    doc = toml.parse(before, str(path))
    url = with_credentials(target.index_url, USERNAME, target.token)
    settings = toml.set_in_array(doc, "index", {"name": target.name}, {"url": url}, str(path))
    if target.token is None:
        settings += toml.set_top(doc, {"keyring-provider": "subprocess"})
    return [FileChange(path, before, tomlkit.dumps(doc), tuple(settings))]
