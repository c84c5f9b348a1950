"""A request reads the site settings once (core.models keeps the row from the
request's start to its end); nothing of it outlives the request."""

import pytest
from django.core.cache import cache
from django.test import Client

from tests.factories import ReviewFactory, SupportLinkFactory
from watchworthy.core.models import SITE_SETTINGS_CACHE_KEY, SiteSettings

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


def test_support_links_come_with_the_settings_and_a_change_shows_on_the_next_page(critic):
    review = ReviewFactory(author=critic)
    client = Client()
    SiteSettings(site_name="Site").save()
    first = SupportLinkFactory(label="First link", position=2)
    SupportLinkFactory(label="Hidden link", is_active=False)
    assert [link.label for link in SiteSettings.current().support_links] == ["First link"]
    client.get(review.get_absolute_url())  # the settings (and links) are now in the cache
    second = SupportLinkFactory(label="Second link", position=1)
    page = client.get(review.get_absolute_url()).content.decode()
    assert page.index("Second link") < page.index("First link")
    first.label = "Renamed link"
    first.save()
    assert "Renamed link" in client.get(review.get_absolute_url()).content.decode()
    second.delete()
    page = client.get(review.get_absolute_url()).content.decode()
    assert "Second link" not in page and "Hidden link" not in page


def test_the_first_support_link_of_a_new_site_writes_its_settings_row(critic):
    review = ReviewFactory(author=critic)
    assert not SiteSettings.objects.exists()
    SupportLinkFactory(label="Early link")
    assert SiteSettings.objects.get().site_name == SiteSettings().site_name  # the defaults
    assert "Early link" in Client().get(review.get_absolute_url()).content.decode()


def test_a_committed_change_forgets_the_settings_another_process_cached(capture_changes):
    SiteSettings(site_name="Site").save()
    SiteSettings.current()
    # As another process would have cached them before this one's change committed.
    stale = SiteSettings.current()
    with capture_changes():
        link = SupportLinkFactory(label="Committed link")
        cache.set(SITE_SETTINGS_CACHE_KEY, stale, 300)
    assert [x.label for x in SiteSettings.current().support_links] == [link.label]
