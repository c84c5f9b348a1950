"""CPU per comment post in one process: the form's POST through Django's test client
under production settings, with cProfile around it.

    python bench/posting_profile.py sqlite|postgresql [POSTS] [--profile]

The same set-up as ``bench/posting.py`` (``start_site``: a fresh database, 16 verified
regulars, the production cache default — the cache folder — or Redis with
``BENCH_POSTING_REDIS_URL``), but no server and no
concurrency: it says what one accepted post costs in CPU and queries, and with
``--profile`` where that time goes (the top of a cProfile listing, by own time and
by cumulative time). Mail goes through the task queue as on a site set up by
docs/deploy.md (``WATCHWORTHY_TASKS=database``; ``BENCH_TASKS=immediate`` sends it in
the request): the posts' mail tasks are then run by ``db_worker --batch`` in this
process and their CPU printed apart. The client keeps no cookies between posts, as
bench/posting.py's clients. Numbers, not pass/fail.
"""

from __future__ import annotations

import cProfile
import os
import pstats
import shutil
import statistics
import sys
import time
from pathlib import Path
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.posting import BODY, CLIENTS, PG_URL, TASKS, email, start_site
from bench.server import HOST, postgres_reachable, work_folder


def main() -> None:
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    database = args[0] if args else "sqlite"
    posts = int(args[1]) if len(args) > 1 else 300
    if database == "postgresql" and (why := postgres_reachable(PG_URL)):
        print(f"{database}: SKIPPED — PostgreSQL not reachable ({why})")
        return
    work = work_folder("watchworthy-posting-profile-")
    try:
        measure(database, work, posts, profile="--profile" in sys.argv)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def measure(database: str, work: Path, posts: int, *, profile: bool) -> None:
    start_site(database, work)
    from django.conf import settings

    # The mails are made and sent as on the server, but kept in memory, not printed.
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client

    from bench.posting import prepare
    from watchworthy.discussion.forms import form_token
    from watchworthy.reviews.models import Review

    call_command("migrate", verbosity=0)
    (work / "static").mkdir()
    path = prepare()
    review = Review.objects.get(slug="posting-bench")
    client = Client(HTTP_HOST=HOST, HTTP_SEC_FETCH_SITE="same-origin", REMOTE_ADDR="127.0.0.1")
    forms = []
    for number in range(posts + 20):
        client_no = number % CLIENTS
        forms.append(
            {
                "author_name": f"Regular {client_no}",
                "author_email": email(client_no),
                "author_url": "",
                "body": f"{BODY} (post {number})",
                "spoils": "",
                "parent": "",
                "token": form_token(review.pk, issued=time.time() - 10),
                "homepage": "",
            }
        )
    form_path = f"{path}comments/"
    # SQLite keeps its connection (CONN_MAX_AGE None), PostgreSQL for DATABASE_CONN_MAX_AGE
    persistent = settings.DATABASES["default"].get("CONN_MAX_AGE") != 0

    def post(form: dict[str, str]) -> None:
        response = client.post(
            form_path, urlencode(form), content_type="application/x-www-form-urlencoded"
        )
        if response.status_code != 302:
            raise SystemExit(f"HTTP {response.status_code}: {response.content[:300]!r}")
        # No cookies kept, as bench/posting.py's clients (a browser follows the redirect,
        # whose page shows and so drops the "comment is up" message; kept unread here,
        # the messages cookie grew by one message a post and cost ever more to write).
        client.cookies.clear()
        if not persistent:
            connection.close()  # as a server does at the end of a request (CONN_MAX_AGE 0)

    for form in forms[:20]:  # warm: imports, templates, first cache entries
        post(form)
    queries: list[str] = []

    def record(execute, sql, params, many, context):
        queries.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(record):
        post(forms[20])
    # CPU time, not wall time: other processes share the cores
    profiler = cProfile.Profile(time.process_time) if profile else None
    began_cpu, began = time.process_time(), time.perf_counter()
    if profiler:
        profiler.enable()
    batches: list[float] = []  # CPU per post in batches of 20: the least is the steadiest
    for start in range(21, len(forms), 20):
        batch = time.process_time()
        for form in forms[start : start + 20]:
            post(form)
        batches.append((time.process_time() - batch) / len(forms[start : start + 20]))
    if profiler:
        profiler.disable()
    cpu = time.process_time() - began_cpu
    wall = time.perf_counter() - began
    count = len(forms) - 21
    worker = ""
    if TASKS == "database":  # the mail tasks the posts left, as the worker runs them
        began_worker = time.process_time()
        call_command("db_worker", "--batch", "--no-startup-delay", verbosity=0)
        worker_cpu = (time.process_time() - began_worker) * 1000 / (len(forms) - 20)
        worker = f"; the worker then {worker_cpu:.2f} ms CPU per post (mail task)"
    print(
        f"{database:>10}: {count} posts in one process, {cpu * 1000 / count:.2f} ms CPU and "
        f"{wall * 1000 / count:.2f} ms wall per post (batches of 20: least "
        f"{min(batches) * 1000:.2f}, median {statistics.median(batches) * 1000:.2f} ms CPU), "
        f"{len(queries)} queries per post{worker}" + (" (profiled: slower)" if profiler else "")
    )
    if "--queries" in sys.argv:
        for sql in queries:
            print("   ", sql[:200])
    if profiler:
        stats = pstats.Stats(profiler)
        stats.sort_stats("tottime").print_stats(30)
        stats.sort_stats("cumulative").print_stats(60)
        if os.environ.get("PROFILE_DUMP"):
            stats.dump_stats(os.environ["PROFILE_DUMP"])


if __name__ == "__main__":
    main()
