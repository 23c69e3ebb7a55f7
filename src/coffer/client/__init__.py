"""Client side of Coffer: talks to a Coffer (or CodeArtifact) control plane as a user would.

Nothing here imports the server: the package is a pure API client (an import-linter contract
holds it to that). ``coffer login``, ``coffer token``, ``coffer plan|apply`` and the keyring
backend are built on it.
"""
