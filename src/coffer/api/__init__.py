"""The control plane: CodeArtifact's rest-json API over the services."""

from coffer.api.app import control_plane_routes

__all__ = ["control_plane_routes"]
