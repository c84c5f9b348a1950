"""Words as search sees them, the same for the index, the query and the highlighting.

Text is folded (compatibility forms, accents dropped, case folded) and cut into runs
of letters and digits; both databases index these words already folded, so SQLite's
FTS5 and PostgreSQL's ``simple`` configuration agree on what a word is. A query word
of three letters or more is a **prefix**: ``ferry`` finds *Ferrylight*.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

WORD = re.compile(r"[^\W_]+")
MAX_TERMS = 8  # words of a query that count; the rest are ignored
MAX_TERM_LENGTH = 40
MATCH_LIMIT = 200_000  # characters of a document that are matched (a tsvector's limit is 1 MB)
SNIPPET_CHARACTERS = 220
ELLIPSIS = "…"


def _combining_marks() -> dict[int, None]:
    """Every combining mark of the Basic Multilingual Plane, for ``str.translate``."""
    return {code: None for code in range(0x300, 0x10000) if unicodedata.combining(chr(code))}


_DROP_MARKS = _combining_marks()


def fold(text: str) -> str:
    """Lower case, without accents: "Ferrylight", "FERRYLIGHT" and "Ferrÿlight" agree."""
    if text.isascii():
        return text.lower()
    return unicodedata.normalize("NFKD", text).translate(_DROP_MARKS).casefold()


def words(text: str) -> list[str]:
    return WORD.findall(fold(text))


def match_text(*parts: str) -> str:
    """What the database indexes for ``parts``: folded words separated by spaces."""
    text = " ".join(part for part in parts if part)
    return " ".join(words(text[:MATCH_LIMIT]))


def query_terms(query: str) -> tuple[str, ...]:
    """The words of a reader's query, folded, in order, without repeats."""
    terms: list[str] = []
    for word in words(query[:1000]):
        word = word[:MAX_TERM_LENGTH]
        if word not in terms:
            terms.append(word)
        if len(terms) == MAX_TERMS:
            break
    return tuple(terms)


MIN_PREFIX = 3


def is_prefix(term: str) -> bool:
    """Words of one or two letters are matched whole: as prefixes they would match
    nearly everything, and expanding them costs both databases most (see bench/)."""
    return len(term) >= MIN_PREFIX


_START = r"(?<![^\W_])"  # not inside a word
_REST = r"[^\W_]*"  # the rest of the word a prefix begins
_END = r"(?![^\W_])"  # the word ends here


def _hits(text: str, terms: tuple[str, ...]) -> list[tuple[int, int, str]]:
    """Where ``terms`` match words of ``text``: (start, end, term), in order."""
    if not terms:
        return []
    if text.isascii():  # the usual case: one regular expression, case-insensitive
        alternatives = [
            f"(?P<t{n}>{re.escape(term)}{_REST if is_prefix(term) else _END})"
            for n, term in enumerate(terms)
        ]
        found = re.finditer(_START + "(?:" + "|".join(alternatives) + ")", text, re.IGNORECASE)
        return [(m.start(), m.end(), terms[int(str(m.lastgroup)[1:])]) for m in found]
    hits = []
    for m in WORD.finditer(text):
        folded = fold(m.group())
        for term in terms:
            if folded == term or (is_prefix(term) and folded.startswith(term)):
                hits.append((m.start(), m.end(), term))
                break
    return hits


def highlight(text: str, terms: tuple[str, ...], *, around: int | None = None) -> SafeString:
    """``text`` escaped, with the words ``terms`` match in ``<mark>``.

    With ``around``, only about that many characters are kept: the stretch holding
    the most different terms (the start of the text when none is found), cut at
    spaces, with "…" where text was left out. The markup is built from escaped
    pieces, so whatever ``text`` holds stays text."""
    text = text.strip()
    hits = _hits(text, terms)
    start, end = 0, len(text)
    if around is not None and len(text) > around:
        start = _best_start(hits, around)
        if start > 0:  # lead in with a few words, starting on a word
            first_hit = start
            start = max(0, start - around // 6)
            space = text.find(" ", start, first_hit)
            start = space + 1 if space >= 0 else start
        end = min(len(text), start + around)
        if end < len(text):
            space = text.rfind(" ", start, end)
            end = space if space > start else end
    pieces = [ELLIPSIS] if start > 0 else []
    cursor = start
    for hit_start, hit_end, _term in hits:
        if hit_start < start or hit_end > end:
            continue
        pieces.append(escape(text[cursor:hit_start]))
        pieces.append(f"<mark>{escape(text[hit_start:hit_end])}</mark>")
        cursor = hit_end
    pieces.append(escape(text[cursor:end]))
    if end < len(text):
        pieces.append(ELLIPSIS)
    return mark_safe("".join(pieces))  # noqa: S308 - built from escaped pieces


def _best_start(hits: list[tuple[int, int, str]], size: int) -> int:
    """Where the stretch of ``size`` characters with the most different terms starts
    (the first hit of it; 0 when there are none). Two pointers over the hits."""
    counts: Counter[str] = Counter()
    best, best_count, left = 0, 0, 0
    for start, _end, term in hits:
        counts[term] += 1
        while hits[left][0] < start - size:
            gone = hits[left][2]
            counts[gone] -= 1
            if not counts[gone]:
                del counts[gone]
            left += 1
        if len(counts) > best_count:
            best, best_count = hits[left][0], len(counts)
    return best
