from datetime import timedelta

import factory
from django.utils import timezone

from tests.conftest import png_bytes
from watchworthy.accounts.models import User
from watchworthy.catalog.models import Character, Season, Work
from watchworthy.core.models import SupportLink
from watchworthy.images.models import Image
from watchworthy.reviews.models import Review, Tag, Verdict


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"critic{n}")
    display_name = factory.Sequence(lambda n: f"Critic Number {n}")
    email = factory.LazyAttribute(lambda user: f"{user.username}@example.org")


class WorkFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Work

    title = factory.Sequence(lambda n: f"Lantern Tide {n}")
    slug = factory.Sequence(lambda n: f"lantern-tide-{n}")
    kind = Work.Kind.ANIME
    year = 2025


class SeasonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Season

    work = factory.SubFactory(WorkFactory)
    number = factory.Sequence(lambda n: n + 1)
    episode_count = 12


class CharacterFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Character

    work = factory.SubFactory(WorkFactory)
    name = factory.Sequence(lambda n: f"Character {n}")


class ImageFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Image

    key = factory.Sequence(lambda n: f"still-{n}")
    file = factory.LazyFunction(png_bytes)
    alt_text = "A lighthouse at dusk"
    caption = "The lighthouse, episode 3"


class TagFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Tag

    name = factory.Sequence(lambda n: f"tag {n}")
    slug = factory.Sequence(lambda n: f"tag-{n}")


class ReviewFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Review

    title = factory.Sequence(lambda n: f"Review number {n}")
    slug = factory.Sequence(lambda n: f"review-{n}")
    work = factory.SubFactory(WorkFactory)
    author = factory.SubFactory(UserFactory)
    verdict = Verdict.WATCH
    body = "A paragraph about the show.\n\nAnother paragraph."
    status = Review.Status.PUBLISHED
    published_at = factory.LazyFunction(lambda: timezone.now() - timedelta(days=1))


class SupportLinkFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SupportLink

    kind = SupportLink.Kind.KOFI
    label = "Support me on Ko-fi"
    url = "https://ko-fi.com/example"
