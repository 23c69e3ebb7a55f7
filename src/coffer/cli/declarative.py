"""``coffer plan`` and ``coffer apply``: converge a server to a ``coffer.toml``."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from coffer.cli.client_options import connection_options, open_plane
from coffer.client.api import ControlPlane
from coffer.client.declarative import spec, state
from coffer.client.declarative.converge import converge
from coffer.client.declarative.diff import Plan, compare, desired
from coffer.client.errors import ClientError

__all__ = ["apply", "plan"]

file_option = click.option(
    "-f",
    "--file",
    "path",
    type=click.Path(dir_okay=False, path_type=Path),
    default=Path("coffer.toml"),
    show_default=True,
    help="The configuration file.",
)
prune_option = click.option(
    "--prune",
    is_flag=True,
    help="Also delete repositories in declared domains that the file does not declare.",
)


def _plan(
    path: Path, prune: bool, endpoint_url: str | None, profile: str | None, region: str | None
) -> tuple[Plan, ControlPlane]:
    try:
        config = spec.load(path)
    except ClientError as error:
        click.echo(error.message, err=True)
        sys.exit(1)
    plane = open_plane(endpoint_url, profile, region)
    wanted = desired(config)
    try:
        current = state.read(plane, wanted)
    except ClientError as error:
        raise click.ClickException(error.message) from None
    return compare(wanted, current, prune=prune), plane


@click.command()
@file_option
@prune_option
@click.option(
    "--detailed-exitcode",
    is_flag=True,
    help="Exit 0 when the server matches the file, 2 when there are changes.",
)
@connection_options
def plan(
    path: Path,
    prune: bool,
    detailed_exitcode: bool,
    endpoint_url: str | None,
    profile: str | None,
    region: str | None,
) -> None:
    """Show what apply would change to make the server match the file."""
    result, _ = _plan(path, prune, endpoint_url, profile, region)
    for line in result.describe(prune=prune):
        click.echo(line)
    if detailed_exitcode and result.changes:
        sys.exit(2)


@click.command()
@file_option
@prune_option
@connection_options
def apply(
    path: Path,
    prune: bool,
    endpoint_url: str | None,
    profile: str | None,
    region: str | None,
) -> None:
    """Make the server match the file: create and update what it declares (never delete
    anything it does not, unless --prune)."""
    result, plane = _plan(path, prune, endpoint_url, profile, region)
    for line in result.describe(prune=prune):
        click.echo(line)
    if not result.changes:
        return
    try:
        converge(plane, result.changes, click.echo)
    except ClientError as error:
        raise click.ClickException(error.message) from None
    click.echo("Apply complete.")
