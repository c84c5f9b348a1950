"""The Content-Security-Policy middleware (core.middleware) sends the headers
django-csp's own middleware sends, for responses that change nothing in the policy
(built once) and for those that do (django-csp's path): a nonce, a view's changes,
an exemption, excluded prefixes, a report-only policy, DEBUG's error pages and a
change of settings."""

from __future__ import annotations

import pytest
from csp.constants import NONCE, SELF
from csp.decorators import csp_exempt, csp_replace, csp_update
from csp.middleware import CSPMiddleware
from django.http import HttpResponse, HttpResponseNotFound
from django.test import RequestFactory

from watchworthy.core.middleware import ContentSecurityPolicyMiddleware


def plain(request):
    return HttpResponse("page")


def with_nonce(request):
    return HttpResponse(f"<script nonce='{request.csp_nonce}'></script>")


@csp_update({"img-src": ["https://images.example"]})
def updated(request):
    return HttpResponse("page")


@csp_replace({"script-src": [SELF, NONCE]})
def replaced(request):
    return HttpResponse(str(request.csp_nonce))


@csp_exempt()
def exempt(request):
    return HttpResponse("page")


def missing(request):
    return HttpResponseNotFound("gone")


def headers(middleware_class, view, path="/reviews/a/"):
    request = RequestFactory().get(path)
    middleware = middleware_class(view)
    response = middleware(request)
    after = request.csp_nonce
    try:
        str(after)
        guard = "open"
    except Exception as error:  # django-csp's "too late for a nonce" guard
        guard = type(error).__name__
    found = {k: v for k, v in response.items() if "Content-Security-Policy" in k}
    nonce = getattr(request, "_csp_nonce", None)
    if nonce:  # each request its own: compare the shape
        found = {k: v.replace(nonce, "NONCE") for k, v in found.items()}
    return found, guard


VIEWS = [plain, with_nonce, updated, replaced, exempt, missing]


@pytest.mark.parametrize("view", VIEWS, ids=lambda v: v.__name__)
def test_the_same_headers_as_django_csp(view, settings):
    ours, theirs = headers(ContentSecurityPolicyMiddleware, view), headers(CSPMiddleware, view)
    assert ours == theirs
    assert ours[0] or view is exempt


@pytest.mark.parametrize("view", VIEWS, ids=lambda v: v.__name__)
def test_after_a_change_of_settings(view, settings):
    headers(ContentSecurityPolicyMiddleware, plain)  # the built policy kept
    policy = {**settings.CONTENT_SECURITY_POLICY}
    policy["DIRECTIVES"] = {**policy["DIRECTIVES"], "img-src": [SELF, "https://cdn.example"]}
    policy["EXCLUDE_URL_PREFIXES"] = ["/admin/"]
    settings.CONTENT_SECURITY_POLICY = policy
    settings.CONTENT_SECURITY_POLICY_REPORT_ONLY = {"DIRECTIVES": {"default-src": [SELF]}}
    for path in ("/reviews/a/", "/admin/x/"):
        ours = headers(ContentSecurityPolicyMiddleware, view, path)
        assert ours == headers(CSPMiddleware, view, path)
    assert "cdn.example" in str(headers(ContentSecurityPolicyMiddleware, plain)[0])
    settings.DEBUG = True
    assert headers(ContentSecurityPolicyMiddleware, view) == headers(CSPMiddleware, view)
