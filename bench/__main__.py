"""``python -m bench [--smoke]``: build the corpus, start every server, measure, report."""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from bench import installs, load, report
from bench.corpus import CorpusSpec, build_corpus
from bench.servers import (
    PEERS,
    TOOLS,
    Coffer,
    CofferGranian,
    Devpi,
    Nginx,
    Proxpi,
    PypiServer,
    Server,
    install_peers,
    start_all,
)

ROOT = Path(__file__).resolve().parent.parent
JSON = "application/vnd.pypi.simple.v1+json"


def _args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--smoke", action="store_true", help="tiny corpus, Coffer + nginx, ~30 s")
    parser.add_argument(
        "--report-only", action="store_true", help="rewrite the report from the last results"
    )
    parser.add_argument(
        "--install", action="store_true", help="install missing peers into .cache/bench"
    )
    parser.add_argument(
        "--servers", default="", help="comma list (default: all, smoke: coffer,nginx)"
    )
    parser.add_argument("--seconds", type=float, default=None, help="per load measurement")
    parser.add_argument("--workers", type=int, default=1, help="coffer serve --workers")
    parser.add_argument("--projects", type=int, default=None)
    parser.add_argument("--many-versions", type=int, default=None)
    parser.add_argument(
        "--devpi-max-many",
        type=int,
        default=400,
        help="many-versions files given to devpi (its uploads slow to ~2 s/file)",
    )
    parser.add_argument(
        "--work", type=Path, default=None, help="scratch folder (default .cache/bench/run[-smoke])"
    )
    parser.add_argument(
        "--out",
        type=Path,
        default=None,
        help="markdown to write (default docs/benchmarks.md; smoke: in --work)",
    )
    return parser.parse_args()


def main() -> int:
    args = _args()
    started = time.time()
    spec = CorpusSpec.smoke() if args.smoke else CorpusSpec()
    if args.projects or args.many_versions:
        spec = CorpusSpec(
            **{
                **asdict(spec),
                **({"projects": args.projects} if args.projects else {}),
                **({"many_versions": args.many_versions} if args.many_versions else {}),
            }
        )
    work = (args.work or TOOLS / ("run-smoke" if args.smoke else "run")).resolve()
    if args.report_only:
        return _render(json.loads((work / "results.json").read_text()), args, work)
    shutil.rmtree(work / "servers", ignore_errors=True)
    seconds = args.seconds or (1.0 if args.smoke else 10.0)
    wanted = set(
        (
            args.servers
            or (
                "coffer,nginx"
                if args.smoke
                else "coffer,coffer-granian,pypiserver,devpi,proxpi,nginx"
            )
        ).split(",")
    )
    missing: dict[str, str] = {}
    if args.install:
        missing |= install_peers([p for p in PEERS if p in wanted or f"coffer-{p}" in wanted])

    print(f"corpus {spec} …", flush=True)
    corpus = build_corpus(
        work / f"corpus-{spec.projects}-{spec.versions}-{spec.many_versions}-{spec.large_mb}", spec
    )
    print(f"  {len(corpus.files)} files, {corpus.bytes_total() / 1e6:.1f} MB", flush=True)

    root = work / "servers"
    pypiserver = PypiServer(root)
    servers: list[Server] = []
    coffer = Coffer(
        root,
        workers=args.workers,
        upstream=pypiserver.index_url() if "pypiserver" in wanted else None,
    )
    servers.append(coffer)
    if "coffer-granian" in wanted:
        servers.append(CofferGranian(root, coffer))
    if "pypiserver" in wanted:
        servers.append(pypiserver)
    if "devpi" in wanted:
        servers.append(Devpi(root))
    if "proxpi" in wanted:
        servers.append(Proxpi(root, pypiserver))
    if "nginx" in wanted:
        servers.append(Nginx(root, coffer))
    missing |= start_all([s for s in servers if s.name not in missing])
    if "coffer" in missing:
        raise SystemExit(f"coffer did not start: {missing['coffer']}")
    if "pypiserver" in missing and "proxpi" not in missing:
        missing["proxpi"] = "needs pypiserver as its upstream"
    servers = [s for s in servers if s.name not in missing]
    results: dict[str, Any] = {
        "missing": missing,
        "load": {},
        "download": {},
        "install": {},
        "upload": {},
        "proxy": {},
        "rss": {},
    }
    try:
        _populate(servers, corpus, args, results)
        _proxy_probe(servers, corpus, results)
        for server in servers:
            if isinstance(server, Proxpi):
                server.warm(
                    [corpus.top, corpus.many, *corpus.projects],
                    [*corpus.projects[: spec.chain], corpus.many.replace("manyversions", "large")],
                )
        _loads(servers, corpus, seconds, results)
        _downloads(servers, corpus, results, smoke=args.smoke)
        _installs(servers, corpus, work, results, smoke=args.smoke)
        _uploads(servers, corpus, work, results, smoke=args.smoke)
        for server in servers:
            now, peak, processes = server.rss()
            results["rss"][server.name] = {"now": now, "peak": peak, "processes": processes}
    finally:
        for server in servers:
            server.stop()
    results["servers"] = [
        {"name": s.name, "authenticated": s.authenticated, "files": s.files_loaded, "note": s.note}
        for s in servers
    ]
    results["meta"] = {
        "started": datetime.fromtimestamp(started, UTC).strftime("%Y-%m-%d %H:%M"),
        "duration_s": time.time() - started,
        "mode": "smoke" if args.smoke else "full",
        "host": f"{os.cpu_count()} CPUs, {platform.platform()}, Python {platform.python_version()}",
        "load_client": "wrk 2 threads"
        if load.wrk_available()
        else "a one-connection Python client (wrk missing: not comparable)",
        "connections": 16 if load.wrk_available() else 1,
        "seconds": seconds,
        "workers": args.workers,
        "chain": spec.chain,
        "many_versions": spec.many_versions,
        "corpus": (
            f"{spec.projects} projects × {spec.versions} versions × (wheel + sdist), one project "
            f"with {spec.many_versions} versions (wheel + sdist each), one {spec.large_mb} MB "
            f"wheel: {len(corpus.files)} files, {corpus.bytes_total() / 1e6:.1f} MB"
        ),
        "noise": (
            "the client and every server share this machine's CPUs, and other work may run on "
            "it at the same time; expect ±10-30% between runs. Compare ratios from one run, "
            "not absolute numbers across runs."
        ),
    }
    (work / "results.json").write_text(json.dumps(results, indent=1))
    return _render(results, args, work)


