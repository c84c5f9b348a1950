"""Due work on requests (core.middleware.DueWorkMiddleware): scheduled items whose
moment passed are announced and periodic jobs run, from one cache read a request."""

import time
from unittest import mock

import pytest
from django.core.cache import cache
from django.http import HttpResponse
from django.test import RequestFactory

from watchworthy.core import periodic
from watchworthy.core.middleware import DueWorkMiddleware
from watchworthy.core.publishing import NEXT_DUE_KEY


def request_through_middleware() -> None:
    DueWorkMiddleware(lambda request: HttpResponse())(RequestFactory().get("/"))


@pytest.fixture
def one_job(monkeypatch):
    ran = []
    monkeypatch.setattr(periodic, "_JOBS", {})
    periodic.register("count", every=60, run=lambda: ran.append(time.time()))
    yield ran


def test_nothing_due_costs_one_cache_read(one_job):
    """Both moments come from one ``get_many`` (one round trip with Redis)."""
    later = time.time() + 3600
    moments = {NEXT_DUE_KEY: later, periodic.NEXT_KEY: later}
    with (
        mock.patch.object(cache, "get_many", return_value=moments) as get_many,
        mock.patch.object(cache, "get", side_effect=AssertionError("a second read")),
    ):
        request_through_middleware()
    get_many.assert_called_once()
    assert set(get_many.call_args.args[0]) == set(moments)
    assert one_job == []


@pytest.mark.django_db
def test_a_due_job_runs_once_from_a_request(one_job):
    past = time.time() - 1
    cache.set_many({periodic.NEXT_KEY: past, "core:periodic:job:count": past}, None)
    request_through_middleware()
    request_through_middleware()  # the next moment moved a minute on
    assert len(one_job) == 1
    assert cache.get(periodic.NEXT_KEY) > time.time() + 50


@pytest.mark.django_db
def test_a_cold_cache_starts_the_clocks_without_running(one_job):
    cache.delete_many([NEXT_DUE_KEY, periodic.NEXT_KEY])
    request_through_middleware()
    assert one_job == []
    assert cache.get(periodic.NEXT_KEY) > time.time()
    assert cache.get(NEXT_DUE_KEY) is not None  # asked the database: nothing scheduled
