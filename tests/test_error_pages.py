"""The designed error pages: a server error shows the site's own 500 page, never a
traceback, under development (`make run`) and production settings alike."""

import pytest
from django.test import Client

from tests.error_urls import SECRET_DETAIL
from tests.startup import PRODUCTION, STRONG_KEY, run_python

DESIGNED = "Something went wrong on our side"


@pytest.mark.django_db
def test_a_failing_view_shows_the_designed_500(settings):
    assert settings.DEBUG is False  # what `make run` serves unless DJANGO_DEBUG=1
    settings.ROOT_URLCONF = "tests.error_urls"
    response = Client(raise_request_exception=False).get("/test-failure/")
    assert response.status_code == 500
    html = response.content.decode()
    assert DESIGNED in html
    assert 'class="site-header"' in html and 'href="/reviews/"' in html  # the site's look
    assert "Traceback" not in html and SECRET_DETAIL not in html and "RuntimeError" not in html
    assert "unsafe-inline" not in response.headers["Content-Security-Policy"]


# In a fresh process under production settings, with a database that was never
# migrated: the home page's first query fails, and the 500 page needs no database.
FAIL_IN_PRODUCTION = """
import django
django.setup()
from django.core.management import call_command
call_command("collectstatic", "--noinput", verbosity=0)
from django.test import Client
response = Client(raise_request_exception=False).get(
    "/", HTTP_HOST="reviews.example.org", secure=True
)
print(response.status_code)
print(response.content.decode())
"""


def test_under_production_settings_a_server_error_shows_the_designed_500(tmp_path):
    env = {
        **PRODUCTION,
        "DJANGO_SECRET_KEY": STRONG_KEY,
        "WATCHWORTHY_DATA_DIR": str(tmp_path),
        "WATCHWORTHY_STATIC_ROOT": str(tmp_path / "static"),
    }
    run = run_python(env, FAIL_IN_PRODUCTION)
    status, html = run.stdout.split("\n", 1)
    assert status == "500", run.stderr[-2000:]
    assert "no such table" in run.stderr  # the failure is logged for the operator...
    assert DESIGNED in html  # ...and the reader gets the designed page
    assert "/static/css/site." in html  # the collected, hashed stylesheet
    for leak in ("Traceback", "no such table", "OperationalError", "sqlite"):
        assert leak not in html, leak
