"""System checks for the upload limits (``manage.py check`` and every start)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Error, register
from django.core.checks import Warning as CheckWarning
from PIL import Image as PILImage

LIMITS = ("WATCHWORTHY_IMAGE_MAX_PIXELS", "WATCHWORTHY_IMAGE_MAX_BYTES")


@register()
def upload_limits(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    found: list[CheckMessage] = [
        Error(f"{name} must be a positive whole number.", id="images.E001")
        for name in LIMITS
        if not isinstance(getattr(settings, name), int) or getattr(settings, name) < 1
    ]
    pillow = PILImage.MAX_IMAGE_PIXELS
    limit = settings.WATCHWORTHY_IMAGE_MAX_PIXELS
    if not found and pillow and limit > 2 * pillow:
        found.append(
            CheckWarning(
                f"WATCHWORTHY_IMAGE_MAX_PIXELS ({limit:,}) is above the {2 * pillow:,} "
                "pixels Pillow refuses as a decompression bomb; larger images are "
                "refused at Pillow's limit.",
                hint="Lower WATCHWORTHY_IMAGE_MAX_PIXELS, or raise PIL.Image.MAX_IMAGE_PIXELS.",
                id="images.W001",
            )
        )
    return found
