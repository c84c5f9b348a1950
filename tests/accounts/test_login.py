import pytest
from django.utils import timezone

from tests.accounts.conftest import PASSWORD, signup_data
from tests.factories import UserFactory
from watchworthy.accounts.models import User

pytestmark = pytest.mark.django_db


def test_login_page_has_an_email_or_username_field_and_links(client):
    html = client.get("/accounts/login/").content.decode()

    assert '<label for="id_username">E-mail address or username:</label>' in html
    assert 'href="/accounts/password/reset/"' in html
    assert 'href="/accounts/signup/"' in html
    # The site's own header and title, not Django's RequestSite.
    assert '<a class="site-name" href="/">Watchworthy</a>' in html
    assert "<title>Sign in · Watchworthy</title>" in html


@pytest.mark.parametrize("login", ["mika", "Mika@Example.org", "mika@example.ORG"])
def test_sign_in_with_username_or_email(client, reader, login):
    response = client.post("/accounts/login/", {"username": login, "password": PASSWORD})

    assert response.status_code == 302
    assert response.url == "/"
    assert client.get("/accounts/").status_code == 200


def test_wrong_password_is_refused_with_a_message_keeping_the_login(client, reader):
    response = client.post("/accounts/login/", {"username": "Mika@Example.org", "password": "no"})

    assert response.status_code == 200
    html = response.content.decode()
    assert "do not match an account" in html
    assert 'value="Mika@Example.org"' in html
    assert not response.wsgi_request.user.is_authenticated


def test_an_address_shared_by_two_old_accounts_signs_in_neither(client):
    for username in ("one", "two"):
        user = UserFactory(username=username, email="shared@example.org")
        user.set_password(PASSWORD)
        user.save()

    response = client.post(
        "/accounts/login/", {"username": "shared@example.org", "password": PASSWORD}
    )

    assert response.status_code == 200
    assert not response.wsgi_request.user.is_authenticated


def test_an_unconfirmed_reader_cannot_sign_in_and_the_one_message_says_why(client, mailoutbox):
    """Right or wrong password, the answer is the same: a distinct "confirm first"
    would tell a visitor that their sign-up with somebody's address made a new
    account (and so that the address had none)."""
    client.post("/accounts/signup/", signup_data())
    username = User.objects.get(email="new.reader@example.org").username

    answers = [
        client.post("/accounts/login/", {"username": login, "password": password})
        for login in (username, "new.reader@example.org")
        for password in (PASSWORD, "nope")
    ]

    for response in answers:
        assert response.status_code == 200
        assert response.context["form"].has_error("__all__", code="invalid_login")
        assert "Confirm your address first" in response.content.decode()
        assert not response.wsgi_request.user.is_authenticated
    assert len({tuple(answer.context["form"].non_field_errors()) for answer in answers}) == 1


def test_a_switched_off_account_cannot_sign_in(client, reader):
    reader.last_login = timezone.now()  # it was used before a moderator switched it off
    reader.is_active = False
    reader.save()

    response = client.post("/accounts/login/", {"username": "mika", "password": PASSWORD})

    assert response.context["form"].has_error("__all__", code="invalid_login")


@pytest.mark.parametrize(
    ("next_url", "expected"),
    [
        (
            "/reviews/nine-episodes-too-many/?page=2#comments",
            "/reviews/nine-episodes-too-many/?page=2#comments",
        ),
        ("https://evil.example/steal", "/"),
        ("//evil.example/steal", "/"),
        ("/\\evil.example", "/"),
        ("javascript:alert(1)", "/"),
        ("http://testserver/works/", "http://testserver/works/"),
    ],
)
def test_login_returns_only_to_safe_next_urls(client, reader, next_url, expected):
    page = client.get("/accounts/login/", {"next": next_url}).content.decode()
    if expected != "/":
        assert 'name="next"' in page

    response = client.post(
        "/accounts/login/", {"username": "mika", "password": PASSWORD, "next": next_url}
    )

    assert response.status_code == 302
    assert response.url == expected


def test_signed_in_readers_visiting_login_go_to_next(client, reader):
    client.force_login(reader)

    assert client.get("/accounts/login/?next=/works/").url == "/works/"


def test_logout_needs_post(client, reader):
    client.force_login(reader)

    assert client.get("/accounts/logout/").status_code == 405
    assert client.get("/accounts/").status_code == 200

    response = client.post("/accounts/logout/")

    assert response.status_code == 302
    assert response.url == "/"
    assert client.get("/accounts/").status_code == 302


def test_logout_returns_to_a_safe_next_only(client, reader):
    client.force_login(reader)
    assert client.post("/accounts/logout/", {"next": "/works/"}).url == "/works/"
    client.force_login(reader)
    assert client.post("/accounts/logout/", {"next": "https://evil.example/"}).url == "/"


def test_header_offers_sign_in_with_next_to_anonymous_readers(client):
    html = client.get("/about/").content.decode()

    assert 'href="/accounts/login/?next=/about/"' in html
    assert 'href="/accounts/signup/?next=/about/"' in html
    assert "Sign out" not in html


def test_header_shows_name_account_and_sign_out_form_when_signed_in(client, reader):
    client.force_login(reader)

    html = client.get("/about/").content.decode()

    assert "Mika R." in html
    assert 'href="/accounts/"' in html
    assert 'action="/accounts/logout/"' in html
    assert '<input type="hidden" name="next" value="/about/">' in html
    assert 'href="/accounts/login/' not in html
