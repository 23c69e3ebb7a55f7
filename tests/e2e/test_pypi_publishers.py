"""Every Python publisher against a Coffer repository: twine, ``uv publish``, pdm, hatch, flit.

Each publishes a different project, spelled the way real projects spell names (upper case, dots,
underscores: the upload forms carry them as written), and the repository must then serve exactly
those files, byte for byte, with PEP 658 metadata for the wheels.

What builds what (no network: every proxy points at a closed port):

* ``uv build`` with uv's own backend builds offline, so it makes the dists for twine, uv, pdm
  and hatch. (``hatch build`` and ``pdm build`` would install hatchling / pdm-backend from PyPI
  first, so they cannot run here.)
* ``flit publish`` builds its own wheel and sdist with the flit_core it ships.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from support.aws import AwsCli
from support.pypi_clients import (
    PypiRepo,
    PythonClients,
    assert_served,
    create_pypi_repo,
    dist_files,
    uv_build,
    write_uv_project,
)
from support.server import CofferServer

pytestmark = pytest.mark.e2e


@pytest.fixture
def repo(ca: Any, coffer_server: CofferServer, unique_name: str) -> PypiRepo:
    return create_pypi_repo(ca, coffer_server, unique_name)


@pytest.fixture
def clients(tmp_path: Path) -> PythonClients:
    return PythonClients(tmp_path / "clients")


def _uploads(repo: PypiRepo) -> list[int]:
    return [r["status"] for r in repo.requests() if r["method"] == "POST"]


def _versions(ca: Any, repo: PypiRepo, package: str) -> dict[str, str]:
    listed = ca.list_package_versions(
        domain=repo.domain, repository=repo.repository, format="pypi", package=package
    )
    return {v["version"]: v["status"] for v in listed["versions"]}


def test_twine_upload(clients: PythonClients, repo: PypiRepo, ca: Any, tmp_path: Path) -> None:
    project = write_uv_project(tmp_path / "proj", "Via-Twine", "1.0.0", readme="# Via twine\n")
    dists = uv_build(clients, project)
    assert sorted(dists) == ["via_twine-1.0.0-py3-none-any.whl", "via_twine-1.0.0.tar.gz"]
    files = [str(project / "dist" / name) for name in dists]

    clients.tool(
        "twine",
        "upload",
        "--non-interactive",
        "--disable-progress-bar",
        "--repository-url",
        repo.endpoint,
        "-u",
        "aws",
        "-p",
        repo.token,
        *files,
    )
    assert _uploads(repo) == [200, 200]
    page = assert_served(repo, "via-twine", dists)
    assert page["name"] == "via-twine"
    assert page["versions"] == ["1.0.0"]
    assert _versions(ca, repo, "via-twine") == {"1.0.0": "Published"}
    described = ca.describe_package(
        domain=repo.domain, repository=repo.repository, format="pypi", package="Via_Twine"
    )["package"]
    assert described["name"] == "via-twine"

    # twine without credentials, in non-interactive mode: fails on its own, no upload attempted.
    anonymous = clients.tool(
        "twine", "upload", "--non-interactive", "--repository-url", repo.endpoint, *files,
        check=False,
    )  # fmt: skip
    assert anonymous.returncode == 1, anonymous.describe()
    assert "username" in anonymous.output.lower()


def test_twine_after_aws_codeartifact_login(
    clients: PythonClients, repo: PypiRepo, coffer_server: CofferServer, tmp_path: Path
) -> None:
    """``aws codeartifact login --tool twine`` writes ``~/.pypirc``; ``twine -r codeartifact``
    then posts to the endpoint root (``notes/clients.md`` §5)."""
    aws = AwsCli(coffer_server.url, coffer_server.credentials, clients.home)
    login = aws.run(
        "codeartifact", "login", "--tool", "twine", "--domain", repo.domain,
        "--repository", repo.repository,
    )  # fmt: skip
    assert login.returncode == 0, login.describe()
    pypirc = (clients.home / ".pypirc").read_text()
    assert f"repository = {repo.endpoint}" in pypirc
    assert "username = aws" in pypirc

    project = write_uv_project(tmp_path / "proj", "via-login", "0.3.0")
    dists = uv_build(clients, project)
    clients.tool(
        "twine",
        "upload",
        "--non-interactive",
        "--disable-progress-bar",
        "-r",
        "codeartifact",
        *(str(project / "dist" / name) for name in dists),
    )
    assert_served(repo, "via-login", dists)


def test_uv_publish(clients: PythonClients, repo: PypiRepo, ca: Any, tmp_path: Path) -> None:
    project = write_uv_project(tmp_path / "proj", "Via_Uv", "2.1.0")
    dists = uv_build(clients, project)
    clients.tool(
        "uv", "publish", "--publish-url", repo.endpoint, "--username", "aws",
        "--password", repo.token, cwd=project,
    )  # fmt: skip
    assert _uploads(repo) == [200, 200]
    assert_served(repo, "via-uv", dists)
    assert _versions(ca, repo, "via-uv") == {"2.1.0": "Published"}

    # The same files again, credentials from UV_PUBLISH_*: an idempotent success.
    clients.tool(
        "uv",
        "publish",
        "--publish-url",
        repo.endpoint,
        cwd=project,
        env={"UV_PUBLISH_USERNAME": "aws", "UV_PUBLISH_PASSWORD": repo.token},
    )
    assert _uploads(repo) == [200, 200, 200, 200]

    # With --check-url, uv looks the files up in the index first and skips those there. It does
    # not send the publish credentials with that lookup (a bare URL gets 401 and uv uploads
    # anyway), so the check URL carries its own.
    skipped = clients.tool(
        "uv",
        "publish",
        "--publish-url",
        repo.endpoint,
        "--check-url",
        repo.with_credentials(repo.simple),
        cwd=project,
        env={"UV_PUBLISH_USERNAME": "aws", "UV_PUBLISH_PASSWORD": repo.token},
    )
    for name in dists:
        assert f"File {name} already exists, skipping" in skipped.output
    assert _uploads(repo) == [200, 200, 200, 200]


def test_pdm_publish(clients: PythonClients, repo: PypiRepo, ca: Any, tmp_path: Path) -> None:
    project = write_uv_project(
        tmp_path / "proj",
        "Via.Pdm",
        "0.9.1",
        module="via_pdm",
        project_extra='license = "MIT"\n',
    )
    dists = uv_build(clients, project)
    assert sorted(dists) == ["via_pdm-0.9.1-py3-none-any.whl", "via_pdm-0.9.1.tar.gz"]
    clients.tool(
        "pdm", "publish", "--no-build", "-r", repo.endpoint, "-u", "aws", "-P", repo.token,
        cwd=project,
    )  # fmt: skip
    assert _uploads(repo) == [200, 200]
    assert_served(repo, "via-pdm", dists)
    version = ca.describe_package_version(
        domain=repo.domain,
        repository=repo.repository,
        format="pypi",
        package="via-pdm",
        packageVersion="0.9.1",
    )["packageVersion"]
    assert version["displayName"] == "Via.Pdm"
    assert version["licenses"] == [{"name": "MIT"}]

    # Credentials from PDM_PUBLISH_*: the same files again succeed.
    clients.tool(
        "pdm",
        "publish",
        "--no-build",
        cwd=project,
        env={
            "PDM_PUBLISH_REPO": repo.endpoint,
            "PDM_PUBLISH_USERNAME": "aws",
            "PDM_PUBLISH_PASSWORD": repo.token,
        },
    )
    assert _uploads(repo) == [200, 200, 200, 200]


def test_hatch_publish(clients: PythonClients, repo: PypiRepo, ca: Any, tmp_path: Path) -> None:
    project = write_uv_project(tmp_path / "proj", "Via_Hatch", "3.0.0")
    dists = uv_build(clients, project)
    clients.tool(
        "hatch", "publish", "-n", "-r", repo.endpoint, "-u", "aws", "-a", repo.token, "dist/",
        cwd=project,
    )  # fmt: skip
    assert _uploads(repo) == [200, 200]
    assert_served(repo, "via-hatch", dists)
    assert _versions(ca, repo, "via-hatch") == {"3.0.0": "Published"}

    # Hatch first asks `<repo>/+simple/<name>/` which files exist (a 404 before the first
    # upload: nothing yet); Coffer serves the project page there, so hatch skips them now.
    again = clients.tool(
        "hatch",
        "publish",
        "-n",
        "dist/",
        cwd=project,
        env={
            "HATCH_INDEX_REPO": repo.endpoint,
            "HATCH_INDEX_USER": "aws",
            "HATCH_INDEX_AUTH": repo.token,
        },
    )
    assert again.returncode == 0
    assert "already exists" in again.stdout + again.stderr
    assert _uploads(repo) == [200, 200]
    prechecks = [r for r in repo.requests() if "+simple" in r["path"]]
    assert [(r["method"], r["status"]) for r in prechecks] == [("GET", 404), ("GET", 200)]


def test_flit_publish(clients: PythonClients, repo: PypiRepo, ca: Any, tmp_path: Path) -> None:
    project = tmp_path / "proj"
    (project / "via_flit").mkdir(parents=True)
    (project / "via_flit" / "__init__.py").write_text('"""Published with flit."""\nX = 1\n')
    (project / "pyproject.toml").write_text(
        '[project]\nname = "via_flit"\nversion = "0.4.2"\ndescription = "flit-built"\n'
        'authors = [{name = "Tester", email = "tester@example.com"}]\n\n'
        '[project.urls]\nSource = "https://git.example/via-flit"\n\n'
        '[build-system]\nrequires = ["flit_core>=3.2,<5"]\nbuild-backend = "flit_core.buildapi"\n'
    )
    clients.tool(
        "flit",
        "publish",
        cwd=project,
        env={
            "FLIT_INDEX_URL": repo.endpoint,
            "FLIT_USERNAME": "aws",
            "FLIT_PASSWORD": repo.token,
        },
    )
    built = dist_files(project / "dist")
    assert sorted(built) == ["via_flit-0.4.2-py2.py3-none-any.whl", "via_flit-0.4.2.tar.gz"]
    assert _uploads(repo) == [200, 200]
    assert_served(repo, "via-flit", built)
    version = ca.describe_package_version(
        domain=repo.domain,
        repository=repo.repository,
        format="pypi",
        package="via-flit",
        packageVersion="0.4.2",
    )["packageVersion"]
    assert version["summary"] == "flit-built"
    assert version["sourceCodeRepository"] == "https://git.example/via-flit"
