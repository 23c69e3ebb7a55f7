"""The ``coffer`` command line: every subcommand is wired, and client-side ones start fast
because they never import the server stack."""

from __future__ import annotations

import subprocess
import sys

import click
import pytest

from coffer.cli.main import COMMANDS, main


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_every_subcommand_resolves_to_a_command_of_that_name(name: str) -> None:
    command = main.get_command(click.Context(main), name)
    assert isinstance(command, click.Command)
    assert command.name == name


def test_an_unknown_subcommand_is_a_usage_error() -> None:
    result = subprocess.run(
        [sys.executable, "-c", "from coffer.cli import main; main()", "serv"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 2
    assert "No such command 'serv'" in result.stderr


@pytest.mark.parametrize("name", ["login", "token", "plan", "apply"])
def test_client_commands_do_not_load_the_server(name: str) -> None:
    probe = (
        "import sys\n"
        "from coffer.cli.main import main\n"
        f"try:\n    main([{name!r}, '--help'])\nexcept SystemExit:\n    pass\n"
        "print(sorted(m for m in ('uvicorn', 'sqlalchemy', 'starlette', 'coffer.services')"
        " if m in sys.modules))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    )
    assert result.stdout.splitlines()[-1] == "[]"
