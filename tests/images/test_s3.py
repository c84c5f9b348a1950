"""Images on object storage, against the real SeaweedFS that `make services` starts:
an upload through the admin lands in the bucket with its WebP sizes, the review page
points at addresses a browser can fetch, and a refused upload leaves nothing there.
"""

from __future__ import annotations

import io
import re
import urllib.request

import pytest
from django.core.files.storage import default_storage
from PIL import Image as PILImage

from tests.factories import ReviewFactory
from tests.images import crafted
from tests.images.conftest import file_errors
from watchworthy.images.models import Image

pytestmark = pytest.mark.django_db


def jpeg(width: int, height: int) -> bytes:
    buffer = io.BytesIO()
    PILImage.new("RGB", (width, height), (200, 120, 40)).save(buffer, "JPEG", quality=90)
    return buffer.getvalue()


def fetch(url: str) -> tuple[int, str, bytes]:
    with urllib.request.urlopen(url, timeout=10) as response:  # noqa: S310 - loopback test server
        return response.status, response.headers["Content-Type"], response.read()


@pytest.fixture
def object_reads(s3_media):
    """The keys of every GetObject the site's storage sends during the test (botocore's
    own event hook, on the real client)."""
    seen: list[str] = []
    client = default_storage.connection.meta.client

    def record(params, **kwargs):
        seen.append(params["Key"])

    client.meta.events.register("before-parameter-build.s3.GetObject", record)
    yield seen
    client.meta.events.unregister("before-parameter-build.s3.GetObject", record)


def test_an_upload_through_the_admin_lands_in_the_bucket_with_its_webp_sizes(
    upload, s3_media, object_reads
):
    data = jpeg(1600, 900)

    response = upload(data, "Lighthouse at Dusk.jpg")

    assert response.status_code == 302, file_errors(response)
    image = Image.objects.get()
    assert (image.width, image.height) == (1600, 900)
    assert sorted(image.renditions, key=int) == ["480", "960", "1440"]
    folder = s3_media.folder + "/"
    assert s3_media.keys() == sorted(
        folder + name for name in [image.file.name, *image.renditions.values()]
    )
    assert s3_media.read(folder + image.file.name) == data
    for width, name in image.renditions.items():
        with PILImage.open(io.BytesIO(s3_media.read(folder + name))) as copy:
            assert (copy.format, copy.width) == ("WEBP", int(width))
    # The sizes were made from the upload at hand, not from a download of the original.
    assert object_reads == []


def test_the_review_page_points_at_addresses_the_bucket_serves(client, upload, s3_media):
    data = jpeg(1000, 500)
    upload(data, "still.jpg")
    image = Image.objects.get()
    review = ReviewFactory(body=f'Look:\n\n![A still](image:{image.key} "At dusk")\n')

    html = client.get(review.get_absolute_url()).content.decode()

    src = re.search(r'<img src="([^"]+)"', html)
    srcset = re.search(r'srcset="([^"]+)"', html)
    assert src and srcset
    assert src.group(1).startswith(f"http://127.0.0.1:8333/{s3_media.name}/{s3_media.folder}/")
    assert "Signature" not in src.group(1)  # a plain address a page and a CDN can cache
    assert fetch(src.group(1)) == (200, "image/jpeg", data)
    urls = [entry.split(" ")[0] for entry in srcset.group(1).split(", ")]
    assert len(urls) == 3  # 480, 960 and the 1000-pixel original
    for url in urls[:-1]:
        status, content_type, body = fetch(url)
        assert (status, content_type) == (200, "image/webp")
        with PILImage.open(io.BytesIO(body)) as copy:
            assert copy.width in (480, 960)


def test_a_refused_upload_leaves_nothing_in_the_bucket(upload, s3_media):
    response = upload(crafted.huge_png(13_000, 13_000), "poster.png")

    assert file_errors(response)[0].startswith("This image is 13,000 × 13,000 pixels")  # noqa: RUF001
    assert Image.objects.count() == 0
    assert s3_media.keys() == []


def test_a_storage_failure_half_way_leaves_nothing_in_the_bucket(upload, s3_media):
    """The third write (the 960 copy) fails on the wire: the original and the 480 copy
    already in the bucket are deleted again, and no row is kept."""
    client = default_storage.connection.meta.client
    puts = iter(range(1, 100))

    def fail_third(**kwargs):
        if next(puts) == 3:
            raise ConnectionResetError("connection reset by the storage server")

    client.meta.events.register("before-send.s3.PutObject", fail_third)
    try:
        with pytest.raises(Exception, match="connection reset"):
            upload(jpeg(1600, 900), "still.jpg")
    finally:
        client.meta.events.unregister("before-send.s3.PutObject", fail_third)
    assert Image.objects.count() == 0
    assert s3_media.keys() == []
