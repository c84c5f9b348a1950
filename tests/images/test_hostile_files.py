"""Odd and hostile files through the admin: the unusual-but-real ones are accepted and
converted for the web, the broken ones are refused with a field error, and no file of
any kind is answered with a 500 or leaves something in the media folder."""

from __future__ import annotations

import io
import struct

import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from PIL import Image as PILImage

from tests.images import crafted
from tests.images.conftest import file_errors, files_under
from watchworthy.images.models import Image

pytestmark = pytest.mark.django_db


def rendition(image: Image, width: int) -> PILImage.Image:
    with image.file.storage.open(image.renditions[str(width)]) as handle:
        picture = PILImage.open(handle)
        picture.load()
    assert picture.format == "WEBP"
    return picture


def stored(response) -> Image:
    assert response.status_code == 302, response.context["adminform"].form.errors
    return Image.objects.get()


# --- unusual but real: accepted and converted -----------------------------------------


def test_a_cmyk_jpeg_is_accepted_and_converted_to_rgb(upload):
    data = crafted.saved(PILImage.new("CMYK", (600, 400), (0, 255, 255, 0)), "JPEG")

    image = stored(upload(data, "print.jpg"))

    picture = rendition(image, 480)
    assert picture.mode == "RGB"
    red, green, blue = picture.getpixel((10, 10))
    assert red > 200 and green < 60 and blue < 60


def test_a_16_bit_grey_png_keeps_its_tones(upload):
    data = crafted.saved(PILImage.new("I;16", (600, 400), 0x8000), "PNG")

    image = stored(upload(data, "grey16.png"))

    value = rendition(image, 480).convert("L").getpixel((10, 10))
    assert 120 <= value <= 136  # mid-grey, not the white a plain conversion clips it to


@pytest.mark.parametrize(
    ("bit_depth", "colour"),
    [(16, crafted.RGB), (16, crafted.RGBA), (16, crafted.GREY_ALPHA), (1, crafted.GREY)],
    ids=["rgb-16", "rgba-16", "grey-alpha-16", "one-bit"],
)
def test_other_png_depths_are_accepted(upload, bit_depth, colour):
    image = stored(upload(crafted.png(600, 400, bit_depth=bit_depth, colour=colour)))

    assert rendition(image, 480).size == (480, 320)


def test_a_palette_png_with_transparency_keeps_it(upload):
    picture = PILImage.new("P", (600, 400), 1)
    picture.putpalette([0, 0, 0, 200, 30, 30])
    picture.paste(0, (0, 0, 300, 400))
    data = crafted.saved(picture, "PNG", transparency=0)

    image = stored(upload(data, "cut-out.png"))

    webp = rendition(image, 480)
    assert webp.mode == "RGBA"
    assert webp.getpixel((10, 10))[3] == 0
    red, green, _, alpha = webp.getpixel((470, 10))
    assert (red > 180, green < 50, alpha) == (True, True, 255)


def test_a_single_frame_gif_and_a_webp_are_accepted(upload):
    still = PILImage.new("RGB", (600, 400), (20, 40, 200))

    assert stored(upload(crafted.saved(still, "GIF"), "still.gif")).renditions
    Image.objects.all().delete()
    assert stored(upload(crafted.saved(still, "WEBP"), "still.webp")).renditions


def test_a_camera_mpo_is_accepted_as_its_first_picture(upload):
    left = PILImage.new("RGB", (600, 400), (200, 30, 30))
    right = PILImage.new("RGB", (600, 400), (30, 200, 30))
    data = crafted.saved(left, "MPO", save_all=True, append_images=[right])

    image = stored(upload(data, "stereo.jpg"))

    red, green, _ = rendition(image, 480).getpixel((10, 10))
    assert red > 150 and green < 80


# --- EXIF orientation -----------------------------------------------------------------


def test_a_portrait_phone_photo_is_turned_upright(upload):
    sideways = PILImage.new("RGB", (1200, 800), (200, 200, 200))
    exif = crafted.exif_with({crafted.ORIENTATION: 6})

    image = stored(upload(crafted.saved(sideways, "JPEG", exif=exif), "phone.jpg"))

    assert rendition(image, 480).size == (480, 720)


@pytest.mark.parametrize("orientation", [0, 9, 65535])
def test_a_meaningless_orientation_is_ignored(upload, orientation):
    picture = PILImage.new("RGB", (600, 400))
    exif = crafted.exif_with({crafted.ORIENTATION: orientation})

    image = stored(upload(crafted.saved(picture, "JPEG", exif=exif), "odd.jpg"))

    assert rendition(image, 480).size == (480, 320)


