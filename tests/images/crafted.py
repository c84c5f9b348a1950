"""Image files made byte by byte, for the uploads a hostile or unlucky user sends.

Pillow cannot write most of these (a 13,000 x 13,000 image would take 169 MB to make
with Pillow; a PNG whose compressed data stops early with every checksum right is not
something an encoder produces), so they are assembled from PNG chunks here. Each
function returns the bytes of one file.
"""

from __future__ import annotations

import io
import struct
import zlib
from collections.abc import Iterator

from PIL import Image as PILImage

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"

# IHDR colour types.
GREY, RGB, PALETTE, GREY_ALPHA, RGBA = 0, 2, 3, 4, 6


def chunk(kind: bytes, data: bytes) -> bytes:
    """One PNG chunk: length, type, data and the CRC over type and data."""
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def ihdr(width: int, height: int, *, bit_depth: int = 8, colour: int = RGB) -> bytes:
    return chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, bit_depth, colour, 0, 0, 0))


def _compressed_rows(row: bytes, height: int) -> bytes:
    """``height`` copies of ``row`` (filter byte included), deflated a row at a time so
    that the uncompressed image never exists in memory."""
    packer = zlib.compressobj(9)
    parts = [packer.compress(row) for _ in range(height)]
    parts.append(packer.flush())
    return b"".join(parts)


def png(
    width: int,
    height: int,
    *,
    bit_depth: int = 8,
    colour: int = RGB,
    extra_chunks: tuple[bytes, ...] = (),
    palette: bytes = b"",
) -> bytes:
    """A complete, valid PNG of one flat colour (all zero samples)."""
    channels = {GREY: 1, RGB: 3, PALETTE: 1, GREY_ALPHA: 2, RGBA: 4}[colour]
    row_bytes = (width * channels * bit_depth + 7) // 8
    body = [PNG_SIGNATURE, ihdr(width, height, bit_depth=bit_depth, colour=colour)]
    body.extend(extra_chunks)
    if colour == PALETTE:
        body.append(chunk(b"PLTE", palette or b"\x20\x40\x80"))
    body.append(chunk(b"IDAT", _compressed_rows(b"\x00" * (1 + row_bytes), height)))
    body.append(chunk(b"IEND", b""))
    return b"".join(body)


def huge_png(width: int = 13_000, height: int = 13_000) -> bytes:
    """The finding: a black-and-white 13,000 x 13,000 PNG, about 20 KB on disk and
    169 million pixels (over half a gigabyte once converted to RGB)."""
    return png(width, height, bit_depth=1, colour=GREY)


def chunks(data: bytes) -> Iterator[tuple[bytes, bytes]]:
    """(type, data) of every chunk in a PNG."""
    position = len(PNG_SIGNATURE)
    while position < len(data):
        (length,) = struct.unpack(">I", data[position : position + 4])
        kind = data[position + 4 : position + 8]
        yield kind, data[position + 8 : position + 8 + length]
        position += 12 + length


def truncated_png(width: int = 600, height: int = 400) -> bytes:
    """A PNG whose image data stops half-way, though every chunk (and its CRC) is whole
    and the file ends with IEND: ``Image.verify()`` accepts it, decoding does not."""
    buffer = io.BytesIO()
    PILImage.effect_noise((width, height), 60).convert("RGB").save(buffer, "PNG")
    parts = list(chunks(buffer.getvalue()))
    image_data = b"".join(data for kind, data in parts if kind == b"IDAT")
    head = [chunk(kind, data) for kind, data in parts if kind not in (b"IDAT", b"IEND")]
    return b"".join(
        [
            PNG_SIGNATURE,
            *head,
            chunk(b"IDAT", image_data[: len(image_data) // 2]),
            chunk(b"IEND", b""),
        ]
    )


def png_with_huge_iccp(profile_bytes: int = 64 * 1024 * 1024) -> bytes:
    """A small PNG carrying a colour profile that inflates to ``profile_bytes``."""
    profile = _compressed_rows(b"\x00" * (1024 * 1024), profile_bytes // (1024 * 1024))
    iccp = chunk(b"iCCP", b"bomb\x00\x00" + profile)
    return png(64, 64, extra_chunks=(iccp,))


def saved(image: PILImage.Image, image_format: str, **options: object) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, image_format, **options)
    return buffer.getvalue()


def exif_with(tags: dict[int, object]) -> PILImage.Exif:
    exif = PILImage.Exif()
    for tag, value in tags.items():
        exif[tag] = value
    return exif


ORIENTATION = 0x0112
