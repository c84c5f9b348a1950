"""The real transport against a real HTTP server on loopback (allowed only with
WATCHWORTHY_FEDIVERSE_ALLOW_PRIVATE), over TLS with a test CA (trusted only through
WATCHWORTHY_FEDIVERSE_EXTRA_CA), and its refusals."""

from __future__ import annotations

import json
import ssl
import threading
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import trustme

from watchworthy.fediverse.network import (
    HttpTransport,
    NetworkError,
    _CheckedRedirects,
    fetch_json,
)

ACTOR = {"id": "x", "type": "Person"}


class Handler(BaseHTTPRequestHandler):
    received: list[tuple[str, dict[str, str], bytes]] = []

    def do_GET(self):
        body = json.dumps(ACTOR).encode()
        self.send_response(200 if self.path == "/actor" else 404)
        self.send_header("Content-Type", "application/activity+json")
        self.end_headers()
        self.wfile.write(body)

    def do_POST(self):
        length = int(self.headers["Content-Length"])
        Handler.received.append((self.path, dict(self.headers), self.rfile.read(length)))
        self.send_response(202)
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture
def server():
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


def test_get_and_post_on_loopback_when_allowed(settings, server):
    settings.WATCHWORTHY_FEDIVERSE_ALLOW_PRIVATE = True
    settings.WATCHWORTHY_FEDIVERSE_TRANSPORT = "watchworthy.fediverse.network.HttpTransport"
    assert fetch_json(f"{server}/actor", {}) == ACTOR
    with pytest.raises(NetworkError, match="404"):
        fetch_json(f"{server}/missing", {})
    answer = HttpTransport().post(f"{server}/inbox", {"X-Test": "1"}, b'{"type":"Follow"}')
    assert answer.status == 202
    path, headers, body = Handler.received[-1]
    assert (path, headers["X-Test"], body) == ("/inbox", "1", b'{"type":"Follow"}')


def test_loopback_is_refused_by_default(settings, server):
    settings.WATCHWORTHY_FEDIVERSE_ALLOW_PRIVATE = False
    with pytest.raises(NetworkError, match="not a public address"):
        HttpTransport().get(f"{server}/actor", {})


def test_a_redirect_inside_is_not_followed(settings):
    settings.WATCHWORTHY_FEDIVERSE_ALLOW_PRIVATE = False
    request = urllib.request.Request("https://peer.example/actor")
    with pytest.raises(NetworkError):
        _CheckedRedirects().redirect_request(request, None, 302, "Found", {}, "http://10.0.0.1/")


@pytest.fixture
def tls_server(server, tmp_path):
    """The same server behind TLS, its certificate from a throw-away CA; yields the
    address and the CA's PEM file."""
    authority = trustme.CA()
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    authority.issue_cert("127.0.0.1").configure_cert(context)
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    httpd.socket = context.wrap_socket(httpd.socket, server_side=True)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    ca = tmp_path / "ca.pem"
    authority.cert_pem.write_to_path(str(ca))
    yield f"https://127.0.0.1:{httpd.server_address[1]}", str(ca)
    httpd.shutdown()
    httpd.server_close()


def test_a_certificate_from_an_unknown_authority_is_refused(settings, tls_server):
    settings.WATCHWORTHY_FEDIVERSE_ALLOW_PRIVATE = True
    settings.WATCHWORTHY_FEDIVERSE_EXTRA_CA = ""
    address, _ = tls_server
    with pytest.raises(NetworkError, match="CERTIFICATE_VERIFY_FAILED"):
        HttpTransport().get(f"{address}/actor", {})


def test_the_extra_ca_is_trusted_when_named(settings, tls_server):
    settings.WATCHWORTHY_FEDIVERSE_ALLOW_PRIVATE = True
    address, ca = tls_server
    settings.WATCHWORTHY_FEDIVERSE_EXTRA_CA = ca
    assert fetch_json(f"{address}/actor", {}) == ACTOR
    assert HttpTransport().post(f"{address}/inbox", {}, b"{}").status == 202
