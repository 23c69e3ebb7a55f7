"""What every command shares: settings from flags/env, and running one service call."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from coffer.config import ConfigError, Settings
from coffer.errors import RegistryError
from coffer.services import Services, open_services

__all__ = ["data_dir_option", "run_service", "settings_from"]

T = TypeVar("T")

data_dir_option = click.option(
    "--data-dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Data directory (default: $COFFER_DATA_DIR or ./coffer-data).",
)


def settings_from(data_dir: Path | None) -> Settings:
    try:
        return Settings.from_env(data_dir=data_dir)
    except ConfigError as error:
        raise click.UsageError(str(error)) from None


def run_service(settings: Settings, call: Callable[[Services], Awaitable[T]]) -> T:
    """Open the store (migrating it), run one call, close; core errors become CLI errors."""

    async def runner() -> T:
        services = open_services(settings)
        try:
            return await call(services)
        finally:
            await services.close()

    try:
        return asyncio.run(runner())
    except RegistryError as error:
        raise click.ClickException(error.message) from None


def read_policy(path: Path | None) -> str | None:
    if path is None:
        return None
    try:
        return path.read_text()
    except OSError as error:
        raise click.ClickException(f"cannot read policy file {path}: {error.strerror}") from None


def echo_rows(rows: list[tuple[Any, ...]]) -> None:
    for row in rows:
        click.echo("\t".join("" if cell is None else str(cell) for cell in row))
