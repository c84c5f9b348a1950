"""Work on images that does not belong in a request."""

from __future__ import annotations

from django_tasks import task

from .models import Image


@task()
def make_renditions_later(image_id: int) -> None:
    """Make the WebP copies of an image uploaded without them (the writing desk's
    pasted images). An image deleted meanwhile, or already done, is left alone."""
    image = Image.objects.filter(pk=image_id).first()
    if image is None or image.renditions or not image.file:
        return
    image.renditions = image.make_renditions()
    Image.objects.filter(pk=image.pk).update(renditions=image.renditions)
    # Reviews store the image's HTML when saved: give them the new sizes (srcset).
    for review in image.reviews.all():
        review.rerender()
