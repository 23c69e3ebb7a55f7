"""One registry: each core error → the AWS error type and status that botocore raises."""

from __future__ import annotations

import json
import logging
import uuid

from starlette.responses import Response

from coffer import errors as e

__all__ = ["error_response", "error_type"]

log = logging.getLogger("coffer.api")

# Most specific first: the first isinstance match wins.
REGISTRY: list[tuple[type[e.RegistryError], str, int]] = [
    (e.MissingAuthentication, "MissingAuthenticationTokenException", 403),
    (e.IncompleteSignature, "IncompleteSignatureException", 400),
    (e.UnrecognizedClient, "UnrecognizedClientException", 403),
    (e.InvalidSignature, "InvalidSignatureException", 403),
    (e.InvalidToken, "UnrecognizedClientException", 403),
    (e.ValidationError, "ValidationException", 400),
    (e.QuotaExceeded, "ServiceQuotaExceededException", 402),
    (e.AccessDenied, "AccessDeniedException", 403),
    (e.NotFound, "ResourceNotFoundException", 404),
    (e.Conflict, "ConflictException", 409),
    (e.Throttled, "ThrottlingException", 429),
]


def error_type(error: e.RegistryError) -> tuple[str, int]:
    for cls, name, status in REGISTRY:
        if isinstance(error, cls):
            return name, status
    return "InternalServerException", 500


def error_response(error: Exception, request_id: str | None = None) -> Response:
    """The rest-json error shape: ``x-amzn-ErrorType`` + ``{"message": …}`` (+ modeled members)."""
    request_id = request_id or str(uuid.uuid4())
    headers = {"x-amzn-RequestId": request_id}
    if isinstance(error, e.RegistryError):
        name, status = error_type(error)
        body: dict[str, object] = {"message": error.message}
        if isinstance(error, e.ValidationError):
            body["reason"] = error.reason.value
        if isinstance(error, e.NotFound | e.Conflict | e.QuotaExceeded):
            if error.resource_id is not None:
                body["resourceId"] = error.resource_id
            if error.resource_type is not None:
                body["resourceType"] = error.resource_type.value
        if isinstance(error, e.Throttled):
            headers["Retry-After"] = str(error.retry_after)
    else:
        log.exception("internal error", extra={"request_id": request_id})
        name, status = "InternalServerException", 500
        body = {"message": f"An internal error occurred (request id {request_id})"}
    headers["x-amzn-ErrorType"] = name
    return Response(
        json.dumps(body), status_code=status, headers=headers, media_type="application/json"
    )
