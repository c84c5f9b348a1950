"""The image upload field every form uses: the admin's Image form today, the writing
desk's pasted images later."""

from __future__ import annotations

from pathlib import PurePosixPath
from typing import Any

from django import forms
from django.core.files.uploadedfile import UploadedFile

from .decoding import ACCEPTED_FORMATS, MIME_TYPES, decode_upload, image_format
from .models import Image


class ImageUploadField(forms.ImageField):
    """An image upload checked by :func:`~watchworthy.images.decoding.decode_upload`
    (size, header, then every pixel) instead of Django's open-and-``verify()``, which
    lets truncated files and decompression bombs through. A refusal is a field error
    that names the problem.

    The cleaned file carries the detected ``content_type``, and its name ends in the
    extension of the format it really is (a PNG sent as ``still.gif`` is stored as
    ``still.png``), so it is served with the right type.
    """

    def to_python(self, data: Any) -> UploadedFile | None:
        upload = forms.FileField.to_python(self, data)  # not ImageField's: it verifies only
        if not isinstance(upload, UploadedFile):
            return None
        image = decode_upload(upload)
        try:
            kind = image_format(image)
        finally:
            image.close()  # frees the pixels; the model decodes the stored file again
        upload.content_type = MIME_TYPES[kind]
        upload.name = _with_extension(upload.name or "image", kind)
        return upload

    def widget_attrs(self, widget: forms.Widget) -> dict[str, Any]:
        attrs = super().widget_attrs(widget)
        if "accept" in attrs:
            attrs["accept"] = ",".join(MIME_TYPES.values())
        return attrs


def _with_extension(name: str, kind: str) -> str:
    path = PurePosixPath(name)
    extensions = ACCEPTED_FORMATS[kind][1]
    if path.suffix.lower() in extensions:
        return name
    return f"{path.stem or 'image'}{extensions[0]}"


class ImageForm(forms.ModelForm):
    class Meta:
        model = Image
        fields = ("file", "alt_text", "caption", "credit", "key")
        field_classes = {"file": ImageUploadField}
