"""Word normalisation shared by the HPO names and the text, so both meet on the same keys.

A clinician writes "anaemic", "haemorrhages", "kidneys were hypoplastic" or "enlargement of
the liver"; the HPO says "Anemia", "Hemorrhage", "Renal hypoplasia", "Hepatomegaly"/"Enlarged
liver". Rather than listing variants of every name, every word on both sides is reduced to a
*key*: lowercased, British spellings rewritten (``data/spelling.tsv``), plurals and adjective
forms rewritten to the word the HPO vocabulary uses (``data/inflection.tsv``, checked against
that vocabulary so no rule invents words), body-part adjectives rewritten to their noun
(``data/equivalents.tsv``), and verb forms cut to a grouping stem. The rules are tables so they
can be read, measured and extended without touching code.

Abbreviations are the exception to lowercasing: an all-capitals token that is not an ordinary
word of the vocabulary keeps its case (key ``^ASD``), so "ASD" matches and "asd" does not.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Iterable

#: Words, numbers, or one non-space symbol; underscores count as symbols.
TOKEN_RE = re.compile(r"[^\W\d_]+|\d+|[^\w\s]|_")
#: Tokens that never take part in a match and never block one: hyphens, apostrophes, articles.
SKIPPED = frozenset({"-", "\u2010", "\u2011", "'", "\u2019", "\u2018", "`", "the", "a", "an"})
#: Function words ignored when comparing names as bags of words ("hypoplasia of the kidney").
FUNCTION_WORDS = frozenset({"of", "in", "on", "with", "and", "or", "to", "at", "by", "for", "from",
                            "involving", "affecting", "the", "a", "an"})
ABBREVIATION_MARK = "^"
MIN_STEM = 3  # letters kept before a vocabulary-checked suffix rewrite
MIN_GROUP_STEM = 4  # letters kept before an unchecked -ing/-ed/-ment/-ly cut


@dataclass(frozen=True, slots=True)
class SuffixRule:
    step: str  # plural | derive | stem
    suffix: str
    replacements: tuple[str, ...]


def read_table(name: str) -> list[list[str]]:
    """Rows of a tab-separated table in ``kg/recognize/data`` (comments and header dropped)."""
    text = resources.files("kg.recognize").joinpath("data", name).read_text(encoding="utf-8")
    rows = [line.split("\t") for line in text.splitlines() if line.strip() and not line.startswith("#")]
    return rows[1:]


@lru_cache(maxsize=1)
def spelling_rules() -> tuple[tuple[re.Pattern[str], str], ...]:
    return tuple((re.compile(row[0]), row[1]) for row in read_table("spelling.tsv"))


@lru_cache(maxsize=1)
def suffix_rules() -> tuple[SuffixRule, ...]:
    rules = []
    for row in read_table("inflection.tsv"):
        row = row + [""] * (3 - len(row))
        rules.append(SuffixRule(row[0], row[1], tuple(row[2].split(","))))
    return tuple(rules)


@lru_cache(maxsize=1)
def equivalent_words() -> dict[str, str]:
    """Variant word -> canonical word, both spelling-normalised."""
    out: dict[str, str] = {}
    for row in read_table("equivalents.tsv"):
        canonical = spell(row[0])
        for variant in row[1].split(","):
            if variant.strip():
                out[spell(variant.strip())] = canonical
    return out


def spell(word: str) -> str:
    """British to American spelling of one lowercased word (see ``data/spelling.tsv``)."""
    for pattern, replacement in spelling_rules():
        word = pattern.sub(replacement, word)
    return word


def is_abbreviation(raw: str) -> bool:
    """All capitals (two letters at least), e.g. ``ASD``, ``GERD``; digits allowed after a letter."""
    return len(raw) >= 2 and raw.isupper() and raw[0].isalpha()


class Normalizer:
    """Word -> key, built from the vocabulary of the names being recognised.

    ``vocabulary`` holds the words of the names as written (any case); it decides which
    plural/adjective rewrites are allowed and which capitalised tokens are abbreviations.
    """

    def __init__(self, vocabulary: Iterable[str]) -> None:
        words = set(vocabulary)
        self._plain = frozenset(spell(w.lower()) for w in words if not is_abbreviation(w))
        self._equivalents = equivalent_words()
        self._rules = suffix_rules()
        self._cache: dict[str, str] = {}
        self.plain_keys = frozenset(self.word_key(w) for w in self._plain)

    # -- keys ------------------------------------------------------------------------------
    def word_key(self, lower: str) -> str:
        """Key of one lowercased word (cached)."""
        key = self._cache.get(lower)
        if key is None:
            if len(self._cache) > 500_000:
                self._cache.clear()
            key = self._cache[lower] = self._compute(lower)
        return key

    def key(self, raw: str) -> str:
        """Key of one word as written: abbreviations keep their capitals."""
        if raw.isupper() and is_abbreviation(raw):
            plain = self.word_key(raw.lower())
            return plain if plain in self.plain_keys else ABBREVIATION_MARK + raw
        return self.word_key(raw.lower())

    def _compute(self, lower: str) -> str:
        word = spell(lower)
        if not word.isalpha():
            return word
        word = self._rewrite(word, "plural")
        word = self._equivalents.get(word, word)
        word = self._rewrite(word, "derive")
        word = self._equivalents.get(word, word)
        return self._group(word)

    def _rewrite(self, word: str, step: str) -> str:
        if word in self._equivalents:
            return word
        for rule in self._rules:
            if rule.step != step or not word.endswith(rule.suffix):
                continue
            stem = word[: len(word) - len(rule.suffix)]
            if len(stem) < MIN_STEM:
                continue
            for replacement in rule.replacements:
                candidate = stem + replacement
                if candidate != word and (candidate in self._plain or candidate in self._equivalents):
                    return candidate
        return word

    def _group(self, word: str) -> str:
        for rule in self._rules:
            if rule.step == "stem" and word.endswith(rule.suffix) \
                    and len(word) - len(rule.suffix) >= MIN_GROUP_STEM:
                word = word[: len(word) - len(rule.suffix)]
                break
        if len(word) > MIN_GROUP_STEM and word.endswith("e"):
            word = word[:-1]
        if len(word) > MIN_GROUP_STEM and word[-1] == word[-2] and word[-1] not in "aeiou":
            word = word[:-1]
        return word


def raw_tokens(text: str) -> list[tuple[str, int, int]]:
    """``(token, start, end)`` for every word, number and symbol of ``text``."""
    return [(m.group(), m.start(), m.end()) for m in TOKEN_RE.finditer(text)]
