"""Upstream registries for the end-to-end tests of upstreams and external connections.

* :class:`PublicRegistry`: the "public" PyPI, a second ``coffer serve`` (its own data directory)
  with one repository, whose simple index (token in the URL) is what a private server's
  ``public:pypi`` connection points at (:func:`start_private`).
* :class:`Chain`: ``team → shared → pypi-store (public:pypi)`` in one domain of a private server.
* :class:`FaultyIndex`: a PEP 691 index made up by the test, served from a thread, whose files can
  hang, fail, break off or lie about their sha256.
* :class:`StaticIndex`: a simple index that is only files on disk (``simple/<project>/index.json``
  or ``index.html``, and the distributions), served by a stock ``http.server`` handler.

Every server here listens on 127.0.0.1 on a port the OS picks.
"""

from __future__ import annotations

import contextlib
import hashlib
import html
import json
import threading
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from support.aws import AwsCli, codeartifact_client
from support.dists import build_wheel, escape, wheel_filename
from support.pypi_clients import PypiRepo, create_pypi_repo, requests_under, wheel_metadata
from support.server import CofferServer

__all__ = [
    "FAULTS",
    "PUBLIC_DOMAIN",
    "PUBLIC_REPOSITORY",
    "Chain",
    "Dist",
    "FaultyIndex",
    "PublicRegistry",
    "StaticIndex",
    "blob_keys",
    "create_chain",
    "create_chain_with_cli",
    "make_wheel",
    "start_private",
    "start_public",
]

PUBLIC_DOMAIN = "public"
PUBLIC_REPOSITORY = "pypi"
TOKEN_SECONDS = 12 * 3600  # the longest token CodeArtifact issues
SIMPLE_JSON = "application/vnd.pypi.simple.v1+json"
UPLOAD_TIME = "2024-05-01T12:00:00Z"

# What a FaultyIndex file (or page) can do instead of answering properly.
FAULTS = ("hang", "500", "truncate", "wrong-sha256")
HANG_LIMIT = 120.0  # a hung handler gives up by itself at the latest after this many seconds


# ------------------------------------------------------------------------------ distributions


@dataclass(frozen=True)
class Dist:
    """A wheel: name, version, filename and bytes; ``module`` says who it is when imported."""

    name: str
    version: str
    filename: str
    content: bytes

    @property
    def module(self) -> str:
        return escape(self.name)

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.content).hexdigest()

    @property
    def metadata(self) -> bytes:
        """Its ``METADATA`` (what a PEP 658 ``.metadata`` file holds)."""
        return wheel_metadata(self.content)


def make_wheel(
    name: str, version: str, *, requires: Iterable[str] = (), marker: str | None = None
) -> Dist:
    """A pure-Python wheel whose module's ``WHO`` is ``"<name> <version>"`` (or ``marker``) and
    whose METADATA carries ``Requires-Dist`` for each of ``requires``."""
    module = escape(name)
    extra = "".join(f"Requires-Dist: {requirement}\n" for requirement in requires)
    who = marker or f"{name} {version}"
    content = build_wheel(
        name,
        version,
        metadata_extra=extra,
        files={f"{module}/__init__.py": f"WHO = {who!r}\n".encode()},
    )
    return Dist(name, version, wheel_filename(name, version), content)


# ----------------------------------------------------------------------------- coffer servers


@dataclass
class PublicRegistry:
    """A ``coffer serve`` playing the public index: domain ``public``, repository ``pypi``."""

    server: CofferServer
    ca: Any
    repo: PypiRepo

    @property
    def index_url(self) -> str:
        """The simple index with ``aws:<token>@`` in it: what ``public:pypi`` is set to."""
        return self.repo.with_credentials(self.repo.simple)

    def publish(self, *dists: Dist) -> None:
        for dist in dists:
            reply = self.repo.upload(dist.filename, dist.content)
            assert reply.status_code == 200, (dist.filename, reply.status_code, reply.text)

    def gets_of(self, filename: str) -> list[dict[str, Any]]:
        """Access-log records of GETs of ``filename`` (not of its ``.metadata``)."""
        return [
            record
            for record in requests_under(self.server, self.repo.path)
            if record["method"] == "GET" and record["path"].endswith("/" + filename)
        ]

    def requests_for(self, project: str) -> list[dict[str, Any]]:
        """Access-log records of every request under ``simple/<project>/``."""
        return requests_under(self.server, f"{self.repo.path}simple/{project}/")


