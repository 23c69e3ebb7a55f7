"""``coffer token``: a token, or the environment lines each tool reads it from."""

from __future__ import annotations

import re
import shlex
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from coffer.client.errors import ClientError
from coffer.client.urls import with_credentials

__all__ = ["EXPORT_FORMATS", "Exported", "env_name", "export"]

USERNAME = "aws"


@dataclass(frozen=True)
class Exported:
    """What ``export`` renders from: the token, and what the repository options resolved to."""

    token: str
    name: str | None = None  # source / index name for Poetry and uv
    endpoint: str | None = None  # the repository's PyPI endpoint, when --repository was given
    variable: str = "CODEARTIFACT_AUTH_TOKEN"
    export_keyword: bool = True


def env_name(name: str) -> str:
    """A source name as Poetry and uv spell it in variable names: ``my-repo`` → ``MY_REPO``."""
    return re.sub(r"[^A-Za-z0-9]", "_", name).upper()


def _lines(values: Mapping[str, str], export_keyword: bool) -> str:
    prefix = "export " if export_keyword else ""
    return "".join(f"{prefix}{key}={shlex.quote(value)}\n" for key, value in values.items())


def _need(value: str | None, what: str, fmt: str) -> str:
    if value is None:
        raise ClientError(f"--export-format {fmt} needs {what}")
    return value


def _env(data: Exported) -> str:
    return _lines({data.variable: data.token}, data.export_keyword)


def _poetry(data: Exported) -> str:
    name = env_name(_need(data.name, "--repository or --name", "poetry"))
    values = {
        f"POETRY_HTTP_BASIC_{name}_USERNAME": USERNAME,
        f"POETRY_HTTP_BASIC_{name}_PASSWORD": data.token,
    }
    if data.endpoint:
        values[f"POETRY_REPOSITORIES_{name}_URL"] = data.endpoint
    return _lines(values, data.export_keyword)


def _uv(data: Exported) -> str:
    name = env_name(_need(data.name, "--repository or --name", "uv"))
    values = {f"UV_INDEX_{name}_USERNAME": USERNAME, f"UV_INDEX_{name}_PASSWORD": data.token}
    if data.endpoint:
        values["UV_PUBLISH_URL"] = data.endpoint
    return _lines(values, data.export_keyword)


def _pip(data: Exported) -> str:
    endpoint = _need(data.endpoint, "--repository", "pip")
    url = with_credentials(endpoint + "simple/", USERNAME, data.token)
    return _lines({"PIP_INDEX_URL": url}, data.export_keyword)


def _docker_secret(data: Exported) -> str:
    return data.token  # no newline: the file a BuildKit secret mounts holds the token alone


EXPORT_FORMATS: Mapping[str, Callable[[Exported], str]] = {
    "token": lambda data: data.token + "\n",
    "env": _env,
    "poetry": _poetry,
    "uv": _uv,
    "pip": _pip,
    "docker-secret": _docker_secret,
}


def export(fmt: str, data: Exported) -> str:
    return EXPORT_FORMATS[fmt](data)
