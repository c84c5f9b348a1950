"""`manage.py backup` then `manage.py restore` on a new, empty site, as an operator
moves a site: the restore runs as its own process on the target's settings (another
database kind where possible: SQLite ↔ PostgreSQL), and everything is found again.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tarfile
import threading
import uuid

import psycopg
import pytest
from django.contrib.auth.hashers import PBKDF2PasswordHasher
from django.core.management import CommandError, call_command
from django.db import connection, connections

from tests.backups.facts import PASSWORD, collect
from tests.conftest import REPO, png_bytes
from tests.factories import (
    ImageFactory,
    ReviewFactory,
    SeasonFactory,
    TagFactory,
    UserFactory,
    WorkFactory,
)
from tests.s3 import new_bucket
from watchworthy.backups.services import verify_archive
from watchworthy.catalog.models import WatchProgress
from watchworthy.discussion.models import Comment
from watchworthy.discussion.services import comment_moderate, comment_post
from watchworthy.reviews.models import AudienceVote, Tag

pytestmark = pytest.mark.django_db(transaction=True)

PG_SERVER = "postgres://postgres@127.0.0.1:5432"


# --- the site ----------------------------------------------------------------------------


@pytest.fixture
def site(settings, make_comment, generous_comment_limits):
    """Users (one with a real password), reviews with a cover and a figure, a threaded
    discussion, votes and watch progress."""
    # Django's own hasher, as the restored site's default settings read it; few
    # iterations (the hash records them) to keep the test quick.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.PBKDF2PasswordHasher"]
    mara = UserFactory(
        username="mara",
        password=PBKDF2PasswordHasher().encode(PASSWORD, "saltsaltsalt", iterations=1000),
    )
    readers = [UserFactory(username=f"reader{n}") for n in range(3)]
    work = WorkFactory(slug="lantern-tide")
    SeasonFactory(work=work, number=1)
    cover = ImageFactory(key="cover", file=png_bytes(1000, 500))
    figure = ImageFactory(key="figure", file=png_bytes(700, 400, color=(200, 30, 30)))
    tags = [TagFactory(slug="slow-burn"), TagFactory(slug="harbour")]
    reviews = [
        ReviewFactory(
            slug=f"review-{n}",
            work=work,
            author=mara,
            cover=cover,
            body=f"Part {n}.\n\n![Still](image:figure)\n",
        )
        for n in range(3)
    ]
    for review in reviews:
        review.tags.set(tags)
        first = make_comment(review, user=readers[0])
        reply = make_comment(review, parent=first)
        make_comment(review, parent=reply)  # three levels deep
        make_comment(review, status=Comment.Status.PENDING)
        make_comment(review)
        AudienceVote.objects.create(review=review, user=readers[1], agrees=True)
    WatchProgress.objects.create(user=readers[2], work=work, season=1, episode=4)
    assert figure.renditions  # files under media/, not only rows
    return collect(sign_in="mara")


# --- targets -----------------------------------------------------------------------------


def _pg_reachable() -> bool:
    try:
        psycopg.connect(f"{PG_SERVER}/postgres", connect_timeout=2).close()
    except psycopg.Error:
        return False
    return True


@pytest.fixture(params=["sqlite", "postgresql"])
def target(request, tmp_path):
    """The environment of a new, empty site: its own data folder (media), and a new
    SQLite file or a new PostgreSQL database."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("AWS_", "WATCHWORTHY_MEDIA", "DATABASE_URL", "DJANGO_SETTINGS"))
    }
    env["WATCHWORTHY_DATA_DIR"] = str(tmp_path / "target")
    if request.param == "postgresql":
        if not _pg_reachable():
            if os.environ.get("WATCHWORTHY_REQUIRE_POSTGRES") == "1":
                pytest.fail(f"PostgreSQL is required but not reachable at {PG_SERVER}")
            pytest.skip(f"no PostgreSQL at {PG_SERVER}")
        name = f"ww_storage_restore_{uuid.uuid4().hex[:10]}"
        with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True) as server:
            server.execute(f'CREATE DATABASE "{name}"')
        env["DATABASE_URL"] = f"{PG_SERVER}/{name}"
        yield request.param, env
        with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True) as server:
            server.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    else:
        yield request.param, env


