"""The parts of a scaled-out site, as real processes on loopback, for the tests that
start app servers (tests/production/test_two_instances.py):

* :class:`AppServer`: one app server started by ``scripts/serve.sh`` — the command
  ``make serve`` runs (migrations, ``collectstatic``, then granian) — on a free port,
  its output in a log file; :meth:`AppServer.worker_holding` finds the granian
  worker process that owns a given TCP connection, by reading ``/proc``.
* :class:`LinkToDatabase`: a TCP relay between an app server and PostgreSQL that the
  test can cut (refuse new connections, reset the open ones) and restore on the same
  port: a failed network link, without touching the machine's PostgreSQL.
* :class:`Browser`: a reader's browser as a load balancer forwards it: cookies kept
  per host (a browser sends them to every port of 127.0.0.1, as readers behind one
  balancer reach every server under one name), the reader's address in
  ``X-Forwarded-For``, and forms sent with the fields the page put in them.
"""

from __future__ import annotations

import contextlib
import http.client
import json
import os
import secrets
import signal
import socket
import subprocess
import threading
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode, urljoin, urlsplit

from tests.dom import Element

REPO = Path(__file__).resolve().parent.parent.parent
HOST = "127.0.0.1"


def free_port() -> int:
    """A loopback port nothing listens on now (bound, then released)."""
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return int(probe.getsockname()[1])


def wait_for(condition, *, timeout: float, interval: float = 0.1, what: str):
    """Poll ``condition()`` until it returns something true; that value. Fails with
    ``what`` after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"after {timeout:.0f} s still waiting for {what}")
        time.sleep(interval)


# --- an app server -----------------------------------------------------------------------


def child_pids(parent: int) -> list[int]:
    """The processes whose parent is ``parent`` (Linux /proc)."""
    children = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:  # exited meanwhile
            continue
        # "pid (comm) state ppid ...": comm may hold spaces and parentheses.
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        if ppid == parent:
            children.append(int(entry.name))
    return sorted(children)


def _socket_inodes(pid: int) -> set[str]:
    inodes = set()
    fds = Path(f"/proc/{pid}/fd")
    try:
        entries = list(fds.iterdir())
    except OSError:
        return inodes
    for fd in entries:
        try:
            target = os.readlink(fd)
        except OSError:
            continue
        if target.startswith("socket:["):
            inodes.add(target[len("socket:[") : -1])
    return inodes


def _tcp_inodes_by_local_port(port: int) -> set[str]:
    """Inodes of the TCP sockets whose local end is ``port`` (IPv4 and IPv6)."""
    found = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            lines = Path(table).read_text().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            fields = line.split()
            if int(fields[1].rsplit(":", 1)[1], 16) == port:
                found.add(fields[9])
    return found


@dataclass
class AppServer:
    name: str
    env: dict[str, str]
    log: Path
    port: int = field(default_factory=free_port)
    workers: int = 2
    process: subprocess.Popen[bytes] | None = None

    @property
    def base(self) -> str:
        return f"http://{HOST}:{self.port}"

    def url(self, path: str) -> str:
        return urljoin(self.base, path)

    def start(self, *, timeout: float = 120) -> AppServer:
        """``scripts/serve.sh`` with this server's environment; returns once
        ``/healthz`` answers 200."""
        return self.launch().wait_until_ready(timeout=timeout)

    def launch(self) -> AppServer:
        """Start ``scripts/serve.sh``; do not wait for it."""
        with open(self.log, "ab") as log:
            self.process = subprocess.Popen(  # noqa: S603 - our own script
                ["bash", str(REPO / "scripts" / "serve.sh")],  # noqa: S607 - bash on PATH
                env={
                    **self.env,
                    "HOST": HOST,
                    "PORT": str(self.port),
                    "WEB_WORKERS": str(self.workers),
                },
                cwd=REPO,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # its own process group, stopped as one
            )
        return self

    def wait_until_ready(self, *, timeout: float = 120) -> AppServer:
        def healthy() -> bool:
            if self.process is not None and self.process.poll() is not None:
                raise AssertionError(
                    f"{self.name} exited with {self.process.returncode}:\n{self.log_tail()}"
                )
            try:
                return self.health()[0] == 200
            except OSError:
                return False

        wait_for(healthy, timeout=timeout, interval=0.2, what=f"{self.name} to answer /healthz")
        return self

    def health(self) -> tuple[int, dict[str, str]]:
        """``GET /healthz`` as a load balancer sends it: its status and body."""
        connection = http.client.HTTPConnection(HOST, self.port, timeout=15)
        try:
            connection.request("GET", "/healthz")
            response = connection.getresponse()
            return response.status, json.loads(response.read() or b"{}")
        finally:
            connection.close()

    @property
    def pid(self) -> int:
        """granian's main process (serve.sh ends by exec-ing it)."""
        assert self.process is not None
        return self.process.pid

    def worker_pids(self) -> list[int]:
        return child_pids(self.pid)

    def worker_holding(self, local_port: int) -> int | None:
        """The worker process that owns the TCP connection whose local end is
        ``local_port`` (e.g. the client side of a database connection)."""
        inodes = _tcp_inodes_by_local_port(local_port)
        holders = [pid for pid in self.worker_pids() if _socket_inodes(pid) & inodes]
        assert len(holders) <= 1, holders
        return holders[0] if holders else None

    def workers_started(self) -> int:
        """How many times a worker has finished loading the site (granian logs
        "Started worker-N" then; a respawned worker adds one)."""
        try:
            text = self.log.read_text(errors="replace")
        except OSError:
            return 0
        return sum(1 for line in text.splitlines() if line.startswith("[INFO] Started worker-"))

    def stop(self) -> None:
        """SIGTERM to the process group we started (granian stops its workers after
        the requests in hand), SIGKILL if it is still there 30 s later."""
        if self.process is None or self.process.poll() is not None:
            return
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)

    def log_tail(self, lines: int = 60) -> str:
        try:
            return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return "(no log)"


