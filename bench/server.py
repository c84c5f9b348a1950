"""A real Watchworthy server for the benchmarks: production settings under the
production server (granian, as ``make serve`` runs it; ``BENCH_SERVER=gunicorn`` for
gunicorn's sync workers, the server of issue 15's first measurement).

Used by ``bench/compare.py`` (``make bench-compare``) and ``bench/posting.py`` (the
posting part of ``make bench``). Each server gets its own data folder (SQLite file,
cache folder) or the PostgreSQL database it is given, a freshly generated secret key,
collected static files, and listens on a loopback port only.
"""

from __future__ import annotations

import os
import secrets
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from email.message import Message
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HOST = "127.0.0.1"


def work_folder(prefix: str) -> Path:
    """A fresh folder for a benchmark server's data (SQLite file, cache folder, static
    files): under ``BENCH_WORK_DIR``, by default ``var/bench/`` in the checkout (on the
    disk a site's data folder is on), not the system's temporary folder, which may be
    another filesystem with other costs (here: /tmp writes a cache entry ~9x slower)."""
    import tempfile

    parent = Path(os.environ.get("BENCH_WORK_DIR") or ROOT / "var" / "bench")
    parent.mkdir(parents=True, exist_ok=True)
    return Path(tempfile.mkdtemp(prefix=prefix, dir=parent))


POSTGRES_SOCKET = Path("/var/run/postgresql")


def postgres_url(database: str) -> str:
    """``BENCH_PG_URL``, else this machine's PostgreSQL as docs/deploy.md connects to
    it: through its socket when the socket is there (no TCP), else on 127.0.0.1:5432;
    user postgres."""
    if url := os.environ.get("BENCH_PG_URL", "").strip():
        return url
    if (POSTGRES_SOCKET / ".s.PGSQL.5432").exists():
        return f"postgres://postgres@{str(POSTGRES_SOCKET).replace('/', '%2F')}/{database}"
    return f"postgres://postgres@127.0.0.1:5432/{database}"


def default_workers() -> int:
    """As scripts/serve.sh: one worker per core, at least two, unless WEB_WORKERS says."""
    value = os.environ.get("WEB_WORKERS", "").strip()
    return int(value) if value.isdigit() and int(value) > 0 else max(2, os.cpu_count() or 1)


SERVERS = ("granian", "gunicorn")


def server_kind() -> str:
    """Which WSGI server: ``BENCH_SERVER``, granian (production's, scripts/serve.sh) by
    default."""
    kind = os.environ.get("BENCH_SERVER", "granian").strip() or "granian"
    if kind not in SERVERS:
        raise SystemExit(f"BENCH_SERVER must be one of {', '.join(SERVERS)}, not {kind!r}")
    return kind


def server_command(kind: str, port: int, workers: int) -> list[str]:
    """The command line of one server: the same worker count for both, no access log
    (the harness's nginx logs nothing either)."""
    if kind == "gunicorn":
        return [sys.executable, "-m", "gunicorn", "config.wsgi:application",
                f"--bind={HOST}:{port}", f"--workers={workers}",
                "--worker-class=sync", "--timeout=120"]  # fmt: skip
    granian = str(Path(sys.executable).parent / "granian")
    return [granian, "--interface", "wsgi", "config.wsgi:application",
            "--host", HOST, "--port", str(port), "--workers", str(workers),
            "--blocking-threads", "1",  # as scripts/serve.sh
            "--respawn-failed-workers", "--workers-kill-timeout", "30"]  # fmt: skip


def production_env(
    *,
    data_dir: Path,
    static_root: Path,
    database_url: str = "",
    page_cache: bool = False,
    redis_url: str = "",
    extra: dict[str, str] | None = None,
) -> dict[str, str]:
    """The environment of a production server (config/settings.py's requirements):
    nothing inherited from the caller's DJANGO_* / WATCHWORTHY_* / database settings."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "WATCHWORTHY_"))
        and key not in {"DATABASE_URL", "REDIS_URL", "DATABASE_CONN_MAX_AGE"}
    }
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "WATCHWORTHY_ENV": "production",
            "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
            "DJANGO_ALLOWED_HOSTS": HOST,
            "DJANGO_SECURE_SSL_REDIRECT": "0",  # plain http on loopback, no proxy in front
            # Required in production; used only where no request names the address.
            "WATCHWORTHY_SITE_URL": f"http://{HOST}",
            "WATCHWORTHY_DATA_DIR": str(data_dir),
            "WATCHWORTHY_STATIC_ROOT": str(static_root),
            "WATCHWORTHY_PAGE_CACHE": "1" if page_cache else "0",
            # Mail is printed to the server's log (EMAIL_URL has no "nowhere" on
            # purpose); the posting bench sends none to its verified regulars anyway.
            "EMAIL_URL": "console://",
            "WATCHWORTHY_LOG_LEVEL": "WARNING",
        }
    )
    if database_url:
        env["DATABASE_URL"] = database_url
        # PostgreSQL as docs/deploy.md sets it up: workers keep connections 60 s (a new
        # one costs ~10 ms a request). SQLite keeps its connection by default.
        env["DATABASE_CONN_MAX_AGE"] = "60"
    if redis_url:
        env["REDIS_URL"] = redis_url
    if os.environ.get("DATABASE_CONN_MAX_AGE"):
        env["DATABASE_CONN_MAX_AGE"] = os.environ["DATABASE_CONN_MAX_AGE"]
    env.update(extra or {})
    return env


def manage(env: dict[str, str], *args: str) -> None:
    """``manage.py`` with the server's environment (migrate, collectstatic)."""
    subprocess.run(  # noqa: S603 - our own interpreter and manage.py
        [sys.executable, str(ROOT / "manage.py"), *args],
        env=env,
        cwd=ROOT,
        check=True,
        stdout=subprocess.DEVNULL,
    )


