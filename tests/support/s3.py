"""An S3 API server on 127.0.0.1 for tests: moto's server mode in a subprocess.

::

    s3 = shared_s3()                    # one per test process (xdist worker), stopped at exit
    s3.create_bucket("t-0123456789abcdef")
    env = s3.env()                      # AWS_ENDPOINT_URL_S3, test credentials, region, ...

The server is this file run as a script: moto's WSGI application on werkzeug, threaded, with one
fidelity fix. moto checks ``If-None-Match: *`` and then stores the object in two steps, so two
concurrent conditional writes could both succeed; S3 makes them atomic, and Coffer relies on it
(exactly one writer of a blob sees ``created=True``). The wrapper therefore serializes requests
that write (anything but GET and HEAD); reads stay concurrent.
"""

from __future__ import annotations

import atexit
import contextlib
import os
import shutil
import subprocess
import sys
import tempfile
import threading
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import IO, Any

__all__ = ["S3Server", "shared_s3"]

ACCESS_KEY_ID = "coffer-test"
SECRET_ACCESS_KEY = "coffer-test-secret"
REGION = "us-east-1"
START_TIMEOUT = 60.0


class S3Server:
    """A running moto server; see :func:`shared_s3`."""

    def __init__(self, process: subprocess.Popen[bytes], port: int, root: Path) -> None:
        self.process = process
        self.port = port
        self.root = root
        self.endpoint_url = f"http://127.0.0.1:{port}"
        self._client: Any = None
        self._client_lock = threading.Lock()

    @classmethod
    def start(cls) -> S3Server:
        root = Path(tempfile.mkdtemp(prefix="coffer-s3-"))
        (root / "aws-config").touch()
        (root / "aws-credentials").touch()
        log = (root / "moto.log").open("wb")
        process = subprocess.Popen(
            [sys.executable, __file__],
            stdout=subprocess.PIPE,
            stderr=log,
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
        )
        log.close()
        assert process.stdout is not None
        line = _readline(process.stdout, START_TIMEOUT)
        if not line.startswith(b"PORT "):
            process.kill()
            process.wait()
            raise RuntimeError(
                f"moto server did not start: {line!r}\n{(root / 'moto.log').read_text()}"
            )
        return cls(process, int(line.split()[1]), root)

    def env(self) -> dict[str, str]:
        """Standard AWS settings that point botocore at this server, and nothing else."""
        return {
            "AWS_ENDPOINT_URL_S3": self.endpoint_url,
            "AWS_ACCESS_KEY_ID": ACCESS_KEY_ID,
            "AWS_SECRET_ACCESS_KEY": SECRET_ACCESS_KEY,
            "AWS_DEFAULT_REGION": REGION,
            "AWS_CONFIG_FILE": str(self.root / "aws-config"),
            "AWS_SHARED_CREDENTIALS_FILE": str(self.root / "aws-credentials"),
            "AWS_EC2_METADATA_DISABLED": "true",
        }

    def client(self) -> Any:
        """A botocore S3 client of this server, for set-up and inspection (thread-safe)."""
        with self._client_lock:
            if self._client is None:
                import botocore.session

                self._client = botocore.session.Session().create_client(
                    "s3",
                    endpoint_url=self.endpoint_url,
                    region_name=REGION,
                    aws_access_key_id=ACCESS_KEY_ID,
                    aws_secret_access_key=SECRET_ACCESS_KEY,
                )
            return self._client

    def create_bucket(self, name: str) -> None:
        """Create the bucket unless it exists."""
        client = self.client()
        with contextlib.suppress(client.exceptions.BucketAlreadyOwnedByYou):
            client.create_bucket(Bucket=name)

    def delete_bucket(self, name: str) -> None:
        """Delete the bucket with everything in it (moto keeps objects in memory)."""
        client = self.client()
        try:
            for page in client.get_paginator("list_multipart_uploads").paginate(Bucket=name):
                for upload in page.get("Uploads", []):
                    client.abort_multipart_upload(
                        Bucket=name, Key=upload["Key"], UploadId=upload["UploadId"]
                    )
            for page in client.get_paginator("list_objects_v2").paginate(Bucket=name):
                for entry in page.get("Contents", []):
                    client.delete_object(Bucket=name, Key=entry["Key"])
            client.delete_bucket(Bucket=name)
        except client.exceptions.NoSuchBucket:
            pass

    def stop(self) -> None:
        if self._client is not None:
            self._client.close()
            self._client = None
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        if self.process.stdout is not None:
            self.process.stdout.close()
        shutil.rmtree(self.root, ignore_errors=True)


def _readline(stream: IO[bytes], timeout: float) -> bytes:
    """The first line of ``stream``, or ``b""`` if none comes within ``timeout`` seconds."""
    lines: list[bytes] = []
    reader = threading.Thread(target=lambda: lines.append(stream.readline()), daemon=True)
    reader.start()
    reader.join(timeout)
    return lines[0] if lines else b""


_shared: S3Server | None = None
_shared_lock = threading.Lock()


def shared_s3() -> S3Server:
    """This process's S3 server, started on first use and stopped when the process exits."""
    global _shared
    with _shared_lock:
        if _shared is None or _shared.process.poll() is not None:
            _shared = S3Server.start()
            atexit.register(_shared.stop)
        return _shared


# -- the server process ------------------------------------------------------------------------

WsgiApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


def _serialized_writes(app: WsgiApp) -> WsgiApp:
    lock = threading.Lock()

    def serialized(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        if environ.get("REQUEST_METHOD") in ("GET", "HEAD"):
            return app(environ, start_response)
        with lock:
            return list(app(environ, start_response))

    return serialized


def _serve() -> None:
    from moto.moto_server.werkzeug_app import (
        DomainDispatcherApplication,
        MotoRequestHandler,
        create_backend_app,
    )
    from werkzeug.serving import make_server

    app = _serialized_writes(DomainDispatcherApplication(create_backend_app))
    server = make_server("127.0.0.1", 0, app, threaded=True, request_handler=MotoRequestHandler)
    sys.stdout.write(f"PORT {server.server_port}\n")
    sys.stdout.flush()
    server.serve_forever()


if __name__ == "__main__":
    _serve()
