"""With WATCHWORTHY_TASKS=database, posting a comment only enqueues its mail; the
real worker command (`manage.py db_worker`, run in its own process against the test
database) delivers it."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection
from django.test import Client
from django_tasks_db.models import DBTaskResult

from tests.factories import ReviewFactory, UserFactory

REPO = Path(__file__).resolve().parents[2]
DATABASE_BACKEND = {"default": {"BACKEND": "watchworthy.core.tasks.DatabaseBackend"}}


def database_url() -> str:
    """The test database, as a DATABASE_URL another process can open."""
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{db['NAME']}"
    password = f":{db['PASSWORD']}" if db["PASSWORD"] else ""
    return (
        f"postgres://{db['USER']}{password}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}"
        f"/{db['NAME']}"
    )


def run_worker(tmp_path: Path, *, max_tasks: int) -> subprocess.CompletedProcess:
    env = {
        **os.environ,
        "DATABASE_URL": database_url(),
        "WATCHWORTHY_TASKS": "database",
        "WATCHWORTHY_DATA_DIR": str(tmp_path / "worker-data"),
        "EMAIL_URL": "console://",
    }
    env.pop("DJANGO_EMAIL_BACKEND", None)
    return subprocess.run(  # noqa: S603 - our own interpreter and manage.py
        [
            sys.executable,
            "manage.py",
            "db_worker",
            "--batch",
            f"--max-tasks={max_tasks}",
            "--no-startup-delay",
            "--interval=0",
        ],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )


@pytest.mark.django_db(transaction=True)
def test_a_comment_enqueues_its_mail_and_the_worker_command_delivers_it(
    settings, post_comment, generous_comment_limits, mailoutbox, tmp_path
):
    settings.TASKS = DATABASE_BACKEND
    critic = UserFactory(username="mara", display_name="Mara Quill", email="mara@example.org")
    review = ReviewFactory(title="Ferrylight, Part 1", author=critic)

    response = post_comment(
        Client(), review, body="Queued words.", author_name="Noa", author_email="noa@ex.org"
    )

    assert response.status_code == 302
    assert mailoutbox == []  # the request sent nothing itself
    (queued,) = DBTaskResult.objects.all()
    assert queued.task_path == "watchworthy.discussion.notifications.send_comment_mail"
    assert queued.status == "READY"

    worker = run_worker(tmp_path, max_tasks=5)

    assert "To: mara@example.org" in worker.stdout
    assert "Noa commented on your review" in worker.stdout
    assert "Queued words." in worker.stdout
    queued.refresh_from_db()
    assert queued.status == "SUCCESSFUL"
