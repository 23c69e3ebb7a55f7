"""A keyring backend that answers for Coffer repository URLs with fresh tokens.

Installed with Coffer (entry point ``keyring.backends: coffer``), so pip
(``--keyring-provider import|subprocess``), uv (``--keyring-provider subprocess``), Poetry and
twine get credentials for ``{server}/{domain}-{owner}/{format}/{repository}/…`` URLs without a
token in any file:

* The URL must have Coffer's path shape *and* be on a server the user trusts (one
  ``coffer login --keyring`` remembered, ``COFFER_KEYRING_HOSTS``, or the configured control
  plane; see :mod:`coffer.client.trust`); anything else gets None, so other backends answer,
  and no other host ever sees a token or a signed token request.
* The control plane is the URL's own server (``scheme://host[:port]`` plus any path prefix),
  or ``COFFER_ENDPOINT_URL`` when set.
* The token comes from ``GetAuthorizationToken`` with the user's AWS credentials (the standard
  chain: environment, shared files, ``AWS_PROFILE``); ``COFFER_TOKEN_DURATION`` seconds if set.
* It is cached in the process and on disk (0600) until shortly before it expires.

The user name is ``aws`` (Coffer accepts any); a tool that asks for another user name gets the
token all the same.
"""

from __future__ import annotations

import os
import sys
from functools import cached_property
from typing import Any

from keyring.backend import KeyringBackend
from keyring.credentials import SimpleCredential

from coffer.client.api import Token, connect
from coffer.client.cache import TokenCache
from coffer.client.errors import ClientError
from coffer.client.trust import netloc_of, trusted_hosts
from coffer.client.urls import EndpointUrl, parse_endpoint_url

__all__ = ["CofferKeyring", "fetch_token"]

USERNAME = "aws"


def _applies(parsed: EndpointUrl) -> bool:
    return netloc_of(parsed.base) in trusted_hosts()


def fetch_token(service: str, cache: TokenCache) -> Token | None:
    """A fresh token for the Coffer URL ``service`` (from ``cache`` while it lasts); None if
    ``service`` is not a Coffer URL."""
    parsed = parse_endpoint_url(service)
    if parsed is None or not _applies(parsed):
        return None
    endpoint = os.environ.get("COFFER_ENDPOINT_URL") or parsed.base
    duration = os.environ.get("COFFER_TOKEN_DURATION")
    plane = connect(endpoint_url=endpoint, profile=os.environ.get("AWS_PROFILE") or None)
    key = f"{endpoint}|{parsed.domain}|{parsed.owner}|{plane.access_key_id}"

    def fetch() -> Token:
        return plane.token(parsed.domain, parsed.owner, int(duration) if duration else None)

    return cache.get(key, fetch)


class CofferKeyring(KeyringBackend):
    """Tokens for Coffer URLs; None for every other service."""

    priority = 9  # above the OS keyrings; it only answers for Coffer

    @cached_property
    def _cache(self) -> TokenCache:
        return TokenCache()  # keyring makes one backend per process

    def get_password(self, service: str, username: str) -> str | None:
        token = self._token(service)
        return token.value if token else None

    def get_credential(self, service: str, username: str | None) -> SimpleCredential | None:
        token = self._token(service)
        return SimpleCredential(USERNAME, token.value) if token else None

    def set_password(self, service: str, username: str, password: str) -> None:
        raise NotImplementedError("Coffer tokens are fetched, not stored")

    def delete_password(self, service: str, username: str) -> None:
        raise NotImplementedError("Coffer tokens are fetched, not stored")

    def _token(self, service: Any) -> Token | None:
        if not isinstance(service, str):
            return None
        try:
            return fetch_token(service, self._cache)
        except ClientError as error:
            # keyring swallows exceptions into "no password": say why on stderr.
            print(f"coffer keyring: {service}: {error.message}", file=sys.stderr)
            return None
