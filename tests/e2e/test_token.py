"""``coffer token``: the token alone, or the lines each tool reads it from, used as CI would:
``eval "$(coffer token --export-format …)"`` and then the tool itself, with no config file."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import pytest

from support.coffer_client import client_env, coffer, run
from support.pypi_clients import (
    PypiRepo,
    PythonClients,
    build_sample_lib,
    create_pypi_repo,
    publish_files,
    tool,
)
from support.server import CofferServer, coffer_executable

pytestmark = pytest.mark.e2e

IMPORT_PI = "import sample_lib; print(sample_lib.PI)"


@pytest.fixture(scope="session")
def sample_lib(tmp_path_factory: pytest.TempPathFactory) -> dict[str, bytes]:
    root = tmp_path_factory.mktemp("sample-lib-token")
    return build_sample_lib(PythonClients(root / "clients"), root / "sample-lib")


@pytest.fixture
def repo(
    ca: Any, coffer_server: CofferServer, unique_name: str, sample_lib: dict[str, bytes]
) -> PypiRepo:
    repo = create_pypi_repo(ca, coffer_server, unique_name)
    publish_files(repo, sample_lib)
    return repo


@pytest.fixture
def clients(tmp_path: Path) -> PythonClients:
    return PythonClients(tmp_path / "clients")


def _eval_then(
    clients: PythonClients,
    server: CofferServer,
    token_args: list[str],
    command: list[str],
    cwd: Path | None = None,
) -> str:
    """``eval "$(coffer token TOKEN_ARGS)"`` then COMMAND, in one shell."""
    script = 'eval "$("$COFFER" token "$@")" && ' + " ".join(f"'{part}'" for part in command)
    env = client_env(clients, server, {"COFFER": str(coffer_executable())})
    return run(["sh", "-c", script, "sh", *token_args], env, cwd=cwd or clients.root).output


def _lines(clients: PythonClients, server: CofferServer, *args: str) -> str:
    return coffer(clients, server, "token", *args).stdout


def test_plain_token_works_and_respects_duration(
    clients: PythonClients, repo: PypiRepo, coffer_server: CofferServer
) -> None:
    out = _lines(clients, coffer_server, "--domain", repo.domain, "--duration-seconds", "900")
    token = out.removesuffix("\n")
    assert out.endswith("\n")
    assert "\n" not in token
    assert repo.get("simple/", token=token).status_code == 200

    secret = _lines(clients, coffer_server, "--domain", repo.domain, "--export-format",
                    "docker-secret")  # fmt: skip
    assert secret.startswith("cfr1.")
    assert not secret.endswith("\n")  # a BuildKit secret file holds the token alone
    assert repo.get("simple/", token=secret).status_code == 200

    env = _lines(clients, coffer_server, "--domain", repo.domain, "--export-format", "env",
                 "--variable", "CODEARTIFACT_TOKEN", "--no-export-keyword")  # fmt: skip
    assert env.startswith("CODEARTIFACT_TOKEN=cfr1.")


def test_bad_requests_fail_with_a_clear_message(
    clients: PythonClients, repo: PypiRepo, coffer_server: CofferServer
) -> None:
    short = coffer(clients, coffer_server, "token", "--domain", repo.domain,
                   "--duration-seconds", "100", check=False)  # fmt: skip
    assert short.returncode == 1
    assert "GetAuthorizationToken failed: ValidationException" in short.stderr

    no_repo = coffer(clients, coffer_server, "token", "--domain", repo.domain,
                     "--export-format", "pip", check=False)  # fmt: skip
    assert no_repo.returncode == 1
    assert "--export-format pip needs --repository" in no_repo.stderr

    missing = coffer(clients, coffer_server, "token", "--domain", repo.domain + "x", check=False)
    assert missing.returncode == 1
    assert "ResourceNotFoundException" in missing.stderr

    anonymous = coffer(
        clients, coffer_server, "token", "--domain", repo.domain, check=False,
        env={"AWS_SHARED_CREDENTIALS_FILE": str(clients.root / "none")},
    )  # fmt: skip
    assert anonymous.returncode == 1
    assert "no AWS credentials found" in anonymous.stderr
    assert "Traceback" not in anonymous.output


def test_pip_index_url_from_env(
    clients: PythonClients, repo: PypiRepo, coffer_server: CofferServer
) -> None:
    target = clients.new_venv()
    _eval_then(
        clients, coffer_server,
        ["--domain", repo.domain, "--repository", repo.repository, "--export-format", "pip"],
        [str(tool("pip")), "--python", str(target), "install", "sample-lib"],
    )  # fmt: skip
    assert clients.python(target, IMPORT_PI) == "3.14"


def test_uv_index_credentials_from_env(
    clients: PythonClients, repo: PypiRepo, coffer_server: CofferServer
) -> None:
    target = clients.new_venv()
    _eval_then(
        clients, coffer_server,
        ["--domain", repo.domain, "--repository", repo.repository, "--name", "private",
         "--export-format", "uv"],
        [str(tool("uv")), "pip", "install", "--python", str(target), "--index",
         f"private={repo.simple}", "sample-lib"],
    )  # fmt: skip
    assert clients.python(target, IMPORT_PI) == "3.14"


def test_poetry_http_basic_from_env(
    clients: PythonClients, repo: PypiRepo, coffer_server: CofferServer, tmp_path: Path
) -> None:
    """The seed's container-build variables, POETRY_HTTP_BASIC_ARTIFACT_*, from one command."""
    app = tmp_path / "sample-app"
    app.mkdir()
    poetry = str(tool("poetry"))
    clients.tool("poetry", "init", "--no-interaction", "--name", "sample-app", cwd=app)
    clients.tool("poetry", "source", "add", "--priority", "explicit", "artifact", repo.simple,
                 cwd=app)  # fmt: skip
    _eval_then(
        clients, coffer_server,
        ["--domain", repo.domain, "--repository", repo.repository, "--name", "artifact",
         "--export-format", "poetry"],
        [poetry, "--no-ansi", "add", "sample-lib", "--source", "artifact"],
        cwd=app,
    )  # fmt: skip
    assert clients.python(app / ".venv" / "bin" / "python", IMPORT_PI) == "3.14"
    assert not (Path(clients.env()["POETRY_CONFIG_DIR"]) / "auth.toml").exists()
    anonymous = httpx.get(repo.simple, timeout=30)
    assert anonymous.status_code == 401  # it really needed the token
