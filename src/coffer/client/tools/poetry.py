"""Poetry: a repository in ``config.toml`` and its ``http-basic`` credentials in ``auth.toml``.

Both live in Poetry's config directory (``$POETRY_CONFIG_DIR``, else ``~/.config/pypoetry``),
which is what ``poetry config repositories.NAME …`` and ``poetry config http-basic.NAME …`` edit
when no keyring is in use. ``poetry publish -r NAME`` uploads to the endpoint; a project source
``NAME`` (``{endpoint}simple/``) installs with the same credentials, because Poetry matches
credentials by source name and, for any other source on the same host, by the configured
repository URL. For a keyring set-up the ``http-basic`` entry is removed, so Poetry asks the
keyring (Coffer's backend) for the repository URL.
"""

from __future__ import annotations

from pathlib import Path

import tomlkit

from coffer.client.tools import toml
from coffer.client.tools.base import USERNAME, FileChange, LoginTarget, config_home, read_text

__all__ = ["config_dir", "plan"]


def config_dir(target: LoginTarget) -> Path:
    configured = target.env.get("POETRY_CONFIG_DIR")
    if configured:
        return Path(configured)
    return config_home(target.env, target.home) / "pypoetry"


def plan(target: LoginTarget) -> list[FileChange]:
    directory = config_dir(target)
    config_path = directory / "config.toml"
    before = read_text(config_path)
    doc = toml.parse(before, str(config_path))
    settings = toml.set_table(
        doc, ("repositories", target.name), {"url": target.endpoint}, str(config_path)
    )
    changes = [FileChange(config_path, before, tomlkit.dumps(doc), tuple(settings), secret=False)]

    auth_path = directory / "auth.toml"
    auth_before = read_text(auth_path)
    auth = toml.parse(auth_before, str(auth_path))
    if target.token is None:
        auth_settings = toml.remove_table(auth, ("http-basic", target.name))
    else:
        auth_settings = toml.set_table(
            auth,
            ("http-basic", target.name),
            {"username": USERNAME, "password": target.token},
            str(auth_path),
        )
    if auth_before is not None or auth_settings:
        changes.append(
            FileChange(auth_path, auth_before, tomlkit.dumps(auth), tuple(auth_settings))
        )
    return changes
