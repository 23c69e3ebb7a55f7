"""The identity a request acts as."""

from __future__ import annotations

from dataclasses import dataclass

from coffer.domain.arns import user_arn

__all__ = ["Caller", "Principal"]


@dataclass(frozen=True)
class Principal:
    """An IAM-lite user, as it is now (policies are looked up fresh, never carried in tokens)."""

    account_id: str
    user_id: str
    user_name: str
    organization_id: str | None = None

    @property
    def arn(self) -> str:
        return user_arn(self.account_id, self.user_name)


@dataclass(frozen=True)
class Caller:
    """A principal plus what the request tells about it (condition keys such as aws:SourceIp)."""

    principal: Principal
    source_ip: str | None = None
    secure_transport: bool = False
