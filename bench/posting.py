"""Comment posts per second through the real form, against a production server.

    python bench/posting.py sqlite|postgresql

A fresh database (a SQLite file in a new folder under ``var/bench/`` or
BENCH_WORK_DIR, or BENCH_PG_URL (by default watchworthy_bench on this machine,
through its socket when there is one, as docs/deploy.md connects), which is dropped
and re-created and used with DATABASE_CONN_MAX_AGE=60 as docs/deploy.md sets
PostgreSQL up), ``migrate``, then the production server of bench/server.py
(granian, or BENCH_SERVER=gunicorn; one worker per core, at least two, or
WEB_WORKERS) on a loopback port, with the production cache default (the cache
folder, beside the database), and, as docs/deploy.md runs a site
(``WATCHWORTHY_TASKS=database``), ``manage.py db_worker`` beside it: the mail about
each comment is a task row the worker sends, and its CPU is measured and printed
apart from the server's (``BENCH_TASKS=immediate``: no worker, mail in the request).
``BENCH_POSTING_REDIS_URL`` (a Redis database it may fill) runs the server with Redis
as its cache, as the scale-out set-up of docs/deploy.md does.

16 clients, each a known commenter whose address is verified (``VerifiedAddress``)
and who has an approved comment, so their comments are approved at once, as a
regular's are:

1. *untimed:* each client loads the review page as many times as it will post and
   keeps the comment form's signed token from each load (one token per form, as a
   browser gets), then waits until the tokens are older than the form's minimum fill
   time (3 s), so no post is taken for a robot;
2. *timed:* the 16 clients start together and POST ``/reviews/<slug>/comments/`` with
   the form's fields and token and ``Sec-Fetch-Site: same-origin`` (what a browser
   sends for a form on our own page; guests' forms are checked by it), one request at
   a time each, a new connection per request;
3. every answered 302 (accepted) is looked up afterwards: each accepted post must be
   in the database, approved, and the thread's numbers must run 1..n without a gap.

On PostgreSQL the fresh database is analyzed once its content is in (:func:`analyze`),
as autovacuum would have done on a running site.

The server runs with the page cache off only so that each page load in step 1 renders
a fresh token (cached copies share one, which a client can spend once); the write
path is the same either way — the change signal forgets cached pages on every post.
The rate limits (5 posts a minute per address and per e-mail by default) are raised
for this server through WATCHWORTHY_COMMENT_RATE_PER_IP / _PER_EMAIL: all clients
come from 127.0.0.1. Prints one line, with the load average before and after (the
machine's other work takes CPU from the server); numbers, not pass/fail.
"""

from __future__ import annotations

import http.client
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.server import (
    HOST,
    Server,
    postgres_reachable,
    postgres_url,
    production_env,
    reset_postgres,
    stop_on_sigterm,
    work_folder,
)

CLIENTS = int(os.environ.get("BENCH_POST_CLIENTS", "16"))
POSTS_PER_CLIENT = int(os.environ.get("BENCH_POSTS_PER_CLIENT", "60"))
PG_URL = postgres_url("watchworthy_bench")
# How mail is sent: "database" (docs/deploy.md: a row, sent by the worker) or "immediate".
TASKS = os.environ.get("BENCH_TASKS", "database")
SLUG = "posting-bench"
TOKEN = re.compile(rb'name="token" value="([^"]+)"')
BODY = (
    "The second half earns its ending — the ferry scene in episode 7 especially. "
    "Did anyone else catch the callback to the pilot?"
)


def email(client: int) -> str:
    return f"regular{client}@bench.example"


def prepare() -> str:
    """The review to post on and the 16 verified regulars; returns the page path."""
    from datetime import UTC, datetime

    from bench.content import critic, make_review, post_comments
    from watchworthy.discussion.models import VerifiedAddress

    author = critic()
    earlier = make_review(
        slug="posting-bench-earlier",
        title="Earlier",
        body="An earlier review.",
        date=datetime(2024, 1, 1, tzinfo=UTC),
        author=author,
    )
    regulars = [
        {
            "id": client + 1,
            "parent": 0,
            "author": f"Regular {client}",
            "email": email(client),
            "date": datetime(2024, 1, 2, tzinfo=UTC),
            "content": "First!",
        }
        for client in range(CLIENTS)
    ]
    post_comments(earlier, regulars)
    for client in range(CLIENTS):
        VerifiedAddress.verify(email(client))
    review = make_review(
        slug=SLUG,
        title="Posting benchmark",
        body="A review people argue about.",
        date=datetime(2024, 1, 3, tzinfo=UTC),
        author=author,
    )
    analyze()
    return str(review.get_absolute_url())


