"""The control-plane endpoint: authenticate (SigV4) → parse (model) → handler → serialize."""

from __future__ import annotations

import hashlib
import uuid

from starlette.requests import Request
from starlette.responses import Response, StreamingResponse
from starlette.routing import BaseRoute, Route

from coffer.api import handlers as _handlers  # noqa: F401 - registers every handler
from coffer.api.errors import error_response
from coffer.api.protocol import load_model, parse_input, serialize_output
from coffer.api.registry import HANDLERS, Call
from coffer.errors import ValidationError, ValidationReason
from coffer.iam.principal import Caller
from coffer.iam.sigv4 import UNSIGNED_PAYLOAD, SignedRequest
from coffer.services import Services, clock

__all__ = ["control_plane_routes"]

METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]


def _signed_request(request: Request, payload_sha256: str) -> SignedRequest:
    return SignedRequest(
        method=request.method,
        raw_path=request.scope.get("raw_path", request.url.path.encode()).decode("latin-1"),
        raw_query=request.scope.get("query_string", b"").decode("latin-1"),
        headers=dict(request.headers.items()),
        payload_sha256=payload_sha256,
    )


def public_base_url(request: Request, services: Services) -> str:
    configured = services.settings.public_url
    if configured:
        return configured.rstrip("/")
    return f"{request.url.scheme}://{request.url.netloc}"


async def control_plane(request: Request) -> Response:
    request_id = str(uuid.uuid4())
    services: Services = request.app.state.services
    try:
        operation = load_model().route(request.method, request.url.path)
        declared = request.headers.get("x-amz-content-sha256")
        if operation is not None and operation.streaming_input and declared:
            # Raw asset bodies are streamed to the blob store, which checks them against the
            # declared (and signed) hash; they are never held in memory.
            body: object = request.stream()
            signed = _signed_request(request, UNSIGNED_PAYLOAD)
        else:
            body = await request.body()
            signed = _signed_request(request, hashlib.sha256(body).hexdigest())
        principal = await services.access.authenticate_sigv4(signed, now=clock.now())
        if operation is None or operation.name not in HANDLERS:
            name = operation.name if operation else f"{request.method} {request.url.path}"
            raise ValidationError(
                f"Operation {name} is not supported by this Coffer server",
                ValidationReason.UNKNOWN_OPERATION,
            )
        query = {key: request.query_params.getlist(key) for key in request.query_params}
        params = parse_input(operation, query, request.headers, body)
        caller = Caller(
            principal,
            source_ip=request.client.host if request.client else None,
            secure_transport=request.url.scheme == "https",
        )
        call = Call(services, caller, params, public_base_url(request, services))
        result = await HANDLERS[operation.name](call)
        headers, payload = serialize_output(operation, result)
    except Exception as error:  # every error becomes an AWS error response
        return error_response(error, request_id)
    headers["x-amzn-RequestId"] = request_id
    stream = result.get(operation.streaming_output or "")
    if stream is not None:
        return StreamingResponse(stream, headers=headers, media_type="application/octet-stream")
    return Response(payload, headers=headers, media_type="application/json")


def control_plane_routes() -> list[BaseRoute]:
    """Every path of the model, and a catch-all so unknown ``/v1/…`` calls get AWS errors too."""
    routes: list[BaseRoute] = [
        Route(path, control_plane, methods=METHODS) for path in sorted(load_model().paths())
    ]
    routes.append(Route("/v1/{rest:path}", control_plane, methods=METHODS))
    return routes
