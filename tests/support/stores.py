"""The blob store a test server uses, opened in the test process (to count or damage blobs)."""

from __future__ import annotations

from typing import Any

from coffer.storage.blobs import BlobStore
from coffer.storage.blobs.filesystem import FilesystemBlobStore
from coffer.storage.blobs.s3 import S3BlobStore
from support.server import CofferServer

__all__ = ["blob_store_of", "stored_keys"]


def blob_store_of(server: CofferServer) -> BlobStore:
    """The store ``server`` keeps its blobs in: its data directory's, or its S3 bucket."""
    url = server.storage.blob_store_url
    if url is None:
        return FilesystemBlobStore(server.data_dir / "blobs")
    from support.s3 import ACCESS_KEY_ID, REGION, SECRET_ACCESS_KEY, shared_s3

    endpoint = shared_s3().endpoint_url

    def client() -> Any:
        import botocore.session

        return botocore.session.Session().create_client(
            "s3",
            endpoint_url=endpoint,
            region_name=REGION,
            aws_access_key_id=ACCESS_KEY_ID,
            aws_secret_access_key=SECRET_ACCESS_KEY,
        )

    bucket, _, prefix = url.removeprefix("s3://").partition("/")
    return S3BlobStore(bucket, prefix, client_factory=client)


async def stored_keys(server: CofferServer) -> list[str]:
    async with blob_store_of(server) as store:
        return [key async for key in store.iter_keys()]
