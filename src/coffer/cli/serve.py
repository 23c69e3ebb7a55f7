"""``coffer serve``: run the server."""

from __future__ import annotations

import os
import signal
from pathlib import Path
from types import FrameType

import click
import uvicorn

from coffer.cli.common import data_dir_option, run_service, settings_from
from coffer.services.bootstrap import bootstrap

__all__ = ["serve"]


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8000, show_default=True, type=int, help="Port to listen on.")
@data_dir_option
@click.option("--workers", default=1, show_default=True, type=int, help="Server processes.")
@click.option("--public-url", default=None, help="URL clients reach this server at.")
@click.option(
    "--external-connection",
    "external_connections",
    multiple=True,
    metavar="NAME=URL",
    help="Where an external connection (e.g. public:pypi) points; repeatable.",
)
def serve(
    host: str,
    port: int,
    data_dir: Path | None,
    workers: int,
    public_url: str | None,
    external_connections: tuple[str, ...],
) -> None:
    """Run the server (SQLite and files under the data directory unless configured otherwise)."""
    # Workers are separate processes that read their settings from the environment.
    if data_dir is not None:
        os.environ["COFFER_DATA_DIR"] = str(data_dir)
    if public_url is not None:
        os.environ["COFFER_PUBLIC_URL"] = public_url
    if external_connections:
        os.environ["COFFER_EXTERNAL_CONNECTIONS"] = ",".join(external_connections)
    settings = settings_from(None)
    created = run_service(
        settings,
        lambda services: bootstrap(services.iam, settings.credentials_path, services.db),
    )
    if created is not None:
        click.echo(f"Created account {created.account_id} with administrator 'admin'.")
        click.echo(f"Administrator credentials: {created.credentials_path.resolve()}")
        click.echo(f"  export AWS_SHARED_CREDENTIALS_FILE={created.credentials_path.resolve()}")
    click.echo(f"Coffer serving {settings.data_dir.resolve()} on http://{host}:{port}")
    # uvicorn shuts down gracefully on SIGTERM/SIGINT, then re-raises the signal; these handlers
    # turn that into a clean exit (status 0) instead of death by signal.
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, _exit_cleanly)
    uvicorn.run(
        "coffer.app:serve_app",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_config=None,
        access_log=False,
        timeout_graceful_shutdown=30,
        server_header=False,
        proxy_headers=True,
    )


def _exit_cleanly(signum: int, frame: FrameType | None) -> None:
    raise SystemExit(0)
