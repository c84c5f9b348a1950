"""Checking an uploaded image before anything is stored, and preparing pixels for WebP.

An image file is a short header that announces the picture's size, then compressed
pixels, and both can lie. A 20 KB PNG can announce 13,000 x 13,000 pixels (half a
gigabyte once decoded); a PNG whose checksums are all correct can stop half-way
through its pixels, which ``Image.verify()`` does not notice. So :func:`decode_upload`
checks an upload in steps, each before the next one costs anything:

=====  ===================================  ======================================
step   what is read                         refused when
=====  ===================================  ======================================
1      the size in bytes                    over ``WATCHWORTHY_IMAGE_MAX_BYTES``
2      the header only (no pixel decoded)   not JPEG, PNG, WebP or GIF; more pixels
                                            than ``WATCHWORTHY_IMAGE_MAX_PIXELS``;
                                            animated
3      every pixel, then the EXIF           the data is cut short or damaged
       orientation applied
=====  ===================================  ======================================

Worked example, with the default limit of 37,748,736 pixels (6144 x 6144): the 20 KB
PNG announcing 13,000 x 13,000 is refused at step 2 with "This image is 13,000 x
13,000 pixels; the limit is 37.7 megapixels (e.g. 6144 x 6144)." and nothing beyond
its first few hundred bytes is read.

Animated GIFs, PNGs and WebPs are refused: a review shows one picture, the WebP
copies would keep one frame while the original kept moving, and checking every frame
would multiply the decoding cost by the number of frames. A camera's MPO (a JPEG with
extra pictures appended) is a still: its first picture is the photo.

Pillow's own decompression-bomb limit stays as a backstop behind ours (see
:func:`_reading`). A damaged EXIF block is not a reason to refuse a picture: like a
browser, we then ignore the orientation it may have held.
"""

from __future__ import annotations

import io
import logging
import math
import os
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import IO

from django.conf import settings
from django.core.exceptions import ValidationError
from PIL import Image as PILImage
from PIL import ImageOps

logger = logging.getLogger(__name__)

# Pillow's format names, what to call them in a message, and the file extensions.
ACCEPTED_FORMATS: dict[str, tuple[str, tuple[str, ...]]] = {
    "JPEG": ("JPEG", (".jpg", ".jpeg", ".jpe", ".jfif")),
    "PNG": ("PNG", (".png",)),
    "WEBP": ("WebP", (".webp",)),
    "GIF": ("GIF", (".gif",)),
}
# A JPEG with pictures appended (cameras' stereo or depth shots) opens as MPO.
_SAME_AS = {"MPO": "JPEG"}
MIME_TYPES = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp", "GIF": "image/gif"}

DAMAGED = "The file is cut short or damaged: it could not be read to the end."
NOT_AN_IMAGE = "This file is not a JPEG, PNG, WebP or GIF image."
OTHER_FORMAT = "This is a {kind} file; the site takes JPEG, PNG, WebP and GIF images."
ANIMATED = "This {kind} is animated; upload a still image (one frame)."
TOO_MANY_PIXELS = "This image is {width:,} × {height:,} pixels; the limit is {limit}."  # noqa: RUF001
OVER_PILLOWS_LIMIT = "This image is over {pixels}; the limit is {limit}."
TOO_MANY_BYTES = "This file is {size} MB; the limit is {limit} MB."


@dataclass(frozen=True)
class UploadLimits:
    max_pixels: int
    max_bytes: int

    @classmethod
    def from_settings(cls) -> UploadLimits:
        return cls(
            max_pixels=settings.WATCHWORTHY_IMAGE_MAX_PIXELS,
            max_bytes=settings.WATCHWORTHY_IMAGE_MAX_BYTES,
        )

    def describe_pixels(self) -> str:
        """The limit in words, with a square that fits: "37.7 megapixels (e.g. 6144 x 6144)"."""
        side = math.isqrt(self.max_pixels)
        return f"{_pixel_count(self.max_pixels)} (e.g. {side} × {side})"  # noqa: RUF001


