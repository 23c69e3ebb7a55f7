"""The servers under test, one class each: ``start()``, ``populate()``, ``stop()`` and URLs.

Peers come from venvs under ``.cache/bench`` (``install_peers`` makes them once, from PyPI);
nginx and wrk come from the system (``apt-get install nginx-light wrk``). A server whose
software is missing reports why through :class:`Unavailable`, and the run goes on without it.
"""

from __future__ import annotations

import base64
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit, urlunsplit

import httpx

from bench.corpus import Corpus
from support.aws import codeartifact_client
from support.clients import isolated_env
from support.server import free_port

__all__ = [
    "PEERS",
    "Coffer",
    "CofferGranian",
    "Devpi",
    "Nginx",
    "Proxpi",
    "PypiServer",
    "Server",
    "Unavailable",
    "install_peers",
    "rss_mib",
]

ROOT = Path(__file__).resolve().parent.parent
TOOLS = ROOT / ".cache" / "bench"
PEERS: dict[str, tuple[str, ...]] = {
    "pypiserver": ("pypiserver[passlib]==2.4.2", "gunicorn", "gevent", "watchdog"),
    "devpi": ("devpi-server==6.20.3", "devpi-client"),
    "proxpi": ("proxpi==1.3.1", "gunicorn"),
    "granian": ("granian==2.8.7", "-e", str(ROOT)),  # Coffer under granian (an experiment)
}
USER, PASSWORD = "bench", "bench"
START_TIMEOUT = 60.0


class Unavailable(RuntimeError):
    """This server cannot run here (software missing); the message says why."""


def install_peers(names: Iterable[str]) -> dict[str, str]:
    """Make each peer's venv under ``.cache/bench`` (once); name → why it failed."""
    failures: dict[str, str] = {}
    uv = shutil.which("uv") or str(ROOT / ".cache" / "uv" / "bin" / "uv")
    for name in names:
        venv = TOOLS / name
        if (venv / "bin" / "python").exists() and (venv / ".bench-ok").exists():
            continue
        commands = [
            [uv, "venv", "-q", "--allow-existing", "--python", sys.executable, str(venv)],
            [uv, "pip", "install", "-q", "--python", str(venv / "bin" / "python"), *PEERS[name]],
        ]
        for command in commands:
            done = subprocess.run(command, capture_output=True, text=True, check=False)
            if done.returncode != 0:
                failures[name] = (done.stderr or done.stdout).strip().splitlines()[-1:][0]
                break
        else:
            (venv / ".bench-ok").touch()
    return failures


def basic(user: str, password: str) -> str:
    return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()


def _children(pid: int) -> list[int]:
    found = [pid]
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) in found[:1] or int(fields[1]) in found:
            found.append(int(stat.parent.name))
    return found


def rss_mib(pid: int) -> tuple[float, float, int]:
    """(RSS now, peak RSS) of a process and its children in MiB, and how many processes."""
    now = peak = 0
    pids = _children(pid)
    for each in pids:
        try:
            status = Path(f"/proc/{each}/status").read_text()
        except OSError:
            continue
        now += int(re.search(r"VmRSS:\s+(\d+)", status).group(1))  # type: ignore[union-attr]
        peak += int(re.search(r"VmHWM:\s+(\d+)", status).group(1))  # type: ignore[union-attr]
    return now / 1024, peak / 1024, len(pids)


def _identity(filename: str) -> dict[str, str]:
    if filename.endswith(".whl"):
        name, version, *_ = filename.split("-")
        return {"name": name, "version": version, "filetype": "bdist_wheel", "pyversion": "py3"}
    name, version = filename.removesuffix(".tar.gz").rsplit("-", 1)
    return {"name": name, "version": version, "filetype": "sdist", "pyversion": "source"}


def upload_files(
    url: str, files: Sequence[Path], headers: dict[str, str], *, parallel: int = 8
) -> int:
    """Legacy-API uploads (as twine sends them) from ``parallel`` threads; how many succeeded."""

    def one(client: httpx.Client, path: Path) -> bool:
        data = {":action": "file_upload", "protocol_version": "1", **_identity(path.name)}
        with path.open("rb") as handle:
            response = client.post(url, data=data, files={"content": (path.name, handle)})
        return response.status_code < 300

    clients = [httpx.Client(headers=headers, timeout=300) for _ in range(parallel)]
    try:
        with ThreadPoolExecutor(parallel) as pool:
            results = pool.map(lambda i: one(clients[i % parallel], files[i]), range(len(files)))
            return sum(results)
    finally:
        for client in clients:
            client.close()


