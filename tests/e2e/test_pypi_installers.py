"""Installing from a Coffer repository with pip, ``uv pip install``, ``uv add`` and poetry.

Every install starts from a cold cache (each test has its own cache directories) and can only
reach Coffer: the proxies point at a closed port, pip's user config (find-links on this machine)
is replaced by an empty file, so a package that installs came from the private repository.

The last test shows uv resolving through PEP 658 ``.metadata`` files: it reads the metadata of
the version it considers and downloads only the wheels it installs.
"""

from __future__ import annotations

import hashlib
import tomllib
from pathlib import Path
from typing import Any

import httpx
import pytest

from support.dists import build_wheel, wheel_filename
from support.pypi_clients import (
    PypiRepo,
    PythonClients,
    base_python,
    build_sample_lib,
    create_pypi_repo,
    publish_files,
)
from support.server import CofferServer

pytestmark = pytest.mark.e2e

IMPORT_PI = "import sample_lib; print(sample_lib.PI)"


@pytest.fixture(scope="session")
def sample_lib(tmp_path_factory: pytest.TempPathFactory) -> dict[str, bytes]:
    """The seed's sample-lib 0.1.0, built once per worker by ``poetry build``."""
    root = tmp_path_factory.mktemp("sample-lib-build")
    return build_sample_lib(PythonClients(root / "clients"), root / "sample-lib")


@pytest.fixture
def repo(
    ca: Any, coffer_server: CofferServer, unique_name: str, sample_lib: dict[str, bytes]
) -> PypiRepo:
    """A repository holding sample-lib 0.1.0."""
    repo = create_pypi_repo(ca, coffer_server, unique_name)
    publish_files(repo, sample_lib)
    return repo


@pytest.fixture
def clients(tmp_path: Path) -> PythonClients:
    return PythonClients(tmp_path / "clients")


def _gets(repo: PypiRepo) -> list[tuple[str, str, int]]:
    """``(method, path below the endpoint, status)`` of each read request, in order."""
    return [
        (r["method"], r["path"].removeprefix(repo.path), r["status"])
        for r in repo.requests()
        if r["method"] in ("GET", "HEAD")
    ]


def test_clients_reach_nothing_beyond_loopback(clients: PythonClients) -> None:
    """What makes "it installed" mean "it came from Coffer": PyPI is out of reach."""
    target = clients.new_venv()
    pip = clients.tool("pip", "--python", str(target), "install", "six", check=False)
    assert pip.returncode == 1, pip.describe()
    assert "No matching distribution found for six" in pip.output
    uv = clients.tool("uv", "pip", "install", "--python", str(target), "six", check=False)
    assert uv.returncode != 0, uv.describe()
    assert "https://pypi.org/simple/six/" in uv.output
    assert "Connection refused" in uv.output


def test_pip_install(clients: PythonClients, repo: PypiRepo) -> None:
    target = clients.new_venv()
    installed = clients.tool(
        "pip", "--python", str(target), "install", "--index-url",
        repo.with_credentials(repo.simple), "sample-lib",
    )  # fmt: skip
    assert "Successfully installed sample-lib-0.1.0" in installed.output
    assert "Looking in links" not in installed.output  # the machine's find-links stayed out
    assert clients.python(target, IMPORT_PI) == "3.14"
    wheel = "simple/sample-lib/0.1.0/sample_lib-0.1.0-py3-none-any.whl"
    # pip 26 reads the PEP 658 metadata first, then downloads the one wheel it installs.
    assert _gets(repo) == [
        ("GET", "simple/sample-lib/", 200),
        ("GET", wheel + ".metadata", 200),
        ("GET", wheel, 200),
    ]


def test_pip_install_with_venv_default_pip(clients: PythonClients, repo: PypiRepo) -> None:
    """The pip a fresh ``python -m venv`` brings (23.x here) installs too."""
    venv = clients.root / "with-pip"
    clients.run([base_python(), "-m", "venv", venv])
    python = venv / "bin" / "python"
    clients.run(
        [python, "-m", "pip", "install", "--index-url", repo.with_credentials(repo.simple),
         "sample-lib"],
    )  # fmt: skip
    assert clients.python(python, IMPORT_PI) == "3.14"


