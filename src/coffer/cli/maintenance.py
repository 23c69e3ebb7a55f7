"""``coffer fsck``, ``coffer backup`` and ``coffer restore``: keeping a store sound."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Coroutine
from datetime import timedelta
from pathlib import Path
from typing import Any

import click

from coffer.cli.common import data_dir_option, run_service, settings_from
from coffer.services import Services
from coffer.services.backup import BackupError, BackupSummary, backup, restore
from coffer.services.fsck import DEFAULT_GRACE, Fsck, FsckReport

__all__ = ["backup_command", "fsck", "restore_command"]

UPLOAD_SPOOL = Path("tmp") / "uploads"  # where this host's servers spool request bodies


@click.command()
@data_dir_option
@click.option("--repair", is_flag=True, help="Delete orphaned blobs and stale temporary files.")
@click.option(
    "--grace-seconds",
    type=click.IntRange(min=0),
    default=int(DEFAULT_GRACE.total_seconds()),
    show_default=True,
    help="Unreferenced blobs younger than this may belong to uploads in flight: not orphans.",
)
@click.option("--verify-hashes", is_flag=True, help="Read every blob and check its digests (slow).")
def fsck(data_dir: Path | None, repair: bool, grace_seconds: int, verify_hashes: bool) -> None:
    """Check that database and blob store agree: missing blobs, orphans, corrupt blobs.

    Exits 0 when no problem is left (none found, or --repair removed every orphan), 1 otherwise.
    """
    settings = settings_from(data_dir)
    grace = timedelta(seconds=grace_seconds)

    async def check(services: Services) -> FsckReport:
        spool = settings.data_dir / UPLOAD_SPOOL
        checker = Fsck(services.db, services.blobs, spool_dirs=[spool])
        return await checker.run(repair=repair, grace=grace, verify_hashes=verify_hashes)

    report = run_service(settings, check)
    _print_report(report, repair=repair)
    if report.unrepaired:
        raise SystemExit(1)


def _print_report(report: FsckReport, *, repair: bool) -> None:
    for missing in report.missing:
        where = ", ".join(str(ref) for ref in missing.referenced_by)
        click.echo(f"missing blob {missing.sha256}: referenced by {where}")
    for orphan in report.orphans:
        since = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(orphan.modified))
        click.echo(f"orphan blob {orphan.sha256}: {orphan.size} bytes, written {since}")
    for mismatch in report.mismatches:
        click.echo(f"corrupt blob {mismatch.sha256}: {mismatch.problem}")
    click.echo(
        f"checked {report.blobs} blobs against {report.references} referenced blobs: "
        f"{len(report.missing)} missing, {len(report.orphans)} orphaned, "
        f"{report.corrupt} corrupt"
        + (
            f" ({report.recent_unreferenced} unreferenced blobs are within the grace period)"
            if report.recent_unreferenced
            else ""
        )
    )
    if repair:
        click.echo(
            f"repaired: removed {report.removed_orphans} orphaned blobs and "
            f"{report.removed_temporary} stale temporary files"
        )


@click.command("backup")
@click.argument("dest", type=click.Path(path_type=Path))
@data_dir_option
def backup_command(dest: Path, data_dir: Path | None) -> None:
    """Back up the embedded store (SQLite + files) into the new directory DEST.

    Safe while the server runs. PostgreSQL/S3 deployments use pg_dump and bucket versioning.
    """
    summary = _run(backup(settings_from(data_dir), dest))
    click.echo(f"Backed up {summary.blobs} blobs ({summary.bytes} bytes) to {dest.resolve()}")


@click.command("restore")
@click.argument(
    "source", type=click.Path(exists=True, file_okay=False, path_type=Path), metavar="SRC"
)
@data_dir_option
@click.option("--force", is_flag=True, help="Replace the database and keys of a non-empty store.")
def restore_command(source: Path, data_dir: Path | None, force: bool) -> None:
    """Restore the backup in SRC into an empty data directory (stop its servers first)."""
    settings = settings_from(data_dir)
    summary = _run(restore(settings, source, force=force))
    click.echo(
        f"Restored {summary.blobs} blobs ({summary.bytes} bytes) into {settings.data_dir.resolve()}"
    )


def _run(call: Coroutine[Any, Any, BackupSummary]) -> BackupSummary:
    try:
        return asyncio.run(call)
    except BackupError as error:
        raise click.ClickException(str(error)) from None