def analyze() -> None:
    """Statistics for PostgreSQL's planner, as a running site's autovacuum keeps them
    (by default it analyzes a table once 50 rows and a tenth of it have changed, and
    the planner scales the statistics to the table's size as it grows): this
    machine's PostgreSQL runs with autovacuum off, so a fresh database would be
    planned as empty tables for the whole run — the thread's next number then scans
    the review's comments instead of reading the partial unique index (0.36 against
    0.02 ms a post at 960 comments)."""
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")


def request(port: int, method: str, path: str, body: bytes = b"", headers=None):
    connection = http.client.HTTPConnection(HOST, port, timeout=120)
    try:
        connection.request(method, path, body=body, headers=headers or {})
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


def form_token(port: int, path: str) -> bytes:
    """Load the review page as a reader would; the comment form's token on it."""
    status, page = request(port, "GET", path)
    found = TOKEN.search(page)
    if status != 200 or not found:
        raise SystemExit(f"no comment form token on {path} (HTTP {status})")
    return found.group(1)


def main() -> None:
    stop_on_sigterm()
    database = sys.argv[1] if len(sys.argv) > 1 else "sqlite"
    if database not in {"sqlite", "postgresql"}:
        raise SystemExit("usage: python bench/posting.py sqlite|postgresql")
    if database == "postgresql" and (why := postgres_reachable(PG_URL)):
        print(f"{database:>10}: SKIPPED — PostgreSQL not reachable ({why})")
        return
    work = work_folder("watchworthy-posting-")
    try:
        measure(database, work)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def start_site(database: str, work: Path) -> dict[str, str]:
    """The production environment the posting benchmarks run (a fresh database, the
    rate limits raised, mail as task rows), set up in this process too, with Django
    started on it; returns the environment for a server. bench/posting_profile.py
    uses the same."""
    database_url = PG_URL if database == "postgresql" else ""
    huge = "1000000/60"
    env = production_env(
        data_dir=work / "data",
        static_root=work / "static",
        database_url=database_url,
        redis_url=os.environ.get("BENCH_POSTING_REDIS_URL", ""),
        page_cache=False,
        extra={
            "WATCHWORTHY_COMMENT_RATE_PER_IP": huge,
            "WATCHWORTHY_COMMENT_RATE_PER_EMAIL": huge,
            # As docs/deploy.md runs a site: mail is a task row that the worker sends.
            "WATCHWORTHY_TASKS": TASKS,
        },
    )
    if database_url:
        reset_postgres(database_url)
    os.environ.update(env)
    for name in ("DATABASE_URL", "REDIS_URL"):
        if name not in env:
            os.environ.pop(name, None)
    import django

    django.setup()
    return env


def measure(database: str, work: Path) -> None:
    env = start_site(database, work)
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    call_command("collectstatic", "--noinput", verbosity=0)
    path = prepare()
    from django.db import connection

    connection.close()  # the server's workers write from here on

    with Server(env, log=work / "server.log") as server, Worker(env, work) as worker:
        tokens = collect_tokens(server.port, path)
        time.sleep(3.5)  # older than the form's minimum fill time (3 s)
        cpu_before, load_before = server.cpu_seconds(), os.getloadavg()[0]
        worker_before, postgres_before = worker.cpu_seconds(), postgres_cpu_seconds()
        machine_before = machine_times()
        accepted, refused, seconds, latencies, clients_cpu = post_all(server.port, path, tokens)
        cpu, load_after = server.cpu_seconds() - cpu_before, os.getloadavg()[0]
        machine = machine_use(machine_before, machine_times())
        drained = worker.drain()
        worker_cpu = worker.cpu_seconds() - worker_before
        postgres = postgres_cpu_seconds() - postgres_before
    verdict = verify(accepted)
    per_post = max(1, len(accepted))
    worker_note = (
        f"; worker CPU {worker_cpu * 1000 / per_post:.1f} ms per post (mail tasks"
        f"{'' if drained else ', queue NOT drained in 120 s'})"
        if TASKS == "database"
        else "; mail sent in the request (WATCHWORTHY_TASKS=immediate)"
    )
    worker_note += f"; clients CPU {clients_cpu * 1000 / per_post:.2f} ms per post{machine}"
    if database == "postgresql" and postgres:
        worker_note += (
            f"; PostgreSQL CPU {postgres * 1000 / per_post:.1f} ms per post (every "
            "postgres process on this machine, server and worker sessions)"
        )
    total = CLIENTS * POSTS_PER_CLIENT
    first_refusal = f"; first refusal: {refused[0]}" if refused else ""
    print(
        f"{database:>10}: {len(accepted)}/{total} accepted in {seconds:.2f} s = "
        f"{len(accepted) / seconds:.0f} posts/s, {CLIENTS} clients, "
        f"{server.workers} {server.kind} workers; median {statistics.median(latencies):.0f} "
        f"ms, p99 {percentile(latencies, 0.99):.0f} ms per post; server CPU "
        f"{cpu * 1000 / per_post:.1f} ms per post{worker_note}; {verdict}; load average "
        f"{load_before:.1f} before, {load_after:.1f} after (2 cores here: other work "
        f"takes CPU from the server){first_refusal}"
    )


