"""Results → ratios on the terminal, and ``docs/benchmarks.md`` with an SVG chart and every
target of the performance issue marked met or not, with its numbers."""

from __future__ import annotations

import math
from collections.abc import Mapping
from html import escape
from pathlib import Path
from typing import Any

__all__ = ["LOADS", "evaluate_targets", "ratios_text", "write_markdown", "write_svg"]

Results = dict[str, Any]

LOADS: dict[str, str] = {
    "root_html": "simple/ (root listing), HTML",
    "root_json": "simple/ (root listing), JSON",
    "project_html": "project page (random of all), HTML",
    "project_json": "project page (random of all), JSON",
    "small_html": "one 5-version page, HTML",
    "many_html": "many-versions page, HTML",
    "many_json": "many-versions page, JSON",
}
PEERS_ORDER = ("pypiserver", "devpi", "proxpi", "nginx")


def _peers(results: Results, *, nginx: bool = False) -> list[str]:
    names = [s["name"] for s in results["servers"] if not s["name"].startswith("coffer")]
    return [n for n in names if nginx or n != "nginx"]


def _best_peer(
    values: Mapping[str, float], peers: list[str], *, lower: bool = False
) -> tuple[str, float] | None:
    present = [(name, values[name]) for name in peers if values.get(name)]
    if not present:
        return None
    return (min if lower else max)(present, key=lambda item: item[1])


def ratios_text(results: Results) -> str:
    """Coffer / each peer for every load, download and install number (higher is better for
    rates, lower for seconds: the ratio is always 'how many times better Coffer is')."""
    lines = []
    peers = _peers(results, nginx=True)
    for key, label in LOADS.items():
        row = results["load"].get(key, {})
        if "coffer" not in row:
            continue
        mine = row["coffer"]["rps"]
        cells = [f"{p} {mine / row[p]['rps']:.1f}x" for p in peers if p in row and row[p]["rps"]]
        lines.append(f"{label:42} coffer {mine:8,.0f}/s  " + "  ".join(cells))
    dl = results.get("download", {})
    if "coffer" in dl:
        cells = [f"{p} {dl['coffer'] / dl[p]:.2f}x" for p in peers if dl.get(p)]
        lines.append(f"{'50 MB download':42} coffer {dl['coffer']:8,.0f} MB/s  " + "  ".join(cells))
    for tool, row in results.get("install", {}).items():
        if "coffer" in row and row["coffer"]["ok"]:
            mine = row["coffer"]["seconds"]
            cells = [
                f"{p} {row[p]['seconds'] / mine:.2f}x" for p in peers if row.get(p, {}).get("ok")
            ]
            lines.append(
                f"{tool + ' install (speed-up)':42} coffer {mine:8.2f} s  " + "  ".join(cells)
            )
    for kind, row in results.get("upload", {}).items():
        if "coffer" in row:
            cells = [f"{p} {row['coffer'] / row[p]:.1f}x" for p in peers if row.get(p)]
            lines.append(
                f"{'upload ' + kind:42} coffer {row['coffer']:8.1f} files/s  " + "  ".join(cells)
            )
    return "\n".join(lines)


def _target(name: str, met: bool | None, numbers: str, blocker: str = "") -> dict[str, Any]:
    return {"name": name, "met": met, "numbers": numbers, "blocker": blocker}