# --- a link that can fail ------------------------------------------------------------------


class LinkToDatabase:
    """Relays TCP connections from ``127.0.0.1:<port>`` to ``upstream``, until cut."""

    def __init__(self, upstream: tuple[str, int]) -> None:
        self.upstream = upstream
        self.port = free_port()
        self._listener: socket.socket | None = None
        self._open: set[socket.socket] = set()
        self._lock = threading.Lock()
        self._running = threading.Event()

    def start(self) -> LinkToDatabase:
        listener = socket.create_server((HOST, self.port))  # SO_REUSEADDR: same port again
        listener.settimeout(0.1)
        self._listener = listener
        self._running.set()
        threading.Thread(target=self._accept, args=(listener,), daemon=True).start()
        return self

    def _accept(self, listener: socket.socket) -> None:
        while self._running.is_set():
            try:
                client, _ = listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            try:
                server = socket.create_connection(self.upstream, timeout=5)
            except OSError:
                client.close()
                continue
            client.settimeout(None)
            server.settimeout(None)
            with self._lock:
                self._open |= {client, server}
            for source, target in ((client, server), (server, client)):
                threading.Thread(target=self._pump, args=(source, target), daemon=True).start()
        listener.close()

    def _pump(self, source: socket.socket, target: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                target.sendall(data)
        except OSError:
            pass
        finally:
            for sock in (source, target):
                with self._lock:
                    self._open.discard(sock)
                with contextlib.suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)
                sock.close()

    def cut(self) -> None:
        """Refuse new connections and reset the open ones, as a failed link does."""
        self._running.clear()
        if self._listener is not None:
            self._listener.close()
            self._listener = None
        with self._lock:
            live, self._open = list(self._open), set()
        for sock in live:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
            sock.close()

    def restore(self) -> None:
        self.start()


# --- a reader's browser --------------------------------------------------------------------


@dataclass
class Response:
    status_code: int
    headers: http.client.HTTPMessage
    content: bytes

    def header(self, name: str) -> str:
        return self.headers.get(name, "")

    @property
    def text(self) -> str:
        return self.content.decode(errors="replace")


