"""Enqueueing the task that follows a write: with the write, or after its commit; and
the database task queue's backend, which writes a task's row with SQL built once."""

from __future__ import annotations

from functools import cache
from typing import Any

from django.db import router, transaction
from django_tasks.signals import task_enqueued
from django_tasks.utils import normalize_json
from django_tasks_db import DatabaseBackend as LibraryDatabaseBackend

from .prepared import PreparedInsert


def enqueue_for_write(task: Any, *args: Any, using: str | None = None) -> None:
    """Enqueue ``task(*args)`` for what the current transaction writes.

    When the task queue is a table in the same database (``WATCHWORTHY_TASKS=database``,
    django-tasks-db), the task's row is written inside the transaction: it commits with
    the write or not at all, the worker cannot see it before the commit, and the write
    costs one transaction instead of two (one commit less a comment post, and on SQLite
    one turn less of the writers' lock). Any other backend (``immediate`` runs the task
    at once, a broker would hand it out at once) is enqueued after the commit, so it
    never acts on a write that is rolled back or not yet visible."""
    from django_tasks_db.models import DBTaskResult

    connection = transaction.get_connection(using)
    same_database = router.db_for_write(DBTaskResult) == connection.alias
    if (
        connection.in_atomic_block
        and same_database
        and isinstance(task.get_backend(), LibraryDatabaseBackend)
    ):
        task.enqueue(*args)
    else:
        transaction.on_commit(lambda: task.enqueue(*args), using=using)


@cache
def _task_rows() -> PreparedInsert[Any]:
    from django_tasks_db.models import DBTaskResult

    return PreparedInsert(DBTaskResult)


class DatabaseBackend(LibraryDatabaseBackend):
    """django-tasks-db's backend (``WATCHWORTHY_TASKS=database``; its ``db_worker`` runs
    the tasks), writing each task's row through :class:`PreparedInsert` instead of
    ``objects.create()``: building the INSERT was most of what enqueueing cost, and a
    comment post enqueues its mail inside the review's lock. The row is the one the
    library writes (tests/core/test_tasks.py compares them); the ``task_enqueued``
    signal is sent as the library sends it."""

    def _task_to_db_task(self, task: Any, args: Any, kwargs: Any) -> Any:
        from django_tasks_db.models import DBTaskResult

        row: Any = DBTaskResult(
            id=self._get_id(),
            args_kwargs=normalize_json({"args": args, "kwargs": kwargs}),
            priority=task.priority,
            task_path=task.module_path,
            queue_name=task.queue_name,
            run_after=task.run_after,
            backend_name=self.alias,
        )
        return _task_rows().insert(row, using=router.db_for_write(DBTaskResult))

    def enqueue(self, task: Any, args: Any, kwargs: Any) -> Any:
        """The library's ``enqueue``, with the row's ``TaskResult`` built once (it
        built it twice: for the signal and for the caller)."""
        self.validate_task(task)
        result = self._task_to_db_task(task, args, kwargs).task_result
        task_enqueued.send(type(self), task_result=result)
        return result