def test_uv_pip_install(clients: PythonClients, repo: PypiRepo) -> None:
    target = clients.new_venv()
    installed = clients.tool(
        "uv", "pip", "install", "--python", str(target), "--index-url",
        repo.with_credentials(repo.simple), "sample-lib",
    )  # fmt: skip
    assert "+ sample-lib==0.1.0" in installed.output
    assert clients.python(target, IMPORT_PI) == "3.14"
    wheel = "simple/sample-lib/0.1.0/sample_lib-0.1.0-py3-none-any.whl"
    gets = _gets(repo)
    assert ("GET", wheel + ".metadata", 200) in gets
    assert gets.count(("GET", wheel, 200)) == 1
    assert not [g for g in gets if g[0] == "HEAD"]  # no range probe: metadata was enough


def test_uv_add(clients: PythonClients, repo: PypiRepo, sample_lib: dict[str, bytes]) -> None:
    app = clients.root / "app"
    app.mkdir()
    (app / "pyproject.toml").write_text(
        '[project]\nname = "app"\nversion = "0.1.0"\nrequires-python = ">=3.11"\n'
        "dependencies = []\n\n[tool.uv]\npackage = false\n\n"
        f'[[tool.uv.index]]\nname = "coffer"\nurl = "{repo.simple}"\nexplicit = true\n'
    )
    creds = {"UV_INDEX_COFFER_USERNAME": "aws", "UV_INDEX_COFFER_PASSWORD": repo.token}
    clients.tool("uv", "add", "sample-lib", "--index", "coffer", cwd=app, env=creds)

    pyproject = tomllib.loads((app / "pyproject.toml").read_text())
    assert pyproject["tool"]["uv"]["sources"] == {"sample-lib": {"index": "coffer"}}
    lock = tomllib.loads((app / "uv.lock").read_text())
    [package] = [p for p in lock["package"] if p["name"] == "sample-lib"]
    assert package["source"] == {"registry": repo.simple}
    wheel_name = "sample_lib-0.1.0-py3-none-any.whl"
    assert package["wheels"][0]["hash"] == (
        "sha256:" + hashlib.sha256(sample_lib[wheel_name]).hexdigest()
    )
    assert repo.token not in (app / "uv.lock").read_text()  # credentials stay out of the lock
    assert clients.python(app / ".venv" / "bin" / "python", IMPORT_PI) == "3.14"

    # Without the index credentials, a fresh sync of the lock is refused cleanly.
    clients.tool("uv", "venv", "--clear", cwd=app)
    refused = clients.tool(
        "uv", "sync", "--frozen", cwd=app, env={"UV_CACHE_DIR": str(clients.root / "cold")},
        check=False,
    )  # fmt: skip
    assert refused.returncode != 0, refused.describe()
    assert "401" in refused.output
    assert "panic" not in refused.output.lower()


def test_poetry_install_from_explicit_source(clients: PythonClients, repo: PypiRepo) -> None:
    """A consumer project (``package-mode = false``) pinned to an explicit source."""
    app = clients.root / "app"
    app.mkdir()
    (app / "pyproject.toml").write_text(
        '[project]\nname = "app"\nversion = "0.1.0"\nrequires-python = ">=3.11"\n'
        'dependencies = ["sample-lib"]\n\n[tool.poetry]\npackage-mode = false\n\n'
        '[tool.poetry.dependencies]\nsample-lib = { source = "coffer" }\n\n'
        f'[[tool.poetry.source]]\nname = "coffer"\nurl = "{repo.simple}"\npriority = "explicit"\n'
    )
    creds = {
        "POETRY_HTTP_BASIC_COFFER_USERNAME": "aws",
        "POETRY_HTTP_BASIC_COFFER_PASSWORD": repo.token,
    }
    clients.tool("poetry", "--no-ansi", "install", cwd=app, env=creds)
    assert clients.python(app / ".venv" / "bin" / "python", IMPORT_PI) == "3.14"
    lock = (app / "poetry.lock").read_text()
    assert repo.token not in lock
    assert 'reference = "coffer"' in lock