@dataclass
class Browser:
    """``client`` is the reader's address, which the balancer (the test, on
    127.0.0.1: WATCHWORTHY_TRUSTED_PROXIES) reports in ``X-Forwarded-For``."""

    client: str
    cookies: dict[str, str] = field(default_factory=dict)

    def twin(self, client: str) -> Browser:
        """The same browser (same cookies: same session) seen from another address."""
        return Browser(client, dict(self.cookies))

    def get(self, url: str) -> Response:
        return self._send("GET", url)

    def post(
        self,
        url: str,
        fields: Iterable[tuple[str, str]],
        *,
        files: Mapping[str, tuple[str, bytes, str]] | None = None,
        multipart: bool = False,
    ) -> Response:
        """Send a form from a page of the same site (the ``Origin`` a browser adds).
        ``files``: field name -> (file name, bytes, content type)."""
        parts = urlsplit(url)
        headers = {"Origin": f"{parts.scheme}://{parts.netloc}"}
        if multipart or files:
            body, content_type = _multipart(list(fields), dict(files or {}))
        else:
            body, content_type = (
                urlencode(list(fields)).encode(),
                ("application/x-www-form-urlencoded"),
            )
        headers["Content-Type"] = content_type
        return self._send("POST", url, body=body, headers=headers)

    def _send(
        self, method: str, url: str, *, body: bytes | None = None, headers: dict | None = None
    ) -> Response:
        parts = urlsplit(url)
        sent = {
            "User-Agent": "Watchworthy two-server test",
            "Accept": "text/html,*/*",
            "X-Forwarded-For": self.client,
            **(headers or {}),
        }
        if self.cookies:
            sent["Cookie"] = "; ".join(f"{name}={value}" for name, value in self.cookies.items())
        connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=60)
        try:
            path = parts.path + (f"?{parts.query}" if parts.query else "")
            connection.request(method, path or "/", body=body, headers=sent)
            response = connection.getresponse()
            content = response.read()
        finally:
            connection.close()
        for line in response.headers.get_all("Set-Cookie") or []:
            self._keep(line)
        return Response(response.status, response.headers, content)

    def _keep(self, set_cookie: str) -> None:
        # Secure cookies are kept and sent back over http: browsers treat loopback
        # addresses as a secure context.
        jar: SimpleCookie = SimpleCookie()
        jar.load(set_cookie)
        for name, morsel in jar.items():
            if morsel["max-age"] == "0" or (morsel.value == "" and morsel["expires"]):
                self.cookies.pop(name, None)
            else:
                self.cookies[name] = morsel.value


def form_fields(form: Element) -> list[tuple[str, str]]:
    """What a browser sends for ``form`` untouched: every named input, textarea and
    select with its current value (checked boxes only; file inputs as no file)."""
    fields: list[tuple[str, str]] = []
    for element in form.iter():
        name = element.attrs.get("name")
        if not name or "disabled" in element.attrs:
            continue
        if element.tag == "input":
            kind = element.attrs.get("type", "text").lower()
            if kind in {"submit", "button", "image", "reset", "file"}:
                continue
            if kind in {"checkbox", "radio"} and "checked" not in element.attrs:
                continue
            fields.append((name, element.attrs.get("value", "on" if kind == "checkbox" else "")))
        elif element.tag == "textarea":
            fields.append((name, element.raw_text.removeprefix("\n")))
        elif element.tag == "select":
            options = element.find_all("option")
            chosen = [o for o in options if "selected" in o.attrs]
            if not chosen and options and "multiple" not in element.attrs:
                chosen = options[:1]
            fields.extend((name, o.attrs.get("value", o.text)) for o in chosen)
    return fields


def replace_fields(fields: list[tuple[str, str]], **values: str) -> list[tuple[str, str]]:
    """``fields`` with the named ones set to ``values`` (added when absent)."""
    kept = [(name, value) for name, value in fields if name not in values]
    return kept + list(values.items())


def _multipart(
    fields: list[tuple[str, str]], files: dict[str, tuple[str, bytes, str]]
) -> tuple[bytes, str]:
    boundary = "----watchworthy" + secrets.token_hex(12)
    chunks: list[bytes] = []
    for name, value in fields:
        chunks.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'.encode()
            + value.encode()
            + b"\r\n"
        )
    for name, (filename, data, content_type) in files.items():
        chunks.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; '
            f'filename="{filename}"\r\nContent-Type: {content_type}\r\n\r\n'.encode()
            + data
            + b"\r\n"
        )
    chunks.append(f"--{boundary}--\r\n".encode())
    return b"".join(chunks), f"multipart/form-data; boundary={boundary}"
