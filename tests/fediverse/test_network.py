"""The real transport against a real HTTP server on loopback (allowed only with
WATCHWORTHY_FEDIVERSE_ALLOW_PRIVATE), and its refusals."""

from __future__ import annotations

import json
import threading
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

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
