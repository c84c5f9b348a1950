"""How often the account pages may be used, counted on the shared cache.

Every budget is a fixed window that opens with the first hit it counts:

=====================  ======  ==========  ============================================
budget                 limit   window      what happens past it
=====================  ======  ==========  ============================================
``signin_account``     5       15 minutes  sign-in to that account paused (429)
``signin_client``      20      15 minutes  sign-in from that client paused (429)
``reset_address``      3       1 hour      no more reset mails; same answer
``reset_client``       10      1 hour      no more reset mails; same answer
``resend_address``     3       1 hour      no more confirmation links; same answer
``resend_client``      10      1 hour      no more confirmation links; same answer
``signup_client``      10      1 hour      sign-up from that client paused (429)
``signup_notice``      3       24 hours    no more "someone tried to sign up" mails
=====================  ======  ==========  ============================================

Operators may change any of them with the ``WATCHWORTHY_ACCOUNT_LIMITS`` setting, a
dict of ``name: (limit, seconds)`` merged over these defaults.

Two kinds of counting. Requests (sign-up, reset, resend) count every time they are
made: that is :func:`watchworthy.core.ratelimit.over_limit`, used by :func:`spend`.
Sign-in counts *failures*, which ``over_limit`` cannot express: a successful sign-in
must not use up the budget, and a paused reader must be told when to come back. So
:class:`SigninAttempt` keeps its own counters, built the same way (``cache.add`` then
``cache.incr``, atomic on Redis) plus the moment each window closes. An attempt first
*reserves* one failure on every counter (so that parallel requests cannot all slip in
under the limit) and gives it back when the password turns out to be right. Giving
back touches only that attempt's own reservation: a reader who signs in does not wipe
out the failures somebody else piled up against the account.

Everything typed goes through :func:`digest` (an HMAC under ``SECRET_KEY``) before it
becomes part of a cache key: no address or login is ever stored in the cache as text.
"""

from __future__ import annotations

import contextlib
import math
import time
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.utils.crypto import salted_hmac

from watchworthy.core.ratelimit import over_limit

MINUTE = 60
HOUR = 60 * MINUTE

DEFAULT_LIMITS: dict[str, tuple[int, int]] = {
    "signin_account": (5, 15 * MINUTE),
    "signin_client": (20, 15 * MINUTE),
    "reset_address": (3, HOUR),
    "reset_client": (10, HOUR),
    "resend_address": (3, HOUR),
    "resend_client": (10, HOUR),
    "signup_client": (10, HOUR),
    "signup_notice": (3, 24 * HOUR),
}


@dataclass(frozen=True)
class Budget:
    name: str
    limit: int
    window: int  # seconds


def budget(name: str) -> Budget:
    overrides = getattr(settings, "WATCHWORTHY_ACCOUNT_LIMITS", None) or {}
    limit, window = overrides.get(name, DEFAULT_LIMITS[name])
    return Budget(name, int(limit), int(window))


def in_words(seconds: int) -> str:
    """A wait, rounded up: "1 minute", "15 minutes", "1 hour", "24 hours"."""
    if seconds >= HOUR:
        hours = math.ceil(seconds / HOUR)
        return f"{hours} hour{'s' if hours != 1 else ''}"
    minutes = max(1, math.ceil(seconds / MINUTE))
    return f"{minutes} minute{'s' if minutes != 1 else ''}"


def normalised(text: str) -> str:
    """One spelling per login or address: NFKC, case-folded, no outer spaces."""
    return unicodedata.normalize("NFKC", text).casefold().strip()


def digest(text: str) -> str:
    """A cache-key-safe stand-in for typed text (or any identifier)."""
    return salted_hmac("watchworthy.accounts.throttle", text).hexdigest()[:32]


def spend(name: str, subject: str) -> bool:
    """Count one request against budget ``name`` for ``subject`` (an address, a
    client key). True when this request is past the budget and must not be served."""
    rule = budget(name)
    return over_limit(_counter_key(rule, subject), limit=rule.limit, window=rule.window)


def _counter_key(rule: Budget, subject: str) -> str:
    return f"accounts:{rule.name}:{digest(subject)}"


# --- sign-in failures ----------------------------------------------------------------


def account_subject(pk: object) -> str:
    """What sign-in failures against one account are counted under."""
    return f"user:{pk}"


def login_subject(login: str) -> str:
    """What failures are counted under when the typed login names no account: the
    text itself, normalised, so "Nobody" and "nobody" share one budget."""
    return f"login:{normalised(login)}"


@dataclass(frozen=True)
class Pause:
    """Sign-in is refused for ``seconds`` more."""

    seconds: int

    @property
    def minutes(self) -> int:
        return max(1, math.ceil(self.seconds / MINUTE))

    def in_words(self) -> str:
        return in_words(self.seconds)


@dataclass
class SigninAttempt:
    """One sign-in attempt's place in the failure budgets.

    ``start()`` returns a :class:`Pause` when any budget is spent (nothing is
    counted then, and the password must not be checked); otherwise it reserves one
    failure on every counter. Call ``succeeded()`` when the password was right.
    """

    counters: tuple[tuple[Budget, str], ...]
    reserved: bool = False

    @classmethod
    def for_subjects(cls, *, accounts: Iterable[str], client: str) -> SigninAttempt:
        account_rule, client_rule = budget("signin_account"), budget("signin_client")
        counters = [(account_rule, _counter_key(account_rule, s)) for s in sorted(set(accounts))]
        counters.append((client_rule, _counter_key(client_rule, client)))
        return cls(tuple(counters))

    def start(self) -> Pause | None:
        pause = self._pause(spent=lambda count, rule: count >= rule.limit, counts=self._peek())
        if pause is not None:
            return pause
        counts = [_hit(key, rule.window) for rule, key in self.counters]
        # Somebody else's attempts may have filled a budget since we looked.
        pause = self._pause(spent=lambda count, rule: count > rule.limit, counts=counts)
        if pause is not None:
            self._give_back()
            return pause
        self.reserved = True
        return None

    def succeeded(self) -> None:
        if self.reserved:
            self._give_back()
            self.reserved = False

    def _peek(self) -> list[int]:
        stored = cache.get_many([key for _, key in self.counters])
        return [int(stored.get(key, 0)) for _, key in self.counters]

    def _pause(self, *, spent: Callable[[int, Budget], bool], counts: list[int]) -> Pause | None:
        waits = [
            _seconds_left(key, rule.window)
            for (rule, key), count in zip(self.counters, counts, strict=True)
            if spent(count, rule)
        ]
        return Pause(max(waits)) if waits else None

    def _give_back(self) -> None:
        for _, key in self.counters:
            # ValueError: the window closed meanwhile, nothing to give back.
            with contextlib.suppress(ValueError):
                cache.decr(key)


def forget_account_failures(pk: object) -> None:
    """Lift the pause on one account (its owner has just proved it with a reset link).
    The failures counted per client stay."""
    key = _counter_key(budget("signin_account"), account_subject(pk))
    cache.delete_many([key, f"{key}:until"])


def _hit(key: str, window: int) -> int:
    if cache.add(key, 1, timeout=window):
        cache.set(f"{key}:until", time.time() + window, timeout=window)
        return 1
    try:
        return cache.incr(key)
    except ValueError:  # expired between add and incr: a new window
        cache.set(key, 1, timeout=window)
        cache.set(f"{key}:until", time.time() + window, timeout=window)
        return 1


def _seconds_left(key: str, window: int) -> int:
    until = cache.get(f"{key}:until")
    if until is None:
        return window
    return max(1, math.ceil(until - time.time()))
