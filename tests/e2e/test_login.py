"""``coffer login --tool X``, then that tool's own install or publish, against a real server.

Every test starts from config files a user already has (other indexes, other repositories,
other credentials, comments) and checks they survive the login, which edits only its own keys.
``--dry-run`` is held to changing nothing at all, byte for byte. The unmodified
``aws codeartifact login --tool pip`` is driven against Coffer too (``--tool twine``:
``test_pypi_publishers.py::test_twine_after_aws_codeartifact_login``).
"""

from __future__ import annotations

import configparser
import os
import tomllib
from pathlib import Path
from typing import Any

import pytest

from support.clients import aws_cli_path
from support.coffer_client import client_env, coffer, run
from support.pypi_clients import (
    PypiRepo,
    PythonClients,
    assert_served,
    build_sample_lib,
    create_pypi_repo,
    publish_files,
    tool,
    uv_build,
    write_uv_project,
)
from support.server import CofferServer

pytestmark = pytest.mark.e2e

IMPORT_PI = "import sample_lib; print(sample_lib.PI)"


@pytest.fixture(scope="session")
def sample_lib(tmp_path_factory: pytest.TempPathFactory) -> dict[str, bytes]:
    root = tmp_path_factory.mktemp("sample-lib-login")
    return build_sample_lib(PythonClients(root / "clients"), root / "sample-lib")


@pytest.fixture
def repo(ca: Any, coffer_server: CofferServer, unique_name: str) -> PypiRepo:
    return create_pypi_repo(ca, coffer_server, unique_name)


@pytest.fixture
def stocked(repo: PypiRepo, sample_lib: dict[str, bytes]) -> PypiRepo:
    """The repository holding sample-lib 0.1.0."""
    publish_files(repo, sample_lib)
    return repo


@pytest.fixture
def clients(tmp_path: Path) -> PythonClients:
    return PythonClients(tmp_path / "clients")


def _login(
    clients: PythonClients, server: CofferServer, repo: PypiRepo, tool_name: str, *extra: str
) -> str:
    result = coffer(
        clients, server, "login", "--tool", tool_name, "--domain", repo.domain,
        "--repository", repo.repository, *extra,
    )  # fmt: skip
    assert "The token expires at" in result.stdout, result.describe()
    assert "cfr1." not in result.output  # the token is never printed
    return result.stdout


def _ini(path: Path) -> configparser.ConfigParser:
    parser = configparser.ConfigParser(interpolation=None)
    parser.read_string(path.read_text())
    return parser


def _token_in(url: str) -> str:
    return url.split("://aws:", 1)[1].split("@", 1)[0]


# ------------------------------------------------------------------------------------------ pip


def test_pip_login_keeps_other_settings_and_installs(
    clients: PythonClients, stocked: PypiRepo, coffer_server: CofferServer
) -> None:
    clients.pip_config.write_text(
        "[global]\ntimeout = 60\nindex-url = https://old.example/simple/\n\n"
        "[install]\nno-warn-script-location = true\n"
    )
    out = _login(clients, coffer_server, stocked, "pip")
    assert f"Updated {clients.pip_config}: [global] index-url" in out

    config = _ini(clients.pip_config)
    assert config["global"]["timeout"] == "60"
    assert config["install"]["no-warn-script-location"] == "true"
    index_url = config["global"]["index-url"]
    assert index_url.startswith("http://aws:cfr1.")
    assert index_url.endswith(stocked.path + "simple/")

    target = clients.new_venv()
    installed = clients.tool("pip", "--python", str(target), "install", "sample-lib")
    assert "Successfully installed sample-lib-0.1.0" in installed.output
    assert clients.python(target, IMPORT_PI) == "3.14"


