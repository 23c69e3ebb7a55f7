"""Adapters from external connections to the services' ``RemoteIndex``: upstream HTTP lives here.

Only the composition root (``coffer.app``, ``coffer.cli``) imports this package; it hands a
:class:`RemoteRegistry` to the services, which see only ``coffer.services.external``. One pooled
httpx client serves every connection; tests swap its transport (``httpx.MockTransport``).

Errors raised are the services' (``coffer.services.external``)::

    RegistryError
    └── RemoteUnavailable      upstream failed, refused, or sent something unusable (502)
        └── RemoteTimeout      upstream did not answer in time (504)

plus ``coffer.config.ConfigError`` when a connection URL is not an http(s) URL.
"""

from coffer.remotes._registry import RemoteRegistry
from coffer.remotes.pypi import ACCEPT, CHUNK_SIZE, PyPIRemote

__all__ = ["ACCEPT", "CHUNK_SIZE", "PyPIRemote", "RemoteRegistry"]