def _render(results: dict[str, Any], args: argparse.Namespace, work: Path) -> int:
    results["meta"]["blockers"] = _blockers_note()
    out = args.out or (work / "benchmarks.md" if args.smoke else ROOT / "docs" / "benchmarks.md")
    chart = out.with_name("benchmarks.svg")
    report.write_svg(results, chart)
    report.write_markdown(results, out, chart.name)
    print(report.ratios_text(results))
    print(f"wrote {out} and {chart}")
    return 0


def _blockers_note() -> str:
    note = ROOT / "bench" / "blockers.md"
    return note.read_text().strip() if note.exists() else ""


def _populate(
    servers: list[Server], corpus: Any, args: argparse.Namespace, results: dict[str, Any]
) -> None:
    """Load every server at once (their stores are independent), then nginx from Coffer."""
    many = corpus.of(corpus.many)

    def one(server: Server) -> None:
        files = corpus.files
        if isinstance(server, Devpi):
            kept = set(many[: args.devpi_max_many])
            files = [f for f in corpus.files if f in kept or f not in set(many)]
            server.note = (
                f"given {len(kept)} of the {len(many)} many-versions files (its uploads slow "
                "to ~2 s/file as versions grow, see docs/benchmarks.md of the peers note)"
            )
        t0 = time.perf_counter()
        server.populate(corpus, files)
        print(f"  {server.name}: {server.files_loaded} files in {time.perf_counter() - t0:.1f} s")

    with ThreadPoolExecutor(4) as pool:
        list(
            pool.map(one, [s for s in servers if not isinstance(s, Nginx | Proxpi | CofferGranian)])
        )
    for server in servers:
        if isinstance(server, Nginx | Proxpi | CofferGranian):
            one(server)


