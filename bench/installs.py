"""Real clients against each server: pip / uv / poetry installs with cold caches, twine uploads.

Installs resolve the corpus's top project (``chain`` packages) into a fresh venv with a new,
empty cache each time. Uploads time ``twine upload`` (one invocation, sequential files) for a
new project and for new versions of the many-versions project (does upload cost grow with the
number of versions?), and 8 twine processes in parallel.
"""

from __future__ import annotations

import shutil
import time
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from bench.corpus import MANY
from bench.servers import Server
from support.dists import build_wheel, wheel_filename
from support.pypi_clients import PythonClients

__all__ = ["Timing", "install", "probe_files", "twine_upload"]


@dataclass(frozen=True)
class Timing:
    seconds: float
    ok: bool
    detail: str = ""


def install(server: Server, tool: str, project: str, work: Path, expect: int) -> Timing:
    """Install ``project`` with ``tool`` (pip, uv, poetry) into a fresh venv, cold caches; ok
    when ``expect`` packages ended up installed."""
    root = work / f"install-{server.name}-{tool}"
    shutil.rmtree(root, ignore_errors=True)
    clients = PythonClients(root)
    index = server.index_url()
    if tool == "poetry":
        return _poetry(clients, server, project, root, expect)
    python = clients.new_venv()
    if tool == "pip":
        argv = ["pip", "--python", str(python), "install", "--no-cache-dir", "--index-url", index]
        argv += ["--disable-pip-version-check", "-q", project]
    else:
        argv = ["uv", "pip", "install", "--python", str(python), "--cache-dir", str(root / "c")]
        argv += ["--index-url", index, "-q", project]
    started = time.perf_counter()
    run = clients.tool(*argv, check=False)
    seconds = time.perf_counter() - started
    if run.returncode != 0:
        return Timing(seconds, False, run.output.strip().splitlines()[-1:][0] if run.output else "")
    count = len(list(python.parent.parent.glob("lib/python*/site-packages/benchpkg_*.dist-info")))
    return Timing(seconds, count == expect, f"{count} packages")


def _poetry(
    clients: PythonClients, server: Server, project: str, root: Path, expect: int
) -> Timing:
    app = root / "app"
    app.mkdir(parents=True)
    (app / "pyproject.toml").write_text(
        '[project]\nname = "bench-app"\nversion = "0"\nrequires-python = ">=3.8"\n'
        f'dependencies = ["{project}"]\n\n[tool.poetry]\npackage-mode = false\n\n'
        f'[[tool.poetry.source]]\nname = "bench"\nurl = "{server.simple_url}"\n'
        'priority = "primary"\n'
    )
    env = {
        "POETRY_CACHE_DIR": str(root / "cache"),
        "POETRY_VIRTUALENVS_IN_PROJECT": "true",
        "POETRY_INSTALLER_NO_BINARY": "",
    }
    header = server.auth_header
    if header:
        import base64

        user, password = base64.b64decode(header.split()[1]).decode().split(":", 1)
        env |= {
            "POETRY_HTTP_BASIC_BENCH_USERNAME": user,
            "POETRY_HTTP_BASIC_BENCH_PASSWORD": password,
        }
    started = time.perf_counter()
    run = clients.tool("poetry", "--no-ansi", "install", cwd=app, env=env, check=False)
    seconds = time.perf_counter() - started
    if run.returncode != 0:
        return Timing(seconds, False, run.output.strip().splitlines()[-1:][0] if run.output else "")
    count = len(list(app.glob(".venv/lib/python*/site-packages/benchpkg_*.dist-info")))
    return Timing(seconds, count == expect, f"{count} packages")


def probe_files(root: Path, project: str, versions: Sequence[str]) -> list[Path]:
    """Small wheels for upload probes (new files, never in the corpus)."""
    root.mkdir(parents=True, exist_ok=True)
    paths = []
    for version in versions:
        path = root / wheel_filename(project, version)
        if not path.exists():
            path.write_bytes(build_wheel(project, version))
        paths.append(path)
    return paths


def twine_upload(server: Server, files: Sequence[Path], work: Path, *, parallel: int = 1) -> Timing:
    """``twine upload`` of ``files`` (split over ``parallel`` processes); files/s is
    ``len(files) / seconds``."""
    url = server.upload_url
    assert url is not None
    user, password = server.upload_credentials
    clients = PythonClients(work / f"twine-{server.name}")
    chunks = [list(files[i::parallel]) for i in range(parallel)]

    def run(chunk: list[Path]) -> int:
        argv = ["upload", "--non-interactive", "--disable-progress-bar", "--repository-url", url]
        argv += ["-u", user, "-p", password, *map(str, chunk)]
        return clients.tool("twine", *argv, check=False).returncode

    started = time.perf_counter()
    with ThreadPoolExecutor(parallel) as pool:
        codes = list(pool.map(run, chunks))
    seconds = time.perf_counter() - started
    return Timing(seconds, all(code == 0 for code in codes), f"{len(files)} files")


def many_probe_versions(count: int, offset: int = 0) -> list[str]:
    return [f"9.{offset}.{i}" for i in range(count)]


MANY_PROJECT = MANY
