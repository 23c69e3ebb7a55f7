"""Which servers Coffer's keyring backend may answer for.

A URL with Coffer's path shape is not enough: any host can serve one, and answering it would
hand that host a token (or sign a token request to it with the user's AWS credentials). The
backend answers only for the ``host[:port]`` of a server the user chose: one ``coffer login
--keyring`` remembered (``$XDG_CONFIG_HOME/coffer/keyring-hosts``, one per line), one listed in
``COFFER_KEYRING_HOSTS`` (comma-separated), or the control plane the user's environment names
(``COFFER_ENDPOINT_URL``, ``AWS_ENDPOINT_URL_CODEARTIFACT``).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from urllib.parse import urlsplit

__all__ = ["hosts_file", "netloc_of", "remember", "trusted_hosts"]

_ENDPOINT_SETTINGS = ("COFFER_ENDPOINT_URL", "AWS_ENDPOINT_URL_CODEARTIFACT")


def hosts_file() -> Path:
    import platformdirs

    return Path(platformdirs.user_config_dir("coffer", appauthor=False)) / "keyring-hosts"


def netloc_of(url: str) -> str:
    """``host[:port]`` of ``url``, without any user information, lower-cased."""
    return urlsplit(url).netloc.rsplit("@", 1)[-1].lower()


def trusted_hosts(env: Mapping[str, str] | None = None) -> set[str]:
    env = os.environ if env is None else env
    hosts = {h.strip().lower() for h in env.get("COFFER_KEYRING_HOSTS", "").split(",")}
    hosts.update(netloc_of(env[name]) for name in _ENDPOINT_SETTINGS if env.get(name))
    path = hosts_file()
    if path.is_file():
        hosts.update(line.strip().lower() for line in path.read_text().splitlines())
    hosts.discard("")
    return hosts


def remember(url: str) -> Path | None:
    """Trust the server of ``url`` from now on; the file written, or None if already trusted."""
    host = netloc_of(url)
    path = hosts_file()
    known = path.read_text().splitlines() if path.is_file() else []
    if host in (line.strip().lower() for line in known):
        return None
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    with path.open("a") as file:
        file.write(host + "\n")
    return path
