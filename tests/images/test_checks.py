"""The upload limits are checked when the site starts."""

from __future__ import annotations

import pytest
from PIL import Image as PILImage

from watchworthy.images.checks import upload_limits


def test_the_default_limits_pass():
    assert upload_limits() == []


@pytest.mark.parametrize("name", ["WATCHWORTHY_IMAGE_MAX_PIXELS", "WATCHWORTHY_IMAGE_MAX_BYTES"])
@pytest.mark.parametrize("value", [0, -5, "20MB"])
def test_a_limit_that_is_not_a_positive_number_is_an_error(settings, name, value):
    setattr(settings, name, value)

    [error] = upload_limits()

    assert (error.id, error.msg) == ("images.E001", f"{name} must be a positive whole number.")


def test_a_pixel_limit_past_pillows_own_is_a_warning(settings):
    settings.WATCHWORTHY_IMAGE_MAX_PIXELS = 2 * PILImage.MAX_IMAGE_PIXELS + 1

    [warning] = upload_limits()

    assert warning.id == "images.W001"