def test_aws_codeartifact_login_for_pip_then_install(
    clients: PythonClients, stocked: PypiRepo, coffer_server: CofferServer
) -> None:
    """The aws CLI runs ``pip config set global.index-url …`` with the first pip on PATH: it
    writes the user file, which pip then reads (notes/clients.md §5)."""
    env = client_env(clients, coffer_server)
    del env["PIP_CONFIG_FILE"]  # pip config set refuses to edit the user file otherwise
    env["PATH"] = f"{tool('pip').parent}{os.pathsep}{env['PATH']}"
    login = run(
        [aws_cli_path(), "codeartifact", "login", "--tool", "pip", "--domain", stocked.domain,
         "--repository", stocked.repository],
        env, cwd=clients.root,
    )  # fmt: skip
    assert "Successfully configured pip" in login.stdout, login.describe()
    user_file = clients.home / ".config" / "pip" / "pip.conf"
    index_url = _ini(user_file)["global"]["index-url"]
    assert index_url.endswith(stocked.path + "simple/")

    target = clients.new_venv()
    clients.tool(
        "pip", "--python", str(target), "install", "sample-lib",
        env={"PIP_CONFIG_FILE": str(user_file)},
    )  # fmt: skip
    assert clients.python(target, IMPORT_PI) == "3.14"


# ---------------------------------------------------------------------------------------- twine

PYPIRC = """\
[distutils]
index-servers =
    pypi
    other

[pypi]
username = __token__

[other]
repository = https://other.example/legacy/
username = bob
password = secret
"""


def test_twine_login_keeps_other_servers_and_uploads(
    clients: PythonClients, repo: PypiRepo, coffer_server: CofferServer, tmp_path: Path
) -> None:
    pypirc = clients.home / ".pypirc"
    pypirc.write_text(PYPIRC)
    _login(clients, coffer_server, repo, "twine", "--name", "coffer")

    config = _ini(pypirc)
    assert config["distutils"]["index-servers"].split() == ["pypi", "other", "coffer"]
    assert dict(config["other"]) == {
        "repository": "https://other.example/legacy/",
        "username": "bob",
        "password": "secret",
    }
    assert dict(config["pypi"]) == {"username": "__token__"}
    assert config["coffer"]["repository"] == repo.endpoint

    project = write_uv_project(tmp_path / "proj", "via-coffer-login", "1.0.0")
    dists = uv_build(clients, project)
    clients.tool(
        "twine", "upload", "--non-interactive", "--disable-progress-bar", "-r", "coffer",
        *(str(project / "dist" / name) for name in dists),
    )  # fmt: skip
    assert_served(repo, "via-coffer-login", dists)


# --------------------------------------------------------------------------------------- poetry


def test_poetry_login_keeps_other_repositories_then_publish_and_add(
    clients: PythonClients, repo: PypiRepo, coffer_server: CofferServer, tmp_path: Path
) -> None:
    config_dir = Path(clients.env()["POETRY_CONFIG_DIR"])
    config_dir.mkdir(parents=True)
    (config_dir / "config.toml").write_text(
        "# team defaults\n[virtualenvs]\nin-project = true\n\n"
        '[repositories.other]\nurl = "https://other.example/legacy/"  # the old one\n'
    )
    (config_dir / "auth.toml").write_text(
        '[http-basic.other]\nusername = "bob"\npassword = "secret"\n'
    )
    _login(clients, coffer_server, repo, "poetry", "--name", "artifact")

    config_text = (config_dir / "config.toml").read_text()
    assert config_text.startswith("# team defaults\n")
    assert '"https://other.example/legacy/"  # the old one' in config_text
    config = tomllib.loads(config_text)
    assert config["repositories"]["artifact"] == {"url": repo.endpoint}
    auth = tomllib.loads((config_dir / "auth.toml").read_text())["http-basic"]
    assert auth["other"] == {"username": "bob", "password": "secret"}
    assert auth["artifact"]["username"] == "aws"

    def poetry(*args: str, cwd: Path) -> None:
        clients.tool("poetry", "--no-ansi", *args, cwd=cwd)

    # The seed's publish: poetry publish --repository artifact, credentials from the login.
    files = build_sample_lib(clients, tmp_path / "sample-lib")
    poetry("publish", "--repository", "artifact", cwd=tmp_path / "sample-lib")
    assert_served(repo, "sample-lib", files)

    # The seed's install: a source named like the repository, then poetry add --source.
    app = tmp_path / "sample-app"
    app.mkdir()
    poetry("init", "--no-interaction", "--name", "sample-app", cwd=app)
    poetry("source", "add", "--priority", "explicit", "artifact", repo.simple, cwd=app)
    poetry("add", "sample-lib", "--source", "artifact", cwd=app)
    assert clients.python(app / ".venv" / "bin" / "python", IMPORT_PI) == "3.14"
    assert "cfr1." not in (app / "pyproject.toml").read_text() + (app / "poetry.lock").read_text()


