"""A botocore ``codeartifact`` client for one Coffer server, with the user's AWS credentials.

The endpoint comes from ``--endpoint-url`` or the standard settings botocore reads itself
(``AWS_ENDPOINT_URL_CODEARTIFACT``, ``AWS_ENDPOINT_URL``, the shared config file); credentials
and region from the standard chain (environment, shared files, ``--profile``/``AWS_PROFILE``).
Coffer ignores the region except in ARNs, so ``us-east-1`` stands in when none is configured.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from coffer.client import clock
from coffer.client.errors import ClientError, NotFound

__all__ = ["ControlPlane", "Token", "connect"]

T = TypeVar("T")
DEFAULT_REGION = "us-east-1"


@dataclass(frozen=True)
class Token:
    """An authorization token and when it expires (epoch seconds, the server's clock)."""

    value: str
    expiration: float


@dataclass(frozen=True)
class ControlPlane:
    """The operations the client side needs, over a botocore client (``raw`` for the rest)."""

    raw: Any
    access_key_id: str | None = None  # whose token this client gets (cache keys use it)

    @property
    def endpoint_url(self) -> str:
        url: str = self.raw.meta.endpoint_url
        return url

    def call(self, operation: str, **params: Any) -> Any:
        """``raw.<operation>(**params)`` (snake_case name) with errors made readable."""
        method: Callable[..., Any] = getattr(self.raw, operation)
        return _translated(lambda: method(**_without_none(params)))

    def repository_endpoint(
        self, domain: str, repository: str, package_format: str, owner: str | None
    ) -> str:
        found = self.call(
            "get_repository_endpoint",
            domain=domain,
            domainOwner=owner,
            repository=repository,
            format=package_format,
        )
        endpoint: str = found["repositoryEndpoint"]
        return endpoint if endpoint.endswith("/") else endpoint + "/"

    def token(self, domain: str, owner: str | None, duration_seconds: int | None) -> Token:
        issued = self.call(
            "get_authorization_token",
            domain=domain,
            domainOwner=owner,
            durationSeconds=duration_seconds,
        )
        return Token(issued["authorizationToken"], issued["expiration"].timestamp())


def connect(
    endpoint_url: str | None = None,
    profile: str | None = None,
    region: str | None = None,
) -> ControlPlane:
    """A control-plane client (nothing is sent yet)."""
    import botocore.config
    import botocore.exceptions
    import botocore.session

    clock.shift_signing_clock()
    try:
        session = botocore.session.Session(profile=profile)
        region = region or session.get_config_variable("region") or DEFAULT_REGION
        raw = session.create_client(
            "codeartifact",
            endpoint_url=endpoint_url,
            region_name=region,
            config=botocore.config.Config(
                connect_timeout=10,
                read_timeout=60,
                retries={"mode": "standard", "max_attempts": 3},
            ),
        )
        credentials = session.get_credentials()
    except botocore.exceptions.BotoCoreError as error:
        raise ClientError(str(error)) from None
    return ControlPlane(raw, credentials.access_key if credentials else None)


def _without_none(params: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in params.items() if value is not None}


def _translated(call: Callable[[], T]) -> T:
    import botocore.exceptions

    try:
        return call()
    except botocore.exceptions.NoCredentialsError:
        raise ClientError(
            "no AWS credentials found: set AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, "
            "AWS_SHARED_CREDENTIALS_FILE or --profile"
        ) from None
    except botocore.exceptions.ClientError as error:
        info = error.response.get("Error", {})
        code = info.get("Code", "Error")
        kind = NotFound if code == "ResourceNotFoundException" else ClientError
        raise kind(f"{error.operation_name} failed: {code}: {info.get('Message', '')}") from None
    except botocore.exceptions.BotoCoreError as error:
        raise ClientError(str(error)) from None
