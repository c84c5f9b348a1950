"""Sign in with an e-mail address as well as a username.

Listed after Django's ``ModelBackend`` in ``AUTHENTICATION_BACKENDS``: that one
tries the text as a username first; this one then tries it as an e-mail address
(case-insensitively). Inactive users are refused by both, as usual.
"""

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend


class EmailBackend(ModelBackend):
    def authenticate(self, request, username=None, password=None, **kwargs):
        if username is None or password is None or "@" not in username:
            return None
        User = get_user_model()
        users = list(User._default_manager.filter(email__iexact=username.strip())[:2])
        if len(users) != 1:
            # No such address, or (in old data) an address shared by two accounts:
            # refuse rather than guess. Hash anyway, so both cases take as long as
            # a wrong password does.
            User().set_password(password)
            return None
        user = users[0]
        if user.check_password(password) and self.user_can_authenticate(user):
            return user
        return None


def accounts_named_by(login: str) -> list[int]:
    """The primary keys of every account that ``login`` could sign in to.

    Mirrors the two backends, only wider: the username is matched in any letter
    case, the e-mail address as :class:`EmailBackend` matches it (and only when it
    names exactly one account, the only case that backend signs in). The sign-in
    throttle counts failures against these accounts, so typing the username or the
    address, in any case, spends one and the same budget.
    """
    User = get_user_model()
    manager = User._default_manager
    login = login.strip()
    pks = set(manager.filter(username__iexact=login).values_list("pk", flat=True))
    if "@" in login:
        by_email = list(manager.filter(email__iexact=login).values_list("pk", flat=True)[:2])
        if len(by_email) == 1:
            pks.update(by_email)
    return sorted(pks)
