"""npm: ``registry`` and ``//host/path/:_authToken`` in the user ``.npmrc``
(``$NPM_CONFIG_USERCONFIG``, else ``~/.npmrc``), as ``aws codeartifact login --tool npm`` does.

``.npmrc`` is a flat ``key=value`` file; lines other than these two keys are kept verbatim.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

from coffer.client.tools.base import FileChange, LoginTarget, read_text

__all__ = ["auth_key", "config_path", "plan"]


def config_path(target: LoginTarget) -> Path:
    configured = target.env.get("NPM_CONFIG_USERCONFIG") or target.env.get("npm_config_userconfig")
    return Path(configured) if configured else target.home / ".npmrc"


def auth_key(endpoint: str) -> str:
    """``//host[:port]/path/:_authToken``: npm sends the token to URLs below this prefix."""
    parts = urlsplit(endpoint)
    return f"//{parts.netloc}{parts.path}:_authToken"


def plan(target: LoginTarget) -> list[FileChange]:
    path = config_path(target)
    before = read_text(path)
    wanted: dict[str, str | None] = {
        "registry": target.endpoint,
        auth_key(target.endpoint): target.token,
    }
    lines = (before or "").splitlines()
    kept: list[str] = []
    settings: list[str] = []
    seen: set[str] = set()
    for line in lines:
        key, sep, value = line.partition("=")
        key = key.strip()
        if sep and key in wanted:
            seen.add(key)
            new = wanted[key]
            if new is None:
                settings.append(f"{key} (removed)")
                continue
            if value.strip() != new:
                settings.append(key)
            kept.append(f"{key}={new}")
        else:
            kept.append(line)
    for key, new in wanted.items():
        if key not in seen and new is not None:
            kept.append(f"{key}={new}")
            settings.append(key)
    after = "\n".join(kept) + "\n"
    return [FileChange(path, before, after, tuple(settings))]
