"""Import a WordPress export (WXR) into Watchworthy: ``wordpress_import(...)``.

What maps to what (see docs/imports.md for the whole story):

=====================  ==========================================================
WordPress              Watchworthy
=====================  ==========================================================
post                   ``Review`` of the placeholder work "Imported from
                       WordPress" (slug ``imported``), verdict Unrated
page                   ``pages.Page`` (HTML body)
attachment             ``images.Image`` when ``--uploads`` holds the file, else a
                       "missing" record keeping the original URL
author / dc:creator    ``User`` with an unusable password (matched to an existing
                       user with the same login first)
category, post_tag     ``Tag`` (the default "Uncategorized" is skipped)
comment                ``Comment`` with status, threading, number, author badge
old URLs               ``LegacyRedirect`` rows (answered with 301 on a 404)
=====================  ==========================================================

The whole import runs in one transaction: a failure anywhere rolls everything back
and :class:`~watchworthy.imports.common.ImportFailed` names the item and the reason.
A dry run does all the work and rolls back at the end. Identity is kept in
``ImportedObject`` keyed on ``(source, kind, external id)``, so importing the same
file twice changes nothing and a newer export updates what changed. Everything the
import writes is marked for :mod:`watchworthy.core.changes`, so one import is one
``content_changed`` delivery after the commit (and a dry run or a failure is none).

The parts, in the order a record meets them:

=================  ===============================================================
``importer``       the run: one transaction, each record to its part, the end
``state``          what the parts share: options, source, summary, import records
``people``         authors → users, categories and tags → tags
``items``          the one create-or-update routine for posts, pages, attachments
``posts``          what a post (a review) and a page become
``attachments``    what an attachment becomes; finding and copying upload files
``comments``       an item's comments: ids kept, threads, numbers, old links
=================  ===============================================================
"""

from .importer import WordPressImporter, wordpress_import

__all__ = ["WordPressImporter", "wordpress_import"]
