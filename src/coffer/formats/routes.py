"""Every format's data-plane routes, mounted under ``/{domain}-{owner}/{format}/{repository}/``."""

from __future__ import annotations

from starlette.routing import BaseRoute

from coffer.formats.pypi.routes import pypi_routes

__all__ = ["data_plane_routes"]


def data_plane_routes() -> list[BaseRoute]:
    return [*pypi_routes()]