def start_public(root: Path) -> PublicRegistry:
    server = CofferServer.start(root / "data", logs=root / "logs")
    try:
        ca = codeartifact_client(server.url, server.credentials)
        repo = create_pypi_repo(
            ca, server, PUBLIC_DOMAIN, PUBLIC_REPOSITORY, duration_seconds=TOKEN_SECONDS
        )
    except BaseException:
        server.stop()
        raise
    return PublicRegistry(server, ca, repo)


def start_private(
    root: Path,
    upstream: str,
    *,
    index_ttl: int | None = None,
    timeout: int | None = None,
    via_environment: bool = False,
) -> CofferServer:
    """A ``coffer serve`` whose ``public:pypi`` is ``upstream``: set with
    ``--external-connection`` (or ``COFFER_EXTERNAL_CONNECTIONS`` with ``via_environment``);
    ``COFFER_REMOTE_INDEX_TTL`` / ``COFFER_REMOTE_TIMEOUT`` when given."""
    connection = f"public:pypi={upstream}"
    env: dict[str, str] = {}
    args: tuple[str, ...] = ()
    if via_environment:
        env["COFFER_EXTERNAL_CONNECTIONS"] = connection
    else:
        args = ("--external-connection", connection)
    if index_ttl is not None:
        env["COFFER_REMOTE_INDEX_TTL"] = str(index_ttl)
    if timeout is not None:
        env["COFFER_REMOTE_TIMEOUT"] = str(timeout)
    return CofferServer.start(root / "data", logs=root / "logs", extra_args=args, env=env)


def blob_keys(server: CofferServer) -> set[str]:
    """Every object in the server's blob store, temporary ones included: paths below
    ``<data>/blobs/`` (file store) or object keys (S3)."""
    url = server.storage.blob_store_url
    if url is None:
        root = server.data_dir / "blobs"
        if not root.exists():
            return set()
        return {str(p.relative_to(root)) for p in root.rglob("*") if not p.is_dir()}
    from support.s3 import shared_s3

    bucket, _, prefix = url.removeprefix("s3://").partition("/")
    client = shared_s3().client()
    keys: set[str] = set()
    for page in client.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix):
        keys.update(item["Key"] for item in page.get("Contents", []))
    return keys


# ------------------------------------------------------------------------------------ chains


CHAIN = ("team", "shared", "pypi-store")


@dataclass(frozen=True)
class Chain:
    """``team → shared → pypi-store`` (``public:pypi``) in ``domain``."""

    domain: str
    owner: str
    token: str
    repos: Mapping[str, PypiRepo]

    @property
    def team(self) -> PypiRepo:
        return self.repos["team"]

    @property
    def shared(self) -> PypiRepo:
        return self.repos["shared"]

    @property
    def store(self) -> PypiRepo:
        return self.repos["pypi-store"]


def _chain(server: CofferServer, domain: str, owner: str, token: str) -> Chain:
    repos = {
        name: PypiRepo(
            server, domain, owner, name, f"{server.url}/{domain}-{owner}/pypi/{name}/", token
        )
        for name in CHAIN
    }
    return Chain(domain, owner, token, repos)


def create_chain(ca: Any, server: CofferServer, domain: str) -> Chain:
    """The chain, made with boto3 ``ca`` (fast: for tests about what happens after)."""
    ca.create_domain(domain=domain)
    ca.create_repository(domain=domain, repository="pypi-store")
    ca.associate_external_connection(
        domain=domain, repository="pypi-store", externalConnection="public:pypi"
    )
    ca.create_repository(
        domain=domain, repository="shared", upstreams=[{"repositoryName": "pypi-store"}]
    )
    ca.create_repository(domain=domain, repository="team", upstreams=[{"repositoryName": "shared"}])
    owner = ca.describe_domain(domain=domain)["domain"]["owner"]
    token = ca.get_authorization_token(domain=domain, durationSeconds=TOKEN_SECONDS)
    chain = _chain(server, domain, owner, token["authorizationToken"])
    endpoint = ca.get_repository_endpoint(domain=domain, repository="team", format="pypi")
    assert endpoint["repositoryEndpoint"] == chain.team.endpoint
    return chain


