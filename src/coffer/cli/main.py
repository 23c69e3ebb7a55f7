"""``coffer``: serve, administer the store the server uses, and set up clients.

Subcommands are imported when they run: ``coffer login`` or ``coffer token`` (client side,
often in CI and keyring paths) never pay for the server stack that ``coffer serve`` loads.
"""

from __future__ import annotations

import importlib

import click

__all__ = ["main"]

COMMANDS = {
    "serve": "coffer.cli.serve:serve",
    "admin": "coffer.cli.admin:admin",
    "fsck": "coffer.cli.maintenance:fsck",
    "backup": "coffer.cli.maintenance:backup_command",
    "restore": "coffer.cli.maintenance:restore_command",
    "login": "coffer.cli.login:login",
    "token": "coffer.cli.token:token",
    "plan": "coffer.cli.declarative:plan",
    "apply": "coffer.cli.declarative:apply",
}


class _LazyGroup(click.Group):
    """A group whose subcommands are ``module:attribute`` paths, imported on first use."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        target = COMMANDS.get(cmd_name)
        if target is None:
            return None
        module, attribute = target.split(":")
        command = getattr(importlib.import_module(module), attribute)
        assert isinstance(command, click.Command)  # noqa: S101 - a wiring mistake, not input
        return command


@click.group(cls=_LazyGroup)
@click.version_option(package_name="coffer")
def main() -> None:
    """Coffer: a self-hosted package repository, wire-compatible with AWS CodeArtifact."""