def machine_times() -> list[int]:
    """The machine's CPU time so far by kind (/proc/stat's first line, in ticks)."""
    try:
        return [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    except (OSError, ValueError):
        return []


def machine_use(before: list[int], after: list[int]) -> str:
    """How the machine's cores spent the timed part: busy (user, system, interrupts),
    idle (with I/O wait) and stolen (a virtual machine's host ran something else)."""
    if len(before) < 8 or len(after) < 8:
        return ""
    spent = [b - a for a, b in zip(before, after, strict=False)]
    total = sum(spent[:8]) or 1
    busy = spent[0] + spent[1] + spent[2] + spent[5] + spent[6]
    idle, stolen = spent[3] + spent[4], spent[7]
    return (
        f"; the cores {100 * busy / total:.0f}% busy, {100 * idle / total:.0f}% idle, "
        f"{100 * stolen / total:.0f}% stolen by the host"
    )


def postgres_cpu_seconds() -> float:
    """CPU time of every ``postgres`` process on this machine so far, with the finished
    ones' (counted in their parent): the database server's own share of a post, when
    it runs here (0 where /proc says nothing)."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            if not (stat.parent / "comm").read_text().startswith("postgres"):
                continue
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue  # a process that just ended
        total += sum(int(value) for value in fields[11:15])  # utime stime cutime cstime
    return total / tick


class Worker:
    """``manage.py db_worker`` as docs/deploy.md runs it, while the server runs (with
    ``BENCH_TASKS=immediate`` none: the mail is then sent inside each request)."""

    def __init__(self, env: dict[str, str], work: Path) -> None:
        self.env, self.log, self.process = env, work / "worker.log", None

    def __enter__(self) -> Worker:
        if TASKS == "database":
            with open(self.log, "ab") as log:
                self.process = subprocess.Popen(
                    [sys.executable, "manage.py", "db_worker", "--interval", "1"],
                    env=self.env,
                    cwd=Path(__file__).resolve().parent.parent,
                    stdout=log,
                    stderr=log,
                    start_new_session=True,
                )
        return self

    def __exit__(self, *exc: object) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)  # the task in hand finishes
            try:
                self.process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def cpu_seconds(self) -> float:
        """The worker's CPU time (user + system) so far."""
        if self.process is None:
            return 0.0
        try:
            fields = Path(f"/proc/{self.process.pid}/stat").read_text().rsplit(")", 1)[1]
        except OSError:
            return 0.0
        user, system = fields.split()[11:13]
        return (int(user) + int(system)) / os.sysconf("SC_CLK_TCK")

    def drain(self, timeout: float = 120) -> bool:
        """Wait until no task waits or runs; False when that took longer than ``timeout``."""
        if self.process is None:
            return True
        from django.db import connection
        from django_tasks_db.models import DBTaskResult

        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            waiting = DBTaskResult.objects.filter(status__in=["READY", "RUNNING"]).exists()
            connection.close()
            if not waiting:
                return True
            time.sleep(0.5)
        return False


def collect_tokens(port: int, path: str) -> list[list[bytes]]:
    """Each client's form tokens, one page load per token, loaded concurrently."""
    tokens: list[list[bytes]] = [[] for _ in range(CLIENTS)]
    errors: list[str] = []

    def load(client: int) -> None:
        try:
            for _ in range(POSTS_PER_CLIENT):
                tokens[client].append(form_token(port, path))
        except BaseException as error:
            errors.append(repr(error))

    threads = [threading.Thread(target=load, args=(c,)) for c in range(CLIENTS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if errors:
        raise SystemExit(errors[0])
    return tokens


def post_requests(port: int, path: str, tokens: list[list[bytes]]) -> list[list[tuple[str, bytes]]]:
    """Each client's POSTs, written out as the bytes a browser sends (untimed): the
    form's fields with one of the client's tokens, ``Sec-Fetch-Site: same-origin`` (what
    a browser sends for a form on our own page; guests' forms are checked by it), and
    ``Connection: close`` (one connection a post, as nginx's ``proxy_pass`` opens one
    to the app for every request). Each with the marker its comment's text carries."""
    form_path = f"{path}comments/"
    requests: list[list[tuple[str, bytes]]] = []
    for number, client_tokens in enumerate(tokens):
        mine = []
        for sequence, token in enumerate(client_tokens):
            marker = f"client {number} post {sequence}"
            form = urlencode(
                {
                    "author_name": f"Regular {number}",
                    "author_email": email(number),
                    "author_url": "",
                    "body": f"{BODY} ({marker})",
                    "spoils": "",
                    "parent": "",
                    "token": token.decode(),
                    "homepage": "",
                }
            ).encode()
            head = (
                f"POST {form_path} HTTP/1.1\r\nHost: {HOST}:{port}\r\n"
                "Content-Type: application/x-www-form-urlencoded\r\n"
                f"Content-Length: {len(form)}\r\nSec-Fetch-Site: same-origin\r\n"
                "Connection: close\r\n\r\n"
            )
            mine.append((marker, head.encode() + form))
        requests.append(mine)
    return requests


def send(port: int, raw: bytes) -> tuple[int, bytes]:
    """One POST on a new connection: the answer's status and the answer. The clients
    run on the server's two cores, so their own work is kept to what a post needs: the
    request was written out beforehand, and only the status is read from the answer's
    head (``http.client``'s general header parsing made the clients' CPU 0.43-0.76 ms
    a post; this, 0.18-0.34)."""
    with socket.create_connection((HOST, port), timeout=120) as connection:
        connection.sendall(raw)
        answer = connection.recv(65536)
        while chunk := connection.recv(65536):  # to the end: the server closes
            answer += chunk
    parts = answer.split(b" ", 2)
    status = int(parts[1]) if len(parts) > 2 and parts[1].isdigit() else 0
    return status, answer


def post_all(port: int, path: str, tokens: list[list[bytes]]):
    accepted: list[str] = []
    refused: list[str] = []
    latencies: list[float] = []
    lock = threading.Lock()
    barrier = threading.Barrier(CLIENTS + 1)
    requests = post_requests(port, path, tokens)

    def client(number: int) -> None:
        barrier.wait()
        for marker, raw in requests[number]:
            began = time.perf_counter()
            try:
                status, answer = send(port, raw)
            except OSError as error:
                status, answer = 0, repr(error).encode()
            spent = (time.perf_counter() - began) * 1000
            with lock:
                latencies.append(spent)
                if status == 302:
                    accepted.append(marker)
                else:
                    refused.append(f"HTTP {status} {answer[:80]!r}")

    threads = [threading.Thread(target=client, args=(n,)) for n in range(CLIENTS)]
    for thread in threads:
        thread.start()
    barrier.wait()
    began, cpu_began = time.perf_counter(), time.process_time()
    for thread in threads:
        thread.join()
    clients_cpu = time.process_time() - cpu_began
    return accepted, refused, time.perf_counter() - began, latencies, clients_cpu


def verify(accepted: list[str]) -> str:
    """Every accepted post stored and approved; numbers 1..n without a gap."""
    from watchworthy.discussion.models import Comment
    from watchworthy.reviews.models import Review

    review = Review.objects.get(slug=SLUG)
    rows = list(Comment.objects.filter(review=review).values_list("body", "status", "number"))
    stored = {body.rsplit("(", 1)[-1].rstrip(")") for body, _, _ in rows}
    lost = [marker for marker in accepted if marker not in stored]
    not_approved = sum(1 for _, status, _ in rows if status != Comment.Status.APPROVED)
    numbers = sorted(number for _, _, number in rows if number is not None)
    gapless = numbers == list(range(1, len(rows) + 1))
    count_ok = review.approved_comment_count == len(rows)
    return (
        f"lost {len(lost)}, stored {len(rows)}, not approved {not_approved}, "
        f"numbers 1..{len(rows)} without gaps: {'yes' if gapless else 'NO'}, "
        f"count on the review {'right' if count_ok else 'WRONG'}"
    )


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))] if ordered else 0.0


if __name__ == "__main__":
    main()
