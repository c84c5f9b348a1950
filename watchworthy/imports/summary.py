"""What an import did (or, in a dry run, would do), and how it is shown."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

EXAMPLES_PER_ODDITY = 5
LISTED_MISSING = 50


@dataclass
class ImportSummary:
    source: str = ""
    dry_run: bool = False
    # ("post" | "page" | "attachment" | "comment" | "author" | "tag", "created" | …)
    objects: Counter = field(default_factory=Counter)
    comments_by_status: Counter = field(default_factory=Counter)
    skipped: Counter = field(default_factory=Counter)
    shortcodes: Counter = field(default_factory=Counter)
    embeds_removed: Counter = field(default_factory=Counter)
    deepest_thread: int = 0
    images_found: int = 0
    images_missing: int = 0
    missing_images: list[str] = field(default_factory=list)  # the first LISTED_MISSING
    redirects: int = 0
    redirect_conflicts: int = 0
    oddities: Counter = field(default_factory=Counter)
    oddity_examples: dict[str, list[str]] = field(default_factory=dict)
    unmatched: list[str] = field(default_factory=list)  # Disqus: threads without a review
    disqus: bool = False

    def count(self, kind: str, action: str, n: int = 1) -> None:
        self.objects[(kind, action)] += n

    def total(self, kind: str) -> int:
        return sum(n for (k, _action), n in self.objects.items() if k == kind)

    def oddity(self, kind: str, example: str = "") -> None:
        """Something odd in the file that was handled; ``kind`` groups them."""
        self.oddities[kind] += 1
        examples = self.oddity_examples.setdefault(kind, [])
        if example and len(examples) < EXAMPLES_PER_ODDITY:
            examples.append(example)

    def absorb(self, other: ImportSummary) -> None:
        """Add what ``other`` counted (its skipped items and oddities), as if it had
        been counted here: for work looked at early and reported when it is done."""
        self.skipped.update(other.skipped)
        for kind, n in other.oddities.items():
            self.oddities[kind] += n
            examples = self.oddity_examples.setdefault(kind, [])
            room = EXAMPLES_PER_ODDITY - len(examples)
            examples += other.oddity_examples.get(kind, [])[: max(room, 0)]

    def missing_image(self, description: str) -> None:
        self.images_missing += 1
        if len(self.missing_images) < LISTED_MISSING:
            self.missing_images.append(description)

    @property
    def items(self) -> int:
        """Everything written or checked, for a rate."""
        return sum(self.objects.values())

    # --- presentation ---------------------------------------------------------------

    def rows(self) -> list[tuple[str, str]]:
        def actions(kind: str) -> str:
            parts = [
                f"{self.objects[(kind, action)]} {action}"
                for action in ("created", "updated", "unchanged", "matched", "kept deleted")
                if self.objects[(kind, action)]
            ]
            return ", ".join(parts) or "0"

        rows = [
            ("Posts → reviews", actions("post")),
            ("Pages", actions("page")),
            ("Authors → users", actions("author")),
            ("Categories and tags → tags", actions("tag")),
            ("Comments", actions("comment")),
            (
                "Comments by status",
                ", ".join(f"{n} {status}" for status, n in sorted(self.comments_by_status.items()))
                or "0",
            ),
            (
                "Deepest thread",
                f"{self.deepest_thread} level{'s' if self.deepest_thread != 1 else ''}",
            ),
            ("Attachments → images", f"{self.images_found} found, {self.images_missing} missing"),
            ("Redirects", f"{self.redirects} new old links"),
            (
                "Shortcodes left as text",
                ", ".join(f"[{name}] x{n}" for name, n in self.shortcodes.most_common()) or "none",
            ),
        ]
        if self.disqus:
            wanted = {"Comments", "Comments by status", "Deepest thread"}
            rows = [("Disqus threads → reviews", actions("thread"))] + [
                row for row in rows if row[0] in wanted
            ]
        if self.embeds_removed:
            rows.append(
                (
                    "Removed by the sanitizer",
                    ", ".join(f"<{tag}> x{n}" for tag, n in self.embeds_removed.most_common()),
                )
            )
        if self.skipped:
            rows.append(
                ("Skipped", ", ".join(f"{n} {what}" for what, n in self.skipped.most_common()))
            )
        if self.redirect_conflicts:
            rows.append(("Redirect conflicts", f"{self.redirect_conflicts} (first claim kept)"))
        return rows

    def oddity_lines(self) -> list[str]:
        lines = []
        for kind, n in self.oddities.most_common():
            examples = self.oddity_examples.get(kind) or []
            more = f": {'; '.join(examples)}" if examples else ""
            lines.append(f"{kind} x{n}{more}")
        return lines

    def render(self, console, *, title: str) -> None:
        """Print the summary table (rich) on ``console``."""
        from rich.markup import escape
        from rich.table import Table

        table = Table(title=title, show_header=False, title_justify="left")
        table.add_column("what", style="bold")
        table.add_column("count", overflow="fold")
        for label, value in self.rows():
            table.add_row(escape(label), escape(value))
        console.print(table)
        console.print(f"Items written or checked: {self.items}", highlight=False)
        if self.missing_images:
            console.print(f"Missing attachments ({self.images_missing}):")
            for line in self.missing_images:
                console.print(f"  - {line}", markup=False, highlight=False)
            if self.images_missing > len(self.missing_images):
                console.print(
                    f"  … and {self.images_missing - len(self.missing_images)} more "
                    "(admin: Imported objects, kind Attachment)"
                )
        if self.unmatched:
            console.print(f"Not matched ({len(self.unmatched)}):")
            for line in self.unmatched:
                console.print(f"  - {line}", markup=False, highlight=False)
        if self.oddities:
            console.print("Oddities handled:")
            for line in self.oddity_lines():
                console.print(f"  - {line}", markup=False, highlight=False)
