"""The S3-compatible server the object-storage tests use: SeaweedFS on 127.0.0.1:8333,
started by `make services` (scripts/services.sh) with the watchworthy-dev identity.

``s3_bucket`` (session) makes a fresh bucket for this test process and empties and
removes it at the end; ``s3_media`` (per test) points the site's default storage at
it, as AWS_STORAGE_BUCKET_NAME and friends do in production. Without a server the
tests skip with the reason, unless WATCHWORTHY_REQUIRE_S3=1 (CI), where they fail.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, replace
from typing import Any

import pytest

ENDPOINT = os.environ.get("WATCHWORTHY_TEST_S3_ENDPOINT", "http://127.0.0.1:8333")
ACCESS_KEY = os.environ.get("WATCHWORTHY_TEST_S3_ACCESS_KEY", "watchworthy-dev")
SECRET_KEY = os.environ.get("WATCHWORTHY_TEST_S3_SECRET_KEY", "watchworthy-dev-secret")


@dataclass
class Bucket:
    name: str
    client: Any  # a boto3 S3 client
    folder: str = ""  # where this test's site stores its files (AWS_LOCATION)

    def env(self) -> dict[str, str]:
        """The environment variables that point a site (a subprocess) at this bucket."""
        return {
            "AWS_STORAGE_BUCKET_NAME": self.name,
            "AWS_S3_ENDPOINT_URL": ENDPOINT,
            "AWS_ACCESS_KEY_ID": ACCESS_KEY,
            "AWS_SECRET_ACCESS_KEY": SECRET_KEY,
            "AWS_S3_REGION_NAME": "us-east-1",
        }

    def keys(self, prefix: str | None = None) -> list[str]:
        prefix = self.folder + "/" if prefix is None and self.folder else prefix or ""
        pages = self.client.get_paginator("list_objects_v2").paginate(
            Bucket=self.name, Prefix=prefix
        )
        return sorted(item["Key"] for page in pages for item in page.get("Contents", []))

    def read(self, key: str) -> bytes:
        return self.client.get_object(Bucket=self.name, Key=key)["Body"].read()

    def empty(self, prefix: str | None = None) -> None:
        for key in self.keys(prefix):
            self.client.delete_object(Bucket=self.name, Key=key)


def _client() -> Any:
    import boto3
    from botocore.config import Config

    return boto3.client(
        "s3",
        endpoint_url=ENDPOINT,
        aws_access_key_id=ACCESS_KEY,
        aws_secret_access_key=SECRET_KEY,
        region_name="us-east-1",
        config=Config(connect_timeout=2, read_timeout=30, retries={"max_attempts": 1}),
    )


def new_bucket(prefix: str = "ww-test") -> Bucket:
    """A new, empty bucket on the test server, or skip (fail in CI) when there is none."""
    client = _client()
    name = f"{prefix}-{uuid.uuid4().hex[:16]}"
    try:
        client.create_bucket(Bucket=name)
    except Exception as error:  # connection refused, no server, bad keys
        message = f"SeaweedFS (S3) is not reachable at {ENDPOINT}: {error}"
        if os.environ.get("WATCHWORTHY_REQUIRE_S3") == "1":
            pytest.fail(f"{message} (WATCHWORTHY_REQUIRE_S3=1; `make services` starts it)")
        pytest.skip(f"{message}; `make services` starts it")
    return Bucket(name, client)


def drop_bucket(bucket: Bucket) -> None:
    bucket.empty("")
    bucket.client.delete_bucket(Bucket=bucket.name)


def storage_settings(bucket: Bucket, **extra: Any) -> dict[str, Any]:
    """``STORAGES["default"]`` for the bucket, built by the same code as production's."""
    from config.media import media_storage

    def refuse(message: str) -> Any:
        raise AssertionError(message)

    kind, entry = media_storage(bucket.env(), refuse)
    assert kind == "s3"
    entry["OPTIONS"].update(extra)
    return entry


@pytest.fixture(scope="session")
def s3_bucket() -> Iterator[Bucket]:
    bucket = new_bucket()
    yield bucket
    drop_bucket(bucket)


@pytest.fixture
def s3_media(settings, s3_bucket: Bucket) -> Iterator[Bucket]:
    """The site's uploads go to the session's bucket, under a folder of this test's
    own (AWS_LOCATION), so one test never sees another's files."""
    folder = f"t-{uuid.uuid4().hex[:12]}"
    settings.STORAGES = {**settings.STORAGES, "default": storage_settings(s3_bucket)}
    settings.STORAGES["default"]["OPTIONS"]["location"] = folder
    yield replace(s3_bucket, folder=folder)
    s3_bucket.empty(folder + "/")
