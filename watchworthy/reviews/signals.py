"""Keep stored review HTML in step with the images it embeds."""

from django.db import transaction
from django.db.models.signals import post_save
from django.dispatch import receiver

from watchworthy.images.models import Image


@receiver(post_save, sender=Image, dispatch_uid="reviews_rerender_on_image_save")
def rerender_reviews_using_image(sender, instance: Image, created: bool, **kwargs) -> None:
    if created or kwargs.get("raw"):
        return

    def rerender() -> None:
        for review in instance.reviews.all():
            review.rerender()

    transaction.on_commit(rerender)
