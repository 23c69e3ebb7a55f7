"""pip: ``[global] index-url`` in pip's config file (the one ``pip config`` would edit).

That file is ``$PIP_CONFIG_FILE`` when it is set, else the user file
``$XDG_CONFIG_HOME/pip/pip.conf``. Only ``index-url`` (and, for a keyring set-up,
``keyring-provider``) is touched: other keys (``extra-index-url``, ``trusted-host`` …) and
sections stay, unlike ``aws codeartifact login`` (aws-cli#5409).
"""

from __future__ import annotations

import os
from pathlib import Path

from coffer.client.tools import ini
from coffer.client.tools.base import USERNAME, FileChange, LoginTarget, config_home, read_text
from coffer.client.urls import with_credentials

__all__ = ["config_path", "plan"]


def config_path(target: LoginTarget) -> Path:
    configured = target.env.get("PIP_CONFIG_FILE")
    if configured and configured != os.devnull:
        return Path(configured)
    return config_home(target.env, target.home) / "pip" / "pip.conf"


def plan(target: LoginTarget) -> list[FileChange]:
    path = config_path(target)
    before = read_text(path)
    parser = ini.parse(before, str(path))
    options: dict[str, str | None]
    if target.token is None:
        options = {"index-url": target.index_url, "keyring-provider": "import"}
    else:
        url = with_credentials(target.index_url, USERNAME, target.token)
        options = {"index-url": url, "keyring-provider": None}
    settings = ini.set_options(parser, "global", options)
    return [FileChange(path, before, ini.render(parser), tuple(settings))]
