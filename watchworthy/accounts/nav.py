"""The account corner of the site's header (sign in / sign up with the current page as
``next``, or who you are), on every page (web.chrome writes the header).

Written in Python (it was ``accounts/nav.html``, kept in tests/web/reference/ and
compared by tests/accounts/test_account_nav_html.py and the review page's output
test): a dozen ``request.resolver_match`` look-ups per page. Links carry the current
page as ``next``, except on account pages themselves; the desk link is for staff only
(asking a reader's permissions would cost every page two queries; authors who are not
staff find the desk on their account page).
"""

from __future__ import annotations

from django.http import HttpRequest
from django.template.defaultfilters import urlencode

from watchworthy.core.htmltext import csrf_input, printed
from watchworthy.core.links import reverse

CURRENT = ' aria-current="page"'


def account_nav(request: HttpRequest) -> str:
    """The ``<nav class="account-nav">``; every value escaped by printed()."""
    match = request.resolver_match
    namespace = match.namespace if match is not None else ""
    url_name = match.url_name if match is not None else None
    in_accounts = namespace == "accounts"
    here = request.get_full_path()
    user = request.user
    if user.is_authenticated:
        desk = ""
        if user.is_staff:
            current = CURRENT if namespace == "desk" else ""
            desk = f'<li><a href="{_url("desk:dashboard")}"{current}>Desk</a></li>'
        profile = CURRENT if in_accounts and url_name == "profile" else ""
        after = "" if in_accounts else f'<input type="hidden" name="next" value="{printed(here)}">'
        items = (
            f'\n  <li class="account-name">{printed(user.public_name)}</li>\n  \n  {desk}\n'
            f'  <li><a href="{_url("accounts:profile")}"{profile}>Your account</a></li>\n'
            '  <li><form class="inline-form" method="post" '
            f'action="{_url("accounts:logout")}">'
            f"{csrf_input(request)}{after}"
            '<button type="submit" class="link-button">Sign out</button></form></li>\n'
        )
    else:
        next_ = "" if in_accounts else f"?next={printed(urlencode(here))}"
        login = CURRENT if url_name == "login" and in_accounts else ""
        signup = CURRENT if url_name == "signup" and in_accounts else ""
        items = (
            f'\n  <li><a href="{_url("accounts:login")}{next_}"{login}>Sign in</a></li>\n'
            f'  <li><a href="{_url("accounts:signup")}{next_}"{signup}>Sign up</a></li>\n'
        )
    return f'\n\n<nav class="account-nav" aria-label="Account">\n<ul>\n{items}\n</ul>\n</nav>\n\n'


def _url(name: str) -> str:
    return printed(reverse(name))
