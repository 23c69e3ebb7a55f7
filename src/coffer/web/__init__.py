"""The web console: server-rendered pages under ``/ui/`` over the same services and policies
as the control plane (see docs/ui.md)."""

from coffer.web.routes import ui_routes

__all__ = ["ui_routes"]