BROKEN_EXIF = {
    "cut-short": b"MM\x00*\x00\x00\x00\x08\xff\xff" + bytes(40),
    "tag-larger-than-file": b"MM\x00*\x00\x00\x00\x08"
    + struct.pack(">H", 1)
    + struct.pack(">HHII", crafted.ORIENTATION, 4, 0x3FFFFFFF, 0x10)
    + bytes(4),
    "ifd-pointing-at-itself": b"MM\x00*\x00\x00\x00\x08"
    + struct.pack(">H", 1)
    + struct.pack(">HHII", crafted.ORIENTATION, 3, 1, 0x00060000)
    + struct.pack(">I", 8),
    "65535-entries": b"II*\x00\x08\x00\x00\x00" + struct.pack("<H", 0xFFFF) + bytes(20),
    "a-megabyte-of-entries": b"II*\x00\x08\x00\x00\x00"
    + struct.pack("<H", 0xFFFF)
    + struct.pack("<HHII", crafted.ORIENTATION, 3, 1, 8) * 0xFFFF,
}


@pytest.mark.parametrize("exif", BROKEN_EXIF.values(), ids=BROKEN_EXIF.keys())
def test_a_broken_exif_block_is_ignored_not_a_500(upload, exif):
    data = crafted.png(1200, 800, extra_chunks=(crafted.chunk(b"eXIf", exif),))

    image = stored(upload(data, "exif.png"))

    assert rendition(image, 480).size in {(480, 320), (480, 720)}


# --- hostile: refused, nothing kept ---------------------------------------------------


def test_a_png_with_a_64_mb_colour_profile_is_refused(upload, settings):
    data = crafted.png_with_huge_iccp()
    assert len(data) < 100_000

    response = upload(data, "profile.png")

    assert file_errors(response) == [
        "The file is cut short or damaged: it could not be read to the end."
    ]
    assert files_under(settings.MEDIA_ROOT) == []


@pytest.mark.parametrize(
    ("data", "name"),
    [
        pytest.param(
            crafted.saved(
                PILImage.new("RGB", (20, 20)),
                "PNG",
                save_all=True,
                append_images=[PILImage.new("RGB", (20, 20), (9, 9, 9))],
            ),
            "loop.png",
            id="apng",
        ),
        pytest.param(
            crafted.saved(
                PILImage.new("RGB", (20, 20)),
                "WEBP",
                save_all=True,
                append_images=[PILImage.new("RGB", (20, 20), (9, 9, 9))],
            ),
            "loop.webp",
            id="animated-webp",
        ),
    ],
)
def test_animated_pngs_and_webps_are_refused(upload, settings, data, name):
    response = upload(data, name)

    [message] = file_errors(response)
    assert message.endswith("is animated; upload a still image (one frame).")
    assert files_under(settings.MEDIA_ROOT) == []


# --- anything at all ------------------------------------------------------------------


def _valid_files() -> list[bytes]:
    picture = PILImage.effect_noise((48, 32), 40).convert("RGB")
    return [
        crafted.saved(picture, "PNG"),
        crafted.saved(picture.convert("P"), "PNG", transparency=0),
        crafted.saved(picture, "JPEG", quality=70),
        crafted.saved(picture, "JPEG", progressive=True),
        crafted.saved(picture, "GIF"),
        crafted.saved(picture, "WEBP"),
        crafted.saved(picture, "WEBP", lossless=True),
    ]


VALID_FILES = _valid_files()


@st.composite
def damaged_images(draw: st.DrawFn) -> bytes:
    """A valid small image with some bytes overwritten and perhaps its end cut off."""
    data = bytearray(draw(st.sampled_from(VALID_FILES)))
    for _ in range(draw(st.integers(0, 6))):
        position = draw(st.integers(0, len(data) - 1))
        data[position] = draw(st.integers(0, 255))
    cut = draw(st.integers(1, len(data)))
    return bytes(data[:cut])


def assert_no_500_and_nothing_left_on_refusal(upload, settings, data: bytes, name: str) -> None:
    before = files_under(settings.MEDIA_ROOT)
    response = upload(data, name)  # the test client raises what a 500 would hide
    if response.status_code == 302:
        return  # by chance a readable image: stored, renditions and all
    assert file_errors(response)
    assert files_under(settings.MEDIA_ROOT) == before


HYPOTHESIS = hypothesis_settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@HYPOTHESIS
@given(data=st.binary(max_size=2048), name=st.sampled_from(["a.png", "b.jpg", "c.gif", "d"]))
def test_arbitrary_bytes_never_give_a_500_or_leave_a_file(upload, settings, data, name):
    assert_no_500_and_nothing_left_on_refusal(upload, settings, data, name)


@HYPOTHESIS
@given(data=damaged_images())
def test_damaged_images_never_give_a_500_or_leave_a_file(upload, settings, data):
    assert_no_500_and_nothing_left_on_refusal(upload, settings, data, "damaged.png")


def test_the_valid_files_for_hypothesis_are_valid(upload):
    for data in VALID_FILES:
        assert upload(data, "fine.png").status_code == 302
    assert Image.objects.count() == len(VALID_FILES)
    assert all(PILImage.open(io.BytesIO(data)).format for data in VALID_FILES)
