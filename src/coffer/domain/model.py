"""What the services hand to the protocol layers: plain, immutable descriptions."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Generic, TypeVar

T = TypeVar("T")

__all__ = ["DomainInfo", "Page", "PolicyInfo", "RepositoryInfo"]


@dataclass(frozen=True)
class DomainInfo:
    name: str
    owner: str
    arn: str
    created_time: float
    encryption_key: str | None
    repository_count: int
    asset_size_bytes: int
    status: str = "Active"


@dataclass(frozen=True)
class RepositoryInfo:
    name: str
    domain_name: str
    domain_owner: str
    administrator_account: str
    arn: str
    description: str | None
    created_time: float
    upstreams: tuple[str, ...] = ()
    external_connections: tuple[str, ...] = ()


@dataclass(frozen=True)
class PolicyInfo:
    resource_arn: str
    document: str
    revision: str


@dataclass(frozen=True)
class Page(Generic[T]):
    items: list[T] = field(default_factory=list)
    next_token: str | None = None
