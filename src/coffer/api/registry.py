"""Operation name → handler. Handlers parse nothing themselves: they get validated members."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any

from coffer.iam.principal import Caller
from coffer.services import Services

__all__ = ["HANDLERS", "Call", "Handler", "operation"]


@dataclass(frozen=True)
class Call:
    services: Services
    caller: Caller
    params: Mapping[str, Any]
    base_url: str  # the public URL data-plane endpoints are built from

    def get(self, name: str) -> Any:
        return self.params.get(name)


Handler = Callable[[Call], Awaitable[Mapping[str, Any]]]
HANDLERS: dict[str, Handler] = {}


def operation(name: str) -> Callable[[Handler], Handler]:
    def register(handler: Handler) -> Handler:
        HANDLERS[name] = handler
        return handler

    return register