def decode_upload(file: IO[bytes], *, limits: UploadLimits | None = None) -> PILImage.Image:
    """The upload decoded in full and turned upright, or a :class:`ValidationError`
    whose message says what is wrong in words the uploader can act on.

    ``file`` is any binary file object (an ``UploadedFile``, a ``FieldFile``, a
    ``BytesIO``); it is left open, at its start. The caller owns the returned image:
    ``close()`` it to free the pixels.
    """
    limits = limits or UploadLimits.from_settings()
    _check_byte_size(file, limits)
    try:
        image = _open_header(_for_pillow(file), limits)
    finally:
        file.seek(0)
    try:
        _check_header(image, limits)
        _decode(image)
    except BaseException:
        image.close()
        raise
    return image


def image_format(image: PILImage.Image) -> str:
    """The accepted format an image opened as: "JPEG", "PNG", "WEBP" or "GIF"."""
    return _SAME_AS.get(image.format or "", image.format or "")


def upright(image: PILImage.Image) -> PILImage.Image:
    """Turn ``image`` (in place, and return it) as its EXIF orientation says. An
    unreadable EXIF block is ignored, as browsers ignore it."""
    image.load()  # errors in the pixels are not the EXIF's: they go to the caller
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", UserWarning)  # Pillow's "Corrupt EXIF data"
            ImageOps.exif_transpose(image, in_place=True)
    except Exception as error:
        logger.info("Ignored an unreadable EXIF block: %r", error)
    return image


def for_the_web(image: PILImage.Image) -> PILImage.Image:
    """``image`` in a mode WebP stores: RGBA when it has any transparency (an alpha
    band, or a palette or grey with a transparent entry), otherwise RGB."""
    if image.mode in ("RGB", "RGBA"):
        return image
    if image.mode == "I" or image.mode.startswith("I;16"):
        # 16-bit grey: a plain conversion clips every tone above 255 to white.
        return image.convert("I").point(lambda value: value / 256).convert("L").convert("RGB")
    return image.convert("RGBA" if image.has_transparency_data else "RGB")


# --- the steps ------------------------------------------------------------------------


def _check_byte_size(file: IO[bytes], limits: UploadLimits) -> None:
    size = getattr(file, "size", None)
    if size is None:
        size = file.seek(0, os.SEEK_END)
    if size > limits.max_bytes:
        raise ValidationError(
            TOO_MANY_BYTES.format(size=_megabytes(size), limit=_megabytes(limits.max_bytes)),
            code="too_many_bytes",
        )
    file.seek(0)


def _for_pillow(file: IO[bytes]) -> str | io.BytesIO:
    """What Pillow reads: the upload's temporary file by its path, else a copy (at most
    the byte limit). Never ``file`` itself, which Pillow would close when done, while
    the model still has to store it."""
    path = getattr(file, "temporary_file_path", None)
    if path is not None:
        return path()
    file.seek(0)
    return io.BytesIO(file.read())


def _open_header(source: str | io.BytesIO, limits: UploadLimits) -> PILImage.Image:
    """Pillow's open reads the header and stops; no pixel is decoded yet."""
    if isinstance(source, str):
        with open(source, "rb") as handle:
            start = handle.read(512)
    else:
        start = source.read(512)
        source.seek(0)
    try:
        with _reading():
            return PILImage.open(source, formats=list(ACCEPTED_FORMATS))
    except PILImage.DecompressionBombError as error:
        raise _pillow_refused(error, limits) from error
    except MemoryError:
        raise
    except Exception as error:
        logger.info("Refused an upload Pillow could not open: %r", error)
        raise ValidationError(_unreadable(start), code="not_an_image") from error


def _check_header(image: PILImage.Image, limits: UploadLimits) -> None:
    kind = image_format(image)
    if kind not in ACCEPTED_FORMATS:  # pragma: no cover - open() was told the formats
        raise ValidationError(NOT_AN_IMAGE, code="not_an_image")
    width, height = image.size
    if width < 1 or height < 1:
        raise ValidationError(DAMAGED, code="damaged")
    if width * height > limits.max_pixels:
        raise ValidationError(
            TOO_MANY_PIXELS.format(width=width, height=height, limit=limits.describe_pixels()),
            code="too_many_pixels",
        )
    if kind != "JPEG" and _is_animated(image):
        raise ValidationError(ANIMATED.format(kind=ACCEPTED_FORMATS[kind][0]), code="animated")


