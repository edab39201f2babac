"""Finding HPO names in text: keyed tokens, longest match, word-order-free phrases, coordination.

The text is cut into tokens with character offsets into the original string; each word gets
the same key its counterpart in the HPO names got (``kg.recognize.normalize``). Three kinds
of candidate are collected, then reduced to non-overlapping spans:

* sequence: the longest run of keys, starting at each token, that is a name (or an
  "X of Y"/"Y X" variant of one);
* bag: a phrase of vocabulary words (function words and at most one comma allowed inside)
  whose content keys are exactly those of a name, in any order;
* coordination: "A or B C" / "A and B C" read as "A C" and "B C" ("aplastic or hypoplastic
  nails"), and "C of A and B" as "C of A" and "C of B"; the mention covers the whole phrase
  so its offsets still slice back to the text it came from.

Selection is deterministic: longer spans first (in tokens, then characters), then the better
name source, then the earlier start, then the lower HPO ID. A token glued to the next by bad
text extraction ("cleftpalate") is split only when the two halves start or make an HPO name.
"""

from __future__ import annotations

from dataclasses import dataclass

from kg.recognize.lexicon import APOSTROPHES, MAX_BAG, Index
from kg.recognize.normalize import FUNCTION_WORDS, SKIPPED, TOKEN_RE

COORDINATORS = frozenset({"and", "or", "nor"})
MIN_GLUED = 8  # letters in a token before a split into two names' words is tried
MIN_PART = 3


@dataclass(frozen=True, slots=True)
class Span:
    """A candidate: tokens ``first..last`` (inclusive) name ``terms[term]``."""

    first: int
    last: int
    term: int
    priority: int
    extra_terms: tuple[int, ...] = ()  # coordination: more terms named by the same span


class Tokens:
    """Keyed tokens of one text with their character offsets."""

    __slots__ = ("keys", "starts", "ends")

    def __init__(self, keys: list[str], starts: list[int], ends: list[int]) -> None:
        self.keys, self.starts, self.ends = keys, starts, ends

    def __len__(self) -> int:
        return len(self.keys)


class Matcher:
    """Candidate finding and overlap resolution over one ``Index``."""

    def __init__(self, index: Index) -> None:
        self.index = index
        self.sequences = index.sequences
        self.prefixes = index.prefixes
        self.bags = index.bags
        self.bag_words = index.bag_words
        known: set[str] = set(index.bag_words)
        for key in index.sequences:
            known.update(key.split(" "))
        self.known = frozenset(known)
        self.first_words = frozenset(k.split(" ", 1)[0] for k in index.sequences)
        self._pieces: dict[str, tuple[tuple[str, int, int], ...]] = {}

    # -- tokens ------------------------------------------------------------------------------
    def tokens(self, text: str) -> Tokens:
        keys: list[str] = []
        starts: list[int] = []
        ends: list[int] = []
        pieces_of = self._pieces
        after_apostrophe = False
        for m in TOKEN_RE.finditer(text):
            raw = m.group()
            pieces = pieces_of.get(raw)
            if pieces is None:
                if len(pieces_of) > 500_000:
                    pieces_of.clear()
                pieces = pieces_of[raw] = self._split(raw)
            if not pieces:  # skipped token (hyphen, apostrophe, article)
                after_apostrophe = raw in APOSTROPHES
                continue
            if after_apostrophe and raw in ("s", "S"):
                after_apostrophe = False
                continue
            after_apostrophe = False
            start = m.start()
            for key, a, b in pieces:
                keys.append(key)
                starts.append(start + a)
                ends.append(start + b)
        return Tokens(keys, starts, ends)

    def _split(self, raw: str) -> tuple[tuple[str, int, int], ...]:
        """Key(s) of one raw token with offsets relative to it; () when it is skipped."""
        if raw.lower() in SKIPPED:
            return ()
        if not raw[0].isalpha():
            return ((raw, 0, len(raw)),)
        key = self.index.normalizer.key(raw)
        if key in self.known or len(raw) < MIN_GLUED or not raw.isalpha():
            return ((key, 0, len(raw)),)
        found = []
        for cut in range(MIN_PART, len(raw) - MIN_PART + 1):
            left = self.index.normalizer.key(raw[:cut])
            right = self.index.normalizer.key(raw[cut:])
            if f"{left} {right}" in self.index.glue_pairs:
                found.append((cut, left, right))
        if len(found) != 1:
            return ((key, 0, len(raw)),)
        cut, left, right = found[0]
        return ((left, 0, cut), (right, cut, len(raw)))

    # -- candidates ----------------------------------------------------------------------------
    def candidates(self, toks: Tokens) -> list[Span]:
        keys = toks.keys
        n = len(keys)
        out: list[Span] = []
        sequences, prefixes, first_words = self.sequences, self.prefixes, self.first_words
        for i in range(n):
            key = keys[i]
            if key not in first_words:
                continue
            acc, j, best = key, i, None
            while True:
                hit = sequences.get(acc)
                if hit is not None:
                    best = (j, hit)
                j += 1
                if j >= n or acc not in prefixes:
                    break
                acc = acc + " " + keys[j]
            if best is not None:
                out.append(Span(i, best[0], best[1][0], best[1][1]))
        out.extend(self._bag_candidates(keys))
        out.extend(self._coordinated(keys))
        return out

    def _bag_candidates(self, keys: list[str]) -> list[Span]:
        out: list[Span] = []
        bags, bag_words = self.bags, self.bag_words
        n = len(keys)
        for i in range(n):
            if keys[i] not in bag_words:
                continue
            content = {keys[i]}
            commas = 0
            for j in range(i + 1, n):
                key = keys[j]
                if key in FUNCTION_WORDS:
                    continue
                if key == ",":
                    commas += 1
                    if commas > 1:
                        break
                    continue
                if key not in bag_words or key in content:
                    break
                content.add(key)
                if len(content) > MAX_BAG:
                    break
                hit = bags.get(frozenset(content))
                if hit is not None:
                    out.append(Span(i, j, hit[0], hit[1]))
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
        """"A or B C" -> A C + B C; "C of A and B" -> C of A + C of B (one-word A and B)."""
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
            if k >= 3 and keys[k - 2] == "of":
                head = keys[k - 3]
                first, second = lookup([head, "of", a]), lookup([head, "of", b])
                if first and second and first[0] != second[0]:
                    out.append(Span(k - 3, k + 1, first[0], max(first[1], second[1]), (second[0],)))
        return out

    # -- selection ---------------------------------------------------------------------------
    def select(self, toks: Tokens, spans: list[Span]) -> list[Span]:
        """Non-overlapping spans, longest first; ties broken by priority, start, HPO ID."""
        terms = self.index.terms
        starts, ends = toks.starts, toks.ends
        ranked = sorted(spans, key=lambda s: (-(s.last - s.first), -(ends[s.last] - starts[s.first]),
                                              s.priority, s.first, terms[s.term][0]))
        taken = bytearray(len(toks))
        chosen: list[Span] = []
        for span in ranked:
            if any(taken[span.first:span.last + 1]):
                continue
            taken[span.first:span.last + 1] = b"\x01" * (span.last - span.first + 1)
            chosen.append(span)
        chosen.sort(key=lambda s: s.first)
        return chosen

    def match(self, text: str) -> tuple[Tokens, list[Span]]:
        toks = self.tokens(text)
        return toks, self.select(toks, self.candidates(toks))