def evaluate_targets(results: Results) -> list[dict[str, Any]]:
    load = results["load"]
    peers = _peers(results)
    targets = []
    coffer_workers = results["meta"].get("workers", 1)
    for key in ("project_html", "project_json"):
        row = load.get(key, {})
        mine = row.get("coffer")
        best = _best_peer({p: row[p]["rps"] for p in row}, peers)
        nginx = row.get("nginx")
        if mine is None or best is None:
            targets.append(
                _target(
                    f"{LOADS[key]}: ≥5× best peer, p99 ≤ 20 ms, ≥0.3× nginx",
                    None,
                    "not measured (peers missing)",
                )
            )
            continue
        ok = mine["rps"] >= 5 * best[1] and mine["p99_ms"] <= 20
        nums = f"coffer {mine['rps']:,.0f}/s (p99 {mine['p99_ms']:.1f} ms) = {mine['rps'] / best[1]:.1f}× {best[0]} ({best[1]:,.0f}/s)"
        if nginx:
            ok = ok and mine["rps"] >= 0.3 * nginx["rps"]
            nums += f"; {mine['rps'] / nginx['rps']:.2f}× nginx ({nginx['rps']:,.0f}/s)"
        targets.append(_target(f"{LOADS[key]}: ≥5× best peer, p99 ≤ 20 ms, ≥0.3× nginx", ok, nums))
    row = load.get("many_html", {})
    small = load.get("small_html", {})
    best = _best_peer({p: row[p]["rps"] for p in row}, peers)
    if "coffer" in row and best:
        mine = row["coffer"]["rps"]
        targets.append(
            _target(
                "many-versions page ≥10× best peer",
                mine >= 10 * best[1],
                f"coffer {mine:,.0f}/s = {mine / best[1]:.1f}× {best[0]} ({best[1]:,.0f}/s)",
            )
        )
    if "coffer" in row and "coffer" in small:
        cost_many = 1 / row["coffer"]["rps"]
        cost_small = 1 / small["coffer"]["rps"]
        extra = 0.0
        if "nginx" in row and "nginx" in small:
            delta_bytes = row["nginx"]["bytes_per_request"] - small["nginx"]["bytes_per_request"]
            per_byte = (1 / row["nginx"]["rps"] - 1 / small["nginx"]["rps"]) / max(1.0, delta_bytes)
            extra = max(
                0.0,
                per_byte
                * (row["coffer"]["bytes_per_request"] - small["coffer"]["bytes_per_request"]),
            )
        beyond = cost_many - extra
        targets.append(
            _target(
                "many-versions page cost ≤ 2× a 5-version page's beyond the extra bytes",
                beyond <= 2 * cost_small,
                f"{cost_many * 1e3:.2f} ms/request vs {cost_small * 1e3:.2f} ms; the extra bytes cost {extra * 1e3:.2f} ms at nginx's rate → {max(0.0, beyond) / cost_small:.1f}× beyond them",
            )
        )
    dl = results.get("download", {})
    best = _best_peer(dl, peers)
    if "coffer" in dl and best:
        targets.append(
            _target(
                "50 MB downloads ≥ best peer's MB/s",
                dl["coffer"] >= best[1],
                f"coffer {dl['coffer']:,.0f} MB/s vs {best[0]} {best[1]:,.0f} MB/s",
            )
        )
    up = results.get("upload", {})
    if up.get("sequential_new", {}).get("coffer") and up.get("sequential_grown", {}).get("coffer"):
        first, grown = up["sequential_new"]["coffer"], up["sequential_grown"]["coffer"]
        targets.append(
            _target(
                "uploads flat as versions grow",
                grown >= 0.8 * first,
                f"{first:.1f} files/s into a new project vs {grown:.1f} files/s into the {results['meta']['many_versions']}-version project ({grown / first:.2f}×)",
            )
        )
    for kind, peer, factor in (("sequential_new", "pypiserver", 3), ("parallel_8", "devpi", 10)):
        row = up.get(kind, {})
        if row.get("coffer") and row.get(peer):
            targets.append(
                _target(
                    f"{kind.replace('_', ' ')} twine ≥ {factor}× {peer}",
                    row["coffer"] >= factor * row[peer],
                    f"coffer {row['coffer']:.1f} files/s = {row['coffer'] / row[peer]:.1f}× {peer} ({row[peer]:.1f})",
                )
            )
    uv = results.get("install", {}).get("uv", {})
    ok_peers = {p: uv[p]["seconds"] for p in peers if uv.get(p, {}).get("ok")}
    best = _best_peer(ok_peers, peers, lower=True)
    if uv.get("coffer", {}).get("ok") and best:
        mine = uv["coffer"]["seconds"]
        ok = mine <= 0.8 * best[1]
        nums = f"coffer {mine:.2f} s = {mine / best[1]:.2f}× {best[0]} ({best[1]:.2f} s)"
        if uv.get("nginx", {}).get("ok"):
            ok = ok and mine <= 1.2 * uv["nginx"]["seconds"]
            nums += f"; {mine / uv['nginx']['seconds']:.2f}× nginx ({uv['nginx']['seconds']:.2f} s)"
        targets.append(_target("uv pip install ≤0.8× best peer and ≤1.2× nginx", ok, nums))
    rss = results.get("rss", {}).get("coffer")
    if rss:
        per = rss["peak"] / max(1, coffer_workers)
        targets.append(
            _target(
                "RSS ≤ 150 MiB per worker under load",
                per <= 150,
                f"peak {rss['peak']:.0f} MiB over {rss['processes']} processes ({coffer_workers} worker(s)) → {per:.0f} MiB/worker",
            )
        )
    return targets


