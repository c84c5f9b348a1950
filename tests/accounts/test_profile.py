import pytest
from django.core.cache import cache

from tests.factories import ReviewFactory, UserFactory
from tests.html_checks import executable_markup

pytestmark = pytest.mark.django_db

SCRIPT_NAME = '<script>alert("name")</script><img src=x onerror=alert(1)>'


def test_account_page_needs_sign_in_and_comes_back_after(client, reader):
    response = client.get("/accounts/")

    assert response.status_code == 302
    assert response.url == "/accounts/login/?next=/accounts/"


def test_account_page_shows_email_and_password_link(client, reader):
    client.force_login(reader)

    html = client.get("/accounts/").content.decode()

    assert "Mika@Example.org" in html
    assert 'href="/accounts/password/change/"' in html
    assert 'value="Mika R."' in html


def test_profile_edit_saves_display_name_and_bio(client, reader):
    client.force_login(reader)

    response = client.post(
        "/accounts/",
        {"display_name": "  Mika the Night Owl ", "bio": "Mostly anime."},
        follow=True,
    )

    assert response.redirect_chain == [("/accounts/", 302)]
    assert "Your profile is saved." in response.content.decode()
    reader.refresh_from_db()
    assert reader.display_name == "Mika the Night Owl"
    assert reader.bio == "Mostly anime."
    assert reader.public_name == "Mika the Night Owl"


def test_an_invalid_profile_keeps_the_old_name_in_the_header(client, reader):
    client.force_login(reader)

    response = client.post("/accounts/", {"display_name": "x" * 81, "bio": ""})

    assert response.status_code == 200
    assert "display_name" in response.context["form"].errors
    assert '<li class="account-name">Mika R.</li>' in response.content.decode()
    reader.refresh_from_db()
    assert reader.display_name == "Mika R."


def test_a_script_display_name_is_escaped_everywhere_it_shows(client):
    """Each page is rendered with a plain name and with a hostile one: the hostile
    name may not add a single element, attribute or URL that could run script (the
    pages' own sign-out form or scripts appear in both renderings)."""
    reader = UserFactory(username="hostile", display_name="Plain Name")
    ReviewFactory(author=reader, slug="hostile-review")
    client.force_login(reader)
    paths = ("/", "/about/", "/accounts/", "/reviews/hostile-review/", "/authors/hostile/")
    baseline = {path: executable_markup(client.get(path).content.decode()) for path in paths}

    reader.display_name = SCRIPT_NAME
    reader.save()
    cache.clear()

    for path in paths:
        response = client.get(path)
        assert response.status_code == 200, path
        html = response.content.decode()
        assert executable_markup(html) == baseline[path], path
        assert SCRIPT_NAME not in html, path
        assert "&lt;script&gt;alert(&quot;name&quot;)&lt;/script&gt;" in html, path
