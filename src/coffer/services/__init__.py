"""Use cases: the only layer that touches storage and owns transactions."""

from coffer.services.core import Services, open_services

__all__ = ["Services", "open_services"]