def write_svg(results: Results, path: Path) -> None:
    """Grouped horizontal bars: req/s per server for the main page loads (hand-written SVG)."""
    keys = ["project_html", "project_json", "root_html", "many_html"]
    servers = [s["name"] for s in results["servers"]]
    colours = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b"]
    bar, gap, left, width = 14, 18, 220, 520
    rows = []
    y = 30
    top = max(
        [results["load"].get(k, {}).get(s, {}).get("rps", 0) for k in keys for s in servers] + [1]
    )
    for key in keys:
        row = results["load"].get(key, {})
        rows.append(f'<text x="5" y="{y + 10}" font-weight="bold">{escape(LOADS[key])}</text>')
        y += 16
        for index, server in enumerate(servers):
            rps = row.get(server, {}).get("rps")
            if rps is None:
                continue
            length = max(
                1, int(width * math.log10(max(rps, 10) / 10) / math.log10(max(top, 100) / 10))
            )
            colour = colours[index % len(colours)]
            rows.append(
                f'<text x="{left - 6}" y="{y + 11}" text-anchor="end">{escape(server)}</text>'
            )
            rows.append(
                f'<rect x="{left}" y="{y}" width="{length}" height="{bar}" fill="{colour}"/>'
            )
            rows.append(f'<text x="{left + length + 4}" y="{y + 11}">{rps:,.0f}/s</text>')
            y += bar + 3
        y += gap
    svg = (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{left + width + 90}" height="{y}" '
        'font-family="sans-serif" font-size="11">'
        f'<text x="5" y="15" font-size="13">Requests/s at 16 connections (wrk), log scale, higher is better</text>'
        + "".join(rows)
        + "</svg>\n"
    )
    path.write_text(svg)


def _load_table(results: Results) -> list[str]:
    servers = [s["name"] for s in results["servers"]]
    lines = ["| request | " + " | ".join(servers) + " |", "|---" * (len(servers) + 1) + "|"]
    for key, label in LOADS.items():
        row = results["load"].get(key, {})
        cells = []
        for server in servers:
            found = row.get(server)
            if found is None:
                cells.append("—")
            else:
                note = f" ({found['errors']} errors)" if found["errors"] else ""
                cells.append(
                    f"{found['rps']:,.0f}/s; {found['p50_ms']:.1f} / {found['p99_ms']:.1f} ms{note}"
                )
        lines.append(f"| {label} | " + " | ".join(cells) + " |")
    return lines


def _simple_table(
    title: str, rows: Mapping[str, Mapping[str, str]], servers: list[str]
) -> list[str]:
    lines = [f"| {title} | " + " | ".join(servers) + " |", "|---" * (len(servers) + 1) + "|"]
    for label, row in rows.items():
        lines.append(f"| {label} | " + " | ".join(row.get(s, "—") for s in servers) + " |")
    return lines


