"""The search index: one row per thing a reader can find (a review, a work, a character,
and, when ``WATCHWORTHY_SEARCH_COMMENTS`` is on, a comment).

A row keeps two kinds of text, on purpose:

* what is **shown** — ``title``, ``subtitle`` and ``text`` — is the text as it may
  leave the page (:func:`watchworthy.spoilers.shield.travelling`): every spoiler is a
  label, so a snippet can never show a hidden word;
* what is **matched** — ``match_title`` and ``match_body`` — is everything, spoilers
  included, folded to lower-case words without accents (the same folding for both
  databases and for the query). A search for a word inside a spoiler finds the review,
  and the snippet shows the label where the word is.

``facets`` holds filter tokens (``fvwatch``, ``fp3`` for platform 3, ``fy2024``…),
matched only as filters. The database indexes ``match_title``, ``match_body`` and
``facets``: an FTS5 table kept in step by triggers on SQLite (migration 0001); on
PostgreSQL a table of words and filter tokens with GIN indexes, ``search_words``, kept
in step by triggers, and a generated, weighted ``tsvector`` for ranking (migrations
0001, 0003; see docs/search.md). Nothing else writes to them.
"""

from __future__ import annotations

from django.db import models

from watchworthy.reviews.models import Verdict


class SearchEntry(models.Model):
    class Kind(models.TextChoices):
        REVIEW = "review", "Review"
        WORK = "work", "Work"
        CHARACTER = "character", "Character"
        COMMENT = "comment", "Comment"

    kind = models.CharField(max_length=10, choices=Kind.choices)
    object_id = models.BigIntegerField()
    # Which work the thing belongs to (a work's own id for a work): the work's changes
    # re-index everything under it. A plain number: the index never blocks a delete.
    work_id = models.BigIntegerField()
    url = models.CharField(max_length=500)
    # Shown (spoilers are labels).
    title = models.CharField(max_length=300)
    subtitle = models.CharField(max_length=300, blank=True)
    text = models.TextField(blank=True)
    verdict = models.CharField(max_length=10, choices=Verdict.choices, blank=True)
    # Matched (everything, folded), and the filter tokens.
    match_title = models.TextField(blank=True)
    match_body = models.TextField(blank=True)
    facets = models.TextField(blank=True)
    # Found only from this moment (a scheduled review); empty: always.
    published_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name_plural = "search entries"
        constraints = [
            models.UniqueConstraint(fields=["kind", "object_id"], name="search_entry_once"),
        ]
        indexes = [
            models.Index(fields=["work_id"], name="search_entry_work"),
            # The few entries not yet findable (a scheduled review): searches leave them out.
            models.Index(fields=["published_at"], name="search_entry_from"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.object_id}: {self.title}"
