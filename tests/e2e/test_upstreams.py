"""Upstream repositories and the ``public:pypi`` external connection, between real servers.

The "public" PyPI is a second ``coffer serve`` (its own data directory); a private
``coffer serve`` is started with ``--external-connection public:pypi=http://aws:TOKEN@…/simple/``
and holds, per test, a domain with ``team → shared → pypi-store (public:pypi)``. Clients (pip, uv,
poetry, twine, the aws CLI) only ever talk to the private server's ``team`` repository; what the
private server asked of the public one is read from the public server's access log.

The fault tests replace the public server by an index the test makes up (:class:`FaultyIndex`),
and one test points ``public:pypi`` at a static index on disk (:class:`StaticIndex`).

Servers shared by several tests are per module (per xdist worker); each test works in its own
domain on the private server and with package names no other test uses.
"""

from __future__ import annotations

import hashlib
import shutil
import threading
import tomllib
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from http import HTTPStatus
from pathlib import Path
from typing import TypeVar

import httpx
import pytest

from support.aws import AwsCli, codeartifact_client
from support.names import new_name
from support.pypi_clients import (
    SIMPLE_JSON,
    PypiRepo,
    PythonClients,
    Run,
    project_page,
    publish_files,
)
from support.server import CofferServer
from support.upstream import (
    Chain,
    Dist,
    FaultyIndex,
    PublicRegistry,
    StaticIndex,
    blob_keys,
    create_chain,
    create_chain_with_cli,
    make_wheel,
    start_private,
    start_public,
)

pytestmark = pytest.mark.e2e

T = TypeVar("T")

UPSTREAM_TIMEOUT = 2  # seconds (COFFER_REMOTE_TIMEOUT) the fault server waits on its upstream
GATHER_WITHIN = 1.0  # seconds a gathered upstream answer waits for company (< UPSTREAM_TIMEOUT)
JSON_ACCEPT = {"Accept": SIMPLE_JSON}
PUBLISH_BLOCKED = "blocked by the package's origin controls (publish: BLOCK)"


# ------------------------------------------------------------------------------------ fixtures


@pytest.fixture(scope="module")
def public(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PublicRegistry]:
    """The public index shared by the module's tests (never stopped by a test)."""
    registry = start_public(tmp_path_factory.mktemp("public"))
    try:
        yield registry
    finally:
        registry.server.stop()


