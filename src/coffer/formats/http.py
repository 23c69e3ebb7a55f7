"""What every format's routes share: credentials, the endpoint's domain, and error dialect.

Package clients authenticate with HTTP Basic (any user name, the token as password) or
``Bearer <token>``. Many only send credentials after a challenge, so missing or bad credentials
get ``401`` with ``WWW-Authenticate: Basic realm="coffer"``; a valid token without permission
gets ``403``.
"""

from __future__ import annotations

import base64
import binascii
import logging
import re
import uuid

from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response

from coffer import errors as e
from coffer.formats.multipart import PayloadTooLarge
from coffer.services import Services
from coffer.services.external import RemoteTimeout, RemoteUnavailable

__all__ = [
    "CHALLENGE",
    "EndpointRef",
    "error_response",
    "parse_endpoint",
    "services_of",
    "token_from",
]

log = logging.getLogger("coffer.formats")

CHALLENGE = {"WWW-Authenticate": 'Basic realm="coffer"'}
_DOMAIN_OWNER = re.compile(r"(?P<domain>[a-z][a-z0-9-]{0,48}[a-z0-9])-(?P<owner>[0-9]{12})")


class EndpointRef:
    """``/{domain}-{owner}/{format}/{repository}/`` as the request addressed it."""

    def __init__(self, domain: str, owner: str, repository: str) -> None:
        self.domain = domain
        self.owner = owner
        self.repository = repository


def parse_endpoint(request: Request) -> EndpointRef:
    match = _DOMAIN_OWNER.fullmatch(request.path_params["domain_owner"])
    if match is None:
        raise e.NotFound("No such repository endpoint")
    return EndpointRef(match["domain"], match["owner"], request.path_params["repository"])


def token_from(request: Request) -> str | None:
    """The token in ``Authorization`` (Basic password or Bearer), or None."""
    header = request.headers.get("authorization", "")
    scheme, _, value = header.partition(" ")
    value = value.strip()
    if scheme.lower() == "bearer":
        return value or None
    if scheme.lower() == "basic":
        try:
            decoded = base64.b64decode(value, validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError):
            return None
        _, _, password = decoded.partition(":")
        return password or None
    return None


STATUS: list[tuple[type[e.RegistryError], int]] = [
    (PayloadTooLarge, 413),
    (RemoteTimeout, 504),
    (RemoteUnavailable, 502),
    (e.AuthenticationError, 401),
    (e.AccessDenied, 403),
    (e.NotFound, 404),
    (e.Conflict, 409),
    (e.QuotaExceeded, 413),
    (e.Throttled, 429),
    (e.ValidationError, 400),
]


def error_response(error: Exception) -> Response:
    """Core errors as plain text with the status package clients understand; 500s say nothing."""
    if isinstance(error, e.RegistryError):
        status = next((code for cls, code in STATUS if isinstance(error, cls)), 400)
        headers = dict(CHALLENGE) if status == 401 else {}
        if isinstance(error, e.Throttled):
            headers["Retry-After"] = str(error.retry_after)
        return PlainTextResponse(error.message + "\n", status_code=status, headers=headers)
    request_id = str(uuid.uuid4())
    log.exception("internal error", extra={"request_id": request_id})
    return PlainTextResponse(f"Internal server error (request id {request_id})\n", status_code=500)


def services_of(request: Request) -> Services:
    services: Services = request.app.state.services
    return services
