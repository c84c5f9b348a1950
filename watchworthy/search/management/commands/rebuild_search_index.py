"""``manage.py rebuild_search_index``: index everything again, with a progress bar."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand

from watchworthy.search.index import rebuild

BAR = 30


class Command(BaseCommand):
    help = (
        "Empty the search index and index every public review, work and character again "
        "(and approved comments when WATCHWORTHY_SEARCH_COMMENTS is on). Run it after "
        "turning comment search on or off. Search keeps working meanwhile, with fewer results."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.perf_counter()
        interactive = self.stdout.isatty()
        state: dict[str, Any] = {"kind": "", "at": 0.0, "started": started}

        def progress(kind: str, done: int, total: int) -> None:
            now = time.perf_counter()
            if kind != state["kind"]:
                if state["kind"] and interactive:
                    self.stdout.write("")
                state.update(kind=kind, started=now)
            finished = done >= total
            # A terminal gets one line redrawn; a log a line every few seconds.
            if not finished and now - float(state["at"]) < (0.2 if interactive else 5):
                return
            state["at"] = now
            share = done / total if total else 1.0
            filled = round(BAR * share)
            took = now - float(state["started"])
            rate = f"{done / took:,.0f}/s" if took > 0 and done else ""
            line = (
                f"{kind + 's':<11} [{'#' * filled}{'.' * (BAR - filled)}] "
                f"{done:,}/{total:,} {share:4.0%} {rate}"
            )
            if interactive:
                self.stdout.write("\r" + line, ending="")
                self.stdout.flush()
            else:
                self.stdout.write(line)

        written = rebuild(progress)
        if interactive:
            self.stdout.write("")
        took = time.perf_counter() - started
        summary = ", ".join(f"{count:,} {kind}s" for kind, count in written.items())
        self.stdout.write(self.style.SUCCESS(f"Indexed {summary} in {took:.1f} s."))
