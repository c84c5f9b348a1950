"""SQLite writers queue on the lock file beside the database (watchworthy/core/sqlite):
a transaction holds it from BEGIN to COMMIT or ROLLBACK, and a second writer starts
once the first has ended, without failing."""

import fcntl
import os
import threading
import time

import pytest
from django.db import connection, connections, transaction

from watchworthy.core.models import SiteSettings

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "sqlite", reason="the writers' queue is SQLite's"),
]


def queue_is_free() -> bool:
    """Whether another process could take the writers' lock now."""
    fd = os.open(f"{connection.settings_dict['NAME']}-writers", os.O_RDWR | os.O_CREAT)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    else:
        fcntl.flock(fd, fcntl.LOCK_UN)
        return True
    finally:
        os.close(fd)


def test_a_transaction_holds_the_queue_until_it_commits_or_rolls_back():
    with transaction.atomic():
        SiteSettings.objects.update_or_create(pk=1, defaults={"site_name": "Queued"})
        assert not queue_is_free()
    assert queue_is_free()
    with pytest.raises(RuntimeError), transaction.atomic():
        SiteSettings.objects.update_or_create(pk=1, defaults={"site_name": "Rolled back"})
        assert not queue_is_free()
        raise RuntimeError
    assert queue_is_free()
    assert SiteSettings.objects.get(pk=1).site_name == "Queued"


def test_a_second_writer_starts_when_the_first_has_committed():
    SiteSettings.objects.update_or_create(pk=1, defaults={"site_name": "Start"})
    first_in, events = threading.Event(), []

    def first() -> None:
        try:
            with transaction.atomic():
                SiteSettings.objects.filter(pk=1).update(site_name="First")
                first_in.set()
                time.sleep(0.3)
                events.append("first commits")
        finally:
            connections.close_all()

    def second() -> None:
        try:
            first_in.wait(10)
            with transaction.atomic():
                events.append("second begins")
                SiteSettings.objects.filter(pk=1).update(site_name="Second")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert events == ["first commits", "second begins"]
    assert SiteSettings.objects.get(pk=1).site_name == "Second"