# ------------------------------------------------------------------------------------------- uv

UV_TOML = """\
# my uv settings
native-tls = false

[[index]]
name = "other"
url = "http://127.0.0.1:9/simple/"
explicit = true
"""


def test_uv_login_keeps_other_indexes_then_install_and_add(
    clients: PythonClients, stocked: PypiRepo, coffer_server: CofferServer, tmp_path: Path
) -> None:
    uv_toml = clients.home / ".config" / "uv" / "uv.toml"
    uv_toml.parent.mkdir(parents=True)
    uv_toml.write_text(UV_TOML)
    _login(clients, coffer_server, stocked, "uv")

    text = uv_toml.read_text()
    assert text.startswith(UV_TOML)  # everything there before is kept as it was
    indexes = tomllib.loads(text)["index"]
    assert [index["name"] for index in indexes] == ["other", stocked.repository]
    assert indexes[1]["url"].endswith(stocked.path + "simple/")
    token = _token_in(indexes[1]["url"])

    target = clients.new_venv()
    installed = clients.tool("uv", "pip", "install", "--python", str(target), "sample-lib")
    assert "+ sample-lib==0.1.0" in installed.output
    assert clients.python(target, IMPORT_PI) == "3.14"

    app = tmp_path / "app"
    app.mkdir()
    (app / "pyproject.toml").write_text(
        '[project]\nname = "app"\nversion = "0.1.0"\nrequires-python = ">=3.11"\n'
        "dependencies = []\n\n[tool.uv]\npackage = false\n"
    )
    clients.tool("uv", "add", "sample-lib", cwd=app)
    lock = (app / "uv.lock").read_text()
    assert stocked.path + "simple/" in lock
    assert token not in lock
    assert token not in (app / "pyproject.toml").read_text()
    assert clients.python(app / ".venv" / "bin" / "python", IMPORT_PI) == "3.14"


# ------------------------------------------------------------------------------------------ pdm


def test_pdm_login_keeps_other_settings_then_publish_and_add(
    clients: PythonClients, repo: PypiRepo, coffer_server: CofferServer, tmp_path: Path
) -> None:
    config = clients.home / ".config" / "pdm" / "config.toml"
    config.parent.mkdir(parents=True)
    config.write_text(
        '# mine\ncheck_update = false\n\n[repository.other]\nurl = "https://other.example/legacy/"\n'
    )
    _login(clients, coffer_server, repo, "pdm")
    settings = tomllib.loads(config.read_text())
    assert settings["check_update"] is False
    assert settings["repository"]["other"] == {"url": "https://other.example/legacy/"}
    assert settings["repository"][repo.repository]["url"] == repo.endpoint

    lib = write_uv_project(tmp_path / "lib", "via-pdm-login", "1.0.0", module="sample_lib",
                           source="PI = 3.14\n")  # fmt: skip
    dists = uv_build(clients, lib)
    clients.tool("pdm", "publish", "--no-build", "-r", repo.repository, cwd=lib)
    assert_served(repo, "via-pdm-login", dists)

    app = tmp_path / "app"
    app.mkdir()
    (app / "pyproject.toml").write_text(
        '[project]\nname = "app"\nversion = "0.1.0"\nrequires-python = ">=3.11"\n'
        "dependencies = []\n\n[tool.pdm]\ndistribution = false\n\n"
        # The project names the source; its URL and credentials come from the login.
        f'[[tool.pdm.source]]\nname = "{repo.repository}"\n'
    )
    # Only the project's sources: PyPI is out of reach here.
    clients.tool("pdm", "add", "via-pdm-login", cwd=app, env={"PDM_IGNORE_STORED_INDEX": "1"})
    assert clients.python(app / ".venv" / "bin" / "python", IMPORT_PI) == "3.14"


