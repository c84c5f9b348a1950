"""The pieces of the interop tests: a throw-away certificate authority, the site served
over TLS on loopback by Django's live-server thread, and the Fedify peer
(``fedify_peer/peer.mjs``) as a Node process.

Without Node.js or the peer's npm packages (``make fedify-peer``) the tests skip with
the reason, unless ``WATCHWORTHY_REQUIRE_NODE=1`` (CI), where that is a failure.
"""

from __future__ import annotations

import json
import os
import shutil
import ssl
import subprocess
import threading
import urllib.error
import urllib.request
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import trustme
from django.contrib.staticfiles.handlers import StaticFilesHandler
from django.core.servers.basehttp import ThreadedWSGIServer
from django.db import connections
from django.test.testcases import LiveServerThread, QuietWSGIRequestHandler

PEER_DIR = Path(__file__).resolve().parent / "fedify_peer"
FEDIFY = PEER_DIR / "node_modules" / "@fedify" / "fedify" / "package.json"
START_SECONDS = 20


def _missing(reason: str) -> None:
    if os.environ.get("WATCHWORTHY_REQUIRE_NODE") == "1":
        pytest.fail(f"the Fedify interop tests are required but {reason}")
    pytest.skip(reason)


def node_or_skip() -> str:
    node = shutil.which("node")
    if node is None:
        _missing("Node.js is not installed (the Fedify peer runs on it)")
    elif not FEDIFY.exists():
        _missing(f"the Fedify peer's packages are not installed in {PEER_DIR} (make fedify-peer)")
    return str(node)


@dataclass(frozen=True)
class Certificates:
    """One CA; one certificate for ``localhost`` and ``127.0.0.1`` that both sides
    serve; their PEM files."""

    ca: str
    cert: str
    key: str
    server_context: ssl.SSLContext
    client_context: ssl.SSLContext


def make_certificates(folder: Path) -> Certificates:
    authority = trustme.CA()
    issued = authority.issue_cert("localhost", "127.0.0.1")
    paths = {name: str(folder / f"{name}.pem") for name in ("ca", "cert", "key")}
    authority.cert_pem.write_to_path(paths["ca"])
    issued.cert_chain_pems[0].write_to_path(paths["cert"])
    issued.private_key_pem.write_to_path(paths["key"])
    server = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    issued.configure_cert(server)
    client = ssl.create_default_context(cafile=paths["ca"])
    return Certificates(**paths, server_context=server, client_context=client)


# --- the site over TLS -------------------------------------------------------------


class _HttpsRequestHandler(QuietWSGIRequestHandler):
    def get_environ(self) -> dict[str, Any]:
        environ = super().get_environ()
        environ["wsgi.url_scheme"] = "https"
        environ["HTTPS"] = "on"
        return environ


class _TlsLiveServerThread(LiveServerThread):
    """Django's live server (a threaded WSGI server running the site) with its
    listening socket wrapped in TLS."""

    def __init__(self, context: ssl.SSLContext, **kwargs: Any) -> None:
        self.tls_context = context
        super().__init__(**kwargs)

    def _create_server(self, connections_override: Any = None) -> ThreadedWSGIServer:
        server = ThreadedWSGIServer(
            (self.host, self.port),
            _HttpsRequestHandler,
            allow_reuse_address=False,
            connections_override=connections_override,
        )
        server.socket = self.tls_context.wrap_socket(server.socket, server_side=True)
        return server


@contextmanager
def tls_live_server(context: ssl.SSLContext):
    """The site at https://localhost:PORT while the block runs (the test's database,
    shared with the thread when it is SQLite in memory, as pytest-django does)."""
    shared = {
        conn.alias: conn
        for conn in connections.all()
        if conn.vendor == "sqlite" and conn.is_in_memory_db()
    }
    thread = _TlsLiveServerThread(
        context,
        host="127.0.0.1",
        static_handler=StaticFilesHandler,
        connections_override=shared,
    )
    thread.daemon = True
    for conn in shared.values():
        conn.inc_thread_sharing()
    thread.start()
    thread.is_ready.wait()
    if thread.error:
        raise thread.error
    try:
        yield f"https://localhost:{thread.port}"
    finally:
        thread.terminate()
        for conn in shared.values():
            conn.dec_thread_sharing()


# --- the peer ----------------------------------------------------------------------


class Peer:
    """The Fedify server: ``call("follow", handle=…)`` and the others of peer.mjs,
    and ``log()`` of what it received, handled and sent."""

    def __init__(self, origin: str, context: ssl.SSLContext, process: subprocess.Popen[str]):
        self.origin = origin
        self.context = context
        self.process = process

    @property
    def alice(self) -> str:
        return f"{self.origin}/users/alice"

    def _open(self, request: urllib.request.Request) -> dict[str, Any]:
        try:
            with urllib.request.urlopen(request, context=self.context, timeout=30) as answer:  # noqa: S310
                return json.loads(answer.read())
        except urllib.error.HTTPError as error:
            raise AssertionError(f"the peer failed: {error.read().decode()[:3000]}") from error

    def call(self, action: str, **fields: Any) -> dict[str, Any]:
        request = urllib.request.Request(  # noqa: S310 - https, the peer's own address
            f"{self.origin}/control/{action}",
            data=json.dumps(fields).encode(),
            headers={"Content-Type": "application/json"},
            method="POST",
        )
        return self._open(request)

    def log(self) -> dict[str, list[dict[str, Any]]]:
        return self._open(urllib.request.Request(f"{self.origin}/control/log"))  # noqa: S310


@contextmanager
def fedify_peer(
    node: str, certificates: Certificates, *, knock: str, stderr_path: Path, refuse: str = ""
):
    """Start peer.mjs (``refuse``: a signature format its inboxes answer with 401);
    yields a :class:`Peer` once it prints its address."""
    env = {
        "PATH": os.environ.get("PATH", ""),
        "HOME": str(stderr_path.parent),
        "NODE_EXTRA_CA_CERTS": certificates.ca,
    }
    command = [node, "peer.mjs", "--cert", certificates.cert, "--key", certificates.key]
    with stderr_path.open("w") as stderr:
        process = subprocess.Popen(  # noqa: S603 - our own script, fixed arguments
            [*command, "--knock", knock, "--refuse", refuse],
            cwd=PEER_DIR,
            env=env,
            stdin=subprocess.PIPE,  # closed when this process ends: the peer then exits
            stdout=subprocess.PIPE,
            stderr=stderr,
            text=True,
        )
        try:
            origin = _ready_line(process)
            yield Peer(origin, certificates.client_context, process)
        finally:
            assert process.stdin is not None
            process.stdin.close()
            process.terminate()
            try:
                process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
            assert process.stdout is not None
            process.stdout.close()


def _ready_line(process: subprocess.Popen[str]) -> str:
    """The peer's address from its "ready https://…" line, or a failure with why."""
    lines: list[str] = []

    def read() -> None:
        assert process.stdout is not None
        lines.append(process.stdout.readline())

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    reader.join(START_SECONDS)
    line = lines[0] if lines else ""
    if not line.startswith("ready https://"):
        raise AssertionError(
            f"the Fedify peer did not start in {START_SECONDS} s "
            f"(exit {process.poll()}, said {line!r}); see its stderr"
        )
    return line.split()[1]
