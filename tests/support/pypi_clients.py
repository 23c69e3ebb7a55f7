"""The Python packaging clients (pip, uv, poetry, pdm, hatch, twine, flit) against Coffer.

Each tool is installed once per machine with :func:`support.clients.tool_venv` (pins below, as
``notes/clients.md`` recommends: ``pdm[locked]``, not plain ``pdm``). Every test gets its own
:class:`PythonClients`: a private ``HOME``, an empty pip config file, and private config, cache and
data directories for each tool, so nothing on the machine (its global pip config with local
find-links, a developer's poetry config, keyrings) changes what a client does.

The network is loopback only: every proxy variable points at a closed port and ``NO_PROXY``
exempts ``127.0.0.1``, so a client that tries to reach PyPI fails at once instead of quietly
resolving a package from the internet.

:class:`PypiRepo` is one Coffer PyPI repository (endpoint plus a token) with raw HTTP helpers for
what no client sends: hand-made legacy uploads and index requests.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import re
import subprocess
import sys
import zipfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import httpx

from support.clients import isolated_env, tool_venv
from support.server import CofferServer

__all__ = [
    "DEAD_PROXY",
    "REQUIREMENTS",
    "SIMPLE_JSON",
    "PypiRepo",
    "PythonClients",
    "Run",
    "assert_served",
    "base_python",
    "build_sample_lib",
    "create_pypi_repo",
    "dist_files",
    "project_page",
    "publish_files",
    "requests_under",
    "tool",
    "uv_build",
    "wheel_metadata",
    "write_uv_project",
]

REQUIREMENTS: Mapping[str, tuple[str, ...]] = {
    "pip": ("pip==26.3",),
    "uv": ("uv==0.13.9",),
    "poetry": ("poetry==2.5.1",),
    "pdm": ("pdm[locked]==2.29.3",),
    "hatch": ("hatch==1.18.2",),
    "twine": ("twine==7.0.0",),
    "flit": ("flit==4.2.0",),
}
# Nothing listens on the discard port: a client that leaves loopback fails fast and loudly.
DEAD_PROXY = "http://127.0.0.1:9"
RUN_TIMEOUT = 300.0
SIMPLE_JSON = "application/vnd.pypi.simple.v1+json"
# Variables of the runner's environment that configure a client: none may leak into a test.
_CLIENT_PREFIXES = ("PIP_", "UV_", "POETRY_", "PDM_", "HATCH_", "TWINE_", "FLIT_", "VIRTUALENV_")
_PROXIES = ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "NO_PROXY")


def tool(name: str) -> Path:
    """The executable ``name`` of its pinned tool venv (installed on first use)."""
    return tool_venv(name, list(REQUIREMENTS[name])) / "bin" / name


def base_python() -> Path:
    """A ``python3.11`` outside any virtualenv (uv and venvs are built from it)."""
    version = f"python{sys.version_info.major}.{sys.version_info.minor}"
    candidate = Path(sys.base_prefix) / "bin" / version
    if not candidate.exists():  # pragma: no cover - depends on how Python was installed
        raise RuntimeError(f"no {version} under {sys.base_prefix}")
    return candidate


@dataclass(frozen=True)
class Run:
    """A finished client command."""

    argv: tuple[str, ...]
    returncode: int
    stdout: str
    stderr: str

    @property
    def output(self) -> str:
        return self.stdout + self.stderr

    def describe(self) -> str:
        return (
            f"$ {' '.join(self.argv)}\n-> exit {self.returncode}\n"
            f"--- stdout\n{self.stdout}\n--- stderr\n{self.stderr}"
        )


class PythonClients:
    """One test's isolated environment for the Python clients, rooted at ``root``."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.home = root / "home"
        self.home.mkdir(parents=True, exist_ok=True)
        self.pip_config = root / "pip.conf"
        self.pip_config.touch()  # pip then skips the user config (find-links on this machine)
        self._env = self._base_env()

    def _base_env(self) -> dict[str, str]:
        base = isolated_env(self.home)
        env = {
            key: value
            for key, value in base.items()
            if not key.startswith(_CLIENT_PREFIXES) and key.upper() not in _PROXIES
        }
        dirs = {
            "POETRY_CONFIG_DIR": "poetry/config",
            "POETRY_CACHE_DIR": "poetry/cache",
            "POETRY_DATA_DIR": "poetry/data",
            "UV_CACHE_DIR": "uv-cache",
            "PIP_CACHE_DIR": "pip-cache",
            "PDM_CACHE_DIR": "pdm-cache",
        }
        for variable, relative in dirs.items():
            env[variable] = str(self.root / relative)
        env.update(
            PIP_CONFIG_FILE=str(self.pip_config),
            PIP_NO_INPUT="1",
            PIP_DISABLE_PIP_VERSION_CHECK="1",
            UV_PYTHON_DOWNLOADS="never",
            UV_PYTHON=str(base_python()),
            UV_NO_PROGRESS="1",
            # No retries: a flaky answer from Coffer must fail the test, not be papered over.
            UV_HTTP_RETRIES="0",
            PIP_RETRIES="0",
            POETRY_VIRTUALENVS_IN_PROJECT="true",
            POETRY_NO_INTERACTION="1",
            PYTHON_KEYRING_BACKEND="keyring.backends.null.Keyring",
            PDM_CHECK_UPDATE="false",
            PDM_NON_INTERACTIVE="1",
            VIRTUALENV_NO_PERIODIC_UPDATE="true",
            NO_COLOR="1",
            TERM="dumb",
        )
        for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY"):
            env[name] = env[name.lower()] = DEAD_PROXY
        env["NO_PROXY"] = env["no_proxy"] = "127.0.0.1,localhost"
        return env

    def env(self, extra: Mapping[str, str] | None = None) -> dict[str, str]:
        """The environment a client runs with (plus ``extra``)."""
        return {**self._env, **(extra or {})}

    def run(
        self,
        argv: Sequence[str | os.PathLike[str]],
        *,
        cwd: Path | None = None,
        env: Mapping[str, str] | None = None,
        check: bool = True,
        timeout: float = RUN_TIMEOUT,
    ) -> Run:
        """Run ``argv``; with ``check``, assert it exited 0 (showing its output if not)."""
        args = tuple(str(arg) for arg in argv)
        completed = subprocess.run(
            args,
            cwd=cwd or self.root,
            env=self.env(env),
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
        result = Run(args, completed.returncode, completed.stdout, completed.stderr)
        if check:
            assert result.returncode == 0, result.describe()
        return result

    def tool(self, name: str, *args: str | os.PathLike[str], **kwargs: Any) -> Run:
        """``<name> ARGS`` from the tool's pinned venv, e.g. ``tool("poetry", "build")``."""
        return self.run([tool(name), *args], **kwargs)

    def new_venv(self, name: str = "target") -> Path:
        """A fresh, empty virtualenv (no pip) to install into; returns its ``bin/python``."""
        path = self.root / name
        self.run([base_python(), "-m", "venv", "--without-pip", path])
        return path / "bin" / "python"

    def python(self, interpreter: Path, code: str, **kwargs: Any) -> str:
        """Run ``code`` with ``interpreter``; its stdout, stripped."""
        return self.run([interpreter, "-c", code], **kwargs).stdout.strip()


# ---------------------------------------------------------------------------------- repository


@dataclass(frozen=True)
class PypiRepo:
    """A Coffer repository's PyPI endpoint (as ``GetRepositoryEndpoint`` returned it) and a
    token for it."""

    server: CofferServer
    domain: str
    owner: str
    repository: str
    endpoint: str
    token: str

    @property
    def simple(self) -> str:
        return self.endpoint + "simple/"

    @property
    def path(self) -> str:
        """The endpoint's path (``/{domain}-{owner}/pypi/{repo}/``), as access logs show it."""
        return urlsplit(self.endpoint).path

    def with_credentials(self, url: str, *, user: str = "aws", token: str | None = None) -> str:
        """``url`` with ``user:token@`` in it, the way pip and uv take credentials."""
        parts = urlsplit(url)
        netloc = f"{user}:{token or self.token}@{parts.netloc}"
        return urlunsplit(parts._replace(netloc=netloc))

    def get(
        self,
        path: str,
        *,
        token: str | None = None,
        auth: bool = True,
        headers: Mapping[str, str] | None = None,
    ) -> httpx.Response:
        """GET ``{endpoint}{path}`` with Basic ``aws:<token>`` (``auth=False``: no credentials)."""
        credentials = ("aws", token or self.token) if auth else None
        return httpx.get(
            self.endpoint + path, auth=credentials, headers=dict(headers or {}), timeout=30
        )

    def upload(
        self,
        filename: str,
        content: bytes,
        *,
        fields: Mapping[str, str | None] | None = None,
        token: str | None = None,
        auth: bool = True,
    ) -> httpx.Response:
        """A legacy upload (``POST`` multipart) as twine sends it; ``fields`` override (``None``
        drops) the form fields derived from ``filename`` and ``content``."""
        form: dict[str, str | None] = {
            ":action": "file_upload",
            "protocol_version": "1",
            **_identity_fields(filename),
            "metadata_version": "2.4",
            "sha256_digest": hashlib.sha256(content).hexdigest(),
            "blake2_256_digest": hashlib.blake2b(content, digest_size=32).hexdigest(),
        }
        form.update(fields or {})
        data = {key: value for key, value in form.items() if value is not None}
        credentials = ("aws", token or self.token) if auth else None
        return httpx.post(
            self.endpoint,
            data=data,
            files={"content": (filename, content, "application/octet-stream")},
            auth=credentials,
            timeout=60,
        )

    def requests(self) -> list[dict[str, Any]]:
        """Access-log records of requests to this endpoint, oldest first."""
        return requests_under(self.server, self.path)


def _identity_fields(filename: str) -> dict[str, str | None]:
    """``name``/``version``/``filetype``/``pyversion`` as a client derives them from a filename."""
    if filename.endswith(".whl"):
        parts = filename[: -len(".whl")].split("-")
        if len(parts) >= 5:
            return {
                "name": parts[0],
                "version": parts[1],
                "filetype": "bdist_wheel",
                "pyversion": parts[-3],
            }
    found = re.fullmatch(r"(?P<name>.+)-(?P<version>[^-]+)\.(tar\.gz|zip)", filename)
    if found:
        return {
            "name": found["name"],
            "version": found["version"],
            "filetype": "sdist",
            "pyversion": "source",
        }
    return {"name": "unknown", "version": "1.0", "filetype": "bdist_wheel", "pyversion": "py3"}


def requests_under(server: CofferServer, prefix: str) -> list[dict[str, Any]]:
    """The server's access-log records (``method``, ``path``, ``status`` …) under ``prefix``.

    Lines that are not JSON are passed over here (``CofferServer.log_records`` refuses them, and
    ``test_pypi_installers.py::test_server_log_stays_json_lines`` holds the server to that), so
    one stray line does not fail every test that reads the access log.
    """
    records = []
    for line in server.log_text().splitlines():
        try:
            record = json.loads(line)
        except ValueError:
            continue
        if record.get("logger") == "coffer.access" and str(record.get("path", "")).startswith(
            prefix
        ):
            records.append(record)
    return records


def create_pypi_repo(
    ca: Any,
    server: CofferServer,
    domain: str,
    repository: str = "example",
    *,
    create_domain: bool = True,
    duration_seconds: int = 3600,
) -> PypiRepo:
    """Create ``domain`` (unless it exists) and ``repository`` through boto3 ``ca``; the
    repository's PyPI endpoint and a token for the domain."""
    if create_domain:
        ca.create_domain(domain=domain)
    ca.create_repository(domain=domain, repository=repository)
    endpoint = ca.get_repository_endpoint(domain=domain, repository=repository, format="pypi")[
        "repositoryEndpoint"
    ]
    token = ca.get_authorization_token(domain=domain, durationSeconds=duration_seconds)[
        "authorizationToken"
    ]
    owner = ca.describe_domain(domain=domain)["domain"]["owner"]
    return PypiRepo(server, domain, owner, repository, endpoint, token)


# ------------------------------------------------------------------------------------ projects


def write_uv_project(
    directory: Path,
    name: str,
    version: str,
    *,
    module: str | None = None,
    source: str = "VALUE = 1\n",
    project_extra: str = "",
    readme: str | None = None,
) -> Path:
    """A project built by uv's own build backend (``uv build`` needs no network for it)."""
    module = module or re.sub(r"[-_.]+", "_", name).lower()
    package = directory / "src" / module
    package.mkdir(parents=True, exist_ok=True)
    (package / "__init__.py").write_text(source)
    readme_line = ""
    if readme is not None:
        (directory / "README.md").write_text(readme)
        readme_line = 'readme = "README.md"\n'
    (directory / "pyproject.toml").write_text(
        f'[project]\nname = "{name}"\nversion = "{version}"\n'
        f'description = "{name} for the Coffer test suite"\nrequires-python = ">=3.9"\n'
        f"{readme_line}{project_extra}\n"
        '[build-system]\nrequires = ["uv_build>=0.13.9,<0.14"]\nbuild-backend = "uv_build"\n\n'
        f'[tool.uv.build-backend]\nmodule-name = "{module}"\n'
    )
    return directory


def uv_build(clients: PythonClients, project: Path) -> dict[str, bytes]:
    """``uv build`` in ``project``; the built files (``dist/*.whl``, ``dist/*.tar.gz``) by name.

    uv also writes ``dist/.gitignore``, which ``pdm publish --no-build`` refuses ("Unknown
    distribution file type"), so it is removed.
    """
    clients.tool("uv", "build", cwd=project)
    (project / "dist" / ".gitignore").unlink(missing_ok=True)
    return dist_files(project / "dist")


def dist_files(directory: Path) -> dict[str, bytes]:
    """The wheels and sdists in ``directory`` by name (uv also writes a ``.gitignore`` there)."""
    return {
        path.name: path.read_bytes()
        for path in sorted(directory.iterdir())
        if path.name.endswith((".whl", ".tar.gz"))
    }


def wheel_metadata(wheel: bytes) -> bytes:
    """The ``*.dist-info/METADATA`` member of a wheel."""
    with zipfile.ZipFile(io.BytesIO(wheel)) as archive:
        [name] = [n for n in archive.namelist() if n.endswith(".dist-info/METADATA")]
        return archive.read(name)


def project_page(repo: PypiRepo, project: str) -> dict[str, Any]:
    """The PEP 691 JSON page of ``project`` (asserting 200)."""
    response = repo.get(f"simple/{project}/", headers={"Accept": SIMPLE_JSON})
    assert response.status_code == 200, (response.status_code, response.text)
    assert response.headers["content-type"].startswith(SIMPLE_JSON)
    page: dict[str, Any] = response.json()
    return page


def assert_served(repo: PypiRepo, project: str, files: Mapping[str, bytes]) -> dict[str, Any]:
    """``project``'s index lists exactly ``files`` with their sha256, each downloads byte for
    byte, and each wheel's PEP 658 ``.metadata`` is its METADATA. Returns the JSON page."""
    page = project_page(repo, project)
    listed = {entry["filename"]: entry for entry in page["files"]}
    assert sorted(listed) == sorted(files), page
    base = urlsplit(repo.endpoint)
    for name, data in files.items():
        entry = listed[name]
        assert entry["hashes"] == {"sha256": hashlib.sha256(data).hexdigest()}, entry
        assert entry["size"] == len(data)
        url = f"{base.scheme}://{base.netloc}{entry['url']}"
        download = httpx.get(url, auth=("aws", repo.token), timeout=30)
        assert download.status_code == 200, (url, download.status_code, download.text)
        assert download.content == data, name
        if name.endswith(".whl"):
            metadata = wheel_metadata(data)
            assert entry["core-metadata"] == {"sha256": hashlib.sha256(metadata).hexdigest()}
            served = httpx.get(url + ".metadata", auth=("aws", repo.token), timeout=30)
            assert served.status_code == 200, served.text
            assert served.content == metadata
        else:
            assert entry["core-metadata"] is False
    return page


def build_sample_lib(clients: PythonClients, directory: Path, pi: str = "3.14") -> dict[str, bytes]:
    """The seed's ``sample-lib`` 0.1.0 (``sample_lib.PI``), built by ``poetry build``."""
    directory.mkdir(parents=True, exist_ok=True)
    clients.tool("poetry", "--no-ansi", "init", "--no-interaction", "--name", "sample-lib",
                 cwd=directory)  # fmt: skip
    (directory / "sample_lib").mkdir(exist_ok=True)
    (directory / "sample_lib" / "__init__.py").write_text(f"PI = {pi}\n")
    clients.tool("poetry", "--no-ansi", "build", cwd=directory)
    return dist_files(directory / "dist")


def publish_files(repo: PypiRepo, files: Mapping[str, bytes]) -> None:
    """Upload ``files`` with hand-made legacy upload forms, asserting each is accepted."""
    for name, data in files.items():
        response = repo.upload(name, data)
        assert response.status_code == 200, (name, response.status_code, response.text)
