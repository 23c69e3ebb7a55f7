"""What every tool's config writer shares: the target of a login and planned file edits.

A writer never writes: it reads the tool's files and returns :class:`FileChange` values (the
whole new text beside the old), so ``--dry-run`` is the same code path minus :func:`apply`.
Edits go through the format's own parser (configparser, tomlkit) and touch only the keys the
login owns; everything else in the file stays as it was.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

__all__ = ["FileChange", "LoginTarget", "apply", "config_home", "read_text"]

USERNAME = "aws"


@dataclass(frozen=True)
class LoginTarget:
    """One repository to set a tool up for.

    ``token`` is None for a keyring set-up: the tool is pointed at the repository and left to
    ask the keyring (Coffer's backend) for a fresh token on every run.
    """

    endpoint: str  # the repository endpoint, ending in "/"
    name: str  # the source / index / section name in the tool's config
    token: str | None
    env: Mapping[str, str] = field(default_factory=lambda: dict(os.environ))

    @property
    def index_url(self) -> str:
        return self.endpoint + "simple/"

    @property
    def home(self) -> Path:
        return Path(self.env.get("HOME") or Path.home())


@dataclass(frozen=True)
class FileChange:
    """A file's text before (None: absent) and after, with one line per setting changed."""

    path: Path
    before: str | None
    after: str
    settings: tuple[str, ...]
    secret: bool = True  # holds a token: created 0600

    @property
    def changed(self) -> bool:
        return self.before != self.after


def config_home(env: Mapping[str, str], home: Path) -> Path:
    """``$XDG_CONFIG_HOME`` or ``~/.config``."""
    configured = env.get("XDG_CONFIG_HOME")
    return Path(configured) if configured else home / ".config"


def read_text(path: Path) -> str | None:
    try:
        return path.read_text()
    except FileNotFoundError:
        return None


def apply(change: FileChange) -> None:
    """Write ``change.after`` atomically. A file that holds a secret is readable by its owner
    only (an existing 0644 pip.conf becomes 0600); a symlinked file is written where it points."""
    if not change.changed:
        return
    path = change.path.resolve()  # dotfile managers symlink configs: keep the link
    path.parent.mkdir(parents=True, exist_ok=True)
    mode = path.stat().st_mode & 0o777 if path.exists() else 0o644
    if change.secret:
        mode &= ~0o077
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(handle, "w") as stream:
            stream.write(change.after)
        os.chmod(temporary, mode)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