def create_chain_with_cli(aws: AwsCli, server: CofferServer, domain: str) -> Chain:
    """The chain, made with the aws CLI the way an operator would."""
    owner = aws.call("create-domain", "--domain", domain)["domain"]["owner"]
    aws.call("create-repository", "--domain", domain, "--repository", "pypi-store")
    connected = aws.call(
        "associate-external-connection", "--domain", domain, "--repository", "pypi-store",
        "--external-connection", "public:pypi",
    )  # fmt: skip
    assert connected["repository"]["externalConnections"] == [
        {"externalConnectionName": "public:pypi", "packageFormat": "pypi", "status": "Available"}
    ]
    aws.call(
        "create-repository", "--domain", domain, "--repository", "shared",
        "--upstreams", "repositoryName=pypi-store",
    )  # fmt: skip
    aws.call(
        "create-repository", "--domain", domain, "--repository", "team",
        "--upstreams", "repositoryName=shared",
    )  # fmt: skip
    token = aws.text(
        "get-authorization-token", "--domain", domain, "--duration-seconds", str(TOKEN_SECONDS),
        "--query", "authorizationToken",
    )  # fmt: skip
    chain = _chain(server, domain, owner, token)
    endpoint = aws.text(
        "get-repository-endpoint", "--domain", domain, "--repository", "team",
        "--format", "pypi", "--query", "repositoryEndpoint",
    )  # fmt: skip
    assert endpoint == chain.team.endpoint
    return chain


# ---------------------------------------------------------------------------- threaded HTTP


