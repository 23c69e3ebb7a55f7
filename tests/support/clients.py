"""Real client tools, installed once per machine into cached virtual environments.

Each tool gets its own venv under ``<repo>/.cache/clients/<name>-<key>/`` (gitignored), keyed by
the tool name and a hash of its requirements, so bumping a pin builds a fresh venv beside the old
one. A :class:`filelock.FileLock` per venv makes parallel pytest-xdist workers install it once:
the first takes the lock and installs, the others wait and then find the ``.complete`` marker.

Every client run gets an isolated environment (:func:`isolated_env`): a temporary ``HOME``, no
inherited ``AWS_*`` variables, and an empty AWS config file, so nothing on the developer's
machine (profiles, endpoints, retry settings) leaks into what a test observes.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path

from filelock import FileLock

__all__ = [
    "AWSCLI_REQUIREMENT",
    "CACHE_DIR",
    "REPO_ROOT",
    "aws_cli_path",
    "isolated_env",
    "tool_venv",
]

REPO_ROOT = Path(__file__).resolve().parents[2]
CACHE_DIR = Path(os.environ.get("COFFER_CLIENT_CACHE", REPO_ROOT / ".cache" / "clients"))

AWSCLI_REQUIREMENT = "awscli==1.46.3"

_COMPLETE = ".complete"
_INSTALL_TIMEOUT = 900  # seconds; a cold pip install of a big tool on a slow mirror


def _venv_dir(name: str, requirements: Sequence[str]) -> Path:
    key = hashlib.sha256("\n".join([sys.version, *requirements]).encode()).hexdigest()[:12]
    return CACHE_DIR / f"{name}-{key}"


def _base_python() -> str:
    """The interpreter to build tool venvs from: the one running the tests (or its base)."""
    return sys.executable


def tool_venv(name: str, requirements: Sequence[str]) -> Path:
    """A venv holding ``requirements`` (pip requirement strings), built once and reused.

    Returns the venv directory; its executables are in ``<venv>/bin``. Safe to call from many
    processes at once. A half-built venv (interrupted install) is detected and rebuilt.
    """
    if not requirements:
        raise ValueError("tool_venv needs at least one requirement")
    venv = _venv_dir(name, requirements)
    marker = venv / _COMPLETE
    if marker.exists():
        return venv
    CACHE_DIR.mkdir(parents=True, exist_ok=True)
    with FileLock(str(venv.with_name(venv.name + ".lock")), timeout=_INSTALL_TIMEOUT):
        if marker.exists():  # another worker finished it while we waited
            return venv
        if venv.exists():
            shutil.rmtree(venv)
        env = isolated_env(None)
        _run([_base_python(), "-m", "venv", str(venv)], env)
        python = str(venv / "bin" / "python")
        _run([python, "-m", "pip", "install", "--quiet", *requirements], env)
        marker.write_text("\n".join(requirements) + "\n")
    return venv


def _run(command: Sequence[str], env: Mapping[str, str]) -> None:
    result = subprocess.run(
        command,
        env=dict(env),
        capture_output=True,
        text=True,
        timeout=_INSTALL_TIMEOUT,
        check=False,
    )
    if result.returncode != 0:
        raise RuntimeError(
            f"{' '.join(command)} failed with exit code {result.returncode}\n"
            f"--- stdout\n{result.stdout}\n--- stderr\n{result.stderr}"
        )


def aws_cli_path() -> Path:
    """The ``aws`` executable of a pinned awscli v1 (the unmodified CLI users run)."""
    return tool_venv("awscli", [AWSCLI_REQUIREMENT]) / "bin" / "aws"


# Variables of the test runner's own environment that must not reach a client.
_DROP_PREFIXES = ("AWS_", "BOTO_", "COFFER_")
_DROP = {"VIRTUAL_ENV", "PYTHONPATH", "PYTHONHOME", "PIP_REQUIRE_VIRTUALENV", "CODEARTIFACT_TOKEN"}


def isolated_env(
    home: Path | None,
    *,
    endpoint_url: str | None = None,
    credentials_file: Path | None = None,
    region: str = "us-east-1",
    extra: Mapping[str, str] | None = None,
) -> dict[str, str]:
    """An environment for one client run.

    Starts from ``os.environ`` without any ``AWS_*``/``BOTO_*``/``COFFER_*`` variable or
    virtualenv marker. With ``home``, ``HOME`` (and XDG dirs) point inside it and
    ``AWS_CONFIG_FILE`` at an empty file there; ``AWS_SHARED_CREDENTIALS_FILE`` is
    ``credentials_file`` or another empty file. ``endpoint_url`` becomes
    ``AWS_ENDPOINT_URL_CODEARTIFACT``. ``extra`` is applied last.
    """
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(_DROP_PREFIXES) and key not in _DROP
    }
    if home is not None:
        home.mkdir(parents=True, exist_ok=True)
        aws_dir = home / ".aws"
        aws_dir.mkdir(exist_ok=True)
        config = aws_dir / "config"
        config.touch()
        empty_credentials = aws_dir / "credentials"
        empty_credentials.touch()
        env.update(
            HOME=str(home),
            XDG_CONFIG_HOME=str(home / ".config"),
            XDG_CACHE_HOME=str(home / ".cache"),
            XDG_DATA_HOME=str(home / ".local" / "share"),
            AWS_CONFIG_FILE=str(config),
            AWS_SHARED_CREDENTIALS_FILE=str(credentials_file or empty_credentials),
        )
    elif credentials_file is not None:
        env["AWS_SHARED_CREDENTIALS_FILE"] = str(credentials_file)
    env["AWS_DEFAULT_REGION"] = region
    env["AWS_EC2_METADATA_DISABLED"] = "true"
    if endpoint_url is not None:
        env["AWS_ENDPOINT_URL_CODEARTIFACT"] = endpoint_url
    if extra:
        env.update(extra)
    return env
