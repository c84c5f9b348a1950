"""Storing an image is the original plus its WebP renditions, written before the row
commits. Whatever fails on the way — the disk, the encoder, the database — nothing
stays behind in storage."""

from __future__ import annotations

import pytest
from django.core.files.storage import FileSystemStorage
from django.db import IntegrityError
from django.test import Client
from PIL import Image as PILImage

from tests.conftest import png_bytes
from tests.factories import ImageFactory, UserFactory
from tests.images.conftest import ADD_URL, files_under
from watchworthy.images.models import Image

pytestmark = pytest.mark.django_db


@pytest.fixture
def disk_full_after(monkeypatch):
    """``disk_full_after(n)``: storage writes fail from the (n + 1)th on."""

    def arm(allowed: int) -> None:
        original = FileSystemStorage.save
        calls = iter(range(1, 100))

        def save(self, name, content, max_length=None):
            if next(calls) > allowed:
                raise OSError(28, "No space left on device")
            return original(self, name, content, max_length=max_length)

        monkeypatch.setattr(FileSystemStorage, "save", save)

    return arm


@pytest.mark.parametrize("allowed", [0, 1, 2, 3])
def test_a_storage_failure_while_saving_leaves_no_file_and_no_row(
    disk_full_after, settings, allowed
):
    disk_full_after(allowed)  # the original, then the 480, 960 and 1440 renditions

    with pytest.raises(OSError, match="No space left"):
        Image(alt_text="A still", file=png_bytes(1600, 900)).save()

    assert files_under(settings.MEDIA_ROOT) == []
    assert Image.objects.count() == 0


def test_an_encoder_failure_half_way_through_the_renditions_leaves_no_file(monkeypatch, settings):
    original = PILImage.Image.resize
    calls = iter(range(1, 100))

    def resize(self, *args, **kwargs):
        if next(calls) == 2:
            raise MemoryError
        return original(self, *args, **kwargs)

    monkeypatch.setattr(PILImage.Image, "resize", resize)

    with pytest.raises(MemoryError):
        Image(alt_text="A still", file=png_bytes(1600, 900)).save()

    assert files_under(settings.MEDIA_ROOT) == []
    assert Image.objects.count() == 0


def test_a_database_failure_after_the_file_is_written_removes_it(settings):
    ImageFactory(key="taken")
    kept = set(files_under(settings.MEDIA_ROOT))

    with pytest.raises(IntegrityError):
        Image(key="taken", alt_text="Twice", file=png_bytes(1600, 900)).save()

    assert set(files_under(settings.MEDIA_ROOT)) == kept


def test_a_failed_upload_through_the_admin_leaves_nothing_served(disk_full_after, settings):
    client = Client(raise_request_exception=False)
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    disk_full_after(2)
    upload = png_bytes(1600, 900)

    response = client.post(
        ADD_URL,
        {"file": upload, "alt_text": "A still", "caption": "", "credit": "", "key": ""},
    )

    assert response.status_code == 500
    assert files_under(settings.MEDIA_ROOT) == []
    assert Image.objects.count() == 0


def test_saving_again_without_a_new_file_keeps_the_files(settings):
    image = ImageFactory(key="kept")
    before = files_under(settings.MEDIA_ROOT)
    assert len(before) == 4

    image.caption = "A new caption"
    image.save()

    assert files_under(settings.MEDIA_ROOT) == before
