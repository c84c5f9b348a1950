"""/healthz: 200 when the database and the cache answer, 503 naming the part that
does not. The failing cases start a fresh process whose database or cache points at
a loopback port where nothing listens: a real connection that fails."""

import json

import pytest

from tests.conftest import closed_port
from tests.startup import run_python

pytestmark = pytest.mark.django_db

ASK = (
    "import django, json; django.setup(); from django.test import Client; "
    "r = Client().get('/healthz'); print(json.dumps([r.status_code, json.loads(r.content)]))"
)


def health_in_a_fresh_process(tmp_path, **env: str) -> tuple[int, dict]:
    run = run_python({"WATCHWORTHY_DATA_DIR": str(tmp_path), **env}, ASK)
    assert run.returncode == 0, run.stderr
    status, body = json.loads(run.stdout.strip().splitlines()[-1])
    return status, body


def test_healthy(client):
    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json() == {"database": "ok", "cache": "ok"}
    assert "no-cache" in response["Cache-Control"] and "no-store" in response["Cache-Control"]


def test_it_needs_no_sign_in_and_answers_any_host_and_plain_http(client, settings):
    settings.SECURE_SSL_REDIRECT = True
    settings.ALLOWED_HOSTS = ["reviews.example.org"]

    response = client.get("/healthz", HTTP_HOST="10.0.0.7:8000")

    assert response.status_code == 200
    assert client.get("/about/", HTTP_HOST="10.0.0.7:8000").status_code == 400


def test_only_get_and_head(client):
    assert client.post("/healthz").status_code == 405
    assert client.head("/healthz").status_code == 200


def test_503_when_the_cache_does_not_answer(tmp_path):
    status, body = health_in_a_fresh_process(
        tmp_path, REDIS_URL=f"redis://127.0.0.1:{closed_port()}/0"
    )

    assert status == 503
    assert body == {"database": "ok", "cache": "unavailable"}


def test_503_when_the_database_does_not_answer(tmp_path):
    status, body = health_in_a_fresh_process(
        tmp_path, DATABASE_URL=f"postgres://postgres@127.0.0.1:{closed_port()}/watchworthy"
    )

    assert status == 503
    assert body == {"database": "unavailable", "cache": "ok"}
