"""A task that follows a write is enqueued with the write (a task table in the same
database) or after its commit (any other backend), never before it can be seen."""

import pytest
from django.db import transaction
from django_tasks import task
from django_tasks_db.models import DBTaskResult

from watchworthy.core.tasks import enqueue_for_write

pytestmark = pytest.mark.django_db(transaction=True)

RAN: list[str] = []


@task()
def note(word: str) -> None:
    RAN.append(word)


@pytest.fixture
def database_tasks(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


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
