"""Handlers, one module per topic; importing this package registers them all."""

from coffer.api.handlers import (
    domains,
    package_groups,
    packages,
    policies,
    repositories,
    tags,
    tokens,
)

__all__ = ["domains", "package_groups", "packages", "policies", "repositories", "tags", "tokens"]
