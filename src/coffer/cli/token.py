"""``coffer token``: print a token, or the environment lines a tool reads it from."""

from __future__ import annotations

import click

from coffer.cli.client_options import connection_options, domain_options, open_plane
from coffer.client.errors import ClientError
from coffer.client.token import EXPORT_FORMATS, Exported, export

__all__ = ["token"]


@click.command()
@domain_options
@click.option("--repository", default=None, help="Needed for URLs (pip; optional for others).")
@click.option("--name", default=None, help="Poetry source / uv index name (default: repository).")
@click.option(
    "--export-format",
    type=click.Choice(list(EXPORT_FORMATS)),
    default="token",
    show_default=True,
    help="token: the token alone; env/poetry/uv/pip: shell lines; docker-secret: no newline.",
)
@click.option("--variable", default="CODEARTIFACT_AUTH_TOKEN", show_default=True,
              help="The variable --export-format env sets.")  # fmt: skip
@click.option("--no-export-keyword", is_flag=True, help="NAME=value lines (for env files).")
@connection_options
def token(
    domain: str,
    domain_owner: str | None,
    duration_seconds: int | None,
    repository: str | None,
    name: str | None,
    export_format: str,
    variable: str,
    no_export_keyword: bool,
    endpoint_url: str | None,
    profile: str | None,
    region: str | None,
) -> None:
    """Get an authorization token for a domain and print it in the chosen format."""
    plane = open_plane(endpoint_url, profile, region)
    try:
        endpoint = None
        if repository is not None:
            endpoint = plane.repository_endpoint(domain, repository, "pypi", domain_owner)
        issued = plane.token(domain, domain_owner, duration_seconds)
        text = export(
            export_format,
            Exported(issued.value, name or repository, endpoint, variable, not no_export_keyword),
        )
    except ClientError as error:
        raise click.ClickException(error.message) from None
    click.echo(text, nl=False)
