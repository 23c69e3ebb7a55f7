"""``coffer login``: point one tool at one repository, with a token or through the keyring."""

from __future__ import annotations

import datetime as dt
import difflib
from collections.abc import Mapping
from dataclasses import dataclass

from coffer.client import clock
from coffer.client.api import ControlPlane, Token
from coffer.client.tools import FORMATS, WRITERS, FileChange, LoginTarget, apply
from coffer.client.trust import netloc_of, remember

__all__ = ["LoginPlan", "LoginRequest", "describe_expiry", "plan_login", "run_login"]

MASK = "****"


@dataclass(frozen=True)
class LoginRequest:
    tool: str
    domain: str
    repository: str
    owner: str | None = None
    duration_seconds: int | None = None
    name: str | None = None  # source / index / section name; default: the repository
    keyring: bool = False  # no token in files: the tool asks Coffer's keyring backend


@dataclass(frozen=True)
class LoginPlan:
    endpoint: str
    token: Token | None
    changes: list[FileChange]

    def report(self, *, dry_run: bool) -> list[str]:
        """What changed (or would), one line per file and setting, tokens masked."""
        lines: list[str] = []
        secret = self.token.value if self.token else None
        for change in self.changes:
            if not change.changed:
                lines.append(f"{change.path}: already up to date")
                continue
            verb = "Would update" if dry_run else "Updated"
            if change.before is None:
                verb = "Would create" if dry_run else "Created"
            lines.append(f"{verb} {change.path}: {', '.join(change.settings)}")
            if dry_run:
                lines.extend(_diff(change, secret))
        return lines


def plan_login(plane: ControlPlane, request: LoginRequest, env: Mapping[str, str]) -> LoginPlan:
    """Ask the server for the endpoint (and a token) and plan the tool's config edits."""
    endpoint = plane.repository_endpoint(
        request.domain, request.repository, FORMATS[request.tool], request.owner
    )
    token = None
    if not request.keyring:
        token = plane.token(request.domain, request.owner, request.duration_seconds)
    target = LoginTarget(
        endpoint=endpoint,
        name=request.name or request.repository,
        token=token.value if token else None,
        env=env,
    )
    return LoginPlan(endpoint, token, WRITERS[request.tool](target))


def run_login(plan: LoginPlan) -> list[str]:
    """Write the planned changes; with no token (keyring mode), trust the server in Coffer's
    keyring backend. Returns lines saying what else changed."""
    for change in plan.changes:
        apply(change)
    if plan.token is None:
        remembered = remember(plan.endpoint)
        if remembered is not None:
            return [
                f"Updated {remembered}: the keyring backend answers for {netloc_of(plan.endpoint)}"
            ]
    return []


def describe_expiry(token: Token) -> str:
    when = dt.datetime.fromtimestamp(token.expiration, dt.UTC)
    remaining = max(0, int(token.expiration - clock.now()))
    hours, rest = divmod(remaining, 3600)
    return (
        f"The token expires at {when:%Y-%m-%d %H:%M:%S} UTC (in {hours}h{rest // 60:02d}m); "
        "run coffer login again then, or use the keyring backend (coffer login --keyring)."
    )


def _diff(change: FileChange, secret: str | None) -> list[str]:
    def masked(text: str | None) -> list[str]:
        if text is None:
            return []
        if secret:
            text = text.replace(secret, MASK)
        return text.splitlines()

    return [
        "    " + line
        for line in difflib.unified_diff(
            masked(change.before),
            masked(change.after),
            fromfile=str(change.path),
            tofile=str(change.path),
            lineterm="",
        )
    ]
