"""Running Coffer's client-side commands (``coffer login``/``token``/``plan``/``apply``) and the
tools they set up, as a user would: a subprocess with the test's isolated ``HOME``, the
administrator's AWS key in ``AWS_SHARED_CREDENTIALS_FILE`` and the server in
``AWS_ENDPOINT_URL_CODEARTIFACT``.

Tools that must load Coffer's keyring backend get venvs with Coffer itself installed (editable,
from this checkout), built once per machine and keyed by ``pyproject.toml`` so a new dependency
builds a new venv.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
from collections.abc import Mapping, Sequence
from pathlib import Path

from support.clients import REPO_ROOT, tool_venv
from support.pypi_clients import REQUIREMENTS, RUN_TIMEOUT, PythonClients, Run
from support.server import CofferServer, coffer_executable

__all__ = ["client_env", "coffer", "run", "text_files_containing", "venv_with_coffer"]


def client_env(
    clients: PythonClients, server: CofferServer, extra: Mapping[str, str] | None = None
) -> dict[str, str]:
    """The clients' environment plus the administrator's key and the server's endpoint."""
    return clients.env(
        {
            "AWS_SHARED_CREDENTIALS_FILE": str(server.credentials),
            "AWS_ENDPOINT_URL_CODEARTIFACT": server.url,
            **(extra or {}),
        }
    )


def run(
    argv: Sequence[str | os.PathLike[str]],
    env: Mapping[str, str],
    *,
    cwd: Path,
    check: bool = True,
) -> Run:
    """Run ``argv`` with exactly ``env``; with ``check``, assert exit status 0."""
    args = tuple(str(arg) for arg in argv)
    completed = subprocess.run(
        args,
        cwd=cwd,
        env=dict(env),
        capture_output=True,
        text=True,
        timeout=RUN_TIMEOUT,
        check=False,
    )
    result = Run(args, completed.returncode, completed.stdout, completed.stderr)
    if check:
        assert result.returncode == 0, result.describe()
    return result


def coffer(
    clients: PythonClients,
    server: CofferServer,
    *args: str | os.PathLike[str],
    check: bool = True,
    env: Mapping[str, str] | None = None,
    cwd: Path | None = None,
) -> Run:
    """``coffer ARGS`` as the administrator, in the clients' isolated environment."""
    return run(
        [coffer_executable(), *args],
        client_env(clients, server, env),
        cwd=cwd or clients.root,
        check=check,
    )


def venv_with_coffer(tool: str) -> Path:
    """A venv holding ``tool`` (its pinned version) and Coffer (so its keyring backend)."""
    # Editable: keyed by the checkout too, so two checkouts sharing .cache never run each
    # other's code.
    source = (REPO_ROOT / "pyproject.toml").read_bytes() + str(REPO_ROOT.resolve()).encode()
    key = hashlib.sha256(source).hexdigest()[:8]
    requirements = [*REQUIREMENTS.get(tool, ()), "-e", str(REPO_ROOT)]
    return tool_venv(f"{tool}-with-coffer-{key}", requirements)


def text_files_containing(root: Path, needle: str, *, skip: Sequence[Path] = ()) -> list[Path]:
    """Files under ``root`` (not under ``skip``, not in virtualenvs) whose bytes hold ``needle``."""
    found = []
    encoded = needle.encode()
    for directory, subdirs, files in os.walk(root):
        here = Path(directory)
        subdirs[:] = [
            name
            for name in subdirs
            if here / name not in skip and not (here / name / "pyvenv.cfg").exists()
        ]
        for name in files:
            path = here / name
            if path.is_file() and encoded in path.read_bytes():
                found.append(path)
    return found
