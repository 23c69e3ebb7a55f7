"""wrk as the load generator: requests/s and latency percentiles, as JSON from a Lua hook."""

from __future__ import annotations

import json
import shutil
import subprocess
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import httpx

__all__ = ["Download", "Load", "download", "python_load", "wrk", "wrk_available"]

_SCRIPT = """
local paths = {%s}
local counter = 0
request = function()
  counter = counter + 1
  return wrk.format("GET", paths[(counter %% #paths) + 1])
end
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'WRKJSON {"requests": %%d, "duration_us": %%d, "p50_us": %%d, "p99_us": %%d, '
    .. '"errors": %%d, "status_errors": %%d, "bytes": %%d}\\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99),
    e.connect + e.read + e.write + e.timeout, e.status, summary.bytes))
end
"""


@dataclass(frozen=True)
class Load:
    rps: float
    p50_ms: float
    p99_ms: float
    errors: int
    bytes_per_request: float

    def cell(self) -> str:
        return f"{self.rps:,.0f}/s; {self.p50_ms:.1f} / {self.p99_ms:.1f} ms"


def wrk_available() -> bool:
    return shutil.which("wrk") is not None


def wrk(
    base: str,
    paths: Sequence[str],
    headers: dict[str, str],
    *,
    seconds: float,
    connections: int = 16,
    threads: int = 2,
) -> Load:
    """Run wrk against ``base`` cycling through ``paths``; errors count non-2xx/3xx replies."""
    quoted = ", ".join(json.dumps(path) for path in paths)
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(_SCRIPT % quoted)
    command = [
        "wrk",
        "-t",
        str(threads),
        "-c",
        str(connections),
        "-d",
        f"{max(1, round(seconds))}s",
    ]
    command += ["--timeout", "30s", "-s", script.name]
    for name, value in headers.items():
        command += ["-H", f"{name}: {value}"]
    done = subprocess.run([*command, base], capture_output=True, text=True, check=False)
    Path(script.name).unlink()
    line = next((ln for ln in done.stdout.splitlines() if ln.startswith("WRKJSON ")), None)
    if line is None:
        raise RuntimeError(f"wrk failed: {done.stdout}\n{done.stderr}")
    data = json.loads(line.removeprefix("WRKJSON "))
    requests = max(1, data["requests"])
    return Load(
        rps=data["requests"] / (data["duration_us"] / 1e6),
        p50_ms=data["p50_us"] / 1000,
        p99_ms=data["p99_us"] / 1000,
        errors=data["errors"] + data["status_errors"],
        bytes_per_request=data["bytes"] / requests,
    )


@dataclass(frozen=True)
class Download:
    mb_per_s: float
    clients: int
    bytes_total: int


def download(url: str, headers: dict[str, str], *, clients: int = 8, rounds: int = 3) -> Download:
    """``clients`` concurrent curl downloads of ``url``, ``rounds`` times; MB/s (10^6) overall."""
    curl = shutil.which("curl")
    args = [f"-H{name}: {value}" for name, value in headers.items()]
    total = 0
    started = time.perf_counter()
    for _ in range(rounds):
        if curl:
            processes = [
                subprocess.Popen(
                    [curl, "-sS", "-f", "-o", "/dev/null", "-w", "%{size_download}", *args, url],
                    stdout=subprocess.PIPE,
                    text=True,
                )
                for _ in range(clients)
            ]
            for process in processes:
                out, _ = process.communicate()
                if process.returncode != 0:
                    raise RuntimeError(f"curl {url} failed with {process.returncode}")
                total += int(out or 0)
        else:  # pragma: no cover - curl is on every machine we run on
            total += len(httpx.get(url, headers=headers, timeout=120).content)
    elapsed = time.perf_counter() - started
    return Download(total / elapsed / 1e6, clients, total)


def python_load(
    base: str, paths: Sequence[str], headers: dict[str, str], *, seconds: float
) -> Load:
    """A one-connection fallback when wrk is missing (client-bound: numbers are not comparable)."""
    latencies: list[float] = []
    size = 0
    errors = 0
    deadline = time.perf_counter() + seconds
    with httpx.Client(headers=headers, timeout=30) as client:
        while time.perf_counter() < deadline:
            started = time.perf_counter()
            response = client.get(base + paths[len(latencies) % len(paths)])
            latencies.append(time.perf_counter() - started)
            size += len(response.content)
            errors += response.status_code >= 400
    latencies.sort()
    count = len(latencies)
    return Load(
        rps=count / seconds,
        p50_ms=latencies[count // 2] * 1000,
        p99_ms=latencies[min(count - 1, int(count * 0.99))] * 1000,
        errors=errors,
        bytes_per_request=size / max(1, count),
    )
