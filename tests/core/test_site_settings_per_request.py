"""A request reads the site settings once (core.models keeps the row from the
request's start to its end); nothing of it outlives the request."""

import pytest
from django.test import Client

from tests.factories import ReviewFactory
from watchworthy.core.models import SiteSettings

pytestmark = pytest.mark.django_db


def test_a_change_between_two_requests_shows_on_the_next(critic):
    review = ReviewFactory(author=critic)
    client = Client()
    site = SiteSettings.current()
    site.site_name = "First Name"
    site.save()
    assert "First Name" in client.get(review.get_absolute_url()).content.decode()
    site = SiteSettings.current()
    site.site_name = "Second Name"
    site.save()
    page = client.get(review.get_absolute_url()).content.decode()
    assert "Second Name" in page and "First Name" not in page


def test_outside_a_request_every_call_reads_afresh():
    first = SiteSettings.current()
    SiteSettings.objects.filter(pk=first.pk).delete()
    renamed = SiteSettings(site_name="Renamed")
    renamed.save()
    assert SiteSettings.current().site_name == "Renamed"
    assert SiteSettings.current() is not SiteSettings.current()
