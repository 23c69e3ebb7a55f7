"""Fresh, valid names, so tests sharing one server never collide."""

from __future__ import annotations

import uuid

__all__ = ["new_name", "new_organization_id"]


def new_name(prefix: str = "t") -> str:
    """A name valid as a domain (``[a-z][a-z0-9-]{0,48}[a-z0-9]``) and a repository name."""
    if not prefix or not prefix[0].isalpha() or prefix != prefix.lower():
        raise ValueError(f"prefix must start with a lower-case letter: {prefix!r}")
    return f"{prefix}{uuid.uuid4().hex[:12]}"


def new_organization_id() -> str:
    """An organization id (``o-[a-z0-9]{10,32}``)."""
    return f"o-{uuid.uuid4().hex[:16]}"