def _proxy_probe(servers: list[Server], corpus: Any, results: dict[str, Any]) -> None:
    """First fetch of project pages through a proxy (cold) vs the same pages again."""
    projects = corpus.projects[-10:]
    targets: list[tuple[str, str, dict[str, str]]] = []
    for server in servers:
        if isinstance(server, Proxpi):
            targets.append(("proxpi", server.simple_url, server.headers()))
        if isinstance(server, Coffer) and server.proxy_endpoint:
            targets.append(
                (
                    "coffer (proxy repo over pypiserver)",
                    server.proxy_endpoint + "simple/",
                    server.headers(),
                )
            )
    for label, url, headers in targets:
        timings: list[list[float]] = [[], []]
        with httpx.Client(headers={**headers, "Accept": JSON}, timeout=60) as client:
            for attempt in (0, 1):
                for project in projects:
                    t0 = time.perf_counter()
                    response = client.get(f"{url}{project}/")
                    timings[attempt].append(time.perf_counter() - t0)
                    response.raise_for_status()
        results["proxy"][label] = {
            "first_ms": 1000 * sum(timings[0]) / len(projects),
            "cached_ms": 1000 * sum(timings[1]) / len(projects),
        }


def _loads(servers: list[Server], corpus: Any, seconds: float, results: dict[str, Any]) -> None:
    for server in servers:
        path = urlsplit(server.simple_url).path
        base = server.base
        plans = {
            "root_html": ([path], "text/html"),
            "root_json": ([path], JSON),
            "project_html": ([f"{path}{p}/" for p in corpus.projects], "text/html"),
            "project_json": ([f"{path}{p}/" for p in corpus.projects], JSON),
            "small_html": ([f"{path}{corpus.top}/"], "text/html"),
            "many_html": ([f"{path}{corpus.many}/"], "text/html"),
            "many_json": ([f"{path}{corpus.many}/"], JSON),
        }
        for key, (paths, accept) in plans.items():
            if isinstance(server, PypiServer) and accept == JSON:
                continue  # pypiserver serves no PEP 691 JSON (it answers HTML)
            headers = {**server.headers(), "Accept": accept}
            if load.wrk_available():
                measured = load.wrk(base, paths, headers, seconds=seconds)
            else:
                measured = load.python_load(base, paths, headers, seconds=seconds)
            results["load"].setdefault(key, {})[server.name] = asdict(measured)
            print(
                f"  {server.name:10} {key:13} {measured.cell()}"
                + (f" ERRORS {measured.errors}" if measured.errors else ""),
                flush=True,
            )


def _downloads(servers: list[Server], corpus: Any, results: dict[str, Any], *, smoke: bool) -> None:
    large = corpus.large.name.split("-")[0].replace("_", "-")
    for server in servers:
        url = server.file_url(large)
        measured = load.download(
            url, server.headers(), clients=2 if smoke else 8, rounds=1 if smoke else 3
        )
        results["download"][server.name] = measured.mb_per_s
        print(f"  {server.name:10} download {measured.mb_per_s:,.0f} MB/s", flush=True)


def _installs(
    servers: list[Server], corpus: Any, work: Path, results: dict[str, Any], *, smoke: bool
) -> None:
    tools = ("uv",) if smoke else ("uv", "pip", "poetry")
    for tool in tools:
        for server in servers:
            timing = installs.install(server, tool, corpus.top, work / "clients", corpus.spec.chain)
            results["install"].setdefault(tool, {})[server.name] = asdict(timing)
            print(f"  {server.name:10} {tool:6} {timing.seconds:.2f} s", timing.ok, timing.detail)


def _uploads(
    servers: list[Server], corpus: Any, work: Path, results: dict[str, Any], *, smoke: bool
) -> None:
    count = 6 if smoke else 48
    probes = work / "probes"
    for server in servers:
        if server.upload_url is None:
            continue
        tag = server.name
        runs = {
            "sequential_new": (
                installs.probe_files(
                    probes, f"benchprobe-{tag}-new", [f"1.0.{i}" for i in range(count)]
                ),
                1,
            ),
            "sequential_grown": (
                installs.probe_files(
                    probes, corpus.many, [f"9.{abs(hash(tag)) % 1000}.{i}" for i in range(count)]
                ),
                1,
            ),
            "parallel_8": (
                [
                    p
                    for j in range(8)
                    for p in installs.probe_files(
                        probes,
                        f"benchprobe-{tag}-par{j}",
                        [f"1.0.{i}" for i in range(count // 2)],  # twine's start-up amortised
                    )
                ],
                8,
            ),
        }
        for kind, (files, parallel) in runs.items():
            timing = installs.twine_upload(server, files, work / "clients", parallel=parallel)
            if timing.ok:
                results["upload"].setdefault(kind, {})[server.name] = len(files) / timing.seconds
            rate = len(files) / timing.seconds
            print(f"  {server.name:10} upload {kind:16} {rate:.1f} files/s", timing.ok)


if __name__ == "__main__":
    raise SystemExit(main())
