"""Media storage chosen by environment variables alone (config/media.py): a local
folder by default, a bucket when one is named, and one clear line for a value that
cannot work."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from config.media import LOCAL_BACKEND, S3_BACKEND, media_storage
from tests.conftest import REPO


class Refused(Exception):
    pass


def refuse(message: str):
    raise Refused(message)


BUCKET = {"AWS_STORAGE_BUCKET_NAME": "reviews-media"}


def test_nothing_set_is_the_local_folder():
    assert media_storage({}, refuse) == ("local", {"BACKEND": LOCAL_BACKEND})


def test_a_bucket_name_selects_s3_with_plain_addresses_and_unique_names():
    kind, entry = media_storage(
        {
            **BUCKET,
            "AWS_S3_ENDPOINT_URL": "http://127.0.0.1:8333/",
            "AWS_ACCESS_KEY_ID": "id",
            "AWS_SECRET_ACCESS_KEY": "secret",
            "AWS_S3_REGION_NAME": "eu-west-1",
            "AWS_S3_CUSTOM_DOMAIN": "media.example.org",
        },
        refuse,
    )
    assert (kind, entry["BACKEND"]) == ("s3", S3_BACKEND)
    options = entry["OPTIONS"]
    assert options["bucket_name"] == "reviews-media"
    assert options["endpoint_url"] == "http://127.0.0.1:8333"
    assert options["addressing_style"] == "path"
    assert (options["access_key"], options["secret_key"]) == ("id", "secret")
    assert options["region_name"] == "eu-west-1"
    assert (options["custom_domain"], options["url_protocol"]) == ("media.example.org", "https:")
    assert options["file_overwrite"] is False
    assert options["querystring_auth"] is False


def test_local_can_be_chosen_even_with_a_bucket_named():
    assert media_storage({**BUCKET, "WATCHWORTHY_MEDIA_STORAGE": "local"}, refuse)[0] == "local"


@pytest.mark.parametrize(
    ("environ", "named"),
    [
        ({"WATCHWORTHY_MEDIA_STORAGE": "ftp"}, "WATCHWORTHY_MEDIA_STORAGE='ftp'"),
        ({"WATCHWORTHY_MEDIA_STORAGE": "s3"}, "needs AWS_STORAGE_BUCKET_NAME"),
        ({"AWS_STORAGE_BUCKET_NAME": "Media_Bucket"}, "AWS_STORAGE_BUCKET_NAME='Media_Bucket'"),
        ({**BUCKET, "AWS_ACCESS_KEY_ID": "id"}, "AWS_SECRET_ACCESS_KEY is missing"),
        ({**BUCKET, "AWS_SECRET_ACCESS_KEY": "s"}, "AWS_ACCESS_KEY_ID is missing"),
        ({**BUCKET, "AWS_S3_ENDPOINT_URL": "127.0.0.1:8333"}, "AWS_S3_ENDPOINT_URL="),
        ({**BUCKET, "AWS_S3_REGION_NAME": "EU West"}, "AWS_S3_REGION_NAME="),
        ({**BUCKET, "AWS_S3_CUSTOM_DOMAIN": "https://cdn.example"}, "AWS_S3_CUSTOM_DOMAIN="),
        ({**BUCKET, "AWS_QUERYSTRING_AUTH": "maybe"}, "AWS_QUERYSTRING_AUTH="),
        ({**BUCKET, "AWS_LOCATION": "../up"}, "AWS_LOCATION="),
        ({**BUCKET, "AWS_S3_ADDRESSING_STYLE": "dns"}, "AWS_S3_ADDRESSING_STYLE="),
    ],
)
def test_a_value_that_cannot_work_is_refused_naming_the_variable(environ, named):
    with pytest.raises(Refused, match=named.replace("(", r"\(")):
        media_storage(environ, refuse)


def test_start_up_stops_with_one_line():
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("AWS_", "WATCHWORTHY_MEDIA", "DJANGO_SETTINGS"))
    }
    env |= {"AWS_STORAGE_BUCKET_NAME": "reviews-media", "WATCHWORTHY_SERVE_MEDIA": "1"}
    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 1
    assert result.stderr.strip().splitlines() == [
        "Watchworthy will not start: WATCHWORTHY_SERVE_MEDIA=1 serves the local media "
        "folder, but uploads are in the bucket AWS_STORAGE_BUCKET_NAME; unset "
        "WATCHWORTHY_SERVE_MEDIA."
    ]