def _is_animated(image: PILImage.Image) -> bool:
    """Whether there is a second frame (GIF: found by skipping, not decoding, frame 1)."""
    try:
        with _reading():
            return bool(getattr(image, "is_animated", False))
    except MemoryError:
        raise
    except Exception as error:
        logger.info("Refused an upload whose frames could not be counted: %r", error)
        raise ValidationError(DAMAGED, code="damaged") from error


def _decode(image: PILImage.Image) -> None:
    """Decode every pixel: a file cut short or damaged fails here, not later."""
    try:
        with _reading():
            image.load()
    except MemoryError:
        raise
    except Exception as error:
        logger.info("Refused an upload Pillow could not decode: %r", error)
        raise ValidationError(DAMAGED, code="damaged") from error
    upright(image)


@contextmanager
def _reading() -> Iterator[None]:
    """Pillow's warnings while an upload is read, the same in tests and in production.

    * Pillow reports data it could only half read (a malformed MPO, a broken chunk) as
      ``UserWarning`` and carries on. For an upload that is a refusal.
    * Its soft decompression-bomb warning (over ``Image.MAX_IMAGE_PIXELS``) is
      superseded by our pixel limit, checked as soon as the header is read. Its hard
      limit (``DecompressionBombError``, at twice that) stays as a backstop.

    ``catch_warnings`` swaps the process-wide filters (thread-safe only from Python
    3.14), so another thread may briefly run under these two: a Pillow warning it
    would have printed is silent or raised. None of our checks depends on them.
    """
    with warnings.catch_warnings():
        warnings.simplefilter("error", UserWarning)
        warnings.simplefilter("ignore", PILImage.DecompressionBombWarning)
        yield


def _pillow_refused(
    error: PILImage.DecompressionBombError, limits: UploadLimits
) -> ValidationError:
    logger.info("Refused an upload past Pillow's own limit: %s", error)
    ceiling = 2 * (PILImage.MAX_IMAGE_PIXELS or 0)
    return ValidationError(
        OVER_PILLOWS_LIMIT.format(
            pixels=_pixel_count(ceiling),
            limit=limits.describe_pixels(),
        ),
        code="too_many_pixels",
    )


# --- messages -------------------------------------------------------------------------

# Formats people upload by mistake, by their first bytes: named in the message.
_SIGNATURES: tuple[tuple[bytes, str], ...] = (
    (b"II*\x00", "TIFF"),
    (b"MM\x00*", "TIFF"),
    (b"8BPS", "Photoshop"),
    (b"%PDF", "PDF"),
)
_HEIF_BRANDS = {b"heic", b"heix", b"heim", b"heis", b"hevc", b"hevx", b"mif1", b"msf1"}
_ACCEPTED_SIGNATURES = (b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff", b"GIF87a", b"GIF89a")


def _unreadable(start: bytes) -> str:
    """What to say about a file Pillow could not open, from its first bytes."""
    if start.startswith(_ACCEPTED_SIGNATURES) or (start[:4], start[8:12]) == (b"RIFF", b"WEBP"):
        return DAMAGED
    kind = _other_format(start)
    return OTHER_FORMAT.format(kind=kind) if kind else NOT_AN_IMAGE


def _other_format(start: bytes) -> str | None:
    for signature, kind in _SIGNATURES:
        if start.startswith(signature):
            return kind
    if start[4:8] == b"ftyp":
        brand = start[8:12]
        if brand in (b"avif", b"avis"):
            return "AVIF"
        if brand in _HEIF_BRANDS:
            return "HEIC"
    # BMP: "BM", then a DIB header of one of the known sizes at offset 14.
    if start[:2] == b"BM" and int.from_bytes(start[14:18], "little") in (12, 40, 56, 108, 124):
        return "BMP"
    text = start.lstrip().lower()
    if text.startswith(b"<svg") or (text.startswith(b"<?xml") and b"<svg" in text):
        return "SVG"
    return None


def _pixel_count(pixels: int) -> str:
    if pixels >= 100_000:
        return f"{pixels / 1_000_000:.1f} megapixels"
    return f"{pixels:,} pixels"


def _megabytes(size: int) -> str:
    return f"{size / 1_000_000:.1f}".removesuffix(".0")
