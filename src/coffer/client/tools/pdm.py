"""pdm: an index source ``pypi.NAME`` and an upload repository ``repository.NAME`` in pdm's
global config (``$XDG_CONFIG_HOME/pdm/config.toml``), the keys ``pdm config`` writes.

``pdm add``/``pdm install`` use the source in every project; ``pdm publish -r NAME`` uploads.
"""

from __future__ import annotations

from pathlib import Path

import tomlkit

from coffer.client.tools import toml
from coffer.client.tools.base import USERNAME, FileChange, LoginTarget, config_home, read_text

__all__ = ["config_path", "plan"]


def config_path(target: LoginTarget) -> Path:
    return config_home(target.env, target.home) / "pdm" / "config.toml"


def plan(target: LoginTarget) -> list[FileChange]:
    path = config_path(target)
    before = read_text(path)
    doc = toml.parse(before, str(path))
    credentials = {"username": USERNAME, "password": target.token}
    settings = toml.set_table(
        doc, ("pypi", target.name), {"url": target.index_url, **credentials}, str(path)
    )
    settings += toml.set_table(
        doc, ("repository", target.name), {"url": target.endpoint, **credentials}, str(path)
    )
    return [FileChange(path, before, tomlkit.dumps(doc), tuple(settings))]