def run_python(env: dict[str, str], *args: str) -> None:
    subprocess.run([sys.executable, *args], env=env, cwd=ROOT, check=True)  # noqa: S603


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


@dataclass
class Server:
    env: dict[str, str]
    port: int = field(default_factory=free_port)
    workers: int = field(default_factory=default_workers)
    log: Path | None = None
    kind: str = field(default_factory=server_kind)
    process: subprocess.Popen[bytes] | None = None

    @property
    def base(self) -> str:
        return f"http://{HOST}:{self.port}"

    def start(self) -> Server:
        log = open(self.log, "ab") if self.log else subprocess.DEVNULL  # noqa: SIM115
        self.process = subprocess.Popen(  # noqa: S603 - a server from our own venv
            server_command(self.kind, self.port, self.workers),
            env=self.env,
            cwd=ROOT,
            stdout=log,
            stderr=log,
            start_new_session=True,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(
                    f"{self.kind} exited with {self.process.returncode} (log: {self.log})"
                )
            try:
                urllib.request.urlopen(self.base + "/", timeout=10).close()  # noqa: S310
                return self
            except urllib.error.HTTPError:
                return self  # it answers
            except OSError:
                time.sleep(0.2)
        self.stop()
        raise RuntimeError(f"{self.kind} did not answer on {self.base} within 60 s")

    def stop(self) -> None:
        """Stop the server's main process we started (it stops its workers), by its pid."""
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)  # its own session: only ours
            self.process.wait()

    def cpu_seconds(self) -> float:
        """CPU time (user + system) the master and its workers have used so far."""
        if self.process is None:
            return 0.0
        tick = os.sysconf("SC_CLK_TCK")
        total = 0
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                fields = stat.read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue  # a process that just ended
            pid, parent = int(stat.parent.name), int(fields[1])
            if self.process.pid in (pid, parent):
                total += int(fields[11]) + int(fields[12])  # utime, stime
        return total / tick

    def __enter__(self) -> Server:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def stop_on_sigterm() -> None:
    """A SIGTERM unwinds like Ctrl-C, so `with Server(...)` blocks stop the server."""
    import signal

    def handler(signum: int, frame: object) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, handler)


def get(url: str, headers: dict[str, str] | None = None) -> tuple[int, bytes, dict[str, str]]:
    """Status, body and headers (names in lower case: granian sends them so, nginx
    capitalised, and a name's case means nothing in HTTP)."""
    request = urllib.request.Request(url, headers=headers or {})  # noqa: S310
    try:
        with urllib.request.urlopen(request, timeout=120) as response:  # noqa: S310
            return response.status, response.read(), _lower(response.headers)
    except urllib.error.HTTPError as error:
        return error.code, error.read(), _lower(error.headers)


def _lower(headers: Message) -> dict[str, str]:
    return {name.lower(): value for name, value in headers.items()}


def reset_postgres(url: str) -> None:
    """Drop and create the (dedicated) benchmark database named in ``url``."""
    from urllib.parse import urlsplit, urlunsplit

    import psycopg

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    if not name.replace("_", "").isalnum():
        raise SystemExit(f"refusing to reset a database named {name!r}")
    admin = urlunsplit((parts.scheme, parts.netloc, "/postgres", "", ""))
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{name}"')


def postgres_reachable(url: str) -> str | None:
    """None when the server in ``url`` answers, else why not (one line)."""
    from urllib.parse import urlsplit, urlunsplit

    import psycopg

    parts = urlsplit(url)
    admin = urlunsplit((parts.scheme, parts.netloc, "/postgres", "", ""))
    try:
        with psycopg.connect(admin, connect_timeout=3):
            return None
    except psycopg.Error as error:
        return str(error).strip().splitlines()[0] if str(error).strip() else "unreachable"
