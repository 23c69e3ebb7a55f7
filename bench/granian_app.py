"""The ASGI app for granian (which takes a module attribute, not a factory): the same app
``coffer serve`` builds per worker, over the store ``COFFER_DATA_DIR`` names."""

from coffer.app import serve_app

app = serve_app()
