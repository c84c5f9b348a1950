"""The nginx front (pagecache/nginx-front.conf, as docs/deploy.md sets it up), for real:
Debian's nginx on a free loopback port before the live test server, with the page
files. Checks the headers against the app's, who is sent to the app, and that no read
through nginx after a commit shows the page from before it.

Skips without /usr/sbin/nginx (``make browser`` installs it as root), unless
WATCHWORTHY_REQUIRE_NGINX=1 (CI), where that is a failure."""

from __future__ import annotations

import os
import socket
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from django.test import Client

from tests.spoilers.conftest import set_progress
from watchworthy.pagecache.front import Front, render
from watchworthy.pagecache.nginx import NGINX, PrivateNginx

from .conftest import READ_PAST_IT, SECRET
from .test_no_stale_pages import read_while_changing

pytestmark = pytest.mark.django_db(transaction=True)

# What the app sends with a shared page that the file's answer must repeat exactly.
SAME = (
    "Content-Type", "Cache-Control", "Vary", "X-Frame-Options",
    "X-Content-Type-Options", "Referrer-Policy", "Cross-Origin-Opener-Policy",
    "Permissions-Policy", "Strict-Transport-Security",
)  # fmt: skip


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def front(live_server, settings, tmp_path):
    if not NGINX.exists():
        reason = f"{NGINX} is not installed (make browser installs nginx-light as root)"
        if os.environ.get("WATCHWORTHY_REQUIRE_NGINX") == "1":
            pytest.fail(f"the nginx front tests are required but {reason}")
        pytest.skip(reason)
    settings.WATCHWORTHY_PAGE_FILES = str(tmp_path / "pages")
    port = free_port()
    app = live_server.url.removeprefix("http://")
    nginx = PrivateNginx(
        render(Front(pages=str(tmp_path / "pages"), app=app, listen=f"listen 127.0.0.1:{port};")),
        tmp_path / "nginx",
    )
    nginx.start(port)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        nginx.stop()


def directives(headers: dict[str, str]) -> list[str]:
    """The Content-Security-Policy's directives (the app's order varies by process)."""
    return sorted(headers["Content-Security-Policy"].split("; "))


def get(url: str, method: str = "GET", **headers: str) -> tuple[int, bytes, dict[str, str]]:
    request = urllib.request.Request(url, method=method, headers=headers)  # noqa: S310
    try:
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
            return response.status, response.read(), dict(response.headers)
    except urllib.error.HTTPError as error:
        return error.code, error.read(), dict(error.headers)


def test_the_file_goes_out_with_the_apps_headers(front, review):
    url = front + review.get_absolute_url()
    status, filled, app_headers = get(url)
    assert (status, app_headers["X-Page-Cache"]) == (200, "miss")
    status, body, file_headers = get(url)
    assert (status, file_headers["X-Page-Cache"]) == (200, "front")
    assert body == filled
    for name in SAME:
        assert file_headers.get(name) == app_headers.get(name), name
    assert directives(file_headers) == directives(app_headers)
    own = {"Date", "Server", "Connection", "Content-Length", "ETag", "X-Page-Cache"}
    assert set(file_headers) - own - {"Accept-Ranges"} == set(app_headers) - own
    assert file_headers["Content-Length"] == str(len(body))
    assert "Last-Modified" not in file_headers  # the file's time is not a date
    # nginx's own validator: a browser that has the page gets a 304, with the headers.
    status, empty, again = get(url, **{"If-None-Match": file_headers["ETag"]})
    assert (status, empty) == (304, b"")
    assert again["Cache-Control"] == "public, max-age=0, must-revalidate"
    assert again["X-Page-Cache"] == "front"
    status, _, _ = get(url, method="HEAD")
    assert status == 200


def test_who_is_sent_to_the_app(front, review):
    url = front + review.get_absolute_url()
    get(url)
    assert get(url)[2]["X-Page-Cache"] == "front"
    for cookie in ("sessionid=x", "ww_voter=x", "ww_commenter=x", "ww_mine=x",
                   "messages=x", "a=b; ww_mine = x", "ww_progress=x; ww_progress=y",
                   "ww_progress=../../etc"):  # fmt: skip
        _, _, headers = get(url, Cookie=cookie)
        assert headers.get("X-Page-Cache") != "front", cookie
    for cookie in ("messages=", "csrftoken=abc", "xww_voter=1", "theme=ww_voter=1"):
        assert get(url, Cookie=cookie)[2]["X-Page-Cache"] == "front", cookie
    assert get(url + "?page=1")[2].get("X-Page-Cache") != "front"
    status, _, headers = get(url, method="POST")
    assert headers.get("X-Page-Cache") != "front" and status != 405  # the app's answer
    assert get(front + "/no-such-page/")[0] == 404


def test_a_reader_with_progress_gets_their_own_copy(front, review):
    url = review.get_absolute_url()
    client = Client()
    set_progress(client, review.work, READ_PAST_IT)
    cookie = f"ww_progress={client.cookies['ww_progress'].coded_value}"
    _, first, headers = get(front + url, Cookie=cookie)
    assert headers["X-Page-Cache"] == "miss"
    _, second, headers = get(front + url, Cookie=cookie)
    assert headers["X-Page-Cache"] == "front"
    assert second == first and b'<details open class="spoiler"' in second
    _, plain, _ = get(front + url)
    assert SECRET.encode() in plain and b'<details open class="spoiler"' not in plain


def test_every_read_through_nginx_after_a_commit_shows_it(front, review):
    url = front + review.get_absolute_url()
    client = Client()
    set_progress(client, review.work, READ_PAST_IT)
    cookie = f"ww_progress={client.cookies['ww_progress'].coded_value}"

    def reader(**headers: str):
        def read() -> tuple[int, bytes, str]:
            status, body, answer = get(url, **headers)
            return status, body, answer.get("X-Page-Cache", "")

        return read

    sources = read_while_changing(review, [reader(), reader(Cookie=cookie), reader()])
    assert sources.count("front") >= 3, "nginx hardly served a file: the test proves nothing"
    assert Path(NGINX).exists()
