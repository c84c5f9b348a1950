from contextlib import contextmanager

import pytest

from watchworthy.core.changes import start_new_batch
from watchworthy.search.services import Filters, search_run


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """``with committed():`` — writes inside are delivered to the change signal when
    the block ends, as when their transaction commits (the test's own transaction
    never does), so the index follows them as on a live site."""

    @contextmanager
    def block():
        with django_capture_on_commit_callbacks(execute=True):
            start_new_batch()  # marks made before the block stay with their own callback
            yield

    return block


def find(text: str = "", **filters):
    """The results for ``text`` and ``filters`` (every page's hits, in order)."""
    results = search_run(text=text, filters=Filters(**filters))
    assert results is not None
    hits = list(results.hits)
    while results.has_next:
        results = search_run(text=text, filters=Filters(**filters), page=results.page + 1)
        hits += results.hits
    return hits


def titles(text: str = "", **filters) -> list[str]:
    return [hit.entry.title for hit in find(text, **filters)]
