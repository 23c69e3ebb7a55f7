"""One registry: each error a console page can meet → the status and heading of its error page."""

from __future__ import annotations

import logging
import uuid

from coffer import errors as e

__all__ = ["ErrorPage", "FormExpired", "SignInRequired", "error_page_for"]

log = logging.getLogger("coffer.web")


class FormExpired(Exception):
    """A POST without the session's CSRF token: a stale form, or one sent from another site."""


class SignInRequired(Exception):
    """No session, or one that has ended (user deleted, password changed)."""


# Most specific first: the first isinstance match wins. Services authorize before they look a
# resource up, so "not allowed" never tells whether a repository or package exists.
REGISTRY: list[tuple[type[Exception], int, str]] = [
    (FormExpired, 403, "This form has expired"),
    (e.Throttled, 429, "Too many attempts"),
    (e.ValidationError, 400, "That did not work"),
    (e.QuotaExceeded, 400, "Limit reached"),
    (e.AccessDenied, 403, "Not allowed"),
    (e.NotFound, 404, "Not found"),
    (e.Conflict, 409, "That did not work"),
    (e.AuthenticationError, 401, "Sign in again"),
]
FORM_EXPIRED = "The form has expired or came from another site. Reload the page and try again."


class ErrorPage:
    """What an error page shows: status, heading, message, and any extra headers."""

    def __init__(self, status: int, title: str, message: str, headers: dict[str, str]) -> None:
        self.status = status
        self.title = title
        self.message = message
        self.headers = headers


def error_page_for(error: Exception) -> ErrorPage:
    for cls, status, title in REGISTRY:
        if isinstance(error, cls):
            headers = {}
            if isinstance(error, e.Throttled):
                headers["Retry-After"] = str(error.retry_after)
            message = error.message if isinstance(error, e.RegistryError) else FORM_EXPIRED
            return ErrorPage(status, title, message, headers)
    request_id = str(uuid.uuid4())
    log.exception("internal error", extra={"request_id": request_id})
    return ErrorPage(
        500, "Something went wrong", f"An internal error occurred (request id {request_id}).", {}
    )
