"""Typed errors raised by the core; HTTP layers map them to their protocol's dialect.

Every error a user can cause is a :class:`RegistryError`. The control plane renders it through one
registry (``coffer.api.errors``) as the AWS rest-json error botocore parses; each package format
renders it the way its clients expect. Anything else that escapes is a bug: an opaque 500.

::

    CofferError
    └── RegistryError
        ├── ValidationError            bad input (names, documents, parameters)
        ├── AuthenticationError        who are you?
        │   ├── MissingAuthentication
        │   ├── IncompleteSignature
        │   ├── UnrecognizedClient     unknown access key
        │   ├── InvalidSignature       wrong secret, tampered request, stale date
        │   └── InvalidToken           forged, expired or revoked bearer token
        ├── AccessDenied               known caller, not allowed
        ├── NotFound                   resource_type + resource_id
        ├── Conflict                   resource_type + resource_id
        ├── QuotaExceeded              resource_type + resource_id
        └── Throttled                  retry_after seconds
"""

from __future__ import annotations

from enum import StrEnum

__all__ = [
    "AccessDenied",
    "AuthenticationError",
    "CofferError",
    "Conflict",
    "IncompleteSignature",
    "InvalidSignature",
    "InvalidToken",
    "MissingAuthentication",
    "NotFound",
    "QuotaExceeded",
    "RegistryError",
    "ResourceType",
    "Throttled",
    "UnrecognizedClient",
    "ValidationError",
    "ValidationReason",
]


class ResourceType(StrEnum):
    """Resource kinds named in NotFound/Conflict errors (the model's ``ResourceType`` enum)."""

    DOMAIN = "domain"
    REPOSITORY = "repository"
    PACKAGE = "package"
    PACKAGE_VERSION = "package-version"
    ASSET = "asset"


class ValidationReason(StrEnum):
    CANNOT_PARSE = "CANNOT_PARSE"
    ENCRYPTION_KEY_ERROR = "ENCRYPTION_KEY_ERROR"
    FIELD_VALIDATION_FAILED = "FIELD_VALIDATION_FAILED"
    UNKNOWN_OPERATION = "UNKNOWN_OPERATION"
    OTHER = "OTHER"


class CofferError(Exception):
    """Base of every exception Coffer raises on purpose."""


class RegistryError(CofferError):
    """An error the caller caused; its message is safe to show to them."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class ValidationError(RegistryError):
    def __init__(
        self, message: str, reason: ValidationReason = ValidationReason.FIELD_VALIDATION_FAILED
    ) -> None:
        super().__init__(message)
        self.reason = reason


class AuthenticationError(RegistryError):
    """The caller could not be identified."""


class MissingAuthentication(AuthenticationError):
    pass


class IncompleteSignature(AuthenticationError):
    pass


class UnrecognizedClient(AuthenticationError):
    pass


class InvalidSignature(AuthenticationError):
    pass


class InvalidToken(AuthenticationError):
    pass


class AccessDenied(RegistryError):
    pass


class _ResourceError(RegistryError):
    def __init__(
        self,
        message: str,
        resource_type: ResourceType | None = None,
        resource_id: str | None = None,
    ) -> None:
        super().__init__(message)
        self.resource_type = resource_type
        self.resource_id = resource_id


class NotFound(_ResourceError):
    pass


class Conflict(_ResourceError):
    pass


class QuotaExceeded(_ResourceError):
    pass


class Throttled(RegistryError):
    def __init__(self, message: str, retry_after: int = 1) -> None:
        super().__init__(message)
        self.retry_after = retry_after
