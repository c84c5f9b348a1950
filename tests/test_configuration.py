"""Configuration by environment alone: what each value means, and that a wrong one
stops start-up with one line naming the variable (and never echoing a password)."""

import pytest

from config.email_url import CONSOLE, SMTP, EmailURLError, parse_email_url
from tests.startup import PRODUCTION, STRONG_KEY, run_python, start


def test_without_email_url_mail_is_printed(tmp_path):
    status, stderr = start({"WATCHWORTHY_DATA_DIR": str(tmp_path)})
    assert status == 0, stderr
    assert parse_email_url("console://")["EMAIL_BACKEND"] == CONSOLE


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        (
            "smtp://mail.example.org",
            {"EMAIL_HOST": "mail.example.org", "EMAIL_PORT": 25, "EMAIL_USE_TLS": False},
        ),
        (
            "smtp+tls://critic%40example.org:p%40ss%3Aw%2Frd@smtp.example.org",
            {
                "EMAIL_PORT": 587,
                "EMAIL_USE_TLS": True,
                "EMAIL_USE_SSL": False,
                "EMAIL_HOST_USER": "critic@example.org",
                "EMAIL_HOST_PASSWORD": "p@ss:w/rd",
            },
        ),
        (
            "smtp+ssl://u:p@smtp.example.org:2465?timeout=5",
            {"EMAIL_PORT": 2465, "EMAIL_USE_SSL": True, "EMAIL_USE_TLS": False, "EMAIL_TIMEOUT": 5},
        ),
        ("SMTP://[::1]:2525", {"EMAIL_HOST": "::1", "EMAIL_PORT": 2525, "EMAIL_TIMEOUT": 20}),
    ],
)
def test_smtp_urls(url, expected):
    parsed = parse_email_url(url)
    assert parsed["EMAIL_BACKEND"] == SMTP
    assert {key: parsed[key] for key in expected} == expected


@pytest.mark.parametrize(
    ("url", "says"),
    [
        ("smtps://u:p@host", "scheme 'smtps'"),
        ("mail.example.org:25", "is not one of"),
        ("smtp://", "names no mail server host"),
        ("smtp://host:notaport", "cannot be read"),
        ("smtp://host:99999", "cannot be read"),
        ("smtp://host?timeout=soon", "timeout='soon'"),
        ("smtp://host?tls=1", "unknown options tls"),
        ("console://somewhere", "takes nothing"),
    ],
)
def test_wrong_email_urls_say_what_is_wrong(url, says):
    with pytest.raises(EmailURLError, match=says):
        parse_email_url(url)


@pytest.mark.parametrize(
    ("env", "says"),
    [
        ({"EMAIL_URL": "smtps://critic:hunter2secret@mail.example.org"}, "EMAIL_URL="),
        ({"EMAIL_URL": "smtp://critic:hunter2secret@mail.example.org:x"}, "EMAIL_URL="),
        ({"DJANGO_EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend"}, "EMAIL_URL"),
        ({"WATCHWORTHY_TASKS": "celery"}, "WATCHWORTHY_TASKS='celery'"),
        ({"WATCHWORTHY_PAGE_FILES": "pages"}, "WATCHWORTHY_PAGE_FILES must be an absolute"),
        ({"WATCHWORTHY_FEDIVERSE_EXTRA_CA": "/nonexistent/ca.pem"}, "is not a file"),
    ],
)
def test_a_wrong_value_stops_start_up_with_one_line(env, says, tmp_path):
    status, stderr = start({**env, "WATCHWORTHY_DATA_DIR": str(tmp_path)})

    assert status != 0
    assert stderr.startswith("Watchworthy will not start:") and says in stderr
    assert "\n" not in stderr and "Traceback" not in stderr
    assert "hunter2secret" not in stderr


PRODUCTION_READY = {**PRODUCTION, "DJANGO_SECRET_KEY": STRONG_KEY}


@pytest.mark.parametrize(
    ("site_url", "says"),
    [
        (None, "set WATCHWORTHY_SITE_URL"),
        ("", "set WATCHWORTHY_SITE_URL"),
        ("reviews.example.org", "WATCHWORTHY_SITE_URL='reviews.example.org' is not an http(s)"),
        ("ftp://reviews.example.org", "is not an http(s) address"),
        ("https://", "is not an http(s) address"),
        ("https://reviews.example.org:http", "is not an http(s) address"),
    ],
)
def test_production_needs_an_http_site_address(site_url, says, tmp_path):
    env = {**PRODUCTION_READY, "WATCHWORTHY_DATA_DIR": str(tmp_path)}
    env.pop("WATCHWORTHY_SITE_URL")
    if site_url is not None:
        env["WATCHWORTHY_SITE_URL"] = site_url

    status, stderr = start(env)

    assert status != 0
    assert stderr.startswith("Watchworthy will not start:") and says in stderr


@pytest.mark.parametrize(
    "env",
    [{"WATCHWORTHY_FEDIVERSE_ALLOW_PRIVATE": "1"}, {"WATCHWORTHY_FEDIVERSE_EXTRA_CA": __file__}],
)
def test_production_refuses_the_test_peer_settings(env, tmp_path):
    status, stderr = start({**PRODUCTION_READY, **env, "WATCHWORTHY_DATA_DIR": str(tmp_path)})

    assert status != 0
    assert stderr.startswith("Watchworthy will not start:") and "for test peers" in stderr


def test_the_server_entry_point_settles_the_garbage_collector(tmp_path):
    """config.wsgi loads the views and sets everything loaded aside from the garbage
    collector, which then waits for more young objects (core.startup)."""
    from watchworthy.core.startup import YOUNG_OBJECTS_BEFORE_COLLECTING

    code = (
        "import gc, sys; import config.wsgi; "
        "print(gc.get_threshold()[0], gc.get_freeze_count() > 10000, "
        "'watchworthy.web.views' in sys.modules)"
    )
    run = run_python({"WATCHWORTHY_DATA_DIR": str(tmp_path)}, code)
    assert run.returncode == 0, run.stderr
    assert run.stdout.split() == [str(YOUNG_OBJECTS_BEFORE_COLLECTING), "True", "True"]


POSTGRES_SOCKET = "/var/run/postgresql"


def test_postgresql_on_this_machine_through_its_socket(tmp_path):
    """docs/deploy.md's DATABASE_URL for PostgreSQL on the same machine: its Unix socket
    (the folder as the host, written %2F...), which the settings read as that folder
    and psycopg connects through."""
    import os

    if not os.path.exists(f"{POSTGRES_SOCKET}/.s.PGSQL.5432"):
        pytest.skip(f"no PostgreSQL socket in {POSTGRES_SOCKET}")
    code = (
        "import django; django.setup()\n"
        "from django.db import connection\n"
        "print(connection.settings_dict['HOST'])\n"
        "with connection.cursor() as cursor:\n"
        "    cursor.execute('SELECT inet_server_addr() IS NULL')\n"  # NULL: not over TCP
        "    print(cursor.fetchone()[0])\n"
    )
    url = "postgres://postgres@%2Fvar%2Frun%2Fpostgresql/postgres"
    run = run_python({"WATCHWORTHY_DATA_DIR": str(tmp_path), "DATABASE_URL": url}, code)
    assert run.returncode == 0, run.stderr
    assert run.stdout.split() == [POSTGRES_SOCKET, "True"]
