"""Attachments → images when --uploads has the file; missing ones are recorded."""

import pytest

from tests.conftest import png_bytes
from tests.imports.builders import item, wxr
from tests.imports.conftest import import_path
from watchworthy.images.models import Image
from watchworthy.imports.common import ImportFailed
from watchworthy.imports.models import ImportedObject
from watchworthy.reviews.models import Review

pytestmark = pytest.mark.django_db

URL = "http://blog.example/wp-content/uploads/2012/05/still.png"


@pytest.fixture
def uploads(tmp_path):
    folder = tmp_path / "wp-content" / "uploads"
    (folder / "2012/05").mkdir(parents=True)
    (folder / "2012/05/still.png").write_bytes(png_bytes(1200, 675).read())
    (folder / "2012/05/notes.pdf").write_bytes(b"%PDF-1.4 not an image")
    return folder


def export():
    return wxr(
        item(1, "Review with a cover", content="x", meta={"_thumbnail_id": "5"}),
        item(5, "Suzu at dusk", post_type="attachment", status="inherit", attachment_url=URL,
             excerpt="Episode 3", meta={"_wp_attachment_image_alt": "Suzu rowing at dusk"}),
        item(6, "Notes", post_type="attachment", status="inherit",
             attachment_url="http://blog.example/wp-content/uploads/2012/05/notes.pdf"),
        item(7, "Gone", post_type="attachment", status="inherit",
             attachment_url="http://blog.example/wp-content/uploads/2011/01/gone.jpg"),
        item(8, "Sneaky", post_type="attachment", status="inherit",
             attachment_url="http://blog.example/wp-content/uploads/../../../etc/passwd"),
    )  # fmt: skip


def test_found_images_are_imported_with_alt_text_caption_and_cover(write_file, uploads, client):
    summary = import_path(write_file(export()), uploads=uploads)
    image = Image.objects.get()
    assert image.alt_text == "Suzu rowing at dusk"
    assert image.caption == "Episode 3"
    assert image.width == 1200 and image.renditions
    # The featured image comes after its post in the file, and still becomes the cover.
    assert Review.objects.get().cover == image
    assert summary.images_found == 1 and summary.images_missing == 3
    reasons = " ".join(summary.missing_images)
    assert "not an image" in reasons and "file not found" in reasons
    assert "outside the uploads folder" in reasons
    missing = ImportedObject.objects.filter(kind="attachment", image=None)
    assert {row.data["url"] for row in missing} >= {
        "http://blog.example/wp-content/uploads/2011/01/gone.jpg"
    }
    # Hot links to the old file redirect to the new one.
    response = client.get("/wp-content/uploads/2012/05/still.png")
    assert response.status_code == 301 and response["Location"] == image.file.url


def test_without_uploads_everything_is_listed_as_missing_then_found_later(write_file, uploads):
    path = write_file(export())
    summary = import_path(path)
    assert summary.images_found == 0 and summary.images_missing == 4
    assert Review.objects.get().cover is None
    summary = import_path(path, uploads=uploads)  # the same export, now with the files
    assert summary.images_found == 1
    assert Review.objects.get().cover == Image.objects.get()


def test_a_dry_run_copies_no_file(write_file, uploads, settings):
    summary = import_path(write_file(export()), uploads=uploads, dry_run=True)
    assert summary.images_found == 1
    assert not Image.objects.exists()
    assert not settings.MEDIA_ROOT.exists() or not any(settings.MEDIA_ROOT.rglob("*.png"))


def test_imported_files_are_stored_in_the_bucket_on_object_storage(
    write_file, uploads, client, s3_media
):
    """`import_wordpress --uploads` on a site whose media is on S3 (SeaweedFS)."""
    summary = import_path(write_file(export()), uploads=uploads)

    assert summary.images_found == 1
    image = Image.objects.get()
    folder = s3_media.folder + "/"
    assert s3_media.keys() == sorted(
        folder + name for name in [image.file.name, *image.renditions.values()]
    )
    assert s3_media.read(folder + image.file.name) == (uploads / "2012/05/still.png").read_bytes()
    assert sorted(image.renditions, key=int) == ["480", "960"]
    response = client.get("/wp-content/uploads/2012/05/still.png")
    assert response.status_code == 301
    assert response["Location"] == image.file.url
    assert image.file.url.startswith(f"http://127.0.0.1:8333/{s3_media.name}/{folder}")


def test_a_failed_import_leaves_no_file_in_the_bucket(write_file, uploads, s3_media):
    broken = export().replace("</channel>", "<item><title>cut short")
    with pytest.raises(ImportFailed, match="Nothing was imported"):
        import_path(write_file(broken), uploads=uploads)
    assert Image.objects.count() == 0
    assert s3_media.keys() == []
