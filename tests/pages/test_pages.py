"""Pages: Markdown or sanitized HTML, public only when published."""

from datetime import timedelta

import pytest
from django.utils import timezone

from tests.factories import UserFactory
from watchworthy.pages.models import Page

pytestmark = pytest.mark.django_db


def test_markdown_page_renders_and_is_public(client):
    page = Page.objects.create(
        title="About", slug="about-the-blog", body="Hello *there*.", status=Page.Status.PUBLISHED
    )
    assert page.published_at is not None
    assert page.body_html == "<p>Hello <em>there</em>.</p>\n"
    response = client.get("/pages/about-the-blog/")
    assert response.status_code == 200
    assert "<em>there</em>" in response.content.decode()


def test_html_page_is_sanitized():
    page = Page.objects.create(
        title="Imported",
        slug="imported",
        body='<p onclick="x()">Hi</p><script>alert(1)</script>',
        body_format=Page.BodyFormat.HTML,
        status=Page.Status.PUBLISHED,
    )
    assert page.body_html == "<p>Hi</p>"


@pytest.mark.parametrize(
    ("status", "delta"),
    [(Page.Status.DRAFT, None), (Page.Status.SCHEDULED, timedelta(days=1))],
)
def test_drafts_and_scheduled_pages_are_404_to_readers_but_shown_to_staff(client, status, delta):
    Page.objects.create(
        title="Soon",
        slug="soon",
        body="x",
        status=status,
        published_at=timezone.now() + delta if delta else None,
    )
    assert client.get("/pages/soon/").status_code == 404
    client.force_login(UserFactory(is_staff=True))
    response = client.get("/pages/soon/")
    assert response.status_code == 200
    assert "only staff can see" in response.content.decode()


def test_admin_lists_pages(client):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    Page.objects.create(title="About", slug="about-x", body="x")
    assert client.get("/admin/pages/page/").status_code == 200
    assert client.get("/admin/pages/page/add/").status_code == 200
