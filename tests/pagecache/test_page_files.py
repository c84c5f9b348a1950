"""The page files for the nginx front (pagecache/files.py): written only for requests
nginx may answer with them, named so that no request can reach outside the folder,
and deleted exactly when a change touches one of their tags."""

from __future__ import annotations

import re
import threading
from pathlib import Path

import pytest
from django.core.cache import cache
from django.http import HttpResponse
from django.test import Client, RequestFactory

from tests.factories import ReviewFactory, WorkFactory
from tests.spoilers.conftest import set_progress
from watchworthy.core.caching import PagePolicy
from watchworthy.core.changes import COMMENTS, LISTS, SITE, review_tag, work_tag
from watchworthy.core.publishing import NEXT_DUE_KEY
from watchworthy.pagecache import files, store
from watchworthy.pagecache.front import Front, headers, render

from .conftest import READ_PAST_IT, SECRET

pytestmark = pytest.mark.django_db


@pytest.fixture
def pages(settings, tmp_path) -> Path:
    settings.WATCHWORTHY_PAGE_FILES = str(tmp_path / "pages")
    return tmp_path / "pages"


def written(root: Path) -> dict[str, bytes]:
    """Every page file nginx could serve now: path below the bucket -> bytes."""
    live = root / "current" / files.bucket()
    if not live.exists():
        return {}
    return {
        str(path.relative_to(live)): path.read_bytes()
        for path in live.rglob("*.html")
        if path.relative_to(live).parts[0] != "tags"
    }


def page_file(root: Path, path: str, variant: str = "default") -> Path:
    return (
        root
        / "current"
        / files.bucket()
        / "http"
        / "testserver"
        / path.lstrip("/")
        / "~"
        / f"{variant}.html"
    )


def test_a_guest_read_writes_the_page_nginx_serves_next(pages, review):
    url = review.get_absolute_url()
    response = Client().get(url)
    assert response["X-Page-Cache"] == "miss"
    target = Path(
        str(pages / "current" / files.bucket() / "http" / "testserver") + url + "~/default.html"
    )
    assert target.read_bytes() == response.content
    assert oct(target.stat().st_mode & 0o777) == "0o644"
    assert written(pages) == {f"http/testserver{url}~/default.html": response.content}


def test_a_page_without_progress_is_one_file_for_every_guest(pages, review):
    Client().get("/")
    assert "http/testserver/~/any.html" in written(pages)


def test_a_reader_with_progress_gets_a_file_named_by_their_cookie(pages, review):
    url = review.get_absolute_url()
    ahead = Client()
    set_progress(ahead, review.work, READ_PAST_IT)
    ahead.get(url)  # spends the "Saved" notice (a personal page: no file)
    response = ahead.get(url)
    assert SECRET.encode() in response.content
    token = ahead.cookies["ww_progress"].value
    assert written(pages)[f"http/testserver{url}~/p-{token}.html"] == response.content


@pytest.mark.parametrize(
    "request_kwargs",
    [
        {"QUERY_STRING": "page=2"},
        {"HTTP_COOKIE": "ww_voter=abc"},
        {"HTTP_COOKIE": "sessionid=abc"},
        {"HTTP_COOKIE": "ww_progress=not-a-token-of-ours-at-all-no"},
        {"HTTP_COOKIE": "ww_progress=" + "A" * 300},
        {"HTTP_COOKIE": "ww_progress=../../../../etc/passwd"},
    ],
)
def test_no_file_for_requests_nginx_passes_on(pages, review, request_kwargs):
    response = Client().get(review.get_absolute_url(), **request_kwargs)
    assert response.status_code == 200
    assert written(pages) == {}


def test_no_file_for_head_or_another_host(pages, review, settings):
    settings.ALLOWED_HOSTS = ["testserver", "Other.Example"]
    Client().head(review.get_absolute_url())
    Client().get(review.get_absolute_url(), HTTP_HOST="Other.Example")
    assert written(pages) == {}


