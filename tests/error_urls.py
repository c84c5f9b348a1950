"""The site's URLs plus one that fails: for the tests of the designed 500 page
(``settings.ROOT_URLCONF = "tests.error_urls"``)."""

from django.http import HttpRequest, HttpResponse
from django.urls import path

from config.urls import handler404
from config.urls import urlpatterns as site_urlpatterns

SECRET_DETAIL = "the failing view's private detail"


def fail(request: HttpRequest) -> HttpResponse:
    raise RuntimeError(SECRET_DETAIL)


urlpatterns = [path("test-failure/", fail), *site_urlpatterns]

__all__ = ["handler404", "urlpatterns"]
