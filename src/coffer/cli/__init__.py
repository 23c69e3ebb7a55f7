"""The ``coffer`` command line."""

from coffer.cli.main import main

__all__ = ["main"]
