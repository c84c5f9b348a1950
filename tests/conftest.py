"""Shared test set-up: a temporary media folder, a clean cache, factories, and the
paths to the real-world test data in ../shared (absent in a user's clone).

For the tests that comment (tests/discussion, tests/spoilers):

* ``post_comment(client, review, **fields)`` sends the comment form the way a browser
  does: with a form token issued some seconds ago (a younger token counts as a robot).
* ``make_comment(review, ...)`` creates a comment through the services (numbers, paths
  and counts are the real ones) in whatever moderation state the test needs.
* ``generous_comment_limits`` lifts the per-minute comment limits.
* ``critic`` is the author of the reviews readers comment on.
"""

import io
import os
import socket
from contextlib import contextmanager
from pathlib import Path

import pytest
from django.core.cache import cache
from django.core.files.base import ContentFile
from PIL import Image as PILImage

from tests.commenting import PERSON_SECONDS, HoldEverything, post_url, token_for
from watchworthy.core.changes import ChangeSet, content_changed, start_new_batch
from watchworthy.discussion.models import Comment
from watchworthy.discussion.services import comment_moderate, comment_post

# s3_bucket / s3_media: uploads on the SeaweedFS that `make services` starts.
pytest_plugins = ["tests.s3"]

REPO = Path(__file__).resolve().parent.parent
SHARED_TESTDATA = Path(
    os.environ.get("WATCHWORTHY_SHARED_TESTDATA", REPO.parent / "shared" / "testdata")
)


def shared_file(relative: str) -> Path:
    """A file from ../shared/testdata, or skip the test with the reason."""
    path = SHARED_TESTDATA / relative
    if not path.exists():
        pytest.skip(f"{path} is absent: the shared test data ships beside the repo in CI only")
    return path


@pytest.fixture(autouse=True)
def _no_page_cache(settings):
    """Tests read pages right after writes made inside the test's own transaction,
    which never commits, so the change signal that empties the page cache never
    comes. The page cache has its own tests (tests/pagecache/), with real commits."""
    settings.WATCHWORTHY_PAGE_CACHE = False


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """Django's real hasher spends about half a second per password on purpose; the
    suite hashes hundreds. Tests of hashing itself set PASSWORD_HASHERS back."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _media_and_cache(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    cache.clear()
    yield
    cache.clear()


def closed_port() -> int:
    """A loopback TCP port nothing listens on (bound, then released)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def mail_server_down(settings):
    """Mail goes to a real SMTP client pointed at a port where nothing listens."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = closed_port()
    settings.EMAIL_TIMEOUT = 2


def png_bytes(width: int = 1600, height: int = 900, color=(40, 90, 160)) -> ContentFile:
    buffer = io.BytesIO()
    PILImage.new("RGB", (width, height), color).save(buffer, "PNG")
    return ContentFile(buffer.getvalue(), name="still.png")


# --- commenting ------------------------------------------------------------------------


@pytest.fixture
def generous_comment_limits(settings):
    """Most comment tests post more than the default 5 comments a minute from
    127.0.0.1; the rate-limit tests set their own limits again."""
    settings.WATCHWORTHY_COMMENTS = {
        **settings.WATCHWORTHY_COMMENTS,
        "RATE_PER_IP": (1000, 60),
        "RATE_PER_EMAIL": (1000, 60),
    }


@pytest.fixture
def critic(db):
    from tests.factories import UserFactory  # not at the top: factories import this module

    return UserFactory(username="mara", display_name="Mara Quill", email="mara@example.org")


@pytest.fixture
def post_comment():
    def post(client, review, *, token_age=PERSON_SECONDS, ip=None, follow=False, **fields):
        data = {
            "author_name": "Ann Reader",
            "author_email": "ann@example.org",
            "body": "Hello *there*",
            "token": token_for(review, age=token_age),
        }
        data.update(fields)
        data = {key: value for key, value in data.items() if value is not None}
        extra = {"REMOTE_ADDR": ip} if ip else {}
        return client.post(post_url(review), data, follow=follow, **extra)

    return post


@pytest.fixture
def make_comment(db):
    counter = iter(range(1, 10**6))

    def make(
        review,
        body: str | None = None,
        *,
        parent: Comment | None = None,
        user=None,
        name: str | None = None,
        email: str | None = None,
        status: str = Comment.Status.APPROVED,
        **extra,
    ) -> Comment:
        n = next(counter)
        comment = comment_post(
            review=review,
            body=body or f"Comment body {n}.",
            author_name=name or f"Reader {n}",
            author_email=email or f"reader{n}@example.org",
            user=user,
            parent=parent,
            policy=HoldEverything(),
            **extra,
        )
        if status != Comment.Status.PENDING:
            comment_moderate(comments=[comment], status=status)
        comment.refresh_from_db()
        return comment

    return make


# --- the change signal -----------------------------------------------------------------


@pytest.fixture
def capture_changes(django_capture_on_commit_callbacks):
    """``with capture_changes() as delivered:`` runs the block, then its on-commit
    callbacks (the test's own transaction never commits), and collects every
    :class:`ChangeSet` that ``content_changed`` delivered meanwhile."""

    @contextmanager
    def capture():
        delivered: list[ChangeSet] = []

        def receiver(sender, changes: ChangeSet, **kwargs) -> None:
            delivered.append(changes)

        content_changed.connect(receiver, weak=False, dispatch_uid="tests.capture_changes")
        start_new_batch()
        try:
            with django_capture_on_commit_callbacks(execute=True):
                yield delivered
        finally:
            content_changed.disconnect(dispatch_uid="tests.capture_changes")

    return capture