@pytest.mark.parametrize(
    "path",
    [
        "/reviews/../../etc/",
        "/reviews/%2e%2e/%2e%2e/x/",
        "/reviews/.hidden/",
        "/reviews//double/",
        "/reviews/a~/",
        "/reviews/%00/",
        "/reviews/caf%C3%A9/",
        "/" + "a/" * 30,
    ],
)
def test_hostile_paths_never_write_outside_and_never_fail(pages, review, path, tmp_path):
    response = Client().get(path)
    assert response.status_code < 500
    outside = [p for p in tmp_path.rglob("*") if pages not in p.parents and p != pages]
    assert outside == []
    for name in written(pages):
        assert ".." not in name.split("/") and "~" not in name.rsplit("~/", 1)[0]


def test_no_file_while_a_scheduled_review_is_due_within_the_bucket(pages, review):
    Client().get("/healthz")  # any request: the next due moment is known
    cache.set(NEXT_DUE_KEY, float(files.bucket()) * files.BUCKET_SECONDS + 1, 60)
    response = Client().get(review.get_absolute_url())
    assert response.status_code == 200
    assert written(pages) == {}


def test_a_change_removes_exactly_the_files_of_its_tags(pages, review):
    other = ReviewFactory(work=WorkFactory(title="Other", slug="other"), slug="other-review")
    mine, theirs = review.get_absolute_url(), other.get_absolute_url()
    for url in (mine, theirs, "/"):
        Client().get(url)
    before = written(pages)
    assert len(before) == 3
    store.bump({review_tag(review.pk), work_tag(review.work_id)})
    after = written(pages)
    assert set(before) - set(after) == {f"http/testserver{mine}~/default.html"}
    store.bump({COMMENTS})  # a comment's change names its review: no page here has it
    assert written(pages) == after
    store.bump({LISTS})
    assert set(written(pages)) == {f"http/testserver{theirs}~/default.html"}


def test_a_change_passes_over_markers_still_being_written(pages, review, caplog):
    """A change lists the tag's markers while writers may be making theirs: an empty
    marker or a writer's unnamed one is passed over, and every page the complete
    markers name still goes. (An empty marker read as "" named the bucket's folder:
    unlinking it failed and the change stopped before the rest, leaving stale pages;
    the stale-page test caught it once in CI.)"""
    Client().get(review.get_absolute_url())
    page = page_file(pages, review.get_absolute_url())
    assert page.exists()
    markers = pages / "current" / files.bucket() / "tags" / f"review-{review.pk}"
    (markers / "0-empty").write_text("")  # made, its name not yet written
    (markers / ".unnamed.tmp").write_text("http")  # a writer's marker, half written
    store.bump({review_tag(review.pk)})
    assert not page.exists()
    assert "not deleted" not in caplog.text
    assert (pages / "current" / files.bucket() / "http").is_dir()


def test_a_site_change_removes_every_file(pages, review):
    for url in (review.get_absolute_url(), "/"):
        Client().get(url)
    assert len(written(pages)) == 2
    store.bump({SITE})
    assert written(pages) == {}
    assert len([p for p in pages.iterdir() if p.name.startswith("g-")]) == 1


def test_a_page_rendered_across_a_change_is_not_written(pages, review):
    request = RequestFactory().get(review.get_absolute_url())
    policy = PagePolicy(frozenset({SITE, review_tag(review.pk)}), None)
    cache.set(NEXT_DUE_KEY, 0.0, 60)
    before = store.sequence()
    store.bump({review_tag(review.pk)})  # the change committed while it rendered
    assert files.write(request, b"old", policy, lambda: store.sequence() == before) is None
    assert written(pages) == {}
    before = store.sequence()
    path = files.write(request, b"new", policy, lambda: store.sequence() == before)
    assert path is not None and path.read_bytes() == b"new"
    leftovers = [p for p in pages.rglob("*.tmp")]
    assert leftovers == []


def test_two_versions_within_a_second_differ_in_nginx_etag(pages):
    # nginx's ETag is mtime (seconds) + size: the time comes from the content.
    assert files._stamp(b"3 votes") != files._stamp(b"4 votes")
    assert files._stamp(b"x") == files._stamp(b"x")
    assert 946_684_800 <= files._stamp(b"x") < 1_300_000_000


def test_the_fronts_headers_are_the_apps_on_https_too(settings, review):
    settings.SECURE_HSTS_SECONDS = 31536000
    settings.SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    response = Client().get(review.get_absolute_url(), secure=True)
    sent = dict(headers(https=True))
    for name, value in sent.items():
        if name == "Content-Security-Policy":
            assert sorted(value.split("; ")) == sorted(response[name].split("; "))
        else:
            assert response[name] == value, name
    assert "Strict-Transport-Security" in sent
    assert "Strict-Transport-Security" not in dict(headers(https=False))


