"""Templates and tag libraries the site has replaced with Python, kept as the
reference the byte-for-byte comparisons render (tests/web/old_review_page.py), and
what those comparisons share."""

from __future__ import annotations

import re

# What differs on every rendering: the CSRF token's random mask, the comment form's
# one-time token.
RANDOM = re.compile(r'(name="(?:csrfmiddlewaretoken|token)" value=")[^"]*(")')


def blank_random(html: str) -> str:
    """``html`` with the per-rendering random values blanked, for comparing bytes."""
    return RANDOM.sub(r"\1…\2", str(html))
