"""The header's account corner written in Python (accounts.nav) is byte for byte
what accounts/nav.html wrote (kept in tests/web/reference/, rendered by the reference
engine of the review page's output test): guests, readers and staff, on ordinary
pages, account pages, the desk, a page with a query string to encode, and a 404."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser
from django.template.context import make_context
from django.test import RequestFactory
from django.urls import Resolver404, resolve

from tests.factories import UserFactory
from tests.web.old_review_page import ENGINE
from tests.web.reference import blank_random
from watchworthy.accounts.nav import account_nav

pytestmark = pytest.mark.django_db

PATHS = [
    "/",
    "/reviews/some-review/?order=newest&q=a b&x=<y>",
    "/accounts/login/",
    "/accounts/signup/",
    "/accounts/",
    "/desk/",
    "/no/such/page/",
]


@pytest.mark.parametrize("who", ["guest", "reader", "staff"])
def test_same_bytes_as_the_template(who):
    user = AnonymousUser() if who == "guest" else UserFactory(is_staff=who == "staff")
    reference = ENGINE.from_string('{% include "accounts/nav.html" %}')
    current = 0
    for path in PATHS:
        request = RequestFactory().get(path)
        request.user = user
        try:
            request.resolver_match = resolve(request.path)
        except Resolver404:
            request.resolver_match = None
        new = account_nav(request)
        old = reference.render(make_context({}, request))
        assert blank_random(new) == blank_random(old), path
        current += 'aria-current="page"' in new
    assert current == (1 if who == "reader" else 2)  # the marked link, where there is one
