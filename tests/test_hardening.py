"""Production hardening: `check --deploy` is clean, every page carries the security
headers (a Content-Security-Policy with no inline script or style), passwords are
hashed with Argon2."""

import re

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.test import Client

from tests.factories import ReviewFactory
from tests.startup import PRODUCTION, STRONG_KEY, run_python

pytestmark = pytest.mark.django_db
REAL_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
]


def test_check_deploy_is_clean_under_production_settings(tmp_path):
    env = {**PRODUCTION, "DJANGO_SECRET_KEY": STRONG_KEY, "WATCHWORTHY_DATA_DIR": str(tmp_path)}
    code = (
        "import sys; from django.core.management import execute_from_command_line; "
        "execute_from_command_line(['manage.py', 'check', '--deploy', '--fail-level', 'WARNING'])"
    )

    run = run_python(env, code)

    assert run.returncode == 0, run.stderr
    assert "System check identified no issues" in run.stdout
    assert "WARNINGS" not in run.stderr


@pytest.mark.parametrize("path", ["/", "review", "/accounts/login/", "/accounts/signup/", "/nope/"])
def test_every_page_carries_the_security_headers(client, path):
    if path == "review":
        path = ReviewFactory().get_absolute_url()

    response = client.get(path)

    policy = dict(
        directive.strip().split(" ", 1)
        for directive in response["Content-Security-Policy"].split(";")
    )
    assert policy["default-src"] == "'self'"
    assert policy["script-src"] == "'self'" and policy["style-src"] == "'self'"
    assert policy["frame-ancestors"] == "'none'" and policy["object-src"] == "'none'"
    assert "unsafe-inline" not in response["Content-Security-Policy"]
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert "camera=()" in response["Permissions-Policy"]
    assert "geolocation=()" in response["Permissions-Policy"]


def test_no_page_has_inline_script_or_style(client):
    review = ReviewFactory(body="| a | b |\n|--:|:-:|\n| 1 | 2 |\n\nSome *words*.")
    for path in ["/", review.get_absolute_url(), "/accounts/login/", "/accounts/signup/"]:
        html = client.get(path).content.decode()
        # Only files run; a JSON-LD data block is data, never executed (CSP allows it).
        inline = r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/ld\+json\")[^>]*>"
        assert not re.search(inline, html), path
        assert "<style" not in html and " style=" not in html and " onclick=" not in html, path


def test_hsts_and_secure_cookies_in_production(settings):
    settings.SECURE_HSTS_SECONDS = 31536000
    settings.SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    settings.SESSION_COOKIE_SECURE = settings.CSRF_COOKIE_SECURE = True

    response = Client().get("/accounts/login/", HTTP_X_FORWARDED_PROTO="https")

    assert response["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"
    cookie = response.cookies["csrftoken"]
    assert cookie["secure"] and cookie["httponly"]


def test_new_passwords_are_hashed_with_argon2_and_old_ones_upgrade(client, settings):
    settings.PASSWORD_HASHERS = REAL_HASHERS
    assert make_password("a long passphrase").startswith("argon2$argon2id$")
    settings.PASSWORD_HASHERS = [REAL_HASHERS[1]]
    user = get_user_model().objects.create_user("old", "old@example.org", "an old passphrase")
    assert user.password.startswith("pbkdf2_sha256$")
    settings.PASSWORD_HASHERS = REAL_HASHERS

    response = client.post("/accounts/login/", {"username": "old", "password": "an old passphrase"})

    assert response.status_code == 302
    user.refresh_from_db()
    assert user.password.startswith("argon2$argon2id$")
