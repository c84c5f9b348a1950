"""What a guest's browser remembers: their name and e-mail for the next comment, and
which comments they wrote (to show their held comments, allow a short edit, and trust
them once one was approved). Both are private cookies (encrypted and authenticated,
see core.cookies): they can be neither read nor forged to edit someone else's comment."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse

from watchworthy.core.cookies import read_private_cookie, set_private_cookie

COMMENTER_COOKIE = "ww_commenter"
MINE_COOKIE = "ww_mine"
YEAR = 365 * 24 * 3600
MINE_AGE = 30 * 24 * 3600
MAX_REMEMBERED = 50


def remembered_commenter(request: HttpRequest) -> dict[str, str]:
    data: Any = read_private_cookie(request, COMMENTER_COOKIE, max_age=YEAR)
    if not isinstance(data, dict):
        data = {}
    return {k: str(data.get(k, ""))[:200] for k in ("author_name", "author_email", "author_url")}


def remember_commenter(response: HttpResponse, *, name: str, email: str, url: str) -> None:
    value = {"author_name": name, "author_email": email, "author_url": url}
    set_private_cookie(response, COMMENTER_COOKIE, value, max_age=YEAR)


def my_comment_ids(request: HttpRequest) -> list[int]:
    cache: dict[str, list[int]] = request.__dict__.setdefault("_ww_identity", {})
    if "mine" not in cache:
        ids: Any = read_private_cookie(request, MINE_COOKIE, max_age=MINE_AGE)
        valid = isinstance(ids, list)
        cache["mine"] = [i for i in ids if isinstance(i, int) and i > 0] if valid else []
    return cache["mine"]


def remember_comment(request: HttpRequest, response: HttpResponse, comment_id: int) -> None:
    ids = [*my_comment_ids(request), comment_id][-MAX_REMEMBERED:]
    set_private_cookie(response, MINE_COOKIE, ids, max_age=MINE_AGE)
