"""Options every client-side command shares: where the control plane is, and as whom."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import click

from coffer.client.api import ControlPlane, connect
from coffer.client.errors import ClientError

__all__ = ["connection_options", "domain_options", "open_plane"]

F = TypeVar("F", bound=Callable[..., Any])


def connection_options(command: F) -> F:
    for option in reversed(
        [
            click.option(
                "--endpoint-url",
                default=None,
                help="Coffer's URL (default: $AWS_ENDPOINT_URL_CODEARTIFACT or $AWS_ENDPOINT_URL).",
            ),
            click.option("--profile", default=None, help="AWS profile (default: $AWS_PROFILE)."),
            click.option("--region", default=None, help="AWS region (default: configured)."),
        ]
    ):
        command = option(command)
    return command


def domain_options(command: F) -> F:
    for option in reversed(
        [
            click.option("--domain", required=True, help="The domain."),
            click.option("--domain-owner", default=None, help="The domain's owner account."),
            click.option(
                "--duration-seconds",
                type=click.IntRange(0, 43200),
                default=None,
                help="Token lifetime, 900-43200 (0: the server's default).",
            ),
        ]
    ):
        command = option(command)
    return command


def open_plane(endpoint_url: str | None, profile: str | None, region: str | None) -> ControlPlane:
    try:
        return connect(endpoint_url, profile, region)
    except ClientError as error:
        raise click.ClickException(error.message) from None
