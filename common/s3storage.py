"""The object-storage backend (STORAGES["default"] when S3_BUCKET is set, dvctt/settings/base.py).

Its own module so that only processes configured with a bucket import django-storages' S3 backend
and boto3; common/storage.py serves downloads from either storage without importing it.
"""

from typing import Any

from storages.backends.s3 import S3Storage


class PortalS3Storage(S3Storage):
    """S3Storage that signs download addresses for the endpoint browsers reach.

    Web and worker processes talk to the object storage at `endpoint_url` (an internal name such
    as http://minio:9000); browsers may reach it elsewhere (`public_endpoint_url`). A signature
    covers the host, so the public address is signed with a client of its own (signing is local:
    that client never connects).
    """

    def __init__(self, **options: Any) -> None:
        self.public_endpoint_url = options.pop("public_endpoint_url", "") or ""
        super().__init__(**options)
        self._signing_client: Any = None

    def url(
        self,
        name: str,
        parameters: dict[str, str] | None = None,
        expire: int | None = None,
        http_method: str | None = None,
    ) -> str:
        if not self.public_endpoint_url:
            return str(super().url(name, parameters=parameters, expire=expire, http_method=http_method))
        if self._signing_client is None:
            session = self._create_session()
            self._signing_client = session.client(
                "s3",
                region_name=self.region_name,
                endpoint_url=self.public_endpoint_url,
                config=self.client_config,
                verify=self.verify,
            )
        params = {**(parameters or {}), "Bucket": self.bucket_name, "Key": self._normalize_name(name)}
        return str(
            self._signing_client.generate_presigned_url(
                "get_object",
                Params=params,
                ExpiresIn=self.querystring_expire if expire is None else expire,
                HttpMethod=http_method,
            )
        )
