"""Always-fresh credentials: pip, uv and Poetry install through Coffer's keyring backend with no
token in any file, and keep installing after the token they used has expired.

Each test runs its own ``coffer serve``. After a first install, the whole world jumps 50,000
seconds ahead (longer than the 12-hour default token): the server restarts on the same port
with ``COFFER_TEST_CLOCK_OFFSET`` and the clients run with ``COFFER_CLIENT_CLOCK_OFFSET`` (the
backend's test-only clock hook, which also moves the time botocore signs with). The old token
is refused then, and the same install in a fresh process works because the backend fetched a
new one. Caches are fresh per install, so every install really asks the server.

The tools load the backend the way users get it: installed next to them (a venv with the tool
and Coffer), found through its ``keyring.backends`` entry point; ``PYTHON_KEYRING_BACKEND`` is
unset. twine, given a ``.pypirc`` with a user name and no password, uploads the same way.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

import support.server
from support.aws import codeartifact_client
from support.coffer_client import client_env, coffer, run, text_files_containing, venv_with_coffer
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

JUMP = 50_000  # seconds: past the default 12-hour token
IMPORT_PI = "import sample_lib; print(sample_lib.PI)"


@pytest.fixture(scope="session")
def sample_lib(tmp_path_factory: pytest.TempPathFactory) -> dict[str, bytes]:
    root = tmp_path_factory.mktemp("sample-lib-keyring")
    return build_sample_lib(PythonClients(root / "clients"), root / "sample-lib")


@dataclass
class World:
    """A server of its own, a repository holding sample-lib, and clients with no token."""

    server: CofferServer
    repo: PypiRepo
    clients: PythonClients
    root: Path
    offset: int = 0

    def env(self) -> dict[str, str]:
        env = client_env(self.clients, self.server)
        del env["PYTHON_KEYRING_BACKEND"]  # found through the entry point
        del env["AWS_ENDPOINT_URL_CODEARTIFACT"]  # the backend derives it from the index URL
        env["COFFER_CLIENT_CLOCK_OFFSET"] = str(self.offset)
        return env

    def jump(self, monkeypatch: pytest.MonkeyPatch) -> None:
        """Restart the server ``JUMP`` seconds in the future, on the same port."""
        self.server.stop()
        self.offset += JUMP
        port = self.server.port
        with monkeypatch.context() as patch:
            patch.setattr(support.server, "free_port", lambda: port)
            self.server = CofferServer.start(
                self.server.data_dir,
                logs=self.root / f"logs-{self.offset}",
                env={"COFFER_TEST_CLOCK_OFFSET": str(self.offset)},
                attempts=1,
            )

    @property
    def cache_dir(self) -> Path:
        return self.clients.home / ".cache" / "coffer" / "tokens"

    def cached_tokens(self) -> list[str]:
        return [json.loads(p.read_text())["token"] for p in sorted(self.cache_dir.glob("*.json"))]

    def token_requests(self) -> list[int]:
        return [
            record["status"]
            for record in self.server.log_records()
            if record.get("path") == "/v1/authorization-token"
        ]


@pytest.fixture
def world(tmp_path: Path, sample_lib: dict[str, bytes]) -> Iterator[World]:
    server = CofferServer.start(tmp_path / "data", logs=tmp_path / "logs")
    try:
        ca = codeartifact_client(server.url, server.credentials)
        repo = create_pypi_repo(ca, server, "keyring")
        publish_files(repo, sample_lib)
        world = World(server, repo, PythonClients(tmp_path / "clients"), tmp_path)
        yield world
        server = world.server  # restarted by a jump
    finally:
        server.stop()


def _login(world: World, tool_name: str) -> None:
    out = coffer(
        world.clients, world.server, "login", "--tool", tool_name, "--keyring",
        "--domain", world.repo.domain, "--repository", world.repo.repository,
    ).stdout  # fmt: skip
    assert "No token written" in out


def _pip_install(world: World, phase: str) -> None:
    target = world.root / f"site-{phase}"
    pip = venv_with_coffer("pip") / "bin" / "pip"
    # The index and keyring-provider = import come from the pip.conf the login wrote.
    run([pip, "install", "--no-cache-dir", "--target", target, "sample-lib"], world.env(),
        cwd=world.root)  # fmt: skip
    assert (target / "sample_lib" / "__init__.py").read_text() == "PI = 3.14\n"


def _uv_install(world: World, phase: str) -> None:
    target = world.clients.new_venv(f"target-{phase}")
    env = world.env()
    env["PATH"] = f"{venv_with_coffer('pip') / 'bin'}{os.pathsep}{env['PATH']}"  # keyring CLI
    env["UV_CACHE_DIR"] = str(world.root / f"uv-cache-{phase}")
    run([tool("uv"), "pip", "install", "--python", target, "sample-lib"], env, cwd=world.root)
    assert world.clients.python(target, IMPORT_PI) == "3.14"


def _poetry_install(world: World, phase: str) -> None:
    poetry = venv_with_coffer("poetry") / "bin" / "poetry"
    env = world.env()
    env["POETRY_CACHE_DIR"] = str(world.root / f"poetry-cache-{phase}")
    app = world.root / f"app-{phase}"
    app.mkdir()
    name = world.repo.repository
    for args in (
        ["init", "--no-interaction", "--name", "sample-app"],
        ["source", "add", "--priority", "explicit", name, world.repo.simple],
        ["add", "sample-lib", "--source", name],
    ):
        run([poetry, "--no-ansi", *args], env, cwd=app)
    assert world.clients.python(app / ".venv" / "bin" / "python", IMPORT_PI) == "3.14"


INSTALLS: dict[str, Any] = {"pip": _pip_install, "uv": _uv_install, "poetry": _poetry_install}


@pytest.mark.parametrize("tool_name", sorted(INSTALLS))
def test_installs_with_no_token_in_files_and_across_expiry(
    world: World, tool_name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    install = INSTALLS[tool_name]
    _login(world, tool_name)
    issued = len(world.token_requests())
    install(world, "before")
    [first] = world.cached_tokens()
    assert world.token_requests()[issued:] == [200]  # the backend got one token
    # No token in any file but the backend's own cache: not in the tools' config, lock files
    # or caches, nor in the server's data directory or logs.
    assert text_files_containing(world.root, first, skip=[world.cache_dir]) == []

    world.jump(monkeypatch)
    expired = httpx.get(world.repo.simple, auth=("aws", first), timeout=30)
    assert expired.status_code == 401
    assert expired.text == "The authorization token has expired\n"

    install(world, "after")
    [second] = world.cached_tokens()
    assert second != first
    assert world.token_requests() == [200]  # the restarted server's log: one new token
    reads = [
        r["status"]
        for r in world.server.log_records()
        if "/simple/sample-lib/" in r.get("path", "")
    ]
    assert reads
    assert set(reads) <= {200, 401}
    assert text_files_containing(world.root, second, skip=[world.cache_dir]) == []


def test_the_backend_is_found_through_its_entry_point(world: World) -> None:
    keyring = venv_with_coffer("pip") / "bin" / "keyring"
    listed = run([keyring, "--list-backends"], world.env(), cwd=world.root).stdout
    assert "coffer.client.keyring_backend.CofferKeyring (priority: 9)" in listed
    # Not for a server nobody chose: a URL's shape alone hands no host a token.
    untrusted = run([keyring, "get", world.repo.simple, "aws"], world.env(), cwd=world.root,
                    check=False)  # fmt: skip
    assert (untrusted.returncode, untrusted.stdout) == (1, "")
    # After `coffer login --keyring`, it answers for Coffer URLs of that server only, with
    # user "aws" and a live token.
    _login(world, "pip")
    got = run([keyring, "get", world.repo.simple, "aws"], world.env(), cwd=world.root)
    assert got.stdout.strip().startswith("cfr1.")
    assert (
        httpx.get(world.repo.simple, auth=("aws", got.stdout.strip()), timeout=30).status_code
        == 200
    )
    other = run(
        [keyring, "get", world.server.url + "/simple/", "aws"],
        world.env(),
        cwd=world.root,
        check=False,
    )
    assert other.returncode == 1
    assert other.stdout == ""


def test_twine_uploads_with_the_password_from_the_keyring(world: World) -> None:
    """``.pypirc`` names the user only; twine asks the keyring for the repository URL."""
    _login(world, "twine")
    pypirc = (world.clients.home / ".pypirc").read_text()
    assert "username = aws" in pypirc
    assert "password" not in pypirc
    project = write_uv_project(world.root / "proj", "via-keyring", "1.0.0")
    dists = uv_build(world.clients, project)
    twine = venv_with_coffer("twine") / "bin" / "twine"
    run(
        [twine, "upload", "--non-interactive", "--disable-progress-bar", "-r",
         world.repo.repository, *(project / "dist" / name for name in dists)],
        world.env(), cwd=world.root,
    )  # fmt: skip
    assert_served(world.repo, "via-keyring", dists)
