"""Adversarial inputs cost time linear in their length (`make bench` section).

Each parser and sanitizer a visitor can reach gets hostile text at 25,000, 50,000
and 100,000 characters; the table shows milliseconds and the growth from 25k to
100k. Linear work grows about 4x; quadratic work grows about 16x. Numbers, not
pass/fail: the hypothesis tests assert what the output is, this shows what it costs.
"""

from __future__ import annotations

import time
from collections.abc import Callable

SIZES = (25_000, 50_000, 100_000)


def cases() -> dict[str, tuple[Callable[[str], object], Callable[[int], str]]]:
    from watchworthy.core.markdown import render_comment_markdown, render_markdown
    from watchworthy.core.sanitize import clean_html, html_to_text
    from watchworthy.core.spoiler_markup import Position, apply_shield, redact_spoilers

    def shield(html: str) -> str:
        return apply_shield(html, Position(1, 3))

    def repeat(unit: str) -> Callable[[int], str]:
        return lambda n: unit * (n // len(unit))

    table = "| a | b |\n|---|---|\n"
    return {
        "comment: unclosed spoilers ' ||a'": (render_comment_markdown, repeat(" ||a")),
        "comment: scoped openers": (render_comment_markdown, repeat(" ||Part 1 ep 2: a")),
        "review: unclosed spoilers ' ||a'": (render_markdown, repeat(" ||a")),
        "review: a run of pipes": (render_markdown, repeat("|")),
        "review: open brackets '['": (render_markdown, repeat("[")),
        "review: half links '[a]('": (render_markdown, repeat("[a](")),
        "review: emphasis '*a '": (render_markdown, repeat("*a ")),
        "review: backticks": (render_markdown, repeat("`a")),
        "review: table row of openers": (
            render_markdown,
            lambda n: table + "| " + "||a " * (n // 4),
        ),
        "review: nested quotes '> '": (render_markdown, repeat("> ")),
        "sanitizer: nested <div>": (clean_html, repeat("<div>")),
        "sanitizer: nested <ul>": (clean_html, repeat("<ul>")),
        "sanitizer: unclosed <b>": (clean_html, repeat("<b>")),
        "plain text of nested <div>": (html_to_text, repeat("<div>")),
        "redaction: nested spoiler spans": (
            redact_spoilers,
            repeat('<span class="spoiler-inline">x'),
        ),
        "shield: many scoped spoilers": (
            shield,
            repeat(
                '<span class="spoiler-inline" data-spoiler-season="1" data-spoiler-episode="2">'
            ),
        ),
    }


def run(out: Callable[[str], None] = print) -> None:
    out("")
    out("Adversarial input: milliseconds at 25k / 50k / 100k characters (linear: x4)")
    out(f"{'input':42s} {'25k':>9s} {'50k':>9s} {'100k':>9s} {'growth':>7s}")
    for name, (parse, make) in cases().items():
        times = []
        for size in SIZES:
            text = make(size)
            started = time.perf_counter()
            parse(text)
            times.append((time.perf_counter() - started) * 1000)
        growth = times[-1] / max(times[0], 0.001)
        out(f"{name:42s} {times[0]:9.1f} {times[1]:9.1f} {times[2]:9.1f} {growth:6.1f}x")


if __name__ == "__main__":
    import os
    import sys
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    run()
