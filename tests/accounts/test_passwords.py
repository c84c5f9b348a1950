import pytest
from django.contrib.auth.tokens import default_token_generator
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from tests.accounts.conftest import PASSWORD, link_in, signup_data
from watchworthy.accounts.emails import confirmation_path
from watchworthy.accounts.models import User
from watchworthy.accounts.tokens import email_confirmation_token

pytestmark = pytest.mark.django_db
NEW_PASSWORD = "another-quiet-harbour-17"


def test_password_reset_mails_a_link_that_sets_a_new_password(client, reader, mailoutbox):
    response = client.post("/accounts/password/reset/", {"email": "mika@EXAMPLE.org"})

    assert response.url == "/accounts/password/reset/sent/"
    assert len(mailoutbox) == 1
    message = mailoutbox[0]
    assert message.to == ["Mika@Example.org"]
    assert "new password" in message.subject
    assert "Mika R." in message.body
    link = link_in(message)

    form_page = client.get(link, follow=True)
    assert form_page.context["validlink"]
    assert "Choose a new password" in form_page.content.decode()
    set_password_url = form_page.redirect_chain[-1][0]

    done = client.post(
        set_password_url,
        {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
        follow=True,
    )

    assert done.redirect_chain[-1][0] == "/accounts/password/reset/complete/"
    reader.refresh_from_db()
    assert reader.check_password(NEW_PASSWORD)
    assert (
        client.post("/accounts/login/", {"username": "mika", "password": PASSWORD}).status_code
        == 200
    )
    assert (
        client.post("/accounts/login/", {"username": "mika", "password": NEW_PASSWORD}).status_code
        == 302
    )
    # The link is spent.
    assert not client.get(link, follow=True).context["validlink"]


def test_password_reset_answers_the_same_for_an_unknown_address(client, mailoutbox):
    response = client.post("/accounts/password/reset/", {"email": "nobody@example.org"})

    assert response.url == "/accounts/password/reset/sent/"
    assert mailoutbox == []


def test_a_confirmation_token_is_not_a_password_reset_token(client, reader):
    uid = urlsafe_base64_encode(force_bytes(reader.pk))
    token = email_confirmation_token.make_token(reader)

    response = client.get(f"/accounts/password/reset/{uid}/{token}/", follow=True)

    assert not response.context["validlink"]
    assert "This reset link does not work" in response.content.decode()


def test_a_password_reset_token_does_not_confirm_an_address(client, mailoutbox):
    client.post("/accounts/signup/", signup_data())
    user = User.objects.get(email="new.reader@example.org")
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)

    response = client.get(f"/accounts/confirm/{uid}/{token}/")

    assert "This confirmation link does not work" in response.content.decode()
    user.refresh_from_db()
    assert not user.is_active


def test_the_two_generators_disagree_on_the_same_user(reader):
    assert not default_token_generator.check_token(
        reader, email_confirmation_token.make_token(reader)
    )
    assert not email_confirmation_token.check_token(
        reader, default_token_generator.make_token(reader)
    )
    assert confirmation_path(reader).startswith("/accounts/confirm/")


def test_password_change_needs_the_old_password(client, reader):
    client.force_login(reader)

    wrong = client.post(
        "/accounts/password/change/",
        {"old_password": "nope", "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert wrong.status_code == 200
    assert "old_password" in wrong.context["form"].errors

    response = client.post(
        "/accounts/password/change/",
        {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
        follow=True,
    )

    assert response.redirect_chain == [("/accounts/", 302)]
    assert "Your password is changed." in response.content.decode()
    reader.refresh_from_db()
    assert reader.check_password(NEW_PASSWORD)
    assert response.wsgi_request.user.is_authenticated  # the session survives


def test_password_change_needs_a_signed_in_reader(client):
    response = client.get("/accounts/password/change/")

    assert response.status_code == 302
    assert response.url == "/accounts/login/?next=/accounts/password/change/"
