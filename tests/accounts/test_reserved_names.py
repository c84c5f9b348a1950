"""Names a reader may not take (accounts.names): every critic's and staff member's,
found with one query whose cost follows the number of critics, not of reviews."""

import pytest

from tests.factories import ReviewFactory, UserFactory
from watchworthy.accounts.names import reserved_owner
from watchworthy.reviews.models import Review

pytestmark = pytest.mark.django_db


def test_every_critic_and_staff_member_holds_their_names(django_assert_num_queries):
    # Readers' ids between and after the critics', so a walk that skipped an author
    # or stopped early would miss one.
    reader_first = UserFactory(username="early-reader", display_name="Early Reader")
    mara = UserFactory(username="mara", display_name="Mara Ellison")
    UserFactory(username="between", display_name="Between Critics")
    ivo = UserFactory(username="ivo.k", display_name="")
    UserFactory(username="mod", display_name="Site Moderator", is_staff=True)
    staff_critic = UserFactory(username="sam", display_name="Sam Writes", is_staff=True)
    UserFactory(username="late-reader", display_name="Late Reader")
    for author, count in ((ivo, 3), (mara, 2), (staff_critic, 1), (ivo, 1)):
        for _ in range(count):
            ReviewFactory(author=author)

    with django_assert_num_queries(1):
        assert reserved_owner("MARA  ellison")
    for name in ("Mara-Ellison", "ivo.k", "IVO K", "site moderator", "mod", "Sam Writes"):
        assert reserved_owner(name), name
    for name in ("Early Reader", "between critics", "Late Reader", "Someone Else", "  "):
        assert not reserved_owner(name), name
    assert not reserved_owner("Mara Ellison", exclude_user_id=mara.pk)  # her own
    assert not reserved_owner(reader_first.display_name, exclude_user_id=reader_first.pk)


def test_a_critic_without_reviews_any_more_is_a_reader_again():
    former = UserFactory(username="former", display_name="Former Critic")
    ReviewFactory(author=former)
    assert reserved_owner("Former Critic")
    Review.objects.filter(author=former).delete()
    assert not reserved_owner("Former Critic")


def test_a_site_without_reviews_or_staff_reserves_nothing():
    UserFactory(username="reader", display_name="Reader")
    assert not reserved_owner("Reader")