class Server:
    """A server process under test."""

    name = "server"
    authenticated = True

    def __init__(self, work: Path) -> None:
        self.work = work / self.name
        self.port = free_port()
        self.process: subprocess.Popen[bytes] | None = None
        self.files_loaded = 0
        self.note = ""

    # what every server provides ---------------------------------------------------------------
    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def simple_url(self) -> str:
        raise NotImplementedError

    @property
    def auth_header(self) -> str | None:
        return basic(USER, PASSWORD) if self.authenticated else None

    @property
    def upload_url(self) -> str | None:
        return None

    @property
    def upload_credentials(self) -> tuple[str, str]:
        return USER, PASSWORD

    def index_url(self) -> str:
        """The simple URL with credentials in it, as pip and uv take them."""
        url = self.simple_url
        header = self.auth_header
        if header is None:
            return url
        user, password = base64.b64decode(header.split()[1]).decode().split(":", 1)
        parts = urlsplit(url)
        return urlunsplit(parts._replace(netloc=f"{user}:{password}@{parts.netloc}"))

    def headers(self) -> dict[str, str]:
        header = self.auth_header
        return {"Authorization": header} if header else {}

    def start(self) -> None:
        raise NotImplementedError

    def populate(self, corpus: Corpus, files: Sequence[Path]) -> None:
        url = self.upload_url
        if url is None:
            raise Unavailable(f"{self.name} cannot take uploads")
        user, password = self.upload_credentials
        self.files_loaded = upload_files(url, files, {"Authorization": basic(user, password)})

    def rss(self) -> tuple[float, float, int]:
        assert self.process is not None
        return rss_mib(self.process.pid)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(15)

    # helpers -----------------------------------------------------------------------------------
    def _spawn(self, command: Sequence[str], *, env: dict[str, str] | None = None) -> None:
        self.work.mkdir(parents=True, exist_ok=True)
        log = (self.work / "server.log").open("ab")
        self.process = subprocess.Popen(
            list(command),
            stdout=log,
            stderr=subprocess.STDOUT,
            cwd=self.work,
            env={**isolated_env(self.work / "home"), **(env or {})},
        )
        log.close()

    def _wait(self, path: str = "/", ok: Sequence[int] = (200, 401, 403)) -> None:
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            assert self.process is not None
            if self.process.poll() is not None:
                raise RuntimeError(f"{self.name} exited:\n{self.log_tail()}")
            try:
                if httpx.get(self.base + path, timeout=2).status_code in ok:
                    return
            except httpx.TransportError:
                pass
            time.sleep(0.1)
        raise RuntimeError(f"{self.name} did not start:\n{self.log_tail()}")

    def log_tail(self) -> str:
        log = self.work / "server.log"
        return "\n".join(log.read_text(errors="replace").splitlines()[-30:]) if log.exists() else ""

    def _venv(self, name: str) -> Path:
        venv = TOOLS / name
        if not (venv / ".bench-ok").exists():
            raise Unavailable(f"{name} is not installed in {venv} (run with --install)")
        return venv

    def file_url(self, project: str) -> str:
        """The URL of the first file linked from a project's HTML page."""
        page = httpx.get(
            f"{self.simple_url}{project}/",
            headers={**self.headers(), "Accept": "text/html"},
            timeout=30,
            follow_redirects=True,
        )
        page.raise_for_status()
        href = re.search(r'href="([^"#]+)', page.text)
        if href is None:
            raise RuntimeError(f"no file link on {self.name}'s page for {project}")
        return urljoin(str(page.url), href.group(1).replace("&amp;", "&"))


