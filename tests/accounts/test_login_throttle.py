"""Sign-in under a password-guessing attack: failures are counted per account (whatever
text names it) and per client address, and past the budget even the right password
is refused until the window ends (5 per account and 20 per client in 15 minutes)."""

import time

import pytest
from django.core.cache import cache

from tests.accounts.conftest import PASSWORD, link_in
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

WINDOW = 15 * 60


def sign_in(client, login: str, password: str, ip: str = "198.51.100.7", **extra):
    return client.post(
        "/accounts/login/", {"username": login, "password": password}, REMOTE_ADDR=ip, **extra
    )


def fail(client, login: str = "mika", times: int = 1, ip: str = "198.51.100.7") -> None:
    for _ in range(times):
        response = sign_in(client, login, "not-the-password", ip=ip)
        assert response.status_code == 200, "paused earlier than expected"


def signed_in(response) -> bool:
    return response.status_code == 302 and response.wsgi_request.user.is_authenticated


def test_thirty_wrong_passwords_then_the_right_one_is_refused(client, reader):
    for _ in range(30):
        sign_in(client, "mika", "not-the-password")

    response = sign_in(client, "mika", PASSWORD)

    assert not response.wsgi_request.user.is_authenticated
    assert response.status_code == 429


def test_guesses_from_many_addresses_still_lock_the_account(client, reader):
    for n in range(30):
        sign_in(client, "mika", "not-the-password", ip=f"203.0.113.{n + 1}")

    response = sign_in(client, "mika", PASSWORD, ip="192.0.2.200")

    assert not response.wsgi_request.user.is_authenticated
    assert response.status_code == 429


def test_five_failures_pause_the_account_and_say_when_to_come_back(client, reader):
    fail(client, times=5)

    response = sign_in(client, "Mika@Example.org", PASSWORD)

    assert response.status_code == 429
    assert response["Retry-After"] == str(WINDOW)
    assert response.context["form"].has_error("__all__", code="throttled")
    html = response.content.decode()
    assert "Too many failed attempts to sign in. Please try again in 15 minutes" in html
    assert 'value="Mika@Example.org"' in html  # what was typed is kept
    assert not response.wsgi_request.user.is_authenticated


def test_four_failures_still_let_the_reader_in(client, reader):
    fail(client, times=4)

    assert signed_in(sign_in(client, "mika", PASSWORD))


def test_the_username_and_the_address_in_any_case_share_one_budget(client, reader):
    fail(client, "mika", times=2)
    fail(client, "MIKA", times=1)
    fail(client, "mika@example.ORG", times=2)

    assert sign_in(client, "mika", PASSWORD).status_code == 429


def test_a_login_without_an_account_is_paused_the_same_way(client, reader):
    """Otherwise the pause itself would tell which logins exist."""
    fail(client, "nobody@example.org", times=5)
    fail(client, "mika", times=5)

    unknown = sign_in(client, "nobody@example.org", "whatever")
    known = sign_in(client, "mika", "whatever")

    assert unknown.status_code == known.status_code == 429
    # The same pause (the two answers may straddle a second on a busy machine).
    assert abs(int(unknown["Retry-After"]) - int(known["Retry-After"])) <= 1
    assert [e.code for e in unknown.context["form"].non_field_errors().as_data()] == ["throttled"]


def test_twenty_failures_from_one_client_pause_every_account_from_there(client, reader):
    for n in range(20):
        fail(client, f"guess{n}@example.org")

    assert sign_in(client, "mika", PASSWORD).status_code == 429
    assert signed_in(sign_in(client, "mika", PASSWORD, ip="192.0.2.55"))


def test_an_ipv6_client_is_counted_by_its_slash_64(client, reader):
    for n in range(20):
        fail(client, f"guess{n}", ip=f"2001:db8:5:6::{n + 1:x}")

    assert sign_in(client, "mika", PASSWORD, ip="2001:db8:5:6:ffff::1").status_code == 429
    assert signed_in(sign_in(client, "mika", PASSWORD, ip="2001:db8:5:7::1"))


def test_clients_behind_a_trusted_proxy_have_their_own_budgets(client, reader, settings):
    settings.WATCHWORTHY_TRUSTED_PROXIES = "10.0.0.0/8"
    behind_proxy = {"ip": "10.0.0.2"}
    for n in range(20):
        response = sign_in(
            client, f"guess{n}", "nope", HTTP_X_FORWARDED_FOR="198.51.100.1", **behind_proxy
        )
        assert response.status_code == 200

    paused = sign_in(client, "mika", PASSWORD, HTTP_X_FORWARDED_FOR="198.51.100.1", **behind_proxy)
    other = sign_in(client, "mika", PASSWORD, HTTP_X_FORWARDED_FOR="198.51.100.2", **behind_proxy)

    assert paused.status_code == 429
    assert signed_in(other)


def test_signing_in_does_not_wipe_out_failures_from_elsewhere(client, reader):
    fail(client, times=4, ip="203.0.113.9")  # somebody guessing
    assert signed_in(sign_in(client, "mika", PASSWORD, ip="192.0.2.1"))  # the owner
    client.post("/accounts/logout/")
    fail(client, times=1, ip="203.0.113.9")

    assert sign_in(client, "mika", PASSWORD, ip="203.0.113.9").status_code == 429
    assert sign_in(client, "mika", PASSWORD, ip="192.0.2.1").status_code == 429


def test_successful_sign_ins_do_not_use_up_the_budget(client, reader):
    for _ in range(12):
        assert signed_in(sign_in(client, "mika", PASSWORD))
        client.post("/accounts/logout/")


def test_the_pause_ends_with_the_window(client, reader, monkeypatch):
    fail(client, times=5)
    assert sign_in(client, "mika", PASSWORD).status_code == 429
    started = time.time()
    monkeypatch.setattr(time, "time", lambda: started + WINDOW + 1)

    assert signed_in(sign_in(client, "mika", PASSWORD))


def test_the_message_counts_down(client, reader, monkeypatch):
    fail(client, times=5)
    started = time.time()
    monkeypatch.setattr(time, "time", lambda: started + 13 * 60 + 30)

    response = sign_in(client, "mika", PASSWORD)

    assert "Please try again in 2 minutes" in response.content.decode()
    assert response["Retry-After"] in {"90", "91"}


def test_a_new_password_from_a_reset_link_lifts_the_pause(client, reader, mailoutbox):
    fail(client, times=5, ip="203.0.113.9")
    client.post("/accounts/password/reset/", {"email": "mika@example.org"})
    form = client.get(link_in(mailoutbox[0]), follow=True)
    new_password = "another-quiet-harbour-17"
    client.post(
        form.redirect_chain[-1][0],
        {"new_password1": new_password, "new_password2": new_password},
    )

    assert signed_in(sign_in(client, "mika", new_password))


def test_an_accounts_budget_is_its_own(client, reader):
    other = UserFactory(username="noor", email="noor@example.org")
    other.set_password(PASSWORD)
    other.save()
    fail(client, "mika", times=5)

    assert signed_in(sign_in(client, "noor@example.org", PASSWORD, ip="192.0.2.8"))


def test_nothing_typed_reaches_the_cache_keys(client, reader):
    fail(client, "Secret.Person@Example.org", times=2)
    fail(client, "mika", times=2)

    keys = " ".join(str(key) for key in cache._cache).casefold()  # locmem's own store
    assert "secret" not in keys
    assert "mika" not in keys
    assert "198.51.100.7" not in keys
