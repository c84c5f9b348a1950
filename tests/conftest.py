"""Shared test set-up: a temporary media folder, a clean cache, factories, and the
paths to the real-world test data in ../shared (absent in a user's clone)."""

import io
import os
from pathlib import Path

import pytest
from django.core.cache import cache
from django.core.files.base import ContentFile
from PIL import Image as PILImage

REPO = Path(__file__).resolve().parent.parent
SHARED_TESTDATA = Path(
    os.environ.get("WATCHWORTHY_SHARED_TESTDATA", REPO.parent / "shared" / "testdata")
)


def shared_file(relative: str) -> Path:
    """A file from ../shared/testdata, or skip the test with the reason."""
    path = SHARED_TESTDATA / relative
    if not path.exists():
        pytest.skip(f"{path} is absent: the shared test data ships beside the repo in CI only")
    return path


@pytest.fixture(autouse=True)
def _media_and_cache(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    cache.clear()
    yield
    cache.clear()


def png_bytes(width: int = 1600, height: int = 900, color=(40, 90, 160)) -> ContentFile:
    buffer = io.BytesIO()
    PILImage.new("RGB", (width, height), color).save(buffer, "PNG")
    return ContentFile(buffer.getvalue(), name="still.png")
