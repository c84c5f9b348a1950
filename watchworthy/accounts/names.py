"""Names a reader may not take: the critic's own, and staff's.

Readers may pick any display name, but "Mara Ellison" answering in the comments must
be Mara. A guest's comment name, and a reader's display name, may not match the
display name or username of a staff member or of anyone who has written a review,
compared without case, spacing, punctuation or compatibility forms ("MARA  ellison",
"Mara-Ellison" and the same in full-width letters all match).
"""

from __future__ import annotations

import functools
import unicodedata

from django.contrib.auth import get_user_model
from django.db import connection

from watchworthy.core.prepared import prepared_cursor, quoted_column, quoted_table


@functools.cache
def _holders_sql(vendor: str) -> str:
    """Staff (through their partial index) and everyone who has written a review, as
    (id, username, display name). Authors are found by walking down the index on the
    reviews' author column one author at a time — each step the least author id above
    the last, one probe of the index — and each author's names by their primary key,
    so the cost follows the number of critics and staff, not of reviews or readers.
    (A DISTINCT join read every review: 44 ms a guest's comment with 50,000 reviews on
    PostgreSQL; ``id IN (the walk)`` let PostgreSQL read every reader instead.)
    ``vendor`` only keys the cache: one text per kind of database, as quoting goes."""
    user_model = get_user_model()
    review_model = user_model._meta.get_field("reviews").related_model
    user, pk = quoted_table(user_model), quoted_column(user_model, "id")
    name, display = quoted_column(user_model, "username"), quoted_column(user_model, "display_name")
    staff = quoted_column(user_model, "is_staff")
    review, author = quoted_table(review_model), quoted_column(review_model, "author")
    return (
        f'WITH RECURSIVE "authors"("id") AS (SELECT MIN({author}) FROM {review} '  # noqa: S608
        f"UNION ALL SELECT (SELECT MIN({author}) FROM {review} "
        f'WHERE {author} > "authors"."id") FROM "authors" WHERE "authors"."id" IS NOT NULL) '
        f"SELECT {pk}, {name}, {display} FROM {user} WHERE {staff} "
        f'UNION SELECT "authors"."id", '
        f'(SELECT {name} FROM {user} WHERE {pk} = "authors"."id"), '
        f'(SELECT {display} FROM {user} WHERE {pk} = "authors"."id") '
        f'FROM "authors" WHERE "authors"."id" IS NOT NULL'
    )


def _holders() -> list[tuple[int, str, str]]:
    """(pk, username, display_name) of staff and critics. One query."""
    with prepared_cursor(connection) as cursor:
        cursor.execute(_holders_sql(connection.vendor), ())
        return cursor.fetchall()


def name_key(name: str) -> str:
    """What two names that look the same to a reader have in common."""
    folded = unicodedata.normalize("NFKC", name).casefold()
    return "".join(char for char in folded if char.isalnum())


def reserved_owner(name: str, *, exclude_user_id: int | None = None) -> bool:
    """True when ``name`` is taken by a critic or staff member (other than
    ``exclude_user_id``, who may use their own name). One query."""
    key = name_key(name)
    if not key:
        return False
    holders = _holders()
    return any(
        key in {name_key(username), name_key(display_name or "")}
        for pk, username, display_name in holders
        if pk != exclude_user_id
    )
