"""Store the thread header of every comment whose stored one is out of date.

Out of date means rendered with another layout, time zone, language or secret key, or
never (a row written around ``Comment.save``). Pages show such comments correctly
anyway, rendering the header per request; this makes them cheap again. Run it after
changing WATCHWORTHY_TIME_ZONE or the secret key, or after a release that changes
the header layout (see watchworthy/discussion/header.py).
"""

from django.core.management.base import BaseCommand
from django.db import transaction

from watchworthy.discussion.header import current_key
from watchworthy.discussion.models import Comment
from watchworthy.discussion.services import store_headers

BATCH = 1000


class Command(BaseCommand):
    help = "Store the thread header of comments whose stored one is out of date."

    def add_arguments(self, parser):
        parser.add_argument(
            "--all", action="store_true", help="Render every comment's header again."
        )

    def handle(self, *args, all: bool = False, **options):
        key = current_key()
        stale = Comment.objects.all() if all else Comment.objects.exclude(header_key=key)
        done = last = 0
        while True:
            batch = list(stale.filter(pk__gt=last).order_by("pk")[:BATCH])
            if not batch:
                break
            with transaction.atomic():  # one change signal per batch
                done += store_headers(batch)
            last = batch[-1].pk
        self.stdout.write(f"Stored {done:,} comment header{'s' if done != 1 else ''}.")
