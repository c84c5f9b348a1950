"""Uploading through the admin the way a critic does: logged in as staff, the Images
form filled in, the file attached."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import HttpResponse
from django.test import Client
from django.urls import reverse
from PIL import ImageFile

from tests.factories import UserFactory

ADD_URL = reverse("admin:images_image_add")


@pytest.fixture
def staff_client(client: Client, db) -> Client:
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    return client


@pytest.fixture
def upload(staff_client: Client):
    """``upload(data, name)`` posts the admin's add-image form with the file attached and
    the other fields typed in, and returns the response."""

    def post(data: bytes, name: str = "still.png", **fields: str) -> HttpResponse:
        form = {
            "file": SimpleUploadedFile(name, data),
            "alt_text": "The lighthouse at dusk",
            "caption": "Typed caption, kept",
            "credit": "Typed credit, kept",
            "key": "",
        }
        form.update(fields)
        return staff_client.post(ADD_URL, form)

    return post


def files_under(root: Path | str) -> list[Path]:
    root = Path(root)
    return sorted(path for path in root.rglob("*") if path.is_file()) if root.exists() else []


def file_errors(response: HttpResponse) -> list[str]:
    """The errors shown under the file field of the admin form."""
    assert response.status_code == 200, response.status_code
    return list(response.context["adminform"].form.errors.get("file", []))


@pytest.fixture
def decodes(monkeypatch) -> list[tuple[int, int]]:
    """Sizes of every image Pillow decodes (``ImageFile.load`` with data to read) during
    the test. A decode of more pixels than ``LARGE`` fails the test at once, so a
    regression shows as that failure instead of half a gigabyte allocated."""
    seen: list[tuple[int, int]] = []
    original = ImageFile.ImageFile.load

    def load(self: ImageFile.ImageFile):
        if self.tile:  # tiles left to decode: this call allocates and fills the pixels
            seen.append(self.size)
            width, height = self.size
            if width * height > LARGE:
                raise AssertionError(f"decoded a {width} × {height} image")  # noqa: RUF001
        return original(self)

    monkeypatch.setattr(ImageFile.ImageFile, "load", load)
    return seen


LARGE = 50_000_000
