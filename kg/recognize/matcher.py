"""Finding HPO names in text: keyed tokens, longest match, word-order-free phrases, coordination.

The text is cut into tokens with character offsets into the original string; each word gets
the same key its counterpart in the HPO names got (``kg.recognize.normalize``). Three kinds
of candidate are collected, then reduced to non-overlapping spans:

* sequence: every run of keys, starting at each token, that is a name (or an "X of Y"/"Y X"
  variant of one);
* bag: a phrase of vocabulary words (function words allowed inside, not "and"/"or" or
  punctuation) whose content keys are exactly those of a name, in any order;
* inversion: "anemia, iron deficiency" read as "iron deficiency anemia" when the word before
  the comma is itself a one-word name;
* coordination: "A or B C" read as "A C" and "B C" ("aplastic or hypoplastic nails"),
  "C A and B" as "C A" and "C B" ("cleft lip and palate"), "C of A and B" as "C of A" and
  "C of B"; the mention covers the whole phrase so its offsets still slice back to the text.

Selection is deterministic: longer spans first (in tokens, then characters), then the better
name source, then the earlier start, then the lower HPO ID. A token glued to the next by bad
text extraction ("cleftpalate") is split only when the two halves start or make an HPO name.
"""

from __future__ import annotations

import re
from itertools import accumulate
from typing import NamedTuple

from kg.recognize.lexicon import APOSTROPHES, INVERTED, MAX_BAG, Index
from kg.recognize.normalize import FUNCTION_WORDS, SKIPPED, TOKEN_RE, spell

COORDINATORS = frozenset({"and", "or", "nor"})
MIN_GLUED = 8  # letters in a token before a split into two names' words is tried
MIN_PART = 3
_SKIP = ("", "")
_SPLIT_RE = re.compile(f"({TOKEN_RE.pattern})")  # keys of a token that takes no part in matching (article, hyphen, apostrophe)


class Span(NamedTuple):
    """A candidate: matching tokens ``first..last`` (inclusive) name ``terms[term]``."""

    first: int
    last: int
    term: int
    priority: int
    extra_terms: tuple[int, ...] = ()  # coordination: more terms named by the same span


class Tokens:
    """One text cut into tokens: the raw layer (every word and symbol, with offsets) that the
    context rules read, and the matching layer (keys of the tokens that take part in names)."""

    __slots__ = ("text", "raws", "spans", "keys", "singles", "starts", "ends", "_lows")

    def __init__(self, text: str, raws: list[str], spans: list[tuple[int, int]], keys: list[str],
                 singles: list[str], starts: list[int], ends: list[int]) -> None:
        self.text, self.raws, self.spans = text, raws, spans
        self.keys, self.singles, self.starts, self.ends = keys, singles, starts, ends
        self._lows: list[str] | None = None

    @property
    def lows(self) -> list[str]:
        """The raw tokens lowercased (computed once, on demand)."""
        if self._lows is None:
            lowered = self.text.lower()
            if len(lowered) == len(self.text):
                self._lows = _SPLIT_RE.split(lowered)[1::2]
            if self._lows is None or len(self._lows) != len(self.raws):  # lower() changed lengths
                self._lows = [raw.lower() for raw in self.raws]
        return self._lows

    def written(self, first: int, last: int) -> str:
        """Matching tokens ``first..last`` as written, lowercased, American spelling."""
        return " ".join(spell(self.text[self.starts[k]:self.ends[k]].lower()) for k in range(first, last + 1))

    def __len__(self) -> int:
        return len(self.keys)


