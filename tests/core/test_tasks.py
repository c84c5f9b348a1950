"""A task that follows a write is enqueued with the write (a task table in the same
database) or after its commit (any other backend), never before it can be seen."""

from datetime import UTC, datetime

import pytest
from django.db import transaction
from django_tasks import task
from django_tasks.signals import task_enqueued
from django_tasks_db.models import DBTaskResult, get_date_max

from watchworthy.core.tasks import enqueue_for_write

pytestmark = pytest.mark.django_db(transaction=True)

RAN: list[str] = []


@task()
def note(word: str) -> None:
    RAN.append(word)


@pytest.fixture
def database_tasks(settings):
    settings.TASKS = {"default": {"BACKEND": "watchworthy.core.tasks.DatabaseBackend"}}


@pytest.fixture
def immediate_tasks(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    RAN.clear()


def test_a_database_task_is_written_inside_the_transaction(database_tasks):
    with transaction.atomic():
        enqueue_for_write(note, "with the write")
        assert DBTaskResult.objects.count() == 1  # one transaction, not a second after it
    (queued,) = DBTaskResult.objects.all()
    assert queued.args_kwargs == {"args": ["with the write"], "kwargs": {}}


def test_a_database_task_is_rolled_back_with_its_write(database_tasks):
    with pytest.raises(RuntimeError), transaction.atomic():
        enqueue_for_write(note, "never")
        raise RuntimeError("the write failed")
    assert not DBTaskResult.objects.exists()


def test_an_immediate_task_runs_only_after_the_commit(immediate_tasks):
    with transaction.atomic():
        enqueue_for_write(note, "after")
        assert RAN == []
    assert RAN == ["after"]
    with pytest.raises(RuntimeError), transaction.atomic():
        enqueue_for_write(note, "never")
        raise RuntimeError("the write failed")
    assert RAN == ["after"]


def _row(result) -> dict:
    """A task's stored row, without what differs between any two enqueues."""
    row = DBTaskResult.objects.filter(pk=result.id).values().get()
    return {k: v for k, v in row.items() if k not in {"id", "enqueued_at"}}


@pytest.mark.parametrize("run_after", [None, datetime(2031, 5, 4, 3, 2, 1, tzinfo=UTC)])
def test_our_backend_writes_the_row_the_library_writes(settings, run_after):
    """The production backend (core.tasks.DatabaseBackend, its INSERT built once)
    stores what django-tasks-db's own stores, signals the same and hands back the
    same result, so its worker runs either."""
    heard = []

    def hear(sender, task_result, **kwargs):
        heard.append(task_result)

    task_enqueued.connect(hear)
    try:
        results = {}
        for name, backend in {
            "library": "django_tasks_db.DatabaseBackend",
            "ours": "watchworthy.core.tasks.DatabaseBackend",
        }.items():
            settings.TASKS = {"default": {"BACKEND": backend}}
            noted = note.using(run_after=run_after, priority=7, queue_name="default")
            results[name] = noted.enqueue("same words")
    finally:
        task_enqueued.disconnect(hear)
    library, ours = results["library"], results["ours"]
    assert _row(ours) == _row(library)
    assert _row(ours)["run_after"] == (run_after or get_date_max())
    assert _row(ours)["args_kwargs"] == {"args": ["same words"], "kwargs": {}}
    assert [r.id for r in heard] == [library.id, ours.id]
    for field in ("status", "args", "kwargs", "backend"):
        assert getattr(ours, field) == getattr(library, field), field
    assert ours.task.run_after == library.task.run_after == run_after
    assert DBTaskResult.objects.get(pk=ours.id).enqueued_at is not None
