"""Two app servers, one site: what a load balancer in front of several servers needs.

Two production servers are started the way ``make serve`` starts one
(``scripts/serve.sh``: migrations, ``collectstatic``, granian with two workers) on
two free loopback ports. They share one PostgreSQL database made for the test, one
Redis (database 11, emptied before and after) and one bucket on the SeaweedFS that
``make services`` runs. Server B reaches PostgreSQL through a TCP relay the test can
cut. The test stands where the load balancer would: readers' addresses arrive in
``X-Forwarded-For`` from 127.0.0.1 (``WATCHWORTHY_TRUSTED_PROXIES``). Readers are
plain HTTP clients that keep cookies and send forms with the fields and the CSRF
token the page gave them; the critic signs in through the admin of one server and
the same session works on the other (no sticky sessions).

It shows, in this order:

1. a comment posted through one server is on the other's page at once, both ways —
   including the page the other server had cached in Redis a moment before;
2. an image uploaded through A's admin is stored in the bucket once; B's admin shows
   it, a review edited through B embeds it, and the page either server sends points
   at the bucket, which serves the uploaded bytes and the WebP sizes;
3. the comment rate limit (3 a minute per address here) counts posts sent to A and
   B alternately as one count, in Redis;
4. a granian worker killed with SIGKILL (by its own pid) in the middle of a comment
   post — its transaction has written the comment row and waits for the review's
   lock, which the test holds — leaves no comment at all: no row, no number used, no
   count changed; granian starts a new worker, and the next comment takes the next
   number;
5. ``/healthz`` on B answers 503 naming the database while the link is cut (A keeps
   answering 200), and 200 again once the link is back.

It runs once, in the PostgreSQL pass of ``make test``; on SQLite it skips. Without
PostgreSQL, Redis or SeaweedFS it skips with the reason, unless CI's
WATCHWORTHY_REQUIRE_POSTGRES / _REDIS / _S3 is 1 (then it fails). Linux only: the
worker holding a database connection is found in /proc.
"""

from __future__ import annotations

import io
import json
import os
import secrets
import signal
import subprocess
import sys
import threading
import urllib.request
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

import psycopg
import pytest
from django.conf import settings
from django.db import connection
from PIL import Image as PILImage

from tests.dom import Element, form_errors, heading, parse, shown_comments, textarea_value
from tests.production import seed
from tests.production.cluster import (
    REPO,
    AppServer,
    Browser,
    LinkToDatabase,
    Response,
    form_fields,
    replace_fields,
    wait_for,
)
from tests.s3 import ENDPOINT, Bucket, drop_bucket, new_bucket

pytestmark = pytest.mark.postgres_only

REDIS_URL = os.environ.get("WATCHWORTHY_TWO_SERVERS_REDIS_URL", "redis://127.0.0.1:6379/11")
PASSWORD = "Two-servers-lantern-7"
RATE_PER_MINUTE = 3  # comments per reader's address, on both servers together
IMAGE_KEY = "two-servers-still"


# --- the site ----------------------------------------------------------------------------


def _unavailable(flag: str, message: str) -> None:
    if os.environ.get(flag) == "1":
        pytest.fail(f"{message} ({flag}=1; `make services` starts it)")
    pytest.skip(f"{message}; `make services` starts it")


@dataclass
class Site:
    a: AppServer
    b: AppServer
    link: LinkToDatabase  # between B and PostgreSQL
    dsn: str  # the servers' database, directly
    bucket: Bucket
    review_id: int
    slug: str

    def review_url(self, server: AppServer) -> str:
        return server.url(f"/reviews/{self.slug}/")

    def sql(self, query: str, params: tuple = ()) -> list[tuple]:
        with psycopg.connect(self.dsn, autocommit=True) as db:
            return db.execute(query, params).fetchall()

    def approved_count(self) -> int:
        return self.sql(
            "SELECT approved_comment_count FROM reviews_review WHERE id = %s", (self.review_id,)
        )[0][0]


