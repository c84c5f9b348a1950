"""The spoiler shield: how far a reader has watched, and what that lets them see.

:mod:`watchworthy.spoilers.shield` is the one public surface: views, feeds, mail and
(later) search and the API call it, never the markup layer below it.
"""
