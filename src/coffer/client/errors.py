"""The one error the client side raises: a message fit to show a user as it is."""

from __future__ import annotations

__all__ = ["ClientError", "NotFound"]


class ClientError(Exception):
    """Something the user must fix (credentials, endpoint, a name, a file)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class NotFound(ClientError):
    """The server has no such resource (``ResourceNotFoundException``)."""
