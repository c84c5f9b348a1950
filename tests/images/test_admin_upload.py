"""The findings of "Hold under abuse" for uploads, reproduced through the admin:

* a 13,000 x 13,000 PNG of 20 KB was accepted and decoded (the worker grew by 850 MB);
* a truncated PNG that passes ``verify()`` gave a 500 and left its file under /media/;
* a refused file got a generic message.

Each refusal must be a field error that names the problem, keep what the critic typed,
and leave nothing in the media folder.
"""

from __future__ import annotations

import io

import pytest
from PIL import Image as PILImage

from tests.images import crafted
from tests.images.conftest import file_errors, files_under
from watchworthy.images.models import Image

pytestmark = pytest.mark.django_db

PIXEL_LIMIT = "the limit is 37.7 megapixels (e.g. 6144 × 6144)."  # noqa: RUF001
DAMAGED = "The file is cut short or damaged: it could not be read to the end."
NOT_AN_IMAGE = "This file is not a JPEG, PNG, WebP or GIF image."

# Pillow warns about images over Image.MAX_IMAGE_PIXELS (89.5 MP). The suite turns
# warnings into errors; a production server only prints them. The refusal must not
# depend on which.
WARNING_REGIMES = [
    pytest.param("error", id="warnings-as-errors"),
    pytest.param(
        "production",
        id="warnings-printed",
        marks=pytest.mark.filterwarnings("ignore::PIL.Image.DecompressionBombWarning"),
    ),
]


def assert_refused_and_nothing_kept(response, settings) -> None:
    html = response.content.decode()
    assert "Typed caption, kept" in html and "Typed credit, kept" in html
    assert 'id="id_file_error"' in html
    assert Image.objects.count() == 0
    assert files_under(settings.MEDIA_ROOT) == []


@pytest.mark.parametrize("regime", WARNING_REGIMES)
def test_a_13000_pixel_square_png_is_refused_from_its_header(upload, decodes, settings, regime):
    data = crafted.huge_png(13_000, 13_000)
    assert len(data) < 25_000

    response = upload(data, "poster.png")

    assert file_errors(response) == [f"This image is 13,000 × 13,000 pixels; {PIXEL_LIMIT}"]  # noqa: RUF001
    assert decodes == []
    assert_refused_and_nothing_kept(response, settings)


def test_an_image_under_pillows_own_limit_but_over_ours_is_refused(upload, decodes, settings):
    response = upload(crafted.huge_png(8_000, 8_000))

    assert file_errors(response) == [f"This image is 8,000 × 8,000 pixels; {PIXEL_LIMIT}"]  # noqa: RUF001
    assert decodes == []
    assert_refused_and_nothing_kept(response, settings)


def test_an_image_past_pillows_hard_limit_is_refused_with_our_message(upload, decodes, settings):
    response = upload(crafted.huge_png(20_000, 20_000))

    assert file_errors(response) == [f"This image is over 179.0 megapixels; {PIXEL_LIMIT}"]
    assert decodes == []
    assert_refused_and_nothing_kept(response, settings)


def test_a_truncated_png_that_passes_verify_is_a_field_error_and_leaves_no_file(upload, settings):
    data = crafted.truncated_png()
    with PILImage.open(io.BytesIO(data)) as image:
        image.verify()  # the trap: Pillow's quick check is happy with it

    response = upload(data, "cut-short.png")

    assert file_errors(response) == [DAMAGED]
    assert_refused_and_nothing_kept(response, settings)


@pytest.mark.parametrize(
    ("data", "name", "message"),
    [
        pytest.param(b"", "empty.png", "The submitted file is empty.", id="zero-bytes"),
        pytest.param(b"just some notes\n" * 40, "notes.png", NOT_AN_IMAGE, id="text-as-png"),
        pytest.param(bytes(range(256)) * 8, "noise.jpg", NOT_AN_IMAGE, id="random-bytes"),
        pytest.param(
            crafted.saved(PILImage.new("RGB", (30, 20)), "TIFF"),
            "scan.tif",
            "This is a TIFF file; the site takes JPEG, PNG, WebP and GIF images.",
            id="tiff",
        ),
        pytest.param(
            b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic" + bytes(200),
            "IMG_0001.HEIC",
            "This is a HEIC file; the site takes JPEG, PNG, WebP and GIF images.",
            id="heic",
        ),
        pytest.param(crafted.truncated_png()[:300], "half.png", DAMAGED, id="png-cut-short"),
        pytest.param(
            crafted.PNG_SIGNATURE + b"\x00\x00\x00\x0dIHDR" + bytes(17),
            "broken.png",
            DAMAGED,
            id="png-with-a-broken-header",
        ),
        pytest.param(
            crafted.saved(
                PILImage.new("RGB", (20, 20)),
                "GIF",
                save_all=True,
                append_images=[PILImage.new("RGB", (20, 20), (200, 0, 0))],
            ),
            "loop.gif",
            "This GIF is animated; upload a still image (one frame).",
            id="animated-gif",
        ),
    ],
)
def test_a_refused_file_gets_a_message_that_names_the_problem(
    upload, settings, data, name, message
):
    response = upload(data, name)

    assert file_errors(response) == [message]
    assert_refused_and_nothing_kept(response, settings)


def test_a_file_over_the_byte_limit_is_refused_before_it_is_opened(upload, decodes, settings):
    settings.WATCHWORTHY_IMAGE_MAX_BYTES = 100_000
    data = crafted.saved(PILImage.effect_noise((400, 400), 80).convert("RGB"), "PNG")
    assert len(data) > 150_000

    response = upload(data)

    size = f"{len(data) / 1_000_000:.1f}"
    assert file_errors(response) == [f"This file is {size} MB; the limit is 0.1 MB."]
    assert decodes == []
    assert_refused_and_nothing_kept(response, settings)


def test_the_pixel_limit_is_a_setting(upload, settings):
    settings.WATCHWORTHY_IMAGE_MAX_PIXELS = 100 * 100

    assert upload(crafted.png(100, 100)).status_code == 302
    refused = upload(crafted.png(101, 100))

    assert file_errors(refused) == [
        "This image is 101 × 100 pixels; the limit is 10,000 pixels (e.g. 100 × 100)."  # noqa: RUF001
    ]


def test_uploads_spooled_to_a_temporary_file_are_checked_and_stored_the_same(upload, settings):
    settings.FILE_UPLOAD_MAX_MEMORY_SIZE = 0  # every upload arrives as a temporary file

    refused = upload(crafted.truncated_png(), "cut-short.png")
    assert file_errors(refused) == [DAMAGED]
    assert files_under(settings.MEDIA_ROOT) == []

    accepted = upload(crafted.png(1600, 900), "wide.png")
    assert accepted.status_code == 302
    image = Image.objects.get()
    assert (image.width, image.height) == (1600, 900)
    assert len(files_under(settings.MEDIA_ROOT)) == 4  # the original and three widths