class Matcher:
    """Candidate finding and overlap resolution over one ``Index``."""

    def __init__(self, index: Index) -> None:
        self.index = index
        self.singles = index.singles
        self.sequences = index.sequences
        self.prefixes = index.prefixes
        self.bags = index.bags
        self.bag_words = index.bag_words
        known: set[str] = set(index.bag_words)
        for key in index.sequences:
            known.update(key.split(" "))
        self.known = frozenset(known)
        self.first_words = frozenset(k.split(" ", 1)[0] for k in index.sequences)
        self._keys: dict[str, tuple[str, str]] = {}
        self._glued: dict[str, tuple[tuple[str, str, int, int], ...] | None] = {}

    # -- tokens ------------------------------------------------------------------------------
    def tokens(self, text: str) -> Tokens:
        parts = _SPLIT_RE.split(text)  # gap, token, gap, token, ..., gap
        raws = parts[1::2]
        offsets = list(accumulate(map(len, parts), initial=0))
        spans = list(zip(offsets[1:-1:2], offsets[2::2]))
        get = self._keys.get
        pairs = [get(raw) or self._learn(raw) for raw in raws]
        if "'" in text or "\u2019" in text:  # possessive 's takes no part either
            for i in range(len(raws) - 1):
                if raws[i] in APOSTROPHES and raws[i + 1] in ("s", "S"):
                    pairs[i + 1] = _SKIP
        keep = [i for i, pair in enumerate(pairs) if pair[1]]
        keys = [pairs[i][1] for i in keep]
        singles = [pairs[i][0] for i in keep]
        starts = [spans[i][0] for i in keep]
        ends = [spans[i][1] for i in keep]
        toks = Tokens(text, raws, spans, keys, singles, starts, ends)
        if self._glued:
            self._unglue(toks)
        return toks

    def _learn(self, raw: str) -> tuple[str, str]:
        """Keys of a token not seen before (then cached); notes tokens that may be glued."""
        if len(self._keys) > 500_000:
            self._keys.clear()
        if raw in SKIPPED:
            pair = _SKIP
        elif not raw[0].isalpha():
            pair = (raw, raw)
        else:
            pair = self.index.normalizer.keys(raw)
            if pair[1] not in self.known and pair[0] not in self.singles and len(raw) >= MIN_GLUED \
                    and raw.isalpha():
                pieces = self._split_glued(raw)
                if pieces:
                    self._glued[raw] = pieces
        self._keys[raw] = pair
        return pair

    def _split_glued(self, raw: str) -> tuple[tuple[str, str, int, int], ...] | None:
        """Two halves whose keys start or make a name, when exactly one cut gives them."""
        normalizer = self.index.normalizer
        found = []
        for cut in range(MIN_PART, len(raw) - MIN_PART + 1):
            left, right = normalizer.keys(raw[:cut]), normalizer.keys(raw[cut:])
            if f"{left[1]} {right[1]}" in self.index.glue_pairs:
                found.append((cut, left, right))
        if len(found) != 1:
            return None
        cut, left, right = found[0]
        return ((left[0], left[1], 0, cut), (right[0], right[1], cut, len(raw)))

    def _unglue(self, toks: Tokens) -> None:
        """Replace glued tokens by their two halves in the matching layer (rare, slow path)."""
        text, glued = toks.text, self._glued
        at = [k for k in range(len(toks.keys)) if text[toks.starts[k]:toks.ends[k]] in glued]
        for k in reversed(at):
            start = toks.starts[k]
            pieces = glued[text[start:toks.ends[k]]]
            assert pieces is not None
            toks.keys[k:k + 1] = [p[1] for p in pieces]
            toks.singles[k:k + 1] = [p[0] for p in pieces]
            toks.ends[k:k + 1] = [start + p[3] for p in pieces]
            toks.starts[k:k + 1] = [start + p[2] for p in pieces]

    # -- candidates ----------------------------------------------------------------------------
    def candidates(self, toks: Tokens) -> list[Span]:
        keys = toks.keys
        n = len(keys)
        singles, sequences, prefixes = self.singles, self.sequences, self.prefixes
        alternatives = self.index.alternatives
        out = [Span(i, i, hit[0], hit[1]) for i, hit in enumerate(map(singles.get, toks.singles))
               if hit is not None]
        if n < 2:
            return out
        glue_pairs = self.index.glue_pairs  # the first two keys of every longer name
        bigrams = [a + " " + b for a, b in zip(keys, keys[1:])]
        for i in [i for i, bigram in enumerate(bigrams) if bigram in glue_pairs]:
            acc, j = bigrams[i], i + 1
            while True:
                hit = sequences.get(acc)
                if hit is not None:
                    if acc in alternatives:
                        hit = self._closest(acc, toks.written(i, j), hit)
                    out.append(Span(i, j, hit[0], hit[1]))
                j += 1
                if j >= n or acc not in prefixes:
                    break
                acc = acc + " " + keys[j]
        out.extend(self._bag_candidates(keys))
        if "," in keys:
            out.extend(self._inverted(toks))
        if "and" in keys or "or" in keys or "nor" in keys:
            out.extend(self._coordinated(keys))
        return out

    def _closest(self, key: str, written: str, best: tuple[int, int]) -> tuple[int, int]:
        """Among terms sharing ``key``, the one whose name is written as the text is, if any
        ("ear anomalies" and "ear anomaly" name two terms that share a key)."""
        for form, term, priority in self.index.alternatives[key]:
            if form == written:
                return term, priority
        return best

    def _bag_candidates(self, keys: list[str]) -> list[Span]:
        """Windows of vocabulary words whose content keys are a name's, in any order; a window
        is only opened where its first two content words occur together in some name."""
        out: list[Span] = []
        bags, bag_words, bag_pairs = self.bags, self.bag_words, self.index.bag_pairs
        content = [(k, key) for k, key in enumerate(keys) if key not in FUNCTION_WORDS or key in COORDINATORS]
        n = len(keys)
        for (i, first), (_, second) in zip(content, content[1:]):
            if first + " " + second not in bag_pairs:
                continue
            seen = {first}
            for j in range(i + 1, n):
                key = keys[j]
                if key in COORDINATORS:
                    break
                if key in FUNCTION_WORDS:
                    continue
                if key not in bag_words or key in seen:
                    break
                seen.add(key)
                if len(seen) > MAX_BAG:
                    break
                hit = bags.get(frozenset(seen))
                if hit is not None:
                    out.append(Span(i, j, hit[0], hit[1]))
        return out

    def _inverted(self, toks: Tokens) -> list[Span]:
        """"anemia, iron deficiency" -> "iron deficiency anemia": a one-word name, a comma, and
        up to three words that put before it make a name."""
        out: list[Span] = []
        keys, singles = toks.keys, toks.singles
        for c in range(1, len(keys) - 1):
            if keys[c] != "," or singles[c - 1] not in self.singles:
                continue
            head = keys[c - 1]
            for m in range(min(3, len(keys) - c - 1), 0, -1):
                hit = self.sequences.get(" ".join(keys[c + 1:c + 1 + m]) + " " + head)
                if hit is not None:
                    out.append(Span(c - 1, c + m, hit[0], hit[1] + INVERTED))
                    break
        return out

    def _lookup(self, words: list[str]) -> tuple[int, int] | None:
        """A name made of exactly these keys: in this order, or in any order as a bag."""
        hit = self.sequences.get(" ".join(words))
        if hit is None:
            content = frozenset(w for w in words if w not in FUNCTION_WORDS)
            if len(content) >= 2:
                hit = self.bags.get(content)
        return hit

    def _coordinated(self, keys: list[str]) -> list[Span]:
        """"A or B C" -> A C + B C, "C A and B" -> C A + C B, "C of A and B" -> C of A + C of B
        (one-word A and B)."""
        out: list[Span] = []
        lookup = self._lookup
        for k in range(1, len(keys) - 2):
            if keys[k] not in COORDINATORS:
                continue
            a, b, c = keys[k - 1], keys[k + 1], keys[k + 2]
            if a in self.known and b in self.known and c in self.known:
                first, second = lookup([a, c]), lookup([b, c])
                if first and second and first[0] != second[0]:
                    out.append(Span(k - 1, k + 2, first[0], max(first[1], second[1]), (second[0],)))
            if k >= 2 and b in self.known:  # "cleft lip and palate": C A and B -> C A + C B
                head = keys[k - 2]
                first, second = lookup([head, a]), lookup([head, b])
                if first and second and first[0] != second[0]:
                    out.append(Span(k - 2, k + 1, first[0], max(first[1], second[1]), (second[0],)))
            if k >= 3 and keys[k - 2] == "of":
                head = keys[k - 3]
                first, second = lookup([head, "of", a]), lookup([head, "of", b])
                if first and second and first[0] != second[0]:
                    out.append(Span(k - 3, k + 1, first[0], max(first[1], second[1]), (second[0],)))
        return out

    # -- selection ---------------------------------------------------------------------------
    def select(self, toks: Tokens, spans: list[Span]) -> tuple[list[Span], list[Span]]:
        """Non-overlapping spans, longest first (ties: priority, start, HPO ID), and the
        candidates lying strictly inside a chosen span with another term (nested)."""
        terms = self.index.terms
        starts, ends = toks.starts, toks.ends
        ranked = sorted(spans, key=lambda s: (-(s.last - s.first), -(ends[s.last] - starts[s.first]),
                                              s.priority, s.first, terms[s.term][0]))
        owner = [-1] * len(toks)
        chosen: list[Span] = []
        nested: list[Span] = []
        for span in ranked:
            inside = owner[span.first:span.last + 1]
            if inside.count(-1) == len(inside):
                for k in range(span.first, span.last + 1):
                    owner[k] = len(chosen)
                chosen.append(span)
            elif len(set(inside)) == 1 and inside[0] >= 0:
                outer = chosen[inside[0]]
                if (span.first, span.last) != (outer.first, outer.last) and span.term != outer.term \
                        and span.term not in outer.extra_terms:
                    nested.append(span)
        chosen.sort(key=lambda s: s.first)
        nested.sort(key=lambda s: (s.first, s.last))
        return chosen, nested

    def match(self, text: str) -> tuple[Tokens, list[Span], list[Span]]:
        """Tokens, the chosen spans and the nested ones."""
        toks = self.tokens(text)
        chosen, nested = self.select(toks, self.candidates(toks))
        return toks, chosen, nested
