"""The ASGI application factory (no module-level app: every process builds its own)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from coffer.api import control_plane_routes
from coffer.config import Settings
from coffer.formats.routes import data_plane_routes
from coffer.logs import RequestLogMiddleware, configure_logging
from coffer.remotes import RemoteRegistry
from coffer.services import Services, open_services
from coffer.web import ui_routes

__all__ = ["create_app", "serve_app"]


async def health(request: Request) -> JSONResponse:
    services: Services = request.app.state.services
    try:
        await services.check()
    except Exception as error:  # health reports, never raises
        return JSONResponse({"status": "unavailable", "error": type(error).__name__}, 503)
    return JSONResponse({"status": "ok"})


def create_app(settings: Settings | None = None, services: Services | None = None) -> Starlette:
    """An app over ``services`` (or services opened from ``settings``, migrations applied)."""
    if services is None:
        settings = settings or Settings.from_env()
        services = open_services(settings, remotes=_remotes(settings))

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        yield
        await app.state.services.close()

    app = Starlette(
        routes=[
            Route("/health", health, methods=["GET", "HEAD"]),
            *control_plane_routes(),
            *ui_routes(),
            *data_plane_routes(),
        ],
        middleware=[Middleware(RequestLogMiddleware)],
        lifespan=lifespan,
    )
    app.state.services = services
    return app


def serve_app() -> Starlette:
    """The factory ``coffer serve`` hands to uvicorn (once per worker process).

    ``coffer serve`` has migrated and bootstrapped the store before any worker starts.
    """
    configure_logging()
    settings = Settings.from_env()
    services = open_services(settings, run_migrations=False, remotes=_remotes(settings))
    return create_app(settings, services)


def _remotes(settings: Settings) -> RemoteRegistry:
    return RemoteRegistry.from_settings(
        settings.external_connections, timeout=settings.remote_timeout
    )
