"""Abbreviations a text defines for itself: "iron deficiency anaemia (IDA)" then "IDA".

Papers and case reports introduce their own short forms, and the HPO's abbreviation synonyms
are few and often ambiguous ("ASD" is an atrial septal defect or an autism spectrum disorder).
A definition is a parenthesised short form of two to ten characters with two capitals at least
("IDA", "BCCs", "NF2") right after a recognised mention whose text it abbreviates, checked as
Schwartz & Hearst (PSB 2003) do: every letter and digit of the short form occurs in the long
form in order, the first at the start of its first word. From there on, the short form names
the mention's term. A parenthesised short form whose long form is no mention ("Angelman
syndrome (AS)", "branchio-oto-renal (BOR) syndrome") is a definition too: the text has said
what the letters mean, so the HPO's own abbreviation of the same letters is not used in it.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Protocol

#: "(IDA)", "(BCCs)", "(NF2)", "(SYM1)": the short form inside parentheses
_DEFINED = re.compile(r"\(\s*([A-Za-z][A-Za-z0-9\-]{1,9})\s*\)")
MIN_CAPITALS = 2


class _Span(Protocol):
    first: int
    last: int
    term: int


def short_forms(text: str) -> list[tuple[str, int, int]]:
    """``(short form, start, end)`` of every parenthesised abbreviation in ``text``."""
    if "(" not in text:
        return []
    return [(m.group(1), m.start(1), m.end(1)) for m in _DEFINED.finditer(text)
            if sum(c.isupper() for c in m.group(1)) >= MIN_CAPITALS]


def abbreviates(short: str, long: str) -> bool:
    """Schwartz & Hearst's test: the short form's letters and digits occur in the long form in
    order, right to left, the first of them at the start of a word; and the long form starts
    with the short form's first letter."""
    s, lo = short.lower(), long.lower()
    if not lo or not s or lo[0] != s[0]:
        return False
    li = len(lo) - 1
    for si in range(len(s) - 1, -1, -1):
        c = s[si]
        if not c.isalnum():
            continue
        while li >= 0 and (lo[li] != c or (si == 0 and li > 0 and lo[li - 1].isalnum())):
            li -= 1
        if li < 0:
            return False
        li -= 1
    return True


def forms(short: str) -> tuple[str, ...]:
    """The written forms a definition covers: "BCC" and "BCCs" either way round."""
    if short.endswith("s") and short[:-1].isupper() or short.endswith("S") and len(short) > 3:
        return (short, short[:-1])
    return (short, short + "s")


def definitions(text: str, starts: Sequence[int], ends: Sequence[int],
                candidates: Sequence[_Span]) -> list[tuple[int, int, str, int | None]]:
    """``(start, end, form, term or None)`` per definition: the short form is written at
    ``start:end``; after it, the written ``form`` names ``term`` (a position in the index's
    terms), or, when None, no HPO term at all. The long form is the first of ``candidates``
    (best first) that ends right before the parenthesis; ``starts``/``ends`` are the token
    offsets the spans' ``first``/``last`` index."""
    found = short_forms(text)
    if not found:
        return []
    by_end: dict[int, _Span] = {}
    for span in candidates:
        by_end.setdefault(ends[span.last], span)
    out: list[tuple[int, int, str, int | None]] = []
    for short, start, end in found:
        paren = text.rfind("(", 0, start)
        before = paren
        while before > 0 and text[before - 1].isspace():
            before -= 1
        span = by_end.get(before)
        term = None
        if span is not None and abbreviates(short, text[starts[span.first]:before]):
            term = span.term
        out.extend((start, end, form, term) for form in forms(short))
    return out
