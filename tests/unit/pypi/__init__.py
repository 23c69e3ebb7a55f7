"""Unit tests of ``coffer.formats.pypi``: sans-IO, no server, no database."""