class Coffer(Server):
    name = "coffer"

    def __init__(self, work: Path, *, workers: int = 1, upstream: str | None = None) -> None:
        super().__init__(work)
        self.workers = workers
        self.upstream = upstream
        self.endpoint = ""
        self.token = ""
        self.proxy_endpoint = ""

    @property
    def simple_url(self) -> str:
        return self.endpoint + "simple/"

    @property
    def auth_header(self) -> str:
        return basic("aws", self.token)

    @property
    def upload_url(self) -> str:
        return self.endpoint

    @property
    def upload_credentials(self) -> tuple[str, str]:
        return "aws", self.token

    def start(self) -> None:
        coffer = Path(sys.executable).parent / "coffer"
        command = [str(coffer), "serve", "--data-dir", str(self.work / "data")]
        command += ["--host", "127.0.0.1", "--port", str(self.port), "--workers", str(self.workers)]
        if self.upstream:
            command += ["--external-connection", f"public:pypi={self.upstream}"]
        self._spawn(command)
        self._wait("/health", ok=(200,))
        ca = codeartifact_client(self.base, self.work / "data" / "admin.credentials")
        ca.create_domain(domain="bench")
        ca.create_repository(domain="bench", repository="bench")
        self.endpoint = ca.get_repository_endpoint(
            domain="bench", repository="bench", format="pypi"
        )["repositoryEndpoint"]
        self.token = ca.get_authorization_token(domain="bench", durationSeconds=43200)[
            "authorizationToken"
        ]
        if self.upstream:
            ca.create_repository(domain="bench", repository="proxy")
            ca.associate_external_connection(
                domain="bench", repository="proxy", externalConnection="public:pypi"
            )
            self.proxy_endpoint = ca.get_repository_endpoint(
                domain="bench", repository="proxy", format="pypi"
            )["repositoryEndpoint"]


class CofferGranian(Coffer):
    """A second Coffer process over the same store, served by granian instead of uvicorn (an
    experiment: is the Rust HTTP server worth adopting?). Needs ``.cache/bench/granian``."""

    name = "coffer-granian"

    def __init__(self, work: Path, source: Coffer) -> None:
        super().__init__(work)
        self.source = source

    def start(self) -> None:
        venv = self._venv("granian")
        self.endpoint = self.source.endpoint.replace(self.source.base, self.base)
        self.token = self.source.token
        self._spawn(
            [
                str(venv / "bin" / "granian"),
                "--interface",
                "asgi",
                "--host",
                "127.0.0.1",
                "--port",
                str(self.port),
                "--workers",
                str(self.workers),
                "--no-access-log",
                "bench.granian_app:app",
            ],
            env={"COFFER_DATA_DIR": str(self.source.work / "data"), "PYTHONPATH": str(ROOT)},
        )
        self._wait("/health", ok=(200,))

    def populate(self, corpus: Corpus, files: Sequence[Path]) -> None:
        """Shares Coffer's store: nothing to load."""
        self.files_loaded = self.source.files_loaded


class PypiServer(Server):
    """pypiserver as its Docker image runs it: gunicorn, one gevent worker, cached-dir backend;
    every action (list, download, update) needs the password."""

    name = "pypiserver"

    @property
    def simple_url(self) -> str:
        return f"{self.base}/simple/"

    @property
    def upload_url(self) -> str:
        return f"{self.base}/"

    def start(self) -> None:
        venv = self._venv("pypiserver")
        (self.work / "packages").mkdir(parents=True, exist_ok=True)
        subprocess.run(
            [
                str(venv / "bin" / "python"),
                "-c",
                "from passlib.apache import HtpasswdFile as H; "
                "h=H('htpasswd', new=True); h.set_password('bench','bench'); h.save()",
            ],
            cwd=self.work,
            check=True,
        )
        (self.work / "gunicorn.conf.py").write_text(
            'errorlog = "-"\npreload_app = True\nworkers = 1\nworker_class = "gevent"\n'
            "control_socket_disable = True\n"
        )
        self._spawn(
            [
                str(venv / "bin" / "pypi-server"),
                "run",
                "-i",
                "127.0.0.1",
                "-p",
                str(self.port),
                "--server",
                "gunicorn",
                "-a",
                "update,download,list",
                "-P",
                "htpasswd",
                "--disable-fallback",
                "packages",
            ]
        )
        self._wait("/health")

    def populate(self, corpus: Corpus, files: Sequence[Path]) -> None:
        """pypiserver's store is its folder: files are linked in, not uploaded (faster here)."""
        for path in files:
            target = self.work / "packages" / path.name
            if not target.exists():
                try:
                    os.link(path, target)
                except OSError:
                    shutil.copyfile(path, target)
        self.files_loaded = len(files)
        time.sleep(1)  # watchdog picks the files up


