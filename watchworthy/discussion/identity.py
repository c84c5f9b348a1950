"""What a guest's browser remembers: their name and e-mail for the next comment, and
which comments they wrote (to show their held comments and allow a short edit).
Both are signed cookies, so they cannot be forged to edit someone else's comment."""

from __future__ import annotations

import json

from django.http import HttpRequest, HttpResponse

from watchworthy.core.cookies import set_cookie

COMMENTER_COOKIE = "ww_commenter"
MINE_COOKIE = "ww_mine"
SALT = "watchworthy.discussion.identity"
YEAR = 365 * 24 * 3600
MAX_REMEMBERED = 50


def _read(request: HttpRequest, name: str, default):
    raw = request.get_signed_cookie(name, default=None, salt=SALT)
    if raw is None:
        return default
    try:
        return json.loads(raw)
    except ValueError:
        return default


def _write(response: HttpResponse, name: str, value, *, max_age: int) -> None:
    set_cookie(response, name, json.dumps(value), salt=SALT, max_age=max_age)


def remembered_commenter(request: HttpRequest) -> dict[str, str]:
    data = _read(request, COMMENTER_COOKIE, {})
    return {k: str(data.get(k, ""))[:200] for k in ("author_name", "author_email", "author_url")}


def remember_commenter(response: HttpResponse, *, name: str, email: str, url: str) -> None:
    value = {"author_name": name, "author_email": email, "author_url": url}
    _write(response, COMMENTER_COOKIE, value, max_age=YEAR)


def my_comment_ids(request: HttpRequest) -> list[int]:
    ids = _read(request, MINE_COOKIE, [])
    return [i for i in ids if isinstance(i, int)] if isinstance(ids, list) else []


def remember_comment(request: HttpRequest, response: HttpResponse, comment_id: int) -> None:
    ids = [*my_comment_ids(request), comment_id][-MAX_REMEMBERED:]
    _write(response, MINE_COOKIE, ids, max_age=30 * 24 * 3600)
