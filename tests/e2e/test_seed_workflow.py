"""The seed workflow ("Private packages with CodeArtifact and Poetry"), command by command.

The aws CLI creates the domain and repository and reads the endpoint and a token exactly as the
post shows; Poetry 2 builds and publishes ``sample-lib`` and installs it into ``sample-app``.
Where the post's Poetry 1 syntax no longer works (``secondary = true``), the test pins down
Poetry 2's error and then uses what our docs say instead (``priority = "supplemental"``).
"""

from __future__ import annotations

import hashlib
import tomllib
from pathlib import Path

import pytest

from support.aws import AwsCli
from support.pypi_clients import PypiRepo, PythonClients, Run
from support.server import CofferServer

pytestmark = pytest.mark.e2e

SECONDARY_ERROR = "tool.poetry.source[0] must not contain {'secondary'} properties"


def _source_block(url: str, option: str) -> str:
    return f'\n[[tool.poetry.source]]\nname = "artifact"\nurl = "{url}"\n{option}\n'


def test_seed_workflow(
    aws: AwsCli, coffer_server: CofferServer, tmp_path: Path, unique_name: str
) -> None:
    clients = PythonClients(tmp_path / "clients")
    domain = unique_name

    def poetry(*args: str, cwd: Path, env: dict[str, str] | None = None, check: bool = True) -> Run:
        return clients.tool("poetry", "--no-ansi", *args, cwd=cwd, env=env, check=check)

    # --- the domain, the repository, the endpoint and a token, as the post fetches them
    aws.call("create-domain", "--domain", domain)
    aws.call("create-repository", "--domain", domain, "--repository", "example")
    endpoint = aws.text(
        "get-repository-endpoint",
        "--domain",
        domain,
        "--repository",
        "example",
        "--format",
        "pypi",
        "--query",
        "repositoryEndpoint",
    )
    assert endpoint == f"{coffer_server.url}/{domain}-{coffer_server.account_id}/pypi/example/"
    token = aws.text("get-authorization-token", "--domain", domain, "--query", "authorizationToken")
    assert token.startswith("cfr1.")
    assert not set(token) & set(" \n")

    # --- sample-lib: poetry init, one module, build
    lib = tmp_path / "sample-lib"
    lib.mkdir()
    poetry("init", "--no-interaction", cwd=lib)
    (lib / "sample_lib").mkdir()
    (lib / "sample_lib" / "__init__.py").write_text("PI = 3.14\n")
    pyproject = (lib / "pyproject.toml").read_text()
    assert tomllib.loads(pyproject)["project"]["name"] == "sample-lib"

    # The post's block (Poetry 1) breaks every Poetry 2 command, even build and publish.
    (lib / "pyproject.toml").write_text(pyproject + _source_block(endpoint, "secondary = true"))
    refused = poetry("build", cwd=lib, check=False)
    assert refused.returncode == 1, refused.describe()
    assert SECONDARY_ERROR in refused.output
    (lib / "pyproject.toml").write_text(pyproject)

    poetry("build", cwd=lib)
    dist = lib / "dist"
    wheel, sdist = dist / "sample_lib-0.1.0-py3-none-any.whl", dist / "sample_lib-0.1.0.tar.gz"
    assert sorted(p.name for p in dist.iterdir()) == [wheel.name, sdist.name]
    published = {p.name: p.read_bytes() for p in (wheel, sdist)}

    # --- publish, credentials through `poetry config http-basic.artifact aws $TOKEN`
    poetry("config", "repositories.artifact", endpoint, cwd=lib)
    poetry("config", "http-basic.artifact", "aws", token, cwd=lib)
    first = poetry("publish", "--repository", "artifact", cwd=lib)
    assert "Publishing sample-lib (0.1.0) to artifact" in first.output
    repo = PypiRepo(coffer_server, domain, coffer_server.account_id, "example", endpoint, token)
    uploads = [r for r in repo.requests() if r["method"] == "POST"]
    assert [r["status"] for r in uploads] == [200, 200], uploads

    # --- `aws codeartifact list-packages` shows it
    listed = aws.call("list-packages", "--domain", domain, "--repository", "example")
    assert [(p["format"], p["package"]) for p in listed["packages"]] == [("pypi", "sample-lib")]
    assert listed["packages"][0]["originConfiguration"]["restrictions"] == {
        "publish": "ALLOW",
        "upstream": "BLOCK",
    }

    # --- from here on, credentials come from POETRY_HTTP_BASIC_ARTIFACT_USERNAME/PASSWORD only
    poetry("config", "--unset", "http-basic.artifact", cwd=lib)
    creds = {
        "POETRY_HTTP_BASIC_ARTIFACT_USERNAME": "aws",
        "POETRY_HTTP_BASIC_ARTIFACT_PASSWORD": token,
    }
    no_creds = poetry("publish", "--repository", "artifact", cwd=lib, check=False)
    assert no_creds.returncode == 1, no_creds.describe()
    assert "401" in no_creds.output

    # The same files again: idempotent, as CodeArtifact documents.
    poetry("publish", "--repository", "artifact", cwd=lib, env=creds)

    # A changed build of the same version: HTTP 409, and poetry says so.
    (lib / "sample_lib" / "__init__.py").write_text("PI = 3.1416\n")
    poetry("build", cwd=lib)
    assert wheel.read_bytes() != published[wheel.name]
    conflict = poetry("publish", "--repository", "artifact", cwd=lib, env=creds, check=False)
    assert conflict.returncode == 1, conflict.describe()
    assert "HTTP Error 409: Conflict" in conflict.output
    assert "already exists" in conflict.output
    skipped = poetry("publish", "--repository", "artifact", "--skip-existing", cwd=lib, env=creds)
    assert "File exists. Skipping" in skipped.output

    # The repository still holds the first build, byte for byte.
    for name, data in published.items():
        stored = repo.get(f"simple/sample-lib/0.1.0/{name}")
        assert stored.status_code == 200, stored.text
        assert stored.content == data, name

    # --- sample-app: the post's `secondary = true` source is refused by Poetry 2 ...
    app = tmp_path / "sample-app"
    app.mkdir()
    poetry("init", "--no-interaction", cwd=app)
    app_pyproject = (app / "pyproject.toml").read_text()
    simple = f"{endpoint}simple/"
    (app / "pyproject.toml").write_text(app_pyproject + _source_block(simple, "secondary = true"))
    refused = poetry("add", "sample-lib", "--source", "artifact", cwd=app, env=creds, check=False)
    assert refused.returncode == 1, refused.describe()
    assert SECONDARY_ERROR in refused.output

    # ... `priority = "supplemental"` is its replacement.
    supplemental = _source_block(simple, 'priority = "supplemental"')
    (app / "pyproject.toml").write_text(app_pyproject + supplemental)
    added = poetry("add", "sample-lib", "--source", "artifact", cwd=app, env=creds)
    assert "sample-lib (0.1.0)" in added.output

    lock = tomllib.loads((app / "poetry.lock").read_text())
    [package] = lock["package"]
    assert (package["name"], package["version"]) == ("sample-lib", "0.1.0")
    # Poetry records the source URL without its trailing slash.
    assert package["source"] == {
        "type": "legacy",
        "url": simple.rstrip("/"),
        "reference": "artifact",
    }
    assert {f["file"]: f["hash"] for f in package["files"]} == {
        name: "sha256:" + hashlib.sha256(data).hexdigest() for name, data in published.items()
    }
    dependencies = tomllib.loads((app / "pyproject.toml").read_text())["project"]["dependencies"]
    assert [d.split(" ")[0] for d in dependencies] == ["sample-lib"]

    pi = clients.python(app / ".venv" / "bin" / "python", "import sample_lib; print(sample_lib.PI)")
    assert pi == "3.14"
