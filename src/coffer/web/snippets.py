"""Copy-paste set-up for pip, uv and Poetry, from a repository's PyPI endpoint.

The endpoint is the one ``GetRepositoryEndpoint`` returns. Snippets never contain a token:
they read it from ``$CODEARTIFACT_TOKEN``, which the first snippet fetches with the aws CLI.
The source name ``artifact`` matches docs/clients.
"""

from __future__ import annotations

import shlex
from dataclasses import dataclass
from urllib.parse import urlsplit, urlunsplit

__all__ = ["Snippet", "install_snippets", "token_snippet"]

TOKEN_VARIABLE = "CODEARTIFACT_TOKEN"  # noqa: S105 - a variable name


@dataclass(frozen=True)
class Snippet:
    tool: str
    label: str
    text: str


def _with_credentials(url: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(netloc=f"aws:${{{TOKEN_VARIABLE}}}@{parts.netloc}"))


def token_snippet(domain: str, owner: str, endpoint_url: str | None = None) -> str:
    """The aws CLI command that puts a token for ``domain`` into ``$CODEARTIFACT_TOKEN``."""
    endpoint = ""
    if endpoint_url:
        endpoint = f" \\\n    --endpoint-url {shlex.quote(endpoint_url)}"
    return (
        f"export {TOKEN_VARIABLE}=$(aws codeartifact get-authorization-token"
        f" --domain {shlex.quote(domain)} --domain-owner {owner}{endpoint} \\\n"
        "    --query authorizationToken --output text)"
    )


def install_snippets(endpoint: str, package: str, version: str | None) -> list[Snippet]:
    """pip, uv and Poetry commands that install ``package`` (``==version`` if given)."""
    simple = endpoint + "simple/"
    requirement = shlex.quote(f"{package}=={version}" if version else package)
    pip_index = _with_credentials(simple)
    return [
        Snippet("pip", "pip", f'pip install --index-url "{pip_index}" {requirement}'),
        Snippet(
            "uv",
            "uv",
            f"export UV_INDEX_ARTIFACT_USERNAME=aws UV_INDEX_ARTIFACT_PASSWORD=${TOKEN_VARIABLE}\n"
            f"uv add --index artifact={simple} {requirement}",
        ),
        Snippet(
            "poetry",
            "Poetry",
            f"poetry source add --priority=explicit artifact {simple}\n"
            f'poetry config http-basic.artifact aws "${TOKEN_VARIABLE}"\n'
            f"poetry add --source artifact {requirement}",
        ),
    ]
