"""Driving Coffer with the unmodified AWS clients: the aws CLI (subprocess) and boto3.

Both reach Coffer only through standard settings: the CLI through ``AWS_ENDPOINT_URL_CODEARTIFACT``
and ``AWS_SHARED_CREDENTIALS_FILE`` in an isolated environment; boto3 through ``endpoint_url`` and
keys read from the credentials file (so no process-wide ``AWS_*`` variable is needed).
"""

from __future__ import annotations

import json
import re
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3
from botocore.config import Config

from support.clients import aws_cli_path, isolated_env
from support.server import read_credentials

__all__ = ["AwsCli", "CliResult", "codeartifact_client", "error_code"]

REGION = "us-east-1"
CLI_TIMEOUT = 120.0
# botocore/awscli: "An error occurred (ConflictException) when calling the CreateDomain operation"
_ERROR_LINE = re.compile(r"An error occurred \((?P<code>[^)]+)\) when calling the (?P<op>\w+)")


def codeartifact_client(url: str, credentials: Path, *, region: str = REGION) -> Any:
    """A boto3 ``codeartifact`` client for the key in ``credentials`` (profile default)."""
    access_key, secret_key = read_credentials(credentials)
    return boto3.session.Session().client(
        "codeartifact",
        endpoint_url=url,
        region_name=region,
        aws_access_key_id=access_key,
        aws_secret_access_key=secret_key,
        config=Config(
            connect_timeout=5,
            read_timeout=60,
            retries={"mode": "standard", "total_max_attempts": 1},
        ),
    )


def error_code(stderr: str) -> str | None:
    """The AWS error code the CLI printed, e.g. ``ConflictException``."""
    found = _ERROR_LINE.search(stderr)
    return found.group("code") if found else None


@dataclass(frozen=True)
class CliResult:
    args: tuple[str, ...]
    returncode: int
    stdout: str
    stderr: str

    @property
    def json(self) -> Any:
        return json.loads(self.stdout)

    @property
    def error_code(self) -> str | None:
        return error_code(self.stderr)

    def describe(self) -> str:
        return (
            f"aws {' '.join(self.args)} -> exit {self.returncode}\n"
            f"--- stdout\n{self.stdout}\n--- stderr\n{self.stderr}"
        )


@dataclass(frozen=True)
class AwsCli:
    """The aws CLI pointed at one Coffer server, with one credentials file and a private HOME."""

    url: str
    credentials: Path
    home: Path

    def run(self, *args: str) -> CliResult:
        """``aws ARGS`` (e.g. ``"codeartifact", "list-domains"``); never raises on exit status."""
        env = isolated_env(self.home, endpoint_url=self.url, credentials_file=self.credentials)
        completed = subprocess.run(
            [str(aws_cli_path()), *args],
            env=env,
            cwd=self.home,
            capture_output=True,
            text=True,
            timeout=CLI_TIMEOUT,
            check=False,
        )
        return CliResult(args, completed.returncode, completed.stdout, completed.stderr)

    def ok(self, *args: str) -> CliResult:
        """``aws codeartifact ARGS``, asserting exit 0."""
        result = self.run("codeartifact", *args)
        assert result.returncode == 0, result.describe()
        return result

    def call(self, *args: str) -> Any:
        """``aws codeartifact ARGS --output json``, asserting success; the parsed output."""
        result = self.ok(*args, "--output", "json")
        return result.json if result.stdout.strip() else None

    def text(self, *args: str) -> str:
        """``aws codeartifact ARGS --output text`` stripped of its trailing newline."""
        return self.ok(*args, "--output", "text").stdout.strip()

    def fails(self, *args: str) -> CliResult:
        """``aws codeartifact ARGS``, asserting the CLI reported a service error (exit 255)."""
        result = self.run("codeartifact", *args)
        assert result.returncode == 255, result.describe()
        return result

    def with_credentials(self, credentials: Path) -> AwsCli:
        return AwsCli(self.url, credentials, self.home)