def manage(env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(  # noqa: S603 - our own manage.py
        [sys.executable, "manage.py", *args],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def restored_facts(env: dict[str, str], sign_in: str = "mara") -> dict:
    result = manage(
        {**env, "FACTS_SIGN_IN": sign_in},
        "shell",
        "-c",
        "from tests.backups.facts import main; main()",
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.split("FACTS ", 1)[1])


def comparable(facts: dict) -> dict:
    """The facts as JSON has them (tuples become lists, keys strings)."""
    return json.loads(json.dumps(facts, default=str))


# --- round trips -------------------------------------------------------------------------


def test_a_site_restored_into_an_empty_site_has_everything(site, target, tmp_path):
    kind, env = target
    archive = tmp_path / "site.tar.gz"
    call_command("backup", str(archive), "--no-progress")
    manifest = verify_archive(archive)
    assert manifest["database"]["vendor"] == connection.vendor
    assert manifest["counts"]["discussion.comment"] == 15
    assert manifest["media"]["files"] == 2 + 2 + 1  # cover + 2 sizes, figure + 1 size

    result = manage(env, "restore", str(archive), "--no-progress")

    assert result.returncode == 0, result.stderr
    assert "Restored" in result.stdout and result.stderr == ""
    facts = restored_facts(env)
    assert facts == comparable(site)
    assert facts["signed_in_as"] == "mara"  # the old password still works
    assert facts["review_links"]["review-0"] == {"tags": ["harbour", "slow-burn"],
                                                 "images_used": ["figure"]}  # fmt: skip
    # New rows get new ids: the id sequences were moved past the restored ones.
    added = manage(
        env, "shell", "-c",
        "from watchworthy.reviews.models import Tag; print(Tag.objects.create(name='new', "
        "slug='new').pk)",
    )  # fmt: skip
    assert added.returncode == 0, added.stderr
    assert int(added.stdout.split()[-1]) > max(Tag.objects.values_list("pk", flat=True))
    assert all(stored == counted for _, stored, counted in facts["approved_counts_agree"])
    if kind != connection.vendor:
        assert manifest["database"]["vendor"] != kind  # the other database kind

    # The restored site is a site: a second restore is refused, and says why.
    again = manage(env, "restore", str(archive), "--no-progress")
    assert again.returncode == 1
    assert again.stderr.strip().splitlines() == [
        "CommandError: Restore refused: this site is not empty (accounts.User has rows): "
        "restore into a new database with no content, then start the site."
    ]


def test_one_changed_byte_is_refused_naming_the_member_and_nothing_is_written(site, tmp_path):
    archive = tmp_path / "site.tar"
    call_command("backup", str(archive), "--no-progress")
    with tarfile.open(archive) as tar:
        member = next(m for m in tar.getmembers() if m.name.startswith("media/"))
        offset = member.offset_data + member.size // 2
    data = bytearray(archive.read_bytes())
    data[offset] ^= 0x01
    archive.write_bytes(bytes(data))
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("AWS_", "WATCHWORTHY_MEDIA", "DATABASE_URL"))
    }
    env["WATCHWORTHY_DATA_DIR"] = str(tmp_path / "target")

    result = manage(env, "restore", str(archive), "--no-progress")

    assert result.returncode == 1
    assert result.stderr.strip().splitlines() == [
        f"CommandError: Restore refused: {member.name} does not match its checksum in the "
        "manifest: the archive is damaged or was changed; nothing was restored."
    ]
    written = [path for path in (tmp_path / "target").rglob("*") if path.is_file()]
    assert [path.name for path in written] == ["secret_key"]  # no database, no media


def test_a_backup_taken_while_comments_are_posted_is_one_moment(site, tmp_path, critic):
    """A writer posts and approves comments the whole time the backup runs; the
    archive's rows are one moment's: the manifest's count is what is restored, and
    every review's approved-comment count agrees with its comments."""
    review = ReviewFactory(slug="busy", author=critic)
    stop = threading.Event()
    posted: list[int] = []

    def write() -> None:
        try:
            while not stop.is_set():
                comment = comment_post(
                    review=review,
                    body=f"Comment {len(posted)} while the backup runs.",
                    author_name="Busy reader",
                    author_email="busy@example.org",
                    send_notifications=False,
                )
                comment_moderate(comments=[comment], status=Comment.Status.APPROVED)
                posted.append(comment.pk)
        finally:
            connections.close_all()

    writer = threading.Thread(target=write)
    writer.start()
    try:
        while len(posted) < 5:  # the writer is going
            stop.wait(0.01)
        archive = tmp_path / "busy.tar"
        call_command("backup", str(archive), "--no-progress")
        during = len(posted)
    finally:
        stop.set()
        writer.join()
    assert during > 5 and len(posted) > during - 1  # comments went on during the backup
    manifest = verify_archive(archive)
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("AWS_", "WATCHWORTHY_MEDIA", "DATABASE_URL"))
    }
    env["WATCHWORTHY_DATA_DIR"] = str(tmp_path / "target")

    result = manage(env, "restore", str(archive), "--no-progress")

    assert result.returncode == 0, result.stderr
    facts = restored_facts(env)
    assert facts["counts"] == manifest["counts"] | {
        key: facts["counts"][key] for key in ("contenttypes.contenttype", "auth.permission")
    }
    assert facts["counts"]["discussion.comment"] == manifest["counts"]["discussion.comment"]
    assert all(stored == counted for _, stored, counted in facts["approved_counts_agree"])


@pytest.mark.postgres_only
def test_without_pg_dump_a_postgresql_backup_says_so(site, tmp_path, monkeypatch):
    if connection.vendor != "postgresql":
        pytest.skip("pg_dump makes the PostgreSQL copy; this run is on SQLite")
    out = tmp_path / "out"
    out.mkdir()
    monkeypatch.setenv("PATH", str(out))  # a PATH with no pg_dump on it
    with pytest.raises(CommandError, match=r"^Backup failed: pg_dump is not installed"):
        call_command("backup", str(out / "site.tar"), "--no-progress")
    assert list(out.iterdir()) == []  # no archive, not even half of one


# --- media on S3 -------------------------------------------------------------------------


def test_a_site_with_media_on_s3_restores_into_another_bucket(s3_media, site, tmp_path):
    archive = tmp_path / "s3-site.tar.gz"
    call_command("backup", str(archive), "--no-progress")
    manifest = verify_archive(archive)
    assert (manifest["media"]["storage"], manifest["media"]["files"]) == ("S3Storage", 5)
    target_bucket = new_bucket("ww-restore")
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("AWS_", "WATCHWORTHY_MEDIA", "DATABASE_URL"))
    }
    env |= {"WATCHWORTHY_DATA_DIR": str(tmp_path / "target"), **target_bucket.env()}
    try:
        result = manage(env, "restore", str(archive), "--no-progress")

        assert result.returncode == 0, result.stderr
        assert restored_facts(env) == comparable(site)
        assert len(target_bucket.keys("")) == 5
    finally:
        target_bucket.empty("")
        target_bucket.client.delete_bucket(Bucket=target_bucket.name)