def _server_env(bucket: Bucket, data: Path) -> dict[str, str]:
    """Production settings shared by both servers (the same secret key!), nothing
    inherited from the test run's own settings."""
    inherited = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "WATCHWORTHY_", "AWS_", "GRANIAN_"))
        and key not in {"DATABASE_URL", "REDIS_URL", "EMAIL_URL", "DATABASE_CONN_MAX_AGE"}
    }
    return {
        **inherited,
        **bucket.env(),
        "VENV": str(Path(sys.executable).parent.parent),
        "WATCHWORTHY_ENV": "production",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        "WATCHWORTHY_SITE_URL": "http://127.0.0.1",
        # Plain HTTP on loopback: the balancer (the test) would end TLS.
        "DJANGO_SECURE_SSL_REDIRECT": "0",
        "WATCHWORTHY_TRUSTED_PROXIES": "127.0.0.1",
        "REDIS_URL": REDIS_URL,
        "DATABASE_CONN_MAX_AGE": "60",  # as docs/deploy.md advises for PostgreSQL
        "WATCHWORTHY_COMMENT_RATE_PER_IP": f"{RATE_PER_MINUTE}/60",
        "WATCHWORTHY_COMMENT_RATE_PER_EMAIL": "100/60",  # the critic posts in every part
        "EMAIL_URL": "console://",
        "WATCHWORTHY_LOG_LEVEL": "WARNING",
        "WATCHWORTHY_DATA_DIR": str(data),
        "WATCHWORTHY_STATIC_ROOT": str(data / "static"),
    }


