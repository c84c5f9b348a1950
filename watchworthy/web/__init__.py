"""The reader's site: the pages that put several apps together.

Home, the review page (review, spoiler shield, catch-up, audience vote, discussion),
the work pages, about and the error pages. It sits on top of the domain apps and
may import any of them; none of them imports it (see docs/architecture.md).
"""
