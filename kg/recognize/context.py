"""Sentences and context: is a finding absent, a relative's, or a diagnosis being considered?

A NegEx/ConText-style reader driven by ``data/context.tsv``: trigger phrases (negation,
family, differential), pseudo-triggers that only block shorter triggers inside them ("not
only", "cannot be excluded"), and terminators that end a trigger's scope ("but", "however",
";", and for negation a new clause such as "and has"). A forward trigger covers the rest of
its sentence up to the first terminator, which is what carries "no rash, arthralgia or
myalgia" over the whole list; a backward trigger ("were absent", "was ruled out") covers the
clause before it; a comparison ("resembles", "mimics", "similar to") covers only the mention
right after it and the mentions listed with it, as a differential ("symptoms can resemble
pneumonia and include cough": pneumonia, not cough). Triggers inside a recognised mention
("absent thumbs") never fire.

Sentence boundaries: ., ! or ? followed by space and a capital, digit or opening bracket
(not after common abbreviations such as "e.g." or "Fig."), a blank line, a line break after a
sentence end or colon, before a list bullet, or after a short heading-like line; a line break
inside running text (wrapped or extracted from PDF) is not a boundary.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import Enum
from functools import lru_cache

from kg.errors import KgError
from kg.recognize.normalize import read_table

WORD_RE = re.compile(r"[^\W_]+|[^\w\s]|_")
MAX_HEADING = 40  # characters: a line this short, then a capitalised line, is a heading
_SENTENCE_END = re.compile(
    r"(?=[.!?\n])(?:"  # (a first-character test that lets the regex engine skip ahead fast)
    r"[.!?]+[\"')\]]*(?:\[\d+(?:[-\u2013,]\s?\d+)*\])*\s+(?=[\"'(\[]?[A-Z0-9])"  # . ! ? (then
    # citation marks: "diseases.[3][5]") then a capital, digit or bracket
    r"|\n\s*\n"  # a blank line
    r"|(?<=[.!?:])[ \t]*\n"  # a line that ends a sentence or a heading with a colon
    r"|\n(?=[ \t]*[-*\u2022])"  # a list bullet
    r"|\n(?=[ \t]*[A-Z][^\n]{0," + str(MAX_HEADING) + r"}[^.!?,;:\n][ \t]*(?:\n|\Z))"  # before a short capitalised line
    # that ends no sentence: a list item or table cell ("... is not available through HPO" /
    # "Autosomal dominant inheritance"), never a wrapped sentence's last line, which ends in "."
    r"|(?P<heading>\n)(?=[ \t]*[A-Z][a-z]))")  # after a short line (a heading), checked in code
_ABBREVIATIONS = frozenset({"e.g", "i.e", "dr", "fig", "figs", "al", "vs", "approx", "ca", "cf", "mr", "mrs",
                            "ms", "prof", "no", "st", "resp", "etc", "incl", "sp", "spp", "jr", "sr", "mt"})


class Context(str, Enum):
    """Whose finding a mention is."""

    PATIENT = "patient"
    FAMILY = "family"
    DIFFERENTIAL = "differential"


CATEGORIES = ("negation", "family", "differential", "pseudo", "terminator")
DIRECTIONS = ("forward", "backward", "both", "next")
#: "next" scopes: words allowed between the trigger and the mention it covers ("resembles that
#: of X"), and between that mention and the next one of a list it runs on over ("X or Y")
MAX_NEXT_GAP = 3
_LIST_GAP = frozenset({",", "or", "and", "/", "nor", "a", "an", "the"})


@dataclass(frozen=True, slots=True)
class Rule:
    phrase: tuple[str, ...]
    category: str
    direction: str  # for terminators: the categories they end, e.g. ("negation",) or all


@dataclass(frozen=True, slots=True)
class Assessment:
    """What the context rules say about one mention."""

    negated: bool
    context: Context


POSITIVE = Assessment(False, Context.PATIENT)
_SCOPED = ("negation", "family", "differential")


def words(text: str) -> list[tuple[str, int, int]]:
    """Lowercased words and symbols of ``text`` with offsets (the context rules' tokens)."""
    return [(m.group().lower(), m.start(), m.end()) for m in WORD_RE.finditer(text)]


def parse_rules(rows: Iterable[Sequence[str]], source: str = "context.tsv") -> dict[tuple[str, ...], Rule]:
    """Validate rule rows; a bad row is an error naming the table and line."""
    rules: dict[tuple[str, ...], Rule] = {}
    for number, row in enumerate(rows, start=1):
        if len(row) < 3:
            raise KgError(f"{source}: rule {number}: expected phrase, category, direction: {row!r}")
        phrase = tuple(w for w, _, _ in words(row[0]))
        category, direction = row[1].strip(), row[2].strip()
        if not phrase or category not in CATEGORIES:
            raise KgError(f"{source}: rule {number}: unknown category {category!r} or empty phrase")
        if category == "terminator":
            ends = tuple(CATEGORIES[:3]) if direction == "all" else tuple(direction.split(","))
            if any(c not in CATEGORIES[:3] for c in ends):
                raise KgError(f"{source}: rule {number}: terminator ends unknown category {direction!r}")
            direction = ",".join(ends)
        elif direction not in DIRECTIONS:
            raise KgError(f"{source}: rule {number}: unknown direction {direction!r}")
        rules[phrase] = Rule(phrase, category, direction)
    return rules


@lru_cache(maxsize=1)
def default_rules() -> dict[tuple[str, ...], Rule]:
    return parse_rules(read_table("context.tsv"))


def sentences(text: str) -> list[tuple[int, int]]:
    """``(start, end)`` of each sentence, whitespace trimmed; together they cover every word."""
    bounds: list[tuple[int, int]] = []
    start = 0
    for m in _SENTENCE_END.finditer(text):
        end = m.start()
        stop = text[max(start, end - 8):end + 1]
        if m.group()[:1] == "." and _ends_in_abbreviation(stop):
            continue
        if m.group("heading") and end - (text.rfind("\n", 0, end) + 1) > MAX_HEADING:
            continue  # a line break inside running text
        bounds.append((start, m.end()))
        start = m.end()
    bounds.append((start, len(text)))
    out = []
    for a, b in bounds:
        while a < b and text[a].isspace():
            a += 1
        while b > a and text[b - 1].isspace():
            b -= 1
        if a < b:
            out.append((a, b))
    return out


def _ends_in_abbreviation(stop: str) -> bool:
    word = re.split(r"[\s(\[]", stop.rstrip("."))[-1].lower()
    return word in _ABBREVIATIONS or (len(word) == 1 and word.isalpha())


class ContextReader:
    """Applies the rule table to the mentions of one sentence."""

    def __init__(self, rules: dict[tuple[str, ...], Rule] | None = None) -> None:
        self.rules = rules if rules is not None else default_rules()
        by_first: dict[str, set[int]] = {}
        for phrase in self.rules:
            by_first.setdefault(phrase[0], set()).add(len(phrase))
        #: phrase lengths starting with each word, longest first
        self.lengths = {word: sorted(found, reverse=True) for word, found in by_first.items()}
        self.first_words = frozenset(by_first)
        #: first words of the rules that can change a verdict (not pseudo-triggers, terminators)
        self.trigger_words = frozenset(p[0] for p, r in self.rules.items() if r.category in _SCOPED)

    def triggers(self, toks: Sequence[tuple[str, int, int]],
                 covered: Sequence[tuple[int, int]]) -> list[tuple[Rule, int, int]]:
        """Rules found in the tokens, longest first, never inside a mention: (rule, i, j)."""
        found = []
        rules, lengths, first_words = self.rules, self.lengths, self.first_words
        n = len(toks)
        words_ = [t[0] for t in toks]
        i = 0
        for i0 in [i for i, w in enumerate(words_) if w in first_words]:
            if i0 < i:
                continue
            hit = None
            for length in lengths[words_[i0]]:
                if i0 + length > n:
                    continue
                rule = rules.get(tuple(words_[i0:i0 + length]))
                if rule is not None:
                    hit = (rule, i0, i0 + length - 1)
                    break
            if hit is None or _inside(toks[hit[1]][1], toks[hit[2]][2], covered):
                continue
            found.append(hit)
            i = hit[2] + 1
        return found

    def assess(self, sentence: str, offset: int, spans: Sequence[tuple[int, int]]) -> list[Assessment]:
        """One assessment per ``(start, end)`` mention span (offsets into the whole text)."""
        return self.assess_tokens([(w, a + offset, b + offset) for w, a, b in words(sentence)], spans)

    def assess_tokens(self, toks: Sequence[tuple[str, int, int]],
                      spans: Sequence[tuple[int, int]]) -> list[Assessment]:
        """As ``assess``, from the sentence's lowercased tokens with their offsets."""
        found = self.triggers(toks, spans)
        if not any(rule.category in _SCOPED for rule, _, _ in found):
            return [POSITIVE] * len(spans)
        scopes = _scopes(toks, found, spans)
        result = []
        for start, end in spans:
            flags = {category: False for category in _SCOPED}
            for category, (a, b) in scopes:
                if a <= start and end <= b:
                    flags[category] = True
            context = Context.FAMILY if flags["family"] else \
                Context.DIFFERENTIAL if flags["differential"] else Context.PATIENT
            result.append(Assessment(flags["negation"], context))
        return result


def _scopes(toks: Sequence[tuple[str, int, int]], found: list[tuple[Rule, int, int]],
            spans: Sequence[tuple[int, int]] = ()) -> list[tuple[str, tuple[int, int]]]:
    """``(category, (start, end))`` character ranges the triggers cover: forward to the first
    terminator of their category (or the sentence end) that does not follow the trigger at
    once ("never reported tinnitus"), backward to the last one before them (or the sentence
    start); "next" only over the mention that follows within a few words, and the mentions
    listed after it ("may mimic tuberculosis or pneumonia, and include cough": pneumonia, not
    cough); a trigger inside parentheses stays inside them."""
    sentence_start, sentence_end = toks[0][1], toks[-1][2]
    pairs = _parentheses(toks)
    out = []
    for rule, i, j in found:
        if rule.category not in _SCOPED:
            continue
        ends = [(a, b) for r, a, b in found
                if r.category == "terminator" and rule.category in r.direction.split(",")]
        low, high = sentence_start, sentence_end
        for open_, close in pairs:
            if open_ < i and j < close:  # pairs come outer first, so the innermost wins
                low, high = toks[open_][2], toks[close][1]
        if rule.direction in ("forward", "both"):
            stop = min((toks[a][1] for a, _ in ends if a > j + 1), default=high)
            out.append((rule.category, (toks[j][2], min(stop, high))))
        if rule.direction in ("backward", "both"):
            begin = max((toks[b][2] for _, b in ends if b < i), default=low)
            out.append((rule.category, (max(begin, low), toks[i][1])))
        if rule.direction == "next":
            end = _next_mentions(toks, toks[j][2], min(high, sentence_end), spans)
            if end is not None:
                out.append((rule.category, (toks[j][2], end)))
    return out


def _next_mentions(toks: Sequence[tuple[str, int, int]], after: int, limit: int,
                   spans: Sequence[tuple[int, int]]) -> int | None:
    """End offset of the mention starting within ``MAX_NEXT_GAP`` words (no punctuation) after
    offset ``after``, run on over mentions joined to it by list words; None when there is none."""
    following = sorted((a, e) for a, e in spans if a >= after and e <= limit)
    if not following:
        return None

    def gap(a: int, b: int) -> list[str]:
        return [w for w, s, e in toks if s >= a and e <= b]

    start, end = following[0]
    between = gap(after, start)
    if len(between) > MAX_NEXT_GAP or any(not w[:1].isalnum() for w in between):
        return None
    listed = False  # a comma has joined two items: "A, B, and C" is a list, "A, and C" is not
    for a, e in following[1:]:
        if a < end:
            end = max(end, e)  # a nested mention
            continue
        between = gap(end, a)
        if len(between) > MAX_NEXT_GAP or not set(between) <= _LIST_GAP \
                or "," in between and len(between) > 1 and not listed:
            break
        listed = listed or between == [","]
        end = e
    return end


def _parentheses(toks: Sequence[tuple[str, int, int]]) -> list[tuple[int, int]]:
    """Token positions of matching ( ) and [ ] pairs, outer pairs first."""
    pairs, stack = [], []
    for k, (word, _, _) in enumerate(toks):
        if word in ("(", "["):
            stack.append(k)
        elif word in (")", "]") and stack:
            pairs.append((stack.pop(), k))
    return sorted(pairs, key=lambda p: (p[0], -p[1]))


def _inside(a: int, b: int, covered: Sequence[tuple[int, int]]) -> bool:
    return any(s < b and a < e for s, e in covered)