@pytest.fixture(scope="module")
def private(
    public: PublicRegistry, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[CofferServer]:
    """A private server connected to ``public``; index pages revalidated on every request."""
    server = start_private(tmp_path_factory.mktemp("private"), public.index_url, index_ttl=0)
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def chain(private: CofferServer) -> Chain:
    return create_chain(codeartifact_client(private.url, private.credentials), private, new_name())


@pytest.fixture
def clients(tmp_path: Path) -> PythonClients:
    return PythonClients(tmp_path / "clients")


def _aws(server: CofferServer, home: Path) -> AwsCli:
    return AwsCli(server.url, server.credentials, home)


# ------------------------------------------------------------------------------------- helpers


def _pip_install(clients: PythonClients, repo: PypiRepo, *requirements: str) -> Path:
    """``pip install`` into a fresh venv from ``repo`` only; that venv's python."""
    target = clients.new_venv(new_name("venv"))
    clients.tool(
        "pip", "--python", str(target), "install", "--index-url",
        repo.with_credentials(repo.simple), *requirements,
    )  # fmt: skip
    return target


def _pip_fails(clients: PythonClients, repo: PypiRepo, *requirements: str) -> Run:
    target = clients.new_venv(new_name("venv"))
    run = clients.tool(
        "pip", "--python", str(target), "install", "--index-url",
        repo.with_credentials(repo.simple), *requirements, check=False,
    )  # fmt: skip
    assert run.returncode != 0, run.describe()
    return run


def _uv_install(clients: PythonClients, repo: PypiRepo, *requirements: str) -> Path:
    target = clients.new_venv(new_name("venv"))
    clients.tool(
        "uv", "pip", "install", "--python", str(target), "--index-url",
        repo.with_credentials(repo.simple), *requirements,
    )  # fmt: skip
    return target


def _uv_fails(clients: PythonClients, repo: PypiRepo, *requirements: str) -> Run:
    target = clients.new_venv(new_name("venv"))
    run = clients.tool(
        "uv", "pip", "install", "--python", str(target), "--index-url",
        repo.with_credentials(repo.simple), *requirements, check=False,
    )  # fmt: skip
    assert run.returncode != 0, run.describe()
    return run


def _who(clients: PythonClients, python: Path, *dists: Dist) -> list[str]:
    """Each module's ``WHO`` as the interpreter imports it."""
    code = "; ".join(f"import {d.module}; print({d.module}.WHO)" for d in dists)
    return clients.python(python, code).splitlines()


def _poetry_env(repo: PypiRepo) -> dict[str, str]:
    return {"POETRY_HTTP_BASIC_TEAM_USERNAME": "aws", "POETRY_HTTP_BASIC_TEAM_PASSWORD": repo.token}


def _poetry_project(directory: Path, repo: PypiRepo) -> Path:
    """A consumer project whose only source is ``repo``'s index (primary: no PyPI at all)."""
    directory.mkdir(parents=True)
    (directory / "pyproject.toml").write_text(
        '[project]\nname = "consumer"\nversion = "0.1.0"\nrequires-python = ">=3.11"\n'
        "dependencies = []\n\n[tool.poetry]\npackage-mode = false\n\n"
        f'[[tool.poetry.source]]\nname = "team"\nurl = "{repo.simple}"\npriority = "primary"\n'
    )
    return directory


def _versions(repo: PypiRepo, project: str) -> list[str]:
    return list(project_page(repo, project)["versions"])


def _file_path(dist: Dist) -> str:
    return f"simple/{dist.name}/{dist.version}/{dist.filename}"


def _restrictions(aws: AwsCli, chain: Chain, repository: str, package: str) -> dict[str, str]:
    described = aws.call(
        "describe-package", "--domain", chain.domain, "--repository", repository,
        "--format", "pypi", "--package", package,
    )["package"]  # fmt: skip
    assert described["name"] == package
    restrictions: dict[str, str] = described["originConfiguration"]["restrictions"]
    return restrictions


def _listed(aws: AwsCli, chain: Chain, repository: str, *filters: str) -> list[str]:
    listed = aws.call(
        "list-packages", "--domain", chain.domain, "--repository", repository, *filters
    )
    return sorted(p["package"] for p in listed["packages"])


def _stored_versions(aws: AwsCli, chain: Chain, repository: str, package: str) -> list[str]:
    """``list-package-versions``; a package the repository does not hold has none."""
    result = aws.run(
        "codeartifact", "list-package-versions", "--domain", chain.domain,
        "--repository", repository, "--format", "pypi", "--package", package, "--output", "json",
    )  # fmt: skip
    if result.returncode == 255 and result.error_code == "ResourceNotFoundException":
        return []
    assert result.returncode == 0, result.describe()
    return sorted(v["version"] for v in result.json["versions"])


# ------------------------------------------------------------- 1. the chain, and an outage


def test_chain_installs_with_pip_uv_and_poetry_and_survives_upstream_outage(
    tmp_path: Path, aws_cli_executable: Path
) -> None:
    """``team-app → team-lib`` (private, in team) ``→ public-dep → public-leaf`` (only on the
    public server) installs from team alone; with the public server stopped, fresh
    environments with cold caches install it again from what the private server retained and
    from its cached (stale, TTL 0) index pages."""
    public = start_public(tmp_path / "public")
    private = start_private(tmp_path / "private", public.index_url, index_ttl=0)
    try:
        aws = _aws(private, tmp_path / "aws-home")
        chain = create_chain_with_cli(aws, private, "acme")
        team = chain.team

        leaf = make_wheel("public-leaf", "1.0")
        dep = make_wheel("public-dep", "1.0", requires=["public-leaf<2"])
        public.publish(leaf, dep)
        lib = make_wheel("team-lib", "1.0", requires=["public-dep>=1"])
        app = make_wheel("team-app", "1.0", requires=["team-lib"])
        publish_files(team, {lib.filename: lib.content, app.filename: app.content})
        everything = (app, lib, dep, leaf)
        expected = [f"{d.name} {d.version}" for d in everything]

        # --- online: pip, uv and poetry each install the whole tree from team
        online = PythonClients(tmp_path / "online")
        assert _who(online, _pip_install(online, team, "team-app"), *everything) == expected
        assert _who(online, _uv_install(online, team, "team-app"), *everything) == expected
        project = _poetry_project(tmp_path / "poetry-app", team)
        added = online.tool(
            "poetry", "--no-ansi", "add", "team-app", "--source", "team", cwd=project,
            env=_poetry_env(team),
        )  # fmt: skip
        assert "team-app (1.0)" in added.output
        lock = tomllib.loads((project / "poetry.lock").read_text())
        assert sorted(p["name"] for p in lock["package"]) == sorted(d.name for d in everything)
        assert {p["source"]["url"] for p in lock["package"]} == {team.simple.rstrip("/")}
        assert team.token not in (project / "poetry.lock").read_text()
        assert _who(online, project / ".venv" / "bin" / "python", *everything) == expected

        # Each public file crossed once; pypi-store ingested it, team retained it.
        for dist in (dep, leaf):
            assert [r["status"] for r in public.gets_of(dist.filename)] == [200], dist.filename
            assert _stored_versions(aws, chain, "pypi-store", dist.name) == ["1.0"]
            assert _stored_versions(aws, chain, "team", dist.name) == ["1.0"]
            for repository in ("team", "pypi-store"):
                assert _restrictions(aws, chain, repository, dist.name) == {
                    "publish": "BLOCK",
                    "upstream": "ALLOW",
                }
        assert _restrictions(aws, chain, "team", "team-lib") == {
            "publish": "ALLOW",
            "upstream": "BLOCK",
        }
        ingested = aws.call(
            "describe-package-version", "--domain", chain.domain, "--repository", "pypi-store",
            "--format", "pypi", "--package", "public-dep", "--package-version", "1.0",
        )["packageVersion"]  # fmt: skip
        assert ingested["origin"]["originType"] == "EXTERNAL"

        # A version the upstream publishes now shows at once (TTL 0); it is never downloaded.
        newer_leaf = make_wheel("public-leaf", "2.0")
        public.publish(newer_leaf)
        assert _versions(team, "public-leaf") == ["1.0", "2.0"]

        # --- the upstream goes away
        assert public.server.stop() == 0
        offline = PythonClients(tmp_path / "offline")  # cold caches, fresh HOME

        # The last page the upstream sent keeps serving: 2.0 is only known from it.
        assert _versions(team, "public-leaf") == ["1.0", "2.0"]
        assert _versions(team, "public-dep") == ["1.0"]

        assert _who(offline, _pip_install(offline, team, "team-app"), *everything) == expected
        assert _who(offline, _uv_install(offline, team, "team-app"), *everything) == expected
        again = tmp_path / "poetry-app-again"
        again.mkdir()
        for name in ("pyproject.toml", "poetry.lock"):
            shutil.copy(project / name, again / name)
        offline.tool("poetry", "--no-ansi", "install", cwd=again, env=_poetry_env(team))
        assert _who(offline, again / ".venv" / "bin" / "python", *everything) == expected

        # What was never fetched is a clear 502 naming the upstream, not an empty page.
        missing = team.get("simple/never-fetched/", headers={"Accept": SIMPLE_JSON})
        assert missing.status_code == 502, missing.text
        assert f"Upstream 127.0.0.1:{public.server.port} could not be reached" in missing.text
        assert public.repo.token not in missing.text
        # ... and a version the stale page lists but nobody fetched cannot be served.
        unfetched = team.get(_file_path(newer_leaf))
        assert unfetched.status_code == 502, unfetched.text
        assert newer_leaf.filename in unfetched.text

        # The token in the connection URL never reached a log line or an answer.
        assert public.repo.token not in private.log_text()
        private.log_records()  # every line is JSON
    finally:
        private.stop()
        public.server.stop()


# ------------------------------------------------------------------ 2. dependency confusion


def test_a_private_name_never_takes_versions_from_upstream(
    public: PublicRegistry, chain: Chain, clients: PythonClients, tmp_path: Path
) -> None:
    aws = _aws(chain.team.server, tmp_path / "aws-home")
    private_lib = make_wheel("sample-lib", "1.0")
    impostor = make_wheel("sample-lib", "99.0", marker="the public impostor")
    publish_files(chain.team, {private_lib.filename: private_lib.content})
    public.publish(impostor)
    asked_before = len(public.requests_for("sample-lib"))

    page = project_page(chain.team, "sample-lib")
    assert page["versions"] == ["1.0"]
    assert [f["filename"] for f in page["files"]] == [private_lib.filename]
    assert chain.team.get(_file_path(impostor)).status_code == 404

    python = _pip_install(clients, chain.team, "sample-lib")
    assert _who(clients, python, private_lib) == ["sample-lib 1.0"]
    refused = _pip_fails(clients, chain.team, "sample-lib==99.0")
    assert "No matching distribution found for sample-lib==99.0" in refused.output

    # team's origin controls stop the search at team: the upstream was never even asked.
    assert len(public.requests_for("sample-lib")) == asked_before
    assert public.gets_of(impostor.filename) == []
    # (It is there to be found: the connected repository itself does list it.)
    assert _versions(chain.store, "sample-lib") == ["99.0"]
    assert _stored_versions(aws, chain, "pypi-store", "sample-lib") == []
    assert _restrictions(aws, chain, "team", "sample-lib") == {
        "publish": "ALLOW",
        "upstream": "BLOCK",
    }
    assert _listed(aws, chain, "team", "--upstream", "BLOCK") == ["sample-lib"]
    assert _listed(aws, chain, "team", "--upstream", "ALLOW") == []


def test_an_ingested_package_cannot_be_shadowed_by_publishing(
    public: PublicRegistry, chain: Chain, clients: PythonClients, tmp_path: Path
) -> None:
    aws = _aws(chain.team.server, tmp_path / "aws-home")
    mine = make_wheel("mine-only", "1.0")
    publish_files(chain.team, {mine.filename: mine.content})
    popular = make_wheel(new_name("popular"), "1.0")
    public.publish(popular)

    python = _pip_install(clients, chain.team, popular.name)  # fetched through team
    assert _who(clients, python, popular) == [f"{popular.name} 1.0"]
    for repository in ("team", "pypi-store"):
        assert _restrictions(aws, chain, repository, popular.name) == {
            "publish": "BLOCK",
            "upstream": "ALLOW",
        }

    # A new version, and the same version with other bytes: both refused, with twine and raw.
    shadow = make_wheel(popular.name, "1.1", marker="shadow")
    same_version = make_wheel(popular.name, "1.0", marker="shadow")
    dist = tmp_path / "dist"
    dist.mkdir()
    (dist / shadow.filename).write_bytes(shadow.content)
    twine = clients.tool(
        "twine", "upload", "--non-interactive", "--repository-url", chain.team.endpoint,
        "-u", "aws", "-p", chain.team.token, str(dist / shadow.filename), check=False,
    )  # fmt: skip
    assert twine.returncode != 0, twine.describe()
    assert "403" in twine.output
    for attempt in (shadow, same_version):
        for repo in (chain.team, chain.store):
            reply = repo.upload(attempt.filename, attempt.content)
            assert reply.status_code == 403, (repo.repository, reply.text)
            assert PUBLISH_BLOCKED in reply.text

    page = project_page(chain.team, popular.name)
    assert page["versions"] == ["1.0"]
    assert [f["hashes"]["sha256"] for f in page["files"]] == [popular.sha256]
    assert chain.team.get(_file_path(popular)).content == popular.content

    # Both decisions, as ListPackages filters show them.
    assert _listed(aws, chain, "team") == sorted([mine.name, popular.name])
    assert _listed(aws, chain, "team", "--publish", "BLOCK") == [popular.name]
    assert _listed(aws, chain, "team", "--upstream", "ALLOW") == [popular.name]
    assert _listed(aws, chain, "team", "--publish", "ALLOW") == [mine.name]
    assert _listed(aws, chain, "team", "--upstream", "BLOCK") == [mine.name]
    assert _listed(aws, chain, "pypi-store", "--publish", "BLOCK") == [popular.name]


# -------------------------------------------------------------- 3. one fetch for many clients


def _concurrently(count: int, request: Callable[[], T]) -> list[T]:
    """``count`` threads released at once by a barrier, each making ``request``."""
    start = threading.Barrier(count)

    def run(_: int) -> T:
        start.wait(30)
        return request()

    with ThreadPoolExecutor(count) as pool:
        return list(pool.map(run, range(count)))


def test_twenty_concurrent_first_downloads_fetch_upstream_once(
    public: PublicRegistry, chain: Chain, tmp_path: Path
) -> None:
    hot = make_wheel(new_name("hot"), "1.0")
    public.publish(hot)
    assert _versions(chain.team, hot.name) == ["1.0"]  # the page is known, the file is not
    assert public.gets_of(hot.filename) == []

    replies = _concurrently(20, lambda: chain.team.get(_file_path(hot)))

    fetched = public.gets_of(hot.filename)
    assert [(r["method"], r["status"]) for r in fetched] == [("GET", 200)]
    metadata = [
        r for r in public.requests_for(hot.name) if r["path"].endswith(hot.filename + ".metadata")
    ]
    assert len(metadata) == 1, metadata
    assert [r.status_code for r in replies] == [200] * 20, [r.text[:200] for r in replies]
    assert all(r.content == hot.content for r in replies)

    # One version with one file, in team and in pypi-store: nothing recorded twice.
    aws = _aws(chain.team.server, tmp_path / "aws-home")
    for repository in ("team", "pypi-store"):
        assets = aws.call(
            "list-package-version-assets", "--domain", chain.domain, "--repository", repository,
            "--format", "pypi", "--package", hot.name, "--package-version", "1.0",
        )["assets"]  # fmt: skip
        assert [(a["name"], a["hashes"]["SHA-256"]) for a in assets] == [
            (hot.filename, hot.sha256)
        ], repository


# ------------------------------------------------------------------------- 4. retention


def test_retained_versions_install_after_the_upstream_deletes_them(
    public: PublicRegistry, chain: Chain, tmp_path: Path
) -> None:
    name = new_name("fading")
    old, new = make_wheel(name, "1.0"), make_wheel(name, "2.0")
    public.publish(old, new)
    first = PythonClients(tmp_path / "first")
    assert _who(first, _pip_install(first, chain.team, f"{name}==1.0"), old) == [f"{name} 1.0"]

    public.ca.delete_package_versions(
        domain=public.repo.domain, repository=public.repo.repository, format="pypi",
        package=name, versions=["1.0"],
    )  # fmt: skip
    assert _versions(public.repo, name) == ["2.0"]
    # team: 1.0 retained, 2.0 still offered by the (revalidated) upstream page
    assert _versions(chain.team, name) == ["1.0", "2.0"]
    second = PythonClients(tmp_path / "second")  # cold caches
    assert _who(second, _pip_install(second, chain.team, f"{name}==1.0"), old) == [f"{name} 1.0"]

    # The upstream loses the whole project: what was retained is all there is, and installs.
    public.ca.delete_package_versions(
        domain=public.repo.domain, repository=public.repo.repository, format="pypi",
        package=name, versions=["2.0"],
    )  # fmt: skip
    assert public.repo.get(f"simple/{name}/").status_code == 404
    assert _versions(chain.team, name) == ["1.0"]
    assert _versions(chain.store, name) == ["1.0"]
    third = PythonClients(tmp_path / "third")
    assert _who(third, _pip_install(third, chain.team, name), old) == [f"{name} 1.0"]
    assert [r["status"] for r in public.gets_of(old.filename)] == [200]  # fetched once, ever


# ------------------------------------------------------------------------ 5. upstream faults


@pytest.fixture(scope="module")
def faulty() -> Iterator[FaultyIndex]:
    index = FaultyIndex()
    try:
        yield index
    finally:
        index.stop()


@pytest.fixture(scope="module")
def faulty_private(
    faulty: FaultyIndex, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[CofferServer]:
    """A private server whose public:pypi is the fault index; short upstream timeout."""
    server = start_private(
        tmp_path_factory.mktemp("faulty-private"),
        faulty.index_url,
        index_ttl=0,
        timeout=UPSTREAM_TIMEOUT,
    )
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def faulty_chain(faulty_private: CofferServer) -> Chain:
    ca = codeartifact_client(faulty_private.url, faulty_private.credentials)
    return create_chain(ca, faulty_private, new_name())


ANSWERS = {
    "hang": (504, "did not answer in time"),
    "500": (502, "answered HTTP 500"),
    "truncate": (502, "broke off the response"),
    "wrong-sha256": (502, "with a sha256 other than its index declares; it was not stored"),
}
FILE_FAULTS = [
    *(("file", fault) for fault in sorted(ANSWERS)),
    ("metadata", "500"),
    ("metadata", "wrong-sha256"),
]


@pytest.mark.parametrize(("part", "fault"), FILE_FAULTS, ids=[f"{p}-{f}" for p, f in FILE_FAULTS])
def test_a_faulty_upstream_file_is_a_clear_error_and_stores_nothing(
    part: str,
    fault: str,
    faulty: FaultyIndex,
    faulty_chain: Chain,
    clients: PythonClients,
    tmp_path: Path,
) -> None:
    """The wheel (or its PEP 658 metadata file) misbehaves upstream: pip and a plain GET get a
    502/504 naming the file and the upstream; nothing corrupt or temporary lands in ``blobs/``
    and no version is recorded; once the upstream behaves, the same request works."""
    status, message = ANSWERS[fault]
    dist = make_wheel(new_name("fault"), "1.0")
    target = dist.filename if part == "file" else f"{dist.filename}.metadata"
    faulty.add(dist, metadata=True)
    faulty.set_fault(target, fault)
    team = faulty_chain.team
    aws = _aws(team.server, tmp_path / "aws-home")
    blobs_before = blob_keys(team.server)

    pip = _pip_fails(clients, team, dist.name)
    assert str(status) in pip.output, pip.describe()  # pip: "HTTP error 504" / "too many 502"
    assert dist.filename in pip.output

    for path in (_file_path(dist), _file_path(dist) + ".metadata"):
        reply = team.get(path)
        assert reply.status_code == status, reply.text
        assert message in reply.text
        assert target in reply.text  # names what failed: the wheel, or its metadata file
        assert f"127.0.0.1:{faulty.port}" in reply.text or "upstream" in reply.text
    assert faulty.gets_of(target) >= 3  # every request tried again: no failure was cached

    # Nothing corrupt, partial or temporary is kept: a file fault leaves blobs/ as it was. A
    # metadata fault may leave the wheel, verified against its sha256, as an unreferenced blob
    # (by design: a concurrent upload of the same bytes may reference it; fsck collects it).
    added = {key.rpartition("/")[2] for key in blob_keys(team.server) - blobs_before}
    assert added <= (set() if part == "file" else {dist.sha256}), added
    for repository in ("pypi-store", "team"):
        assert _stored_versions(aws, faulty_chain, repository, dist.name) == []

    # Once the upstream behaves, the same request succeeds and the file is stored.
    faulty.set_fault(target, None)
    healed = team.get(_file_path(dist))
    assert healed.status_code == 200, healed.text
    assert healed.content == dist.content
    assert team.get(_file_path(dist) + ".metadata").content == dist.metadata
    added = blob_keys(team.server) - blobs_before
    assert {key.rpartition("/")[2] for key in added} == {
        dist.sha256,
        hashlib.sha256(dist.metadata).hexdigest(),
    }
    assert _stored_versions(aws, faulty_chain, "pypi-store", dist.name) == ["1.0"]


PAGE_ANSWERS = {
    "hang": (504, "did not answer in time"),
    "500": (502, "answered HTTP 500"),
    "truncate": (502, "broke off the response"),
}


@pytest.mark.parametrize("fault", sorted(PAGE_ANSWERS))
def test_a_faulty_upstream_page_is_a_clear_error_until_one_is_cached(
    fault: str, faulty: FaultyIndex, faulty_chain: Chain, clients: PythonClients
) -> None:
    status, message = PAGE_ANSWERS[fault]
    dist = make_wheel(new_name("pagefault"), "1.0")
    faulty.add(dist)
    faulty.set_fault(dist.name, fault)
    team = faulty_chain.team

    reply = team.get(f"simple/{dist.name}/", headers={"Accept": SIMPLE_JSON})
    assert reply.status_code == status, reply.text
    assert message in reply.text
    assert f"project {dist.name!r}" in reply.text
    # pip logs an index page it could not fetch at debug level only; uv says it plainly.
    uv = _uv_fails(clients, team, dist.name)
    assert f"{team.simple}{dist.name}/" in uv.output, uv.describe()
    assert f"{status} {HTTPStatus(status).phrase}" in uv.output, uv.describe()

    # With a page cached, the same fault no longer shows: the stale page serves, and installs.
    faulty.set_fault(dist.name, None)
    assert _versions(team, dist.name) == ["1.0"]
    faulty.set_fault(dist.name, fault)
    assert _versions(team, dist.name) == ["1.0"]
    python = _pip_install(clients, team, dist.name)
    assert _who(clients, python, dist) == [f"{dist.name} 1.0"]
    faulty.set_fault(dist.name, None)


def test_concurrent_first_page_requests_all_succeed(
    faulty: FaultyIndex, faulty_chain: Chain
) -> None:
    """Twenty clients ask for a page nothing is cached for, and the upstream answers them all
    at the same moment (gathered): every client gets the page."""
    dist = make_wheel(new_name("fresh"), "1.0")
    faulty.add(dist)
    faulty.gather([dist.name], 20, within=GATHER_WITHIN)
    page = f"simple/{dist.name}/"
    replies = _concurrently(20, lambda: faulty_chain.team.get(page, headers=JSON_ACCEPT))
    assert [r.status_code for r in replies] == [200] * 20, {r.text[:300] for r in replies}
    assert all(r.json()["versions"] == ["1.0"] for r in replies)


def test_concurrent_first_downloads_of_different_files_of_one_project(
    faulty: FaultyIndex, faulty_chain: Chain, tmp_path: Path
) -> None:
    """Five projects nobody has fetched files of, two versions each, all ten wheels downloaded
    at once, the upstream answering every fetch in step: each download succeeds and each
    version is recorded (one package record per project, made by one of its two downloads)."""
    projects = [new_name("pair") for _ in range(5)]
    dists = [make_wheel(name, version) for name in projects for version in ("1.0", "2.0")]
    for dist in dists:
        faulty.add(dist, metadata=True)
    team = faulty_chain.team
    for name in projects:  # pages cached first: this is about files
        assert _versions(team, name) == ["1.0", "2.0"]
    faulty.gather([d.filename for d in dists], len(dists), within=GATHER_WITHIN)
    faulty.gather([f"{d.filename}.metadata" for d in dists], len(dists), within=GATHER_WITHIN)

    queue = iter(dists)
    lock = threading.Lock()

    def next_download() -> tuple[Dist, httpx.Response]:
        with lock:
            dist = next(queue)
        return dist, team.get(_file_path(dist))

    results = _concurrently(len(dists), next_download)
    failed = {d.filename: r.text for d, r in results if r.status_code != 200}
    assert failed == {}
    assert all(reply.content == dist.content for dist, reply in results)
    aws = _aws(team.server, tmp_path / "aws-home")
    for name in projects:
        for repository in ("pypi-store", "team"):
            assert _stored_versions(aws, faulty_chain, repository, name) == ["1.0", "2.0"]


def test_an_upstream_yank_keeps_its_reason(
    faulty: FaultyIndex, faulty_chain: Chain, clients: PythonClients
) -> None:
    """PEP 592: a version yanked upstream is yanked in team too, with the upstream's reason,
    which pip shows when the yanked version is pinned."""
    name = new_name("yank")
    bad, good = make_wheel(name, "1.0"), make_wheel(name, "1.1")
    faulty.add(bad, yanked="broken build, use 1.1")
    faulty.add(good)
    team = faulty_chain.team

    files = {f["filename"]: f for f in project_page(team, name)["files"]}
    assert files[good.filename]["yanked"] is False
    assert files[bad.filename]["yanked"] == "broken build, use 1.1"

    python = _pip_install(clients, team, name)
    assert _who(clients, python, good) == [f"{name} 1.1"]
    target = clients.new_venv(new_name("venv"))
    pinned = clients.tool(
        "pip", "--python", str(target), "install", "--index-url",
        team.with_credentials(team.simple), f"{name}==1.0",
    )  # fmt: skip
    assert "Reason for being yanked: broken build, use 1.1" in pinned.output, pinned.describe()


# -------------------------------------------------------------------- a static index on disk


def test_a_static_index_on_disk_as_public_pypi(tmp_path: Path) -> None:
    """``public:pypi`` (set through ``COFFER_EXTERNAL_CONNECTIONS``) is a directory of files:
    a PEP 691 JSON page and a PEP 503 HTML page, PEP 658 metadata files beside the wheels."""
    static = StaticIndex(tmp_path / "index")
    lib = make_wheel("static-lib", "1.0")
    broken = make_wheel("static-app", "0.9")
    app = make_wheel("static-app", "1.0", requires=["static-lib"])
    static.write_html_project("static-lib", [lib])
    static.write_json_project("static-app", [broken, app], yanked={"0.9": "broken build"})
    private = start_private(tmp_path / "private", static.index_url, via_environment=True)
    try:
        ca = codeartifact_client(private.url, private.credentials)
        chain = create_chain(ca, private, "air-gapped")
        clients = PythonClients(tmp_path / "clients")

        page = project_page(chain.team, "static-app")
        assert page["versions"] == ["0.9", "1.0"]
        files = {f["filename"]: f for f in page["files"]}
        assert files[broken.filename]["yanked"]  # yanked upstream (PEP 592): its reason, see below
        assert files[app.filename]["yanked"] is False
        for dist in (broken, app):
            entry = files[dist.filename]
            assert entry["hashes"] == {"sha256": dist.sha256}
            assert entry["requires-python"] == ">=3.8"
            assert entry["size"] == len(dist.content)
            assert entry["upload-time"].startswith("2024-05-01T12:00:00")
            metadata = hashlib.sha256(dist.metadata).hexdigest()
            assert entry["core-metadata"] == {"sha256": metadata}
        lib_page = project_page(chain.team, "static-lib")
        [lib_entry] = lib_page["files"]
        assert lib_entry["hashes"] == {"sha256": lib.sha256}
        assert lib_entry["requires-python"] == ">=3.8"

        python = _pip_install(clients, chain.team, "static-app")
        assert _who(clients, python, app, lib) == ["static-app 1.0", "static-lib 1.0"]
        for dist in (app, lib):
            assert f"/files/{dist.filename}" in static.requests
            assert f"/files/{dist.filename}.metadata" in static.requests
            served = chain.team.get(_file_path(dist) + ".metadata")
            assert served.status_code == 200
            assert served.content == dist.metadata
        assert f"/files/{broken.filename}" not in static.requests  # yanked: not chosen
    finally:
        private.stop()
        static.stop()
