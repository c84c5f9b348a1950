"""decode_upload() called directly, and its form field in a form of another kind (the
writing desk will paste images through one)."""

from __future__ import annotations

import io

import pytest
from django import forms
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile, TemporaryUploadedFile
from hypothesis import given
from hypothesis import strategies as st
from PIL import Image as PILImage

from tests.images import crafted
from tests.images.conftest import files_under
from watchworthy.images.decoding import UploadLimits, decode_upload
from watchworthy.images.forms import ImageUploadField

LIMITS = UploadLimits(max_pixels=6144 * 6144, max_bytes=20_000_000)


def messages(error: pytest.ExceptionInfo[ValidationError]) -> list[str]:
    return error.value.messages


def test_the_default_limits_are_a_6k_still_and_20_mb(settings):
    assert UploadLimits.from_settings() == LIMITS
    assert LIMITS.describe_pixels() == "37.7 megapixels (e.g. 6144 × 6144)"  # noqa: RUF001


def test_returns_the_image_decoded_and_upright_and_leaves_the_file_open_at_its_start():
    sideways = PILImage.new("RGB", (60, 40), (10, 200, 10))
    exif = crafted.exif_with({crafted.ORIENTATION: 8})
    upload = SimpleUploadedFile("phone.jpg", crafted.saved(sideways, "JPEG", exif=exif))

    image = decode_upload(upload, limits=LIMITS)

    assert image.size == (40, 60)
    assert image.getpixel((5, 5))[1] > 150  # the pixels are there, no file read needed
    assert not upload.closed and upload.tell() == 0
    image.close()


def test_reads_a_large_upload_from_its_temporary_file():
    upload = TemporaryUploadedFile("big.png", "image/png", 0, None)
    upload.write(crafted.png(300, 200))
    upload.seek(0)

    image = decode_upload(upload, limits=LIMITS)

    assert image.size == (300, 200)
    assert not upload.closed and upload.tell() == 0
    upload.close()


def test_the_pixel_limit_is_checked_from_the_header_alone():
    # A header announcing 13,000 x 13,000, then the start of the image data and no
    # more: refused for its size, which only the header could have told.
    header = (
        crafted.PNG_SIGNATURE
        + crafted.ihdr(13_000, 13_000, bit_depth=1, colour=crafted.GREY)
        + (20_000).to_bytes(4, "big")
        + b"IDAT"
    )

    with pytest.raises(ValidationError) as error:
        decode_upload(io.BytesIO(header), limits=LIMITS)

    assert messages(error) == [
        "This image is 13,000 × 13,000 pixels; the limit is 37.7 megapixels (e.g. 6144 × 6144)."  # noqa: RUF001
    ]
    assert error.value.code == "too_many_pixels"


@pytest.mark.parametrize(
    ("start", "kind"),
    [
        (b"<?xml version='1.0'?>\n<svg xmlns='http://www.w3.org/2000/svg'/>", "SVG"),
        (b"  <svg width='10'></svg>", "SVG"),
        (b"%PDF-1.7\n", "PDF"),
        (b"\x00\x00\x00\x1cftypavif" + bytes(40), "AVIF"),
        (b"8BPS\x00\x01" + bytes(40), "Photoshop"),
        (b"BM" + bytes(12) + (40).to_bytes(4, "little") + bytes(40), "BMP"),
    ],
)
def test_formats_people_upload_by_mistake_are_named(start, kind):
    with pytest.raises(ValidationError) as error:
        decode_upload(io.BytesIO(start), limits=LIMITS)

    assert messages(error) == [
        f"This is a {kind} file; the site takes JPEG, PNG, WebP and GIF images."
    ]


def test_a_text_starting_like_a_bitmap_is_just_not_an_image():
    with pytest.raises(ValidationError) as error:
        decode_upload(io.BytesIO(b"BMW service notes, 2024\n" * 5), limits=LIMITS)

    assert messages(error) == ["This file is not a JPEG, PNG, WebP or GIF image."]


@given(st.binary(max_size=4096))
def test_any_bytes_give_an_image_or_a_validation_error(data):
    try:
        decode_upload(io.BytesIO(data), limits=LIMITS).close()
    except ValidationError as error:
        assert error.messages and all(message.endswith(".") for message in error.messages)


class PasteForm(forms.Form):
    """What the writing desk's paste form will look like."""

    picture = ImageUploadField()
    note = forms.CharField()


def test_the_field_works_in_any_form_and_names_the_stored_format(settings):
    form = PasteForm(
        data={"note": "kept"},
        files={"picture": SimpleUploadedFile("paste.gif", crafted.png(30, 20))},
    )

    assert form.is_valid(), form.errors
    picture = form.cleaned_data["picture"]
    assert (picture.name, picture.content_type) == ("paste.png", "image/png")
    assert 'accept="image/jpeg,image/png,image/webp,image/gif"' in str(form["picture"])
    assert files_under(settings.MEDIA_ROOT) == []


def test_the_field_refuses_with_the_message_and_keeps_the_other_fields():
    form = PasteForm(
        data={"note": "kept"},
        files={"picture": SimpleUploadedFile("cut.png", crafted.truncated_png())},
    )

    assert not form.is_valid()
    assert form.errors == {
        "picture": ["The file is cut short or damaged: it could not be read to the end."]
    }
    assert form.cleaned_data == {"note": "kept"}