class Devpi(Server):
    """devpi-server with its defaults; a private index ``bench/dev`` with no bases. Reads are
    anonymous (devpi indexes are world-readable by default)."""

    name = "devpi"
    authenticated = False

    @property
    def simple_url(self) -> str:
        return f"{self.base}/bench/dev/+simple/"

    @property
    def upload_url(self) -> str:
        return f"{self.base}/bench/dev/"

    def start(self) -> None:
        venv = self._venv("devpi")
        server_dir = self.work / "server"
        self.work.mkdir(parents=True, exist_ok=True)
        if not server_dir.exists():
            subprocess.run(
                [
                    str(venv / "bin" / "devpi-init"),
                    "--serverdir",
                    str(server_dir),
                    "--no-root-pypi",
                    "--root-passwd",
                    "rootpw",
                ],
                check=True,
                capture_output=True,
            )
        self._spawn(
            [
                str(venv / "bin" / "devpi-server"),
                "--serverdir",
                str(server_dir),
                "--host",
                "127.0.0.1",
                "--port",
                str(self.port),
            ]
        )
        self._wait("/+api")
        client = [str(venv / "bin" / "devpi"), "--clientdir", str(self.work / "client")]
        env = isolated_env(self.work / "home")
        for args in (
            ["use", self.base],
            ["user", "-c", USER, f"password={PASSWORD}", "email=bench@example.invalid"],
            ["login", USER, "--password", PASSWORD],
            ["index", "-c", "bench/dev", "bases="],
        ):
            subprocess.run([*client, *args], check=True, capture_output=True, env=env)


class Proxpi(Server):
    """proxpi (caching proxy, read-only) over pypiserver, started as its Dockerfile does."""

    name = "proxpi"
    authenticated = False

    def __init__(self, work: Path, upstream: PypiServer) -> None:
        super().__init__(work)
        self.upstream = upstream

    @property
    def simple_url(self) -> str:
        return f"{self.base}/index/"

    def start(self) -> None:
        venv = self._venv("proxpi")
        upstream = self.upstream.index_url()
        self._spawn(
            [
                str(venv / "bin" / "gunicorn"),
                "--preload",
                "--no-control-socket",
                "--bind",
                f"127.0.0.1:{self.port}",
                "--threads",
                "2",
                "proxpi.server:app",
            ],
            env={"PROXPI_INDEX_URL": upstream, "PROXPI_CACHE_DIR": str(self.work / "cache")},
        )
        self._wait("/health", ok=(200,))

    def populate(self, corpus: Corpus, files: Sequence[Path]) -> None:
        """Nothing to upload: its content is pypiserver's (warmed by ``warm``)."""
        self.files_loaded = self.upstream.files_loaded

    def warm(self, projects: Iterable[str], file_projects: Iterable[str]) -> None:
        with httpx.Client(timeout=120) as client:
            for accept in ("text/html", "application/vnd.pypi.simple.v1+json"):
                client.get(self.simple_url, headers={"Accept": accept})
                for project in projects:
                    client.get(f"{self.simple_url}{project}/", headers={"Accept": accept})
        for project in file_projects:
            page = httpx.get(
                f"{self.simple_url}{project}/", headers={"Accept": "text/html"}, timeout=120
            )
            for href in re.findall(r'href="([^"#]+)', page.text):
                httpx.get(urljoin(str(page.url), href.replace("&amp;", "&")), timeout=120)


