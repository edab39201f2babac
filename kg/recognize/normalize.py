"""Word normalisation shared by the HPO names and the text, so both meet on the same keys.

A clinician writes "anaemic", "haemorrhages", "kidneys were hypoplastic" or "enlargement of
the liver"; the HPO says "Anemia", "Hemorrhage", "Renal hypoplasia", "Hepatomegaly"/"Enlarged
liver". Rather than listing variants of every name, every word on both sides is reduced to a
*key*: lowercased, British spellings rewritten (``data/spelling.tsv``), adverbs, plurals and
adjective forms rewritten to the word the HPO vocabulary uses (``data/inflection.tsv``, checked
against that vocabulary so no rule invents words), body-part adjectives rewritten to their noun
(``data/equivalents.tsv``), the words for less and more made one ("limited", "reduced" ->
"decreased"; ``data/quantity.tsv``), and verb forms cut to a grouping stem. The rules are tables so they
can be read, measured and extended without touching code.

Abbreviations are the exception to lowercasing: an all-capitals token that is not an ordinary
word of the vocabulary keeps its case (key ``^ASD``), so "ASD" matches and "asd" does not.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

#: Words (letters and digits together, as in "A1" or "C3"), or one non-space symbol.
TOKEN_RE = re.compile(r"[^\W_]+|[^\w\s]|_")
#: Tokens that never take part in a match and never block one: hyphens, apostrophes, articles.
#: ("a" only in lower case: "Type A brachydactyly" keeps its letter.)
SKIPPED = frozenset({"-", "\u2010", "\u2011", "'", "\u2019", "\u2018", "`", "\"", "\u201c", "\u201d", "the", "The", "THE", "a", "an", "An", "AN"})
#: Function words ignored when comparing names as bags of words ("hypoplasia of the kidney").
#: (Articles are skipped before keys are compared, so a capital "A" left in "Type A" is a word.)
FUNCTION_WORDS = frozenset({"of", "in", "on", "with", "and", "or", "to", "at", "by", "for", "from",
                            "involving", "affecting", "both"})
#: Ordinary English words a grouping stem must never turn another word into.
COMMON_WORDS = frozenset({
    "into", "onto", "upon", "over", "under", "less", "more", "most", "some", "such", "than", "that",
    "this", "these", "those", "then", "when", "were", "with", "will", "only", "also", "very", "much",
    "same", "other", "each", "both", "either", "neither", "about", "after", "before", "between",
    "during", "without", "within", "through", "there", "their", "they", "have", "been", "being",
    "does", "done", "made", "make", "many", "well", "show", "shown", "seen", "found", "case", "cases"})
ABBREVIATION_MARK = "^"
MIN_STEM = 3  # letters kept before a vocabulary-checked rewrite of a one- or two-letter suffix
MIN_GROUP_STEM = 4  # letters kept before an unchecked -ing/-ed/-ment/-ly cut


@dataclass(frozen=True, slots=True)
class SuffixRule:
    step: str  # plural | derive | stem
    suffix: str
    replacements: tuple[str, ...]


def read_table(name: str) -> list[list[str]]:
    """Rows of a tab-separated table in ``kg/recognize/data`` (comments and header dropped)."""
    text = (resources.files("kg.recognize") / "data" / name).read_text(encoding="utf-8")
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


#: Tables of words made one word on both sides: body parts (``equivalents.tsv``), the words
#: for "less" and "more" (``quantity.tsv``) and findings said as adjectives (``findings.tsv``);
#: an index option: see ``lexicon.IndexOptions``.
EQUIVALENT_TABLES = ("equivalents.tsv", "quantity.tsv", "findings.tsv")


@lru_cache(maxsize=8)
def equivalent_words(tables: tuple[str, ...] = ("equivalents.tsv",)) -> dict[str, str]:
    """Variant word -> canonical word, both spelling-normalised, from ``tables`` in order."""
    out: dict[str, str] = {}
    for name in tables:
        for row in read_table(name):
            canonical = spell(row[0])
            for variant in row[1].split(","):
                if variant.strip():
                    out[spell(variant.strip())] = canonical
    return out


def spell(word: str) -> str:
    """British to American spelling of one lowercased word (see ``data/spelling.tsv``);
    accents are dropped first ("café" -> "cafe")."""
    if not word.isascii():
        word = "".join(c for c in unicodedata.normalize("NFKD", word) if not unicodedata.combining(c))
    for pattern, replacement in spelling_rules():
        word = pattern.sub(replacement, word)
    return word


def is_abbreviation(raw: str) -> bool:
    """All capitals, two letters at least, e.g. ``ASD``, ``GERD``, ``CD4`` (not ``A1``)."""
    return raw.isupper() and raw[0].isalpha() and sum(c.isalpha() for c in raw) >= 2


class Normalizer:
    """Word -> keys, built from the vocabulary of the names being recognised.

    Every word has two keys: the *single* key (spelling, number, adjective -> noun, body-part
    equivalents), used for one-word names, and the *full* key (also quality nouns -> their
    adjective and an -ing/-ed/-ation grouping stem), used inside longer names. ``vocabulary``
    holds the words of the names as written (any case); it decides which rewrites are
    allowed and which capitalised tokens are abbreviations.
    """

    def __init__(self, vocabulary: Iterable[str], names: Iterable[str] = (),
                 tables: tuple[str, ...] = ("equivalents.tsv",), adverbs: bool = True) -> None:
        words = set(vocabulary)
        self._plain = frozenset(spell(w.lower()) for w in words if not is_abbreviation(w))
        #: one-word names: when a rewrite has two results ("hypotonic" -> "hypotony" or
        #: "hypotonia"), the one that is a finding on its own wins
        self._names = frozenset(spell(n.lower()) for n in names if n.isalpha())
        self._equivalents = equivalent_words(tables)
        #: words an equivalence produced or consumed are final: "abnormal" stays "abnormal"
        self._fixed = frozenset(self._equivalents) | frozenset(self._equivalents.values())
        self._rules = tuple(r for r in suffix_rules() if adverbs or r.step != "adverb")
        self._cache: dict[str, tuple[str, str]] = {}
        self.plain_keys = frozenset(self.word_keys(w)[1] for w in self._plain)

    # -- keys ------------------------------------------------------------------------------
    def word_keys(self, lower: str) -> tuple[str, str]:
        """(single, full) keys of one lowercased word (cached)."""
        keys = self._cache.get(lower)
        if keys is None:
            if len(self._cache) > 500_000:
                self._cache.clear()
            keys = self._cache[lower] = self._compute(lower)
        return keys

    def keys(self, raw: str) -> tuple[str, str]:
        """(single, full) keys of one word as written: abbreviations keep their capitals."""
        if raw.isupper() and is_abbreviation(raw):
            plain = self.word_keys(raw.lower())
            if plain[1] in self.plain_keys:
                return plain
            return (ABBREVIATION_MARK + raw, ABBREVIATION_MARK + raw)
        return self.word_keys(raw.lower())

    def key(self, raw: str) -> str:
        """The full key of one word as written."""
        return self.keys(raw)[1]

    def singular(self, lower: str) -> str:
        """A lowercased word in American spelling and singular, nothing else changed
        ("malformations" -> "malformation"; "renal" stays "renal")."""
        word = spell(lower)
        return word if not word.isalpha() or lower in FUNCTION_WORDS else self._rewrite(word, "plural")

    def _compute(self, lower: str) -> tuple[str, str]:
        word = spell(lower)
        if not word.isalpha() or lower in FUNCTION_WORDS:
            return word, word
        plural = self._plural_only(word)
        if plural != word:  # inside longer names only: a bare "fall" is no "Falls"
            return self._reduce(word)[0], self._reduce(plural)[1]
        return self._reduce(word)

    def _reduce(self, word: str) -> tuple[str, str]:
        equivalents = self._equivalents
        adjective = self._rewrite(word, "adverb")
        if len(adjective) >= MIN_GROUP_STEM and adjective not in FUNCTION_WORDS and adjective not in COMMON_WORDS:
            word = adjective  # "early" is not "ear", "overly" not "over"
        for step in ("plural", "adjective"):
            word = self._rewrite(word, step)
            word = equivalents.get(word, word)
        single = word
        word = self._rewrite(word, "quality")
        word = equivalents.get(word, word)
        full = word if word in self._fixed else self._group(word)
        if full != word and (full in FUNCTION_WORDS or full in COMMON_WORDS):
            full = word  # "intoeing" must not become "into"
        return single, full

    def _plural_only(self, word: str) -> str:
        """A singular the HPO names only write in the plural ("keratocyst": "Odontogenic
        keratocysts of the jaw") takes that plural's keys; the plural rules only reach a
        singular that is itself a word of the names. Words of the names are left alone."""
        if len(word) < MIN_STEM + 1 or word in self._plain or word in self._fixed:
            return word
        candidates = [word + "s", word + "es"]
        if word.endswith("y"):
            candidates.append(word[:-1] + "ies")
        return next((c for c in candidates if c in self._plain), word)

    def _rewrite(self, word: str, step: str) -> str:
        if word in self._fixed:
            return word
        for rule in self._rules:
            if rule.step != step or not word.endswith(rule.suffix):
                continue
            stem = word[: len(word) - len(rule.suffix)]
            if len(stem) < (MIN_STEM if len(rule.suffix) <= 2 else 1):  # "oral" is not "or"; "feet" is "foot"
                continue
            found = [stem + r for r in rule.replacements
                     if stem + r != word and (stem + r in self._plain or stem + r in self._fixed)]
            if found:
                return next((c for c in found if c in self._names), found[0])
        return word

    def _group(self, word: str) -> str:
        for rule in self._rules:
            if rule.step == "stem" and word.endswith(rule.suffix) \
                    and len(word) - len(rule.suffix) >= MIN_GROUP_STEM:
                word = word[: len(word) - len(rule.suffix)] + rule.replacements[0]
                if word.endswith("at") and len(word) >= MIN_GROUP_STEM + 2:
                    word = word[:-2]
                break
        if len(word) > MIN_GROUP_STEM and word.endswith("e"):
            word = word[:-1]
        if len(word) > MIN_GROUP_STEM and word[-1] == word[-2] and word[-1] not in "aeiou":
            word = word[:-1]
        return word


def raw_tokens(text: str) -> list[tuple[str, int, int]]:
    """``(token, start, end)`` for every word, number and symbol of ``text``."""
    return [(m.group(), m.start(), m.end()) for m in TOKEN_RE.finditer(text)]
