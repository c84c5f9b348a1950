"""Names a reader may not take: the critic's own, and staff's.

Readers may pick any display name, but "Mara Ellison" answering in the comments must
be Mara. A guest's comment name, and a reader's display name, may not match the
display name or username of a staff member or of anyone who has written a review,
compared without case, spacing, punctuation or compatibility forms ("MARA  ellison",
"Mara-Ellison" and the same in full-width letters all match).
"""

from __future__ import annotations

import unicodedata
from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import Q

from watchworthy.core.prepared import PreparedQuery

# Built once per database: a guest's every comment asks, and building this query (a
# join and DISTINCT) cost more than running it.
_HOLDERS: PreparedQuery[Any] = PreparedQuery(
    lambda: (
        get_user_model()
        ._default_manager.filter(Q(is_staff=True) | Q(reviews__isnull=False))
        .distinct()
        .order_by()
        .values_list("pk", "username", "display_name")
    )
)


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
    holders = _HOLDERS.rows()  # (pk, username, display_name) of staff and critics
    return any(
        key in {name_key(username), name_key(display_name or "")}
        for pk, username, display_name in holders
        if pk != exclude_user_id
    )
