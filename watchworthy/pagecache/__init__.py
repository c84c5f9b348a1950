"""The page cache: finished pages for guests, kept until what they show changes.

See docs/caching.md. In short: a view marks its page cacheable with the tags of what
it shows (``core.caching.cacheable``); the middleware here serves a guest the stored
copy for that URL and reading position, or lets the view render and stores the
result; the change signal bumps the version of every tag a write touched, and a page
is stored under the versions of its tags, so the next read after a commit misses and
renders afresh. Signed-in readers and guests with their own state (held comments, a
remembered name, a vote, a message to show) are never served a shared copy.
"""