class Nginx(Server):
    """nginx serving Coffer's pages and files as static files under the same paths and the same
    Basic credentials (``{PLAIN}``): the physical limit on this machine."""

    name = "nginx"

    def __init__(self, work: Path, source: Coffer) -> None:
        super().__init__(work)
        self.source = source

    @property
    def simple_url(self) -> str:
        return self.base + urlsplit(self.source.simple_url).path

    @property
    def auth_header(self) -> str:
        return self.source.auth_header

    def start(self) -> None:
        nginx = shutil.which("nginx") or (
            "/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None
        )
        if nginx is None:
            raise Unavailable("nginx is not installed (apt-get install nginx-light)")
        self.work.mkdir(parents=True, exist_ok=True)
        (self.work / "htpasswd").write_text(f"aws:{{PLAIN}}{self.source.token}\n")
        user = "user root;\n" if os.geteuid() == 0 else ""
        (self.work / "nginx.conf").write_text(
            f"{user}worker_processes auto;\ndaemon off;\npid {self.work}/nginx.pid;\n"
            f"error_log {self.work}/error.log;\nevents {{ worker_connections 1024; }}\n"
            "http {\n  access_log off;\n  sendfile on;\n  tcp_nopush on;\n"
            "  types { text/html html; application/vnd.pypi.simple.v1+json json;"
            " application/zip whl; application/gzip gz; }\n"
            f"  client_body_temp_path {self.work}/tmp; proxy_temp_path {self.work}/tmp;\n"
            f"  fastcgi_temp_path {self.work}/tmp; uwsgi_temp_path {self.work}/tmp;"
            f" scgi_temp_path {self.work}/tmp;\n"
            '  map $http_accept $page { default index.html; "~json" index.json; }\n'
            f"  server {{\n    listen 127.0.0.1:{self.port};\n"
            f'    auth_basic "bench"; auth_basic_user_file {self.work}/htpasswd;\n'
            f"    location / {{ root {self.work}/www; try_files $uri $uri$page =404; }}\n"
            "  }\n}\n"
        )
        (self.work / "tmp").mkdir(exist_ok=True)
        self._spawn([nginx, "-p", str(self.work), "-c", str(self.work / "nginx.conf")])
        self._wait("/")

    def populate(self, corpus: Corpus, files: Sequence[Path]) -> None:
        """Coffer's rendered pages (HTML and JSON) and the corpus files, at Coffer's paths."""
        www = self.work / "www"
        simple = self.source.simple_url
        pages = [("", simple)] + [(p, f"{simple}{p}/") for p in _projects(files)]
        loaded = {path.name: path for path in files}
        wanted: list[tuple[str, Path]] = []  # PEP 658 metadata files, fetched in parallel
        with httpx.Client(headers=self.source.headers(), timeout=60) as client:
            for project, url in pages:
                folder = www / urlsplit(url).path.lstrip("/")
                folder.mkdir(parents=True, exist_ok=True)
                for accept, name in (("text/html", "index.html"), (_JSON, "index.json")):
                    body = client.get(url, headers={"Accept": accept}).content
                    (folder / name).write_bytes(body)
                if project:
                    page = (folder / "index.html").read_text()
                    for link in re.finditer(r'<a href="([^"#]+)[^>]*>', page):
                        href = urljoin(url, link.group(1))
                        target = www / urlsplit(href).path.lstrip("/")
                        source = loaded.get(target.name)
                        if source is not None and not target.exists():
                            target.parent.mkdir(parents=True, exist_ok=True)
                            os.link(source, target)
                        if "data-core-metadata" in link.group(0):
                            wanted.append((href, target.with_name(target.name + ".metadata")))
        with httpx.Client(headers=self.source.headers(), timeout=60) as client:

            def fetch(item: tuple[str, Path]) -> None:
                response = client.get(item[0] + ".metadata")
                response.raise_for_status()
                item[1].write_bytes(response.content)

            with ThreadPoolExecutor(8) as pool:
                list(pool.map(fetch, wanted))
        self.files_loaded = len(files)


_JSON = "application/vnd.pypi.simple.v1+json"


def _projects(files: Iterable[Path]) -> list[str]:
    names = {path.name.split("-")[0].replace("_", "-") for path in files}
    return sorted(names)


def start_all(servers: Sequence[Server]) -> dict[str, str]:
    """Start what can start; name → why not, for the rest."""
    missing: dict[str, str] = {}
    for server in servers:
        try:
            server.start()
        except (Unavailable, RuntimeError, subprocess.CalledProcessError) as error:
            missing[server.name] = (
                str(error).splitlines()[0] if str(error) else type(error).__name__
            )
            server.stop()
    return missing


def describe(servers: Sequence[Server]) -> list[dict[str, Any]]:
    return [
        {"name": s.name, "authenticated": s.authenticated, "files": s.files_loaded, "note": s.note}
        for s in servers
    ]
