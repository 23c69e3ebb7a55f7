"""Coffer: a self-hosted package repository, wire-compatible with AWS CodeArtifact."""

__version__ = "0.1.0"