# ------------------------------------------------------------------------------------------ npm


def test_npm_reads_what_login_wrote(
    clients: PythonClients, repo: PypiRepo, coffer_server: CofferServer
) -> None:
    """Coffer has no npm format yet, so no install can be shown (blocked on that format); npm
    itself reads the registry and the token's prefix from the file the login wrote."""
    npmrc = clients.home / ".npmrc"
    npmrc.write_text("fund=false\n@other:registry=https://npm.other.example/\n")
    _login(clients, coffer_server, repo, "npm")
    endpoint = repo.endpoint.replace("/pypi/", "/npm/")
    env = {**clients.env(), "NPM_CONFIG_USERCONFIG": str(npmrc),
           "NPM_CONFIG_CACHE": str(clients.root / "npm-cache")}  # fmt: skip

    def npm_config(key: str) -> str:
        return run(["npm", "config", "get", key], env, cwd=clients.root).stdout.strip()

    assert npm_config("registry") == endpoint
    # npm 11 will not print a token ("protected"), but lists it under the registry's prefix.
    auth_key = "//" + endpoint.split("://", 1)[1] + ":_authToken"
    listed = run(["npm", "config", "list"], env, cwd=clients.root).stdout
    assert f"{auth_key} = (protected)" in listed, listed
    token = next(
        line.split("=", 1)[1] for line in npmrc.read_text().splitlines() if line.startswith("//")
    )
    assert repo.get("simple/", token=token).status_code == 200  # a live token for the domain
    assert npm_config("fund") == "false"
    assert npm_config("@other:registry") == "https://npm.other.example/"


# -------------------------------------------------------------------------------------- dry run


def _snapshot(root: Path) -> dict[Path, bytes]:
    return {
        Path(directory) / name: (Path(directory) / name).read_bytes()
        for directory, _, files in os.walk(root)
        for name in files
    }


@pytest.mark.parametrize("tool_name", ["pip", "twine", "poetry", "uv", "pdm", "npm"])
def test_dry_run_changes_nothing(
    clients: PythonClients, repo: PypiRepo, coffer_server: CofferServer, tool_name: str
) -> None:
    (clients.home / ".pypirc").write_text(PYPIRC)
    clients.pip_config.write_text("[global]\ntimeout = 60\n")
    (clients.home / ".config" / "uv").mkdir(parents=True)
    (clients.home / ".config" / "uv" / "uv.toml").write_text(UV_TOML)
    (clients.home / ".npmrc").write_text("fund=false\n")
    before = _snapshot(clients.root)

    out = _login(clients, coffer_server, repo, tool_name, "--dry-run")
    assert "Would " in out
    assert "Dry run: nothing was changed." in out
    assert _snapshot(clients.root) == before


def test_a_failed_login_says_why_and_changes_nothing(
    clients: PythonClients, repo: PypiRepo, coffer_server: CofferServer
) -> None:
    clients.pip_config.write_text("[global]\ntimeout = 60\n")
    before = _snapshot(clients.root)
    missing = coffer(
        clients, coffer_server, "login", "--tool", "pip", "--domain", repo.domain,
        "--repository", "nope", check=False,
    )  # fmt: skip
    assert missing.returncode == 1
    assert missing.stderr.startswith(
        "Error: GetRepositoryEndpoint failed: ResourceNotFoundException:"
    )
    denied = coffer(
        clients, coffer_server, "login", "--tool", "pip", "--domain", repo.domain,
        "--repository", repo.repository, check=False,
        env={"AWS_SHARED_CREDENTIALS_FILE": str(clients.home / ".aws" / "credentials")},
    )  # fmt: skip
    assert denied.returncode == 1
    assert "no AWS credentials found" in denied.stderr
    assert _snapshot(clients.root) == before
