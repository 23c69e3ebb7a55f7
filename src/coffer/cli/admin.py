"""``coffer admin``: accounts, users, access keys and identity policies (contract: DESIGN.md §2)."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from coffer.cli.common import data_dir_option, echo_rows, read_policy, run_service, settings_from
from coffer.services.bootstrap import write_credentials

__all__ = ["admin"]

policy_file_option = click.option(
    "--policy-file",
    type=click.Path(dir_okay=False, exists=True, path_type=Path),
    help="Identity policy (IAM JSON).",
)
account_option = click.option("--account", "account_id", required=True, help="12-digit id.")


@click.group()
def admin() -> None:
    """Manage accounts, users, access keys and identity policies."""


@admin.command("create-account")
@click.option("--account-id", default=None, help="12-digit id (default: random).")
@click.option("--organization", default=None, help="Organization id, o-[a-z0-9]{10,32}.")
@data_dir_option
def create_account(account_id: str | None, organization: str | None, data_dir: Path | None) -> None:
    """Create an account; prints its id last."""
    new_id = run_service(
        settings_from(data_dir), lambda s: s.iam.create_account(account_id, organization)
    )
    click.echo(new_id)


@admin.command("list-accounts")
@data_dir_option
def list_accounts(data_dir: Path | None) -> None:
    """Account ids and their organizations, one per line."""
    echo_rows(run_service(settings_from(data_dir), lambda s: s.iam.list_accounts()))


@admin.command("delete-account")
@click.argument("account_id")
@data_dir_option
def delete_account(account_id: str, data_dir: Path | None) -> None:
    """Delete an account, its users and their keys (it must own no domains)."""
    run_service(settings_from(data_dir), lambda s: s.iam.delete_account(account_id))


@admin.command("create-user")
@account_option
@click.argument("name")
@policy_file_option
@data_dir_option
def create_user(
    account_id: str, name: str, policy_file: Path | None, data_dir: Path | None
) -> None:
    """Create a user, optionally with an identity policy; prints its ARN."""
    policy = read_policy(policy_file)
    user = run_service(
        settings_from(data_dir), lambda s: s.iam.create_user(account_id, name, policy)
    )
    click.echo(user.arn)


@admin.command("list-users")
@account_option
@data_dir_option
def list_users(account_id: str, data_dir: Path | None) -> None:
    """Users of an account: name, ARN, whether a policy is attached."""
    users = run_service(settings_from(data_dir), lambda s: s.iam.list_users(account_id))
    echo_rows([(u.name, u.arn, "policy" if u.policy else "no-policy") for u in users])


@admin.command("delete-user")
@account_option
@click.argument("name")
@data_dir_option
def delete_user(account_id: str, name: str, data_dir: Path | None) -> None:
    """Delete a user and its access keys; its tokens stop working at once."""
    run_service(settings_from(data_dir), lambda s: s.iam.delete_user(account_id, name))


@admin.command("put-user-policy")
@account_option
@click.argument("name")
@click.option(
    "--policy-file",
    type=click.Path(dir_okay=False, exists=True, path_type=Path),
    required=True,
    help="Identity policy (IAM JSON).",
)
@data_dir_option
def put_user_policy(account_id: str, name: str, policy_file: Path, data_dir: Path | None) -> None:
    """Replace a user's identity policy."""
    policy = read_policy(policy_file)
    run_service(settings_from(data_dir), lambda s: s.iam.put_user_policy(account_id, name, policy))


@admin.command("get-user-policy")
@account_option
@click.argument("name")
@data_dir_option
def get_user_policy(account_id: str, name: str, data_dir: Path | None) -> None:
    """Print a user's identity policy."""
    user = run_service(settings_from(data_dir), lambda s: s.iam.get_user(account_id, name))
    if user.policy is None:
        raise click.ClickException(f"user {name} has no policy")
    click.echo(user.policy)


@admin.command("delete-user-policy")
@account_option
@click.argument("name")
@data_dir_option
def delete_user_policy(account_id: str, name: str, data_dir: Path | None) -> None:
    """Remove a user's identity policy (the user may then do nothing)."""
    run_service(settings_from(data_dir), lambda s: s.iam.put_user_policy(account_id, name, None))


@admin.command("create-access-key")
@account_option
@click.argument("name")
@click.option(
    "--credentials-file",
    type=click.Path(dir_okay=False, path_type=Path),
    required=True,
    help="Where to write the key (AWS shared-credentials format, profile default, 0600).",
)
@data_dir_option
def create_access_key(
    account_id: str, name: str, credentials_file: Path, data_dir: Path | None
) -> None:
    """Create an access key and write it to a new credentials file (never overwritten)."""
    if credentials_file.exists():
        raise click.ClickException(f"{credentials_file} exists; choose a new file")
    credentials_file.parent.mkdir(parents=True, exist_ok=True)
    key = run_service(settings_from(data_dir), lambda s: s.iam.create_access_key(account_id, name))
    path = write_credentials(credentials_file, key)
    click.echo(f"{key.access_key_id} written to {path}")


@admin.command("list-access-keys")
@account_option
@click.argument("name")
@data_dir_option
def list_access_keys(account_id: str, name: str, data_dir: Path | None) -> None:
    """A user's access key ids and their status (secrets are never shown again)."""
    keys = run_service(settings_from(data_dir), lambda s: s.iam.list_access_keys(account_id, name))
    echo_rows([(k.access_key_id, k.status) for k in keys])


@admin.command("delete-access-key")
@account_option
@click.argument("name")
@click.argument("access_key_id")
@data_dir_option
def delete_access_key(
    account_id: str, name: str, access_key_id: str, data_dir: Path | None
) -> None:
    """Delete an access key; requests signed with it are refused from then on."""
    run_service(
        settings_from(data_dir),
        lambda s: s.iam.delete_access_key(account_id, name, access_key_id),
    )


@admin.command("set-password")
@account_option
@click.argument("name")
@click.option(
    "--password-stdin", is_flag=True, help="Read the password from standard input (one line)."
)
@data_dir_option
def set_password(account_id: str, name: str, password_stdin: bool, data_dir: Path | None) -> None:
    """Set a user's web-console password (asked for twice unless --password-stdin)."""
    if password_stdin:
        password: str = sys.stdin.readline().rstrip("\r\n")
    else:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    run_service(
        settings_from(data_dir), lambda s: s.console.set_password(account_id, name, password)
    )
    click.echo(f"Console password set for {name}; sign in at /ui/")