@pytest.fixture
def site(tmp_path) -> Iterator[Site]:
    if connection.vendor != "postgresql":
        pytest.skip(
            "starts servers on PostgreSQL: runs once, in the PostgreSQL pass of `make test` "
            "(DATABASE_URL=postgres://…); this pass is on SQLite"
        )
    if not sys.platform.startswith("linux"):
        pytest.skip("finds the granian worker to kill in /proc (Linux)")
    server = settings.DATABASES["default"]
    host, port = server["HOST"] or "127.0.0.1", int(server["PORT"] or 5432)
    auth = quote(server["USER"] or "postgres", safe="")
    if server["PASSWORD"]:
        auth += ":" + quote(server["PASSWORD"], safe="")
    root = f"postgres://{auth}@{host}:{port}"
    try:
        psycopg.connect(f"{root}/postgres", connect_timeout=3).close()
    except psycopg.Error as error:
        _unavailable("WATCHWORTHY_REQUIRE_POSTGRES", f"PostgreSQL is not reachable: {error}")
    import redis

    cache_server = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2)
    try:
        cache_server.ping()
    except redis.RedisError as error:
        _unavailable("WATCHWORTHY_REQUIRE_REDIS", f"Redis is not reachable at {REDIS_URL}: {error}")
    bucket = new_bucket("ww-two-servers")  # skips (fails in CI) without SeaweedFS

    name = f"ww_two_servers_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(f"{root}/postgres", autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    cache_server.flushdb()
    link = LinkToDatabase((host, port)).start()
    a = AppServer(
        "server A",
        {**_server_env(bucket, tmp_path / "a"), "DATABASE_URL": f"{root}/{name}"},
        log=tmp_path / "a.log",
    )
    b = AppServer(
        "server B",
        {
            **_server_env(bucket, tmp_path / "b"),
            "DATABASE_URL": f"postgres://{auth}@127.0.0.1:{link.port}/{name}",
            "WATCHWORTHY_SKIP_MIGRATE": "1",  # A migrated: migrate once, then the others
        },
        log=tmp_path / "b.log",
    )
    b.env["DJANGO_SECRET_KEY"] = a.env["DJANGO_SECRET_KEY"]
    try:
        a.start()  # migrations, static files, granian
        b.launch()  # static files, granian: the database is migrated already
        seeded = subprocess.run(
            [
                sys.executable,
                "manage.py",
                "shell",
                "-c",
                "from tests.production.seed import main; main()",
            ],
            env={**a.env, "SEED_PASSWORD": PASSWORD},
            cwd=REPO,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        assert seeded.returncode == 0, seeded.stderr
        review = json.loads(seeded.stdout.split("SEED ", 1)[1])
        b.wait_until_ready()
        yield Site(a, b, link, f"{root}/{name}", bucket, review["review"], review["slug"])
    finally:
        for server_ in (a, b):
            server_.stop()
            print(f"--- {server_.name} (port {server_.port}), last lines of its log:")
            print(server_.log_tail())
        link.cut()
        with psycopg.connect(f"{root}/postgres", autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        drop_bucket(bucket)
        cache_server.flushdb()


# --- what readers and the critic do ----------------------------------------------------------


def sign_in(server: AppServer, browser: Browser) -> Browser:
    """The critic signs in through the admin's login form."""
    page = browser.get(server.url("/admin/login/?next=/admin/"))
    assert page.status_code == 200, page.status_code
    form = parse(page.content).find("form", id="login-form")
    assert form is not None
    fields = replace_fields(form_fields(form), username=seed.CRITIC, password=PASSWORD)
    answer = browser.post(server.url("/admin/login/?next=/admin/"), fields)
    assert answer.status_code == 302, answer.text[:2000]
    assert "sessionid" in browser.cookies
    return browser


def post_comment(site: Site, server: AppServer, browser: Browser, body: str) -> Response:
    """Open the review page on ``server``, write ``body`` into its comment form, send."""
    page = browser.get(site.review_url(server))
    assert page.status_code == 200, page.status_code
    form = parse(page.content).by_id("respond")
    assert form is not None, "no comment form"
    action = form.attrs["action"].split("#")[0]
    return browser.post(server.url(action), replace_fields(form_fields(form), body=body))


def read_page(browser: Browser, url: str) -> tuple[Response, Element]:
    response = browser.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return response, parse(response.content)


def submit_admin_form(
    server: AppServer, browser: Browser, path: str, form_id: str, files=None, **values: str
) -> Response:
    """Open an admin form on ``server``, change ``values``, save it as the button does."""
    page = browser.get(server.url(path))
    assert page.status_code == 200, (path, page.status_code)
    form = parse(page.content).find("form", id=form_id)
    assert form is not None, f"no form #{form_id} on {path}"
    fields = replace_fields(form_fields(form), **values, _save="Save")
    multipart = form.attrs.get("enctype") == "multipart/form-data"
    return browser.post(server.url(path), fields, files=files, multipart=multipart)


def png(width: int, height: int) -> bytes:
    buffer = io.BytesIO()
    PILImage.new("RGB", (width, height), (40, 90, 160)).save(buffer, "PNG")
    return buffer.getvalue()


def fetch(url: str) -> tuple[int, str, bytes]:
    """What a reader's browser gets for an image address: status, type, bytes."""
    with urllib.request.urlopen(url, timeout=15) as answer:  # noqa: S310 - loopback
        return answer.status, answer.headers.get("Content-Type", ""), answer.read()


# --- the test ------------------------------------------------------------------------------


def test_two_app_servers_share_one_site(site: Site) -> None:
    critic = sign_in(site.a, Browser("198.51.100.10"))
    admin_on_b = critic.get(site.b.url("/admin/"))
    assert admin_on_b.status_code == 200  # the session from A is good on B

    comments_show_on_both_servers(site, critic.twin("198.51.100.11"))
    image_uploaded_through_one_is_served_by_the_other(site, critic.twin("198.51.100.12"))
    rate_limit_counts_posts_to_both_servers(site, critic.twin("198.51.100.13"))
    worker_killed_mid_post_leaves_the_whole_comment_or_none(site, critic.twin("198.51.100.14"))
    health_check_follows_the_database_link(site)


def comments_show_on_both_servers(site: Site, critic: Browser) -> None:
    guest = Browser("203.0.113.20")
    _, before = read_page(guest, site.review_url(site.b))
    assert heading(before) == "0 comments"
    again, _ = read_page(guest, site.review_url(site.b))
    assert again.header("X-Page-Cache") == "hit"  # B keeps this page in Redis now

    sent = post_comment(site, site.a, critic, "Posted through server *A*.")
    assert sent.status_code == 302, sent.text[:2000]

    response, after = read_page(guest, site.review_url(site.b))
    assert response.header("X-Page-Cache") == "miss"  # A's commit made B's copy stale
    assert heading(after) == "1 comment"
    [shown] = shown_comments(after)
    assert (shown.number, shown.author, shown.body) == (1, "Mara Quill", "Posted through server A.")
    assert shown.badge  # the critic's badge: the header was rendered with the row

    sent = post_comment(site, site.b, critic, "And this one through server B.")
    assert sent.status_code == 302, sent.text[:2000]
    _, on_a = read_page(guest, site.review_url(site.a))
    assert heading(on_a) == "2 comments"
    assert [(c.number, c.body) for c in shown_comments(on_a)] == [
        (1, "Posted through server A."),
        (2, "And this one through server B."),
    ]


def image_uploaded_through_one_is_served_by_the_other(site: Site, critic: Browser) -> None:
    original = png(1200, 600)
    added = submit_admin_form(
        site.a, critic, "/admin/images/image/add/", "image_form",
        files={"file": ("still.png", original, "image/png")},
        alt_text="A lighthouse at dusk", key=IMAGE_KEY,
    )  # fmt: skip
    assert added.status_code == 302, added.text[:3000]
    stored = site.bucket.keys("images/")
    assert len(stored) == 3, stored  # the original and its 480 and 960 pixel WebP sizes

    # B lists it (from the shared database), with its address in the bucket.
    _, listing = read_page(critic, site.b.url(f"/admin/images/image/?q={IMAGE_KEY}"))
    [thumbnail] = listing.find_all("img", cls="image-thumbnail")
    address = thumbnail.attrs["src"]
    assert address.startswith(f"{ENDPOINT}/{site.bucket.name}/images/"), address
    assert fetch(address) == (200, "image/png", original)

    # The critic embeds it in the review through B (B's form finds the key), and
    # both servers' pages show it from the bucket, every size.
    change = f"/admin/reviews/review/{site.review_id}/change/"
    _, form_page = read_page(critic, site.b.url(change))
    body = textarea_value(form_page)
    edited = submit_admin_form(
        site.b, critic, change, "review_form",
        body=f"{body}\n\n![A lighthouse at dusk](image:{IMAGE_KEY})\n",
    )  # fmt: skip
    assert edited.status_code == 302, form_errors(parse(edited.content)) or edited.text[:3000]
    for server in (site.a, site.b):
        _, page = read_page(Browser("203.0.113.21"), site.review_url(server))
        [image] = [img for img in page.find_all("img") if img.attrs.get("src") == address]
        assert image.attrs["alt"] == "A lighthouse at dusk"
        sizes = [entry.split()[0] for entry in image.attrs["srcset"].split(",")]
        assert len(sizes) == 3 and sizes[-1] == address
        for size in sizes[:-1]:
            status, kind, data = fetch(size)
            assert (status, kind) == (200, "image/webp")
            assert PILImage.open(io.BytesIO(data)).width in (480, 960)


def rate_limit_counts_posts_to_both_servers(site: Site, critic: Browser) -> None:
    servers = [site.a, site.b, site.a, site.b, site.a]
    answers = [
        post_comment(site, server, critic, f"Rate test {n}, through {server.name}.")
        for n, server in enumerate(servers)
    ]
    assert [answer.status_code for answer in answers] == [302, 302, 302, 429, 429]
    refused = parse(answers[3].content)
    assert "commenting faster than anyone can read" in form_errors(refused)
    assert textarea_value(refused) == "Rate test 3, through server B."  # kept as typed
    import redis

    count = redis.Redis.from_url(REDIS_URL).get(f":1:ratelimit:comment-ip:{critic.client}")
    assert count == b"5"  # one count in Redis for both servers
    bodies = [row[0] for row in site.sql("SELECT body FROM discussion_comment ORDER BY id")]
    assert [body for body in bodies if body.startswith("Rate test")] == [
        "Rate test 0, through server A.",
        "Rate test 1, through server B.",
        "Rate test 2, through server A.",
    ]


def worker_killed_mid_post_leaves_the_whole_comment_or_none(site: Site, critic: Browser) -> None:
    a = site.a
    count_before = site.approved_count()
    numbers_before = site.sql(
        "SELECT max(number) FROM discussion_comment WHERE review_id = %s", (site.review_id,)
    )[0][0]
    workers_before = a.worker_pids()
    assert len(workers_before) == a.workers, workers_before
    started_before = a.workers_started()
    body = "Sent while the worker dies."
    page = critic.get(site.review_url(a))
    form = parse(page.content).by_id("respond")
    assert form is not None
    fields = replace_fields(form_fields(form), body=body)
    outcome: dict[str, object] = {}

    def send() -> None:
        try:
            outcome["answer"] = critic.post(a.url(f"/reviews/{site.slug}/comments/"), fields)
        except OSError as error:  # the connection dies with the worker
            outcome["error"] = error

    # The test holds the review's row (FOR NO KEY UPDATE), so the post stops inside its
    # transaction on the lock it takes first — its count's UPDATE, before it numbers and
    # writes the comment under that lock (discussion.services.comment_post).
    with psycopg.connect(site.dsn) as blocker, psycopg.connect(site.dsn, autocommit=True) as spy:
        blocker.execute(
            "SELECT id FROM reviews_review WHERE id = %s FOR NO KEY UPDATE", (site.review_id,)
        )
        poster = threading.Thread(target=send)
        poster.start()
        backend, client_port, query = wait_for(
            lambda: spy.execute(
                "SELECT pid, client_port, query FROM pg_stat_activity WHERE datname = "
                "current_database() AND wait_event_type = 'Lock' AND pid <> %s",
                (blocker.info.backend_pid,),
            ).fetchone(),
            timeout=30,
            what="the comment's transaction to wait for the review's lock",
        )
        assert query.startswith('UPDATE "reviews_review"'), query  # the count, the lock
        in_transaction = spy.execute(
            "SELECT xact_start IS NOT NULL FROM pg_stat_activity WHERE pid = %s", (backend,)
        ).fetchone()
        assert in_transaction == (True,)  # killed inside the post's transaction
        worker = a.worker_holding(client_port)
        assert worker in workers_before, (worker, workers_before)

        os.kill(worker, signal.SIGKILL)
        poster.join(timeout=30)
        assert not poster.is_alive()
        blocker.rollback()  # let go of the review; the dead worker's transaction ends
        wait_for(
            lambda: (
                not spy.execute(
                    "SELECT 1 FROM pg_stat_activity WHERE pid = %s", (backend,)
                ).fetchone()
            ),
            timeout=30,
            what="PostgreSQL to end the killed worker's session",
        )

    # The reader got no answer (or an error page), never a "thanks".
    answer = outcome.get("answer")
    assert "error" in outcome or (isinstance(answer, Response) and answer.status_code >= 500)
    # The whole comment or none: killed before its commit, it is not there at all.
    rows = site.sql(
        "SELECT status, number, header_html FROM discussion_comment WHERE body = %s", (body,)
    )
    assert rows == []
    assert site.approved_count() == count_before
    guest_view = parse(Browser("203.0.113.22").get(site.review_url(site.b)).content)
    assert body not in {c.body for c in shown_comments(guest_view)}

    # granian replaced the worker; the next comment takes the next number (no gap).
    wait_for(
        lambda: (
            worker not in a.worker_pids()
            and len(a.worker_pids()) == a.workers
            and a.workers_started() == started_before + 1
        ),
        timeout=60,
        what="granian to start a new worker and the site to load in it",
    )
    sent = post_comment(site, a, critic, "Sent after the new worker started.")
    assert sent.status_code == 302, sent.text[:2000]
    _, page_on_b = read_page(Browser("203.0.113.23"), site.review_url(site.b))
    latest = shown_comments(page_on_b)[-1]
    assert (latest.number, latest.body) == (
        numbers_before + 1,
        "Sent after the new worker started.",
    )
    assert heading(page_on_b) == f"{count_before + 1} comments"


def health_check_follows_the_database_link(site: Site) -> None:
    healthy = (200, {"database": "ok", "cache": "ok"})
    assert site.b.health() == healthy

    site.link.cut()
    during = [site.b.health() for _ in range(4)]
    assert during == [(503, {"database": "unavailable", "cache": "ok"})] * 4
    assert site.a.health() == healthy  # the balancer still has A

    site.link.restore()
    # Each worker thread drops its broken connection on its first request back.
    streak = {"n": 0}

    def five_in_a_row() -> bool:
        streak["n"] = streak["n"] + 1 if site.b.health() == healthy else 0
        return streak["n"] >= 5

    wait_for(five_in_a_row, timeout=30, interval=0.05, what="five healthy answers from B")
    page = Browser("203.0.113.24").get(site.review_url(site.b))
    assert page.status_code == 200