def write_markdown(results: Results, path: Path, chart: str) -> None:
    meta = results["meta"]
    servers = [s["name"] for s in results["servers"]]
    out = [
        "# Benchmarks",
        "",
        "Generated by `scripts/bench` (`python -m bench`); rerun it to regenerate this page, numbers and",
        "chart included. Profiles and the before/after of each optimisation are in",
        "[performance.md](performance.md).",
        "",
        f"- Run: {meta['started']} UTC, {meta['duration_s']:.0f} s, mode `{meta['mode']}`, host: {meta['host']}.",
        f"- Load: {meta['load_client']}, {meta['connections']} connections, {meta['seconds']} s per measurement,",
        "  keep-alive; cells are req/s, then p50 / p99 latency. Coffer and nginx receive the same `Authorization`",
        "  (Basic, token); pypiserver checks its htpasswd on every request; devpi and proxpi read anonymously.",
        f"- Coffer: `coffer serve --workers {meta['workers']}` (SQLite + files). Corpus: {meta['corpus']}.",
        f"- Noise: {meta['noise']}",
        "",
    ]
    if results["missing"]:
        out += (
            ["Not measured here:", ""]
            + [f"- **{k}**: {v}" for k, v in results["missing"].items()]
            + [""]
        )
    notes = [s for s in results["servers"] if s["note"]]
    if notes:
        out += ["Server notes:", ""] + [f"- **{s['name']}**: {s['note']}" for s in notes] + [""]
    out += ["## Targets", "", "| target | met | numbers | what blocks it |", "|---|---|---|---|"]
    for target in evaluate_targets(results):
        mark = {True: "met", False: "**not met**", None: "not measured"}[target["met"]]
        out.append(f"| {target['name']} | {mark} | {target['numbers']} | {target['blocker']} |")
    blockers = meta.get("blockers", "")
    if blockers:
        out += ["", blockers]
    out += ["", f"![requests per second]({chart})", "", "## Index pages", "", *_load_table(results)]
    dl = results.get("download", {})
    rows: dict[str, dict[str, str]] = {
        "50 MB wheel, 8 clients × 3 (MB/s)": {s: f"{v:,.0f}" for s, v in dl.items()},
    }
    for tool, row in results.get("install", {}).items():
        rows[f"`{tool}` install, {meta['chain']} packages, cold cache (s)"] = {
            s: (f"{v['seconds']:.2f}" if v["ok"] else f"failed: {v['detail']}")
            for s, v in row.items()
        }
    labels = {
        "sequential_new": "twine, one process, new project (files/s)",
        "sequential_grown": f"twine, one process, new versions of the {meta['many_versions']}-version project (files/s)",
        "parallel_8": "twine, 8 processes, new projects (files/s)",
    }
    for kind, row in results.get("upload", {}).items():
        rows[labels.get(kind, kind)] = {s: f"{v:.1f}" for s, v in row.items()}
    for server, proxy in results.get("proxy", {}).items():
        rows.setdefault("proxy: first fetch of a project page (ms)", {})[server] = (
            f"{proxy['first_ms']:.1f}"
        )
        rows.setdefault("proxy: same page, cached (ms)", {})[server] = f"{proxy['cached_ms']:.1f}"
    for server, rss in results.get("rss", {}).items():
        rows.setdefault("RSS after the run, MiB (peak; processes)", {})[server] = (
            f"{rss['now']:.0f} ({rss['peak']:.0f}; {rss['processes']})"
        )
    rows["files loaded"] = {s["name"]: str(s["files"]) for s in results["servers"]}
    columns = servers + [k for k in results.get("proxy", {}) if k not in servers]
    out += ["", "## Files, installs, uploads, memory", "", *_simple_table("measure", rows, columns)]
    out += [
        "",
        "## Ratios (Coffer / peer; >1 means Coffer is better)",
        "",
        "```",
        ratios_text(results),
        "```",
        "",
    ]
    path.write_text("\n".join(out))
