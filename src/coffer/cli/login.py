"""``coffer login``: set a packaging tool up for one repository."""

from __future__ import annotations

import os

import click

from coffer.cli.client_options import connection_options, domain_options, open_plane
from coffer.client.errors import ClientError
from coffer.client.login import LoginRequest, describe_expiry, plan_login, run_login
from coffer.client.tools import WRITERS

__all__ = ["login"]


@click.command()
@click.option("--tool", type=click.Choice(sorted(WRITERS)), required=True)
@domain_options
@click.option("--repository", required=True, help="The repository.")
@click.option(
    "--name",
    default=None,
    help="Source/index/section name in the tool's config (default: the repository name).",
)
@click.option(
    "--keyring",
    "use_keyring",
    is_flag=True,
    help="Write no token: the tool gets fresh ones from Coffer's keyring backend.",
)
@click.option("--dry-run", is_flag=True, help="Show the changes without making them.")
@connection_options
def login(
    tool: str,
    domain: str,
    domain_owner: str | None,
    duration_seconds: int | None,
    repository: str,
    name: str | None,
    use_keyring: bool,
    dry_run: bool,
    endpoint_url: str | None,
    profile: str | None,
    region: str | None,
) -> None:
    """Point TOOL at a repository, editing only its own settings in the tool's config."""
    if use_keyring and tool in ("pdm", "npm"):
        raise click.UsageError(f"--keyring is not supported for {tool}")
    request = LoginRequest(
        tool, domain, repository, domain_owner, duration_seconds, name, use_keyring
    )
    plane = open_plane(endpoint_url, profile, region)
    extra: list[str] = []
    try:
        plan = plan_login(plane, request, os.environ)
        if not dry_run:
            extra = run_login(plan)
    except ClientError as error:
        raise click.ClickException(error.message) from None
    except OSError as error:
        raise click.ClickException(f"{error.filename}: {error.strerror}") from None
    for line in [*plan.report(dry_run=dry_run), *extra]:
        click.echo(line)
    click.echo(f"Repository endpoint: {plan.endpoint}")
    if plan.token is not None:
        click.echo(describe_expiry(plan.token))
    else:
        click.echo("No token written: the keyring backend fetches one when the tool asks.")
    if dry_run:
        click.echo("Dry run: nothing was changed.")
