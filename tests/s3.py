"""A real S3 server for the object-storage tests: moto's standalone server (`moto[server]`) as its
own process on a free loopback port, spoken to over sockets by django-storages and boto3 exactly as
MinIO or AWS would be. One server per test session; each test gets a bucket of its own."""

import contextlib
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import boto3
import pytest
import requests

from dvctt.settings.base import s3_storage
from tests.emc_sync.drill_helpers import ROOT

ACCESS_KEY = "dvctt-test-key"
SECRET_KEY = "dvctt-test-secret"  # noqa: S105 - the stand-in's, accepted by any moto server
REGION = "us-east-1"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class MotoServer:
    """`python -m moto.server` on 127.0.0.1:<free port>, stopped with `stop()`."""

    def __init__(self) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.process = subprocess.Popen(  # noqa: S603 - our own command line
            [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(self.port)],
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 30
        while True:
            try:
                requests.get(f"{self.url}/moto-api/", timeout=1)
                break
            except requests.ConnectionError:
                if self.process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("moto server did not start") from None
                time.sleep(0.1)

    def client(self) -> Any:
        return boto3.client(
            "s3", endpoint_url=self.url, aws_access_key_id=ACCESS_KEY, aws_secret_access_key=SECRET_KEY,
            region_name=REGION,
        )  # fmt: skip

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)


@dataclass
class Bucket:
    server: MotoServer
    name: str

    def object_keys(self) -> list[str]:
        answer = self.server.client().list_objects_v2(Bucket=self.name)
        return sorted(item["Key"] for item in answer.get("Contents", []))

    def read(self, key: str) -> bytes:
        return bytes(self.server.client().get_object(Bucket=self.name, Key=key)["Body"].read())

    def environment(self) -> dict[str, str]:
        """What a process of ours needs in its environment to use this bucket (settings/base.py)."""
        return {
            "S3_BUCKET": self.name,
            "S3_ENDPOINT_URL": self.server.url,
            "S3_ACCESS_KEY_ID": ACCESS_KEY,
            "S3_SECRET_ACCESS_KEY": SECRET_KEY,
            "S3_REGION": REGION,
        }


def storage_settings(bucket: Bucket) -> dict[str, Any]:
    """settings.STORAGES["default"] as dvctt/settings/base.py builds it for `bucket.environment()`
    (short timeouts: the test of a storage that is down waits for no retry)."""
    return s3_storage(
        bucket=bucket.name, endpoint_url=bucket.server.url, region=REGION, access_key=ACCESS_KEY,
        secret_key=SECRET_KEY, connect_timeout=1, read_timeout=5,
    )  # fmt: skip


@pytest.fixture(scope="session")
def s3_server() -> Iterator[MotoServer]:
    server = MotoServer()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def s3_bucket(s3_server: MotoServer, settings: Any) -> Iterator[Bucket]:
    """A fresh bucket, made the default storage of this test (presigned downloads)."""
    bucket = Bucket(s3_server, f"dvctt-test-{uuid.uuid4().hex[:12]}")
    s3_server.client().create_bucket(Bucket=bucket.name)
    settings.STORAGES = {**settings.STORAGES, "default": storage_settings(bucket)}
    settings.FILE_DOWNLOADS = "presigned"
    settings.FILE_URL_SECONDS = 60
    yield bucket
    with contextlib.suppress(Exception):
        client = s3_server.client()
        for key in bucket.object_keys():
            client.delete_object(Bucket=bucket.name, Key=key)
        client.delete_bucket(Bucket=bucket.name)
