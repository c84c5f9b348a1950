"""Enqueueing the task that follows a write: with the write, or after its commit."""

from __future__ import annotations

from typing import Any

from django.db import router, transaction


def enqueue_for_write(task: Any, *args: Any, using: str | None = None) -> None:
    """Enqueue ``task(*args)`` for what the current transaction writes.

    When the task queue is a table in the same database (``WATCHWORTHY_TASKS=database``,
    django-tasks-db), the task's row is written inside the transaction: it commits with
    the write or not at all, the worker cannot see it before the commit, and the write
    costs one transaction instead of two (one commit less a comment post, and on SQLite
    one turn less of the writers' lock). Any other backend (``immediate`` runs the task
    at once, a broker would hand it out at once) is enqueued after the commit, so it
    never acts on a write that is rolled back or not yet visible."""
    from django_tasks_db import DatabaseBackend
    from django_tasks_db.models import DBTaskResult

    connection = transaction.get_connection(using)
    same_database = router.db_for_write(DBTaskResult) == connection.alias
    if (
        connection.in_atomic_block
        and same_database
        and isinstance(task.get_backend(), DatabaseBackend)
    ):
        task.enqueue(*args)
    else:
        transaction.on_commit(lambda: task.enqueue(*args), using=using)