def test_the_configuration_in_deploy_md_is_the_templates(settings):
    """docs/deploy.md shows `manage.py nginx_front`'s output for its example settings."""
    settings.SECURE_HSTS_SECONDS = 31536000
    settings.SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    settings.SECURE_HSTS_PRELOAD = False
    docs = (Path(__file__).resolve().parents[2] / "docs" / "deploy.md").read_text()
    shown = [b for b in re.findall(r"```nginx\n(.*?)```", docs, re.S) if "$ww_pages" in b]
    listen = (
        "listen 443 ssl;\nhttp2 on;\n"
        "ssl_certificate     /etc/letsencrypt/live/reviews.example.org/fullchain.pem;\n"
        "ssl_certificate_key /etc/letsencrypt/live/reviews.example.org/privkey.pem;"
    )
    expected = render(
        Front(
            pages="/srv/watchworthy/pages",
            listen=listen,
            server_name="reviews.example.org",
            https=True,
            media="/srv/watchworthy/data/media",
        )
    )
    assert shown == [expected]


def test_a_change_that_comes_while_the_file_is_renamed_still_deletes_it(pages, review):
    """The interleaving the lock is for: the writer has checked the sequence (no change
    yet) and renames; a change commits at that moment. Its increment waits for the
    rename, and its listing after the increment finds the file and deletes it."""
    cache.set(NEXT_DUE_KEY, 0.0, 60)
    request = RequestFactory().get(review.get_absolute_url())
    policy = PagePolicy(frozenset({SITE, review_tag(review.pk)}), None)
    response = HttpResponse(b"before", content_type=files.CONTENT_TYPE)
    before = store.sequence()
    change = threading.Thread(target=store.bump, args=({review_tag(review.pk)},))

    def still_current() -> bool:
        current = store.sequence() == before
        change.start()  # the change arrives while the writer holds the lock
        change.join(timeout=0.3)
        assert change.is_alive(), "the change did not wait for the writer's rename"
        return current

    assert files.servable(request, response)
    path = files.write(request, b"before", policy, still_current)
    assert path is not None  # renamed: it was current when checked
    change.join(timeout=10)
    assert not change.is_alive()
    assert not path.exists()
    assert written(pages) == {}


def test_a_page_cache_hit_writes_the_file_nginx_lost(pages, review):
    """A new time bucket (or files switched on later) finds the page in the Python
    cache: the hit writes the file again, so nginx does not ask the app for hours."""
    url = review.get_absolute_url()
    filled = Client().get(url)
    target = page_file(pages, url)
    target.unlink()
    again = Client().get(url)
    assert again["X-Page-Cache"] == "hit"
    assert target.read_bytes() == filled.content
    stamp = target.stat().st_mtime_ns
    Client().get(url)  # there: left alone
    assert target.stat().st_mtime_ns == stamp


def test_a_hit_after_a_change_writes_no_old_file(pages, review):
    url = review.get_absolute_url()
    Client().get(url)
    page_file(pages, url).unlink()
    store.bump({review_tag(review.pk)})
    response = Client().get(url)
    assert response["X-Page-Cache"] == "miss"  # rendered afresh, then written
    assert page_file(pages, url).read_bytes() == response.content


def test_nginx_front_prints_the_template_filled_in(settings):
    from io import StringIO

    from django.core.management import CommandError, call_command

    settings.WATCHWORTHY_PAGE_FILES = ""
    with pytest.raises(CommandError, match="WATCHWORTHY_PAGE_FILES"):
        call_command("nginx_front")
    out = StringIO()
    call_command("nginx_front", pages="/srv/pages", app="127.0.0.1:8001", stdout=out)
    printed = out.getvalue()
    assert printed == render(Front(pages="/srv/pages", app="127.0.0.1:8001"))
    assert "root /srv/pages/current;" in printed and "proxy_pass http://127.0.0.1:8001;" in printed
    assert "sessionid|ww_commenter|ww_mine|ww_voter|messages" in printed
    with pytest.raises(CommandError, match="cannot put"):
        call_command("nginx_front", pages='/srv/"; evil', stdout=StringIO())