# ------------------------------------------------------------------ uv resolves via .metadata

VERSIONS = ("1.0.0", "1.1.0", "2.0.0")


def test_uv_resolves_through_metadata_files(
    clients: PythonClients, ca: Any, coffer_server: CofferServer, unique_name: str
) -> None:
    repo = create_pypi_repo(ca, coffer_server, unique_name)
    wheels = {
        wheel_filename("meta-probe", version): build_wheel(
            "meta-probe", version, files={"meta_probe/__init__.py": f"V = {version!r}\n".encode()}
        )
        for version in VERSIONS
    }
    publish_files(repo, wheels)
    index = repo.with_credentials(repo.simple)

    def wheel_path(version: str) -> str:
        return f"simple/meta-probe/{version}/{wheel_filename('meta-probe', version)}"

    # Resolve without installing: uv reads the newest version's metadata file, no wheel at all.
    (clients.root / "requirements.in").write_text("meta-probe\n")
    compiled = clients.tool(
        "uv", "pip", "compile", "--index-url", index, "--no-header", "requirements.in",
        env={"UV_CACHE_DIR": str(clients.root / "cache-compile")},
    )  # fmt: skip
    assert "meta-probe==2.0.0" in compiled.stdout
    gets = _gets(repo)
    assert ("GET", wheel_path("2.0.0") + ".metadata", 200) in gets
    assert [g for g in gets if g[1].endswith(".whl")] == [], gets  # no GET or HEAD of a wheel

    # Install an older version, cold cache: its metadata and its wheel, nothing of the others.
    before = len(gets)
    target = clients.new_venv()
    clients.tool(
        "uv", "pip", "install", "--python", str(target), "--index-url", index,
        "meta-probe==1.0.0", env={"UV_CACHE_DIR": str(clients.root / "cache-install")},
    )  # fmt: skip
    assert clients.python(target, "import meta_probe; print(meta_probe.V)") == "1.0.0"
    gets = _gets(repo)[before:]
    assert ("GET", wheel_path("1.0.0") + ".metadata", 200) in gets
    wheel_requests = [g for g in gets if g[1].endswith(".whl")]
    assert wheel_requests == [("GET", wheel_path("1.0.0"), 200)], gets
    for version in ("1.1.0", "2.0.0"):
        assert not [g for g in _gets(repo) if g[1] == wheel_path(version)]


def test_server_log_stays_json_lines(repo: PypiRepo, coffer_server: CofferServer) -> None:
    """Every line the server writes is a JSON record, after the index pages were served too."""
    for path in ("simple/", "simple/sample-lib/"):
        assert repo.get(path).status_code == 200
    records = coffer_server.log_records()  # raises on the first line that is not JSON
    assert any(r.get("path") == repo.path + "simple/" for r in records)


def test_head_answers_like_get(repo: PypiRepo) -> None:
    """HEAD (uv probes files with it) gets GET's status and headers without the body; a
    ``Content-Length`` it sends must be GET's (RFC 9110 §8.6)."""
    wheel = "simple/sample-lib/0.1.0/sample_lib-0.1.0-py3-none-any.whl"
    for path in ("simple/", "simple/sample-lib/", wheel, wheel + ".metadata"):
        url = repo.endpoint + path
        get = httpx.get(url, auth=("aws", repo.token), timeout=30)
        head = httpx.head(url, auth=("aws", repo.token), timeout=30)
        assert (head.status_code, get.status_code) == (200, 200), path
        assert head.content == b""
        assert head.headers.get("etag") == get.headers.get("etag"), path
        assert head.headers["content-type"] == get.headers["content-type"], path
        if "content-length" in head.headers:
            assert int(head.headers["content-length"]) == len(get.content), path
