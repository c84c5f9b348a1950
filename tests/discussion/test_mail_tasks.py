"""A post queues its mail task only when the task may send something: the critic's
single mail while they are under their hourly share, a confirmation the commenter asked
for, or a reply. The critic's notice is written with the comment either way, for the
digest (docs: discussion.notifications)."""

import pytest
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from tests.factories import ReviewFactory, UserFactory
from watchworthy.core.models import SiteSettings
from watchworthy.discussion.models import AuthorNotice, Comment
from watchworthy.discussion.services import comment_post

pytestmark = pytest.mark.django_db


class Approve:
    def decide(self, **_):
        from watchworthy.discussion.moderation import Decision

        return Decision(Comment.Status.APPROVED, "test")


@pytest.fixture(autouse=True)
def database_tasks(settings):
    settings.TASKS = {"default": {"BACKEND": "watchworthy.core.tasks.DatabaseBackend"}}


def post(review, n, **extra):
    return comment_post(
        review=review, body=f"Comment {n}.", author_name=f"Reader {n}",
        author_email=f"reader{n}@example.org", policy=Approve(), **extra,
    )  # fmt: skip


def queued() -> int:
    return DBTaskResult.objects.count()


def run_queued() -> None:
    """What the worker does with each queued task (its function, with its arguments)."""
    for row in DBTaskResult.objects.order_by("enqueued_at"):
        row.task.call(*row.args_kwargs["args"], **row.args_kwargs["kwargs"])


def test_after_the_critics_hourly_share_a_post_queues_nothing_and_waits_for_the_digest():
    SiteSettings.objects.create(comment_mail_hourly_limit=2)
    critic = UserFactory(email="mara@example.org")
    review = ReviewFactory(author=critic)
    post(review, 1)
    assert queued() == 1  # under the share: the task mails the critic
    AuthorNotice.objects.update(sent_at=timezone.now())  # as the worker does, twice
    post(review, 2)
    AuthorNotice.objects.filter(sent_at=None).update(sent_at=timezone.now())
    assert queued() == 2
    third = post(review, 3)
    assert queued() == 2  # the share is spent: nothing for the worker to do
    assert AuthorNotice.objects.get(comment=third).sent_at is None  # the digest's


def test_a_reply_or_a_confirmation_is_still_queued_past_the_share():
    SiteSettings.objects.create(comment_mail_hourly_limit=0)
    review = ReviewFactory(author=UserFactory(email="mara@example.org"))
    first = post(review, 1)
    assert queued() == 0
    post(review, 2, parent=first)
    assert queued() == 1  # the parent's author may have asked to hear of replies
    post(review, 3, notify_replies=True)
    assert queued() == 2  # the confirmation mail


def test_a_critic_without_an_address_or_commenting_themselves_gets_no_notice():
    silent = ReviewFactory(author=UserFactory(email=""))
    post(silent, 1)
    critic = UserFactory(email="mara@example.org")
    own = ReviewFactory(author=critic)
    comment_post(review=own, body="My own note.", user=critic, policy=Approve())
    assert not AuthorNotice.objects.exists()
    assert queued() == 0


def test_a_flood_before_the_worker_runs_queues_only_the_critics_share(mailoutbox):
    """Counted by the mails posts queued, not by those the worker has sent so far: ten
    comments arriving before the worker runs queue three tasks (the share), not ten
    that would mostly find the share spent. The worker then mails those three; the
    other seven wait for the digest."""
    SiteSettings.objects.create(comment_mail_hourly_limit=3)
    critic = UserFactory(email="mara@example.org")
    review = ReviewFactory(author=critic)
    for n in range(10):
        post(review, n)
    assert queued() == 3
    assert AuthorNotice.objects.exclude(mail_queued_at=None).count() == 3
    run_queued()
    assert [m.to for m in mailoutbox] == [["mara@example.org"]] * 3
    assert AuthorNotice.objects.filter(sent_at=None).count() == 7  # the digest's


def test_the_worker_still_keeps_to_the_share_of_mails_sent(mailoutbox):
    """A mail queued while the share looked open is not sent once the critic has had
    their share (mails sent in the last hour, checked by the worker before each)."""
    SiteSettings.objects.create(comment_mail_hourly_limit=1)
    critic = UserFactory(email="mara@example.org")
    review = ReviewFactory(author=critic)
    post(review, 1)
    AuthorNotice.objects.update(mail_queued_at=None)  # as if queued before the upgrade
    post(review, 2)
    assert queued() == 2
    run_queued()
    assert len(mailoutbox) == 1
    assert AuthorNotice.objects.filter(sent_at=None).count() == 1