class _LoopbackServer(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A client that hung up on a faulty answer is expected; keep stderr quiet."""


class _Serving:
    """An ``http.server`` on 127.0.0.1 in a background thread."""

    def __init__(self, handler: type[BaseHTTPRequestHandler]) -> None:
        self.release = threading.Event()  # set on stop: hung handlers return
        self._httpd = _LoopbackServer(("127.0.0.1", 0), handler)
        self._httpd.owner = self  # type: ignore[attr-defined]
        self._thread = threading.Thread(target=self._httpd.serve_forever, daemon=True)
        self._thread.start()

    @property
    def port(self) -> int:
        port: int = self._httpd.server_address[1]
        return port

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def stop(self) -> None:
        self.release.set()
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join(10)


# ------------------------------------------------------------------------------ faulty index


class FaultyIndex(_Serving):
    """A PEP 691 JSON simple index at ``{url}/simple/`` made up by the test; files (and, with
    ``metadata=True``, their PEP 658 ``.metadata``) at ``{url}/files/<filename>``.

    Every resource is named by a *target*: a project name (its page), a filename, or
    ``<filename>.metadata``. ``set_fault(target, fault)`` makes it misbehave:

    ``hang``          a file: headers and half the body, then nothing; a page: no answer at all
                      (until :meth:`stop`, or ``HANG_LIMIT``)
    ``500``           HTTP 500
    ``truncate``      the full Content-Length announced, half the body sent, connection closed
    ``wrong-sha256``  (files) 200 with other bytes (a tampered build) than the page's sha256

    ``gather(targets, n, within)`` holds answers for any of ``targets`` until ``n`` requests for
    them are waiting (or ``within`` seconds passed since the first), then answers them all at
    once: how a test makes concurrent first requests truly overlap.
    """

    def __init__(self) -> None:
        self.dists: dict[str, list[Dist]] = {}
        self.with_metadata: set[str] = set()
        self.yanked: dict[str, str] = {}
        self.faults: dict[str, str] = {}
        self.gates: dict[str, threading.Barrier] = {}
        self.requests: list[str] = []
        self._lock = threading.Lock()
        super().__init__(_FaultyHandler)

    @property
    def index_url(self) -> str:
        return f"{self.url}/simple/"

    def add(
        self,
        dist: Dist,
        *,
        fault: str | None = None,
        metadata: bool = False,
        yanked: str | None = None,
    ) -> None:
        """List ``dist`` on its project's page (``fault`` applies to its file; ``yanked`` is
        the PEP 592 reason its entry gives)."""
        with self._lock:
            self.dists.setdefault(dist.name, []).append(dist)
            if metadata:
                self.with_metadata.add(dist.filename)
            if yanked is not None:
                self.yanked[dist.filename] = yanked
        self.set_fault(dist.filename, fault)

    def set_fault(self, target: str, fault: str | None) -> None:
        if fault is not None and fault not in FAULTS:
            raise ValueError(f"unknown fault {fault!r}")
        with self._lock:
            if fault is None:
                self.faults.pop(target, None)
            else:
                self.faults[target] = fault

    def gather(self, targets: Iterable[str], count: int, within: float) -> None:
        """Hold answers for any of ``targets`` until ``count`` requests for them are waiting."""
        gate = threading.Barrier(count, timeout=within)
        with self._lock:
            for target in targets:
                self.gates[target] = gate

    def stop(self) -> None:
        with self._lock:
            gates = list(self.gates.values())
        for gate in gates:
            gate.abort()
        super().stop()

    def gets_of(self, target: str) -> int:
        """How many requests asked for ``target`` (a filename or ``<filename>.metadata``)."""
        with self._lock:
            return self.requests.count(f"/files/{target}")

    # --- what the handler serves: (fault, body) or (None, None) when there is no such thing

    def _lookup(self, target: str) -> tuple[str | None, bytes | None, bytes | None]:
        """``(fault, body, tampered body)`` of a page or a file."""
        with self._lock:
            fault = self.faults.get(target)
            if target in self.dists:
                return fault, self._page(target), None
            for dists in self.dists.values():
                for dist in dists:
                    if target == dist.filename:
                        tampered = make_wheel(dist.name, dist.version, marker="tampered")
                        return fault, dist.content, tampered.content
                    if (
                        target == f"{dist.filename}.metadata"
                        and dist.filename in self.with_metadata
                    ):
                        return fault, dist.metadata, dist.metadata + b"Summary: tampered\n"
            return None, None, None

    def _page(self, name: str) -> bytes:
        files = []
        for dist in self.dists[name]:
            entry: dict[str, Any] = {
                "filename": dist.filename,
                "url": f"../../files/{dist.filename}",
                "hashes": {"sha256": dist.sha256},
                "size": len(dist.content),
                "upload-time": UPLOAD_TIME,
                "requires-python": ">=3.8",
            }
            if dist.filename in self.with_metadata:
                entry["core-metadata"] = {"sha256": hashlib.sha256(dist.metadata).hexdigest()}
            if dist.filename in self.yanked:
                entry["yanked"] = self.yanked[dist.filename]
            files.append(entry)
        versions = sorted({d.version for d in self.dists[name]})
        page = {"meta": {"api-version": "1.1"}, "name": name, "versions": versions}
        return json.dumps({**page, "files": files}).encode()

    def _wait_for_company(self, target: str) -> None:
        with self._lock:
            gate = self.gates.get(target)
        if gate is not None:
            # Fewer than expected came in time (or a hung handler is released): answer anyway.
            with contextlib.suppress(threading.BrokenBarrierError):
                gate.wait()


class _FaultyHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    @property
    def index(self) -> FaultyIndex:
        index: FaultyIndex = self.server.owner  # type: ignore[attr-defined]
        return index

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def do_GET(self) -> None:
        path = self.path.split("?")[0]
        with self.index._lock:
            self.index.requests.append(path)
        parts = path.strip("/").split("/")
        if len(parts) != 2 or parts[0] not in ("simple", "files"):
            self._send(HTTPStatus.NOT_FOUND, b"not found\n", "text/plain")
            return
        fault, body, tampered = self.index._lookup(parts[1])
        if body is None:
            self._send(HTTPStatus.NOT_FOUND, b"no such thing here\n", "text/plain")
            return
        self.index._wait_for_company(parts[1])
        content_type = SIMPLE_JSON if parts[0] == "simple" else "application/octet-stream"
        if fault is None:
            self._send(HTTPStatus.OK, body, content_type)
        elif fault == "500":
            self._send(HTTPStatus.INTERNAL_SERVER_ERROR, b"boom\n", "text/plain")
        elif fault == "wrong-sha256":
            self._send(HTTPStatus.OK, tampered or b"tampered", content_type)
        elif fault == "hang" and parts[0] == "simple":
            self.index.release.wait(HANG_LIMIT)
            self.close_connection = True
        else:  # hang or truncate: announce it all, send half
            self.send_response(HTTPStatus.OK)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body[: len(body) // 2])
            self.wfile.flush()
            if fault == "hang":
                self.index.release.wait(HANG_LIMIT)
            self.close_connection = True

    def _send(self, status: HTTPStatus, body: bytes, content_type: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


# ------------------------------------------------------------------------------ static index


class StaticIndex(_Serving):
    """A simple index that is nothing but files under ``root``, served by ``http.server``'s
    ``SimpleHTTPRequestHandler``: ``simple/<project>/index.json`` (PEP 691) or ``index.html``
    (PEP 503), ``files/<filename>`` and ``files/<filename>.metadata`` (PEP 658).

    The one addition to the stock handler: a directory with an ``index.json`` serves it, as
    ``application/vnd.pypi.simple.v1+json`` (the stock one only knows ``index.html``).
    """

    def __init__(self, root: Path) -> None:
        self.root = root
        (root / "simple").mkdir(parents=True, exist_ok=True)
        (root / "files").mkdir(parents=True, exist_ok=True)
        self.requests: list[str] = []
        super().__init__(_static_handler(root, self.requests))

    @property
    def index_url(self) -> str:
        return f"{self.url}/simple/"

    def write_json_project(
        self, name: str, dists: Iterable[Dist], *, yanked: Mapping[str, str] | None = None
    ) -> None:
        """``simple/<name>/index.json``: PEP 691 + 700 (size, upload-time) + 658 + 592."""
        files = []
        for dist in self._write_files(dists):
            entry: dict[str, Any] = {
                "filename": dist.filename,
                "url": f"../../files/{dist.filename}",
                "hashes": {"sha256": dist.sha256},
                "size": len(dist.content),
                "upload-time": UPLOAD_TIME,
                "requires-python": ">=3.8",
                "core-metadata": {"sha256": hashlib.sha256(dist.metadata).hexdigest()},
            }
            if yanked and dist.version in yanked:
                entry["yanked"] = yanked[dist.version]
            files.append(entry)
        versions = sorted({f["filename"].split("-")[1] for f in files})
        page = {"meta": {"api-version": "1.1"}, "name": name, "versions": versions, "files": files}
        directory = self.root / "simple" / name
        directory.mkdir(parents=True, exist_ok=True)
        (directory / "index.json").write_text(json.dumps(page, indent=1))

    def write_html_project(self, name: str, dists: Iterable[Dist]) -> None:
        """``simple/<name>/index.html``: PEP 503 with sha256 fragments, PEP 658 metadata."""
        links = []
        for dist in self._write_files(dists):
            metadata = hashlib.sha256(dist.metadata).hexdigest()
            href = html.escape(f"../../files/{dist.filename}#sha256={dist.sha256}")
            links.append(
                f'<a href="{href}" data-requires-python="&gt;=3.8" '
                f'data-core-metadata="sha256={metadata}">{dist.filename}</a><br/>'
            )
        directory = self.root / "simple" / name
        directory.mkdir(parents=True, exist_ok=True)
        (directory / "index.html").write_text(
            '<!DOCTYPE html>\n<html><head><meta name="pypi:repository-version" content="1.0">'
            f"<title>Links for {name}</title></head><body>\n"
            + "\n".join(links)
            + "\n</body></html>\n"
        )

    def _write_files(self, dists: Iterable[Dist]) -> list[Dist]:
        written = list(dists)
        for dist in written:
            (self.root / "files" / dist.filename).write_bytes(dist.content)
            (self.root / "files" / f"{dist.filename}.metadata").write_bytes(dist.metadata)
        return written


def _static_handler(root: Path, log: list[str]) -> type[SimpleHTTPRequestHandler]:
    class Handler(SimpleHTTPRequestHandler):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            self.extensions_map = {**self.extensions_map, ".json": SIMPLE_JSON}
            super().__init__(*args, directory=str(root), **kwargs)

        def log_message(self, format: str, *args: Any) -> None:
            pass

        def translate_path(self, path: str) -> str:
            log.append(path)
            translated = super().translate_path(path)
            index = Path(translated) / "index.json"
            return (
                str(index) if path.split("?")[0].endswith("/") and index.is_file() else translated
            )

    return Handler
