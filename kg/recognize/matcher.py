"""Finding HPO names in text: keyed tokens, longest match, word-order-free phrases, coordination.

The text is cut into tokens with character offsets into the original string; each word gets
the same keys its counterpart in the HPO names got (``kg.recognize.normalize``). Candidates:

* one-word names, by the lighter *single* key ("seizures", "anaemic");
* sequences: every run of full keys, from each token, that is a name or an "X of Y" / "Y X"
  variant of one ("hypoplasia of the kidneys");
* bags: a phrase of vocabulary words (function words inside, not "and"/"or" or punctuation)
  whose content keys are exactly those of a name, in any order ("liver enlargement");
* inversion: "anemia, iron deficiency" read as "iron deficiency anemia" when the word before
  the comma is a one-word name and the words after it end the clause;
* coordination: "A or B C" read as "A C" and "B C" ("aplastic or hypoplastic nails"),
  "C A and B" as "C A" and "C B" ("cleft lip and palate"), "C of A, B and D" likewise, a
  slash like "or" ("palmar/plantar pits") and a modifier and a head shared at once
  ("posterior subcapsular or capsular cataract"); the mention covers the whole phrase, so its
  offsets still slice back to the text;
* modifiers: sequences again with the laterality and severity words of ``data/modifiers.tsv``
  left out where they stand inside a name ("dysplastic left kidney");
* ranges: "mild to moderate X" gives mild X and moderate X (the severity words of the same
  table), as one coordinated mention; "at birth" is read as "neonatal" ("hypotonia at birth").
  Names with a comma are indexed as written, comma included ("Intellectual disability,
  severe"), and the inversion accepts a name of up to three words before the comma
  ("mental retardation, profound"), unless the words after it are a name too (a list).

``select`` then keeps non-overlapping spans deterministically (see there) and, for the
``nested`` reading, the candidates inside them that name an ancestor of their term and those
that cross them. A short form the text defines ("iron deficiency anaemia (IDA)") names its
long form's term after that (``kg.recognize.abbreviations``). A token glued to the next by
bad text extraction is split only when exactly one cut gives two halves that start or make a
name ("cleftpalate") or two one-word names, or a name and a word ("hemoptysisanemia"), and the
token is no word of the HPO's text; "pre-auricular" is joined when "preauricular" is a word of
the names. Each optional mechanism is an index feature (``lexicon.FEATURES``), measured on
GSC+ by ``benchmarks/recognize_gsc.py --ablation``.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections import defaultdict
from collections.abc import Callable
from itertools import accumulate, pairwise
from typing import NamedTuple

from kg.recognize.abbreviations import definitions
from kg.recognize.lexicon import ABBREVIATION, APOSTROPHES, HYPHENS, INVERTED, MAX_BAG, Index
from kg.recognize.normalize import FUNCTION_WORDS, SKIPPED, TOKEN_RE, read_table, spell

COORDINATORS = frozenset({"and", "or", "nor"})
MIN_GLUED = 8  # letters in a token before a split into two names' words is tried
MIN_PART = 3
MIN_NAME_PART = 4  # letters in each half of a token split into names or words ("glued-names")
_SKIP = ("", "")  # keys of a token that takes no part in matching (article, hyphen, apostrophe)
SINGULAR_CACHE = 100_000  # written forms kept by Matcher._singular before the cache starts over
MODIFIED = 30  # added to a name's priority when it was matched with a modifier word left out
REGULAR, HEAD_AFTER, HEAD_BEFORE = 0, 1, 2  # Span.shared: an ordinary match, or a coordination
_SPLIT_RE = re.compile(f"({TOKEN_RE.pattern})")  # split() keeps the tokens and the gaps between


class Span(NamedTuple):
    """A candidate: matching tokens ``first..last`` (inclusive) name ``terms[term]``."""

    first: int
    last: int
    term: int
    priority: int
    extra_terms: tuple[int, ...] = ()  # coordination: more terms named by the same span
    shared: int = REGULAR  # coordination: where the shared words are (HEAD_AFTER, HEAD_BEFORE)


class Tokens:
    """One text cut into tokens: the raw layer (every word and symbol, with offsets) that the
    context rules read, and the matching layer (keys of the tokens that take part in names)."""

    __slots__ = ("_lows", "absent", "denied", "ends", "keys", "raws", "singles", "spans", "starts", "text")

    def __init__(self, text: str, raws: list[str], spans: list[tuple[int, int]], keys: list[str],
                 singles: list[str], starts: list[int], ends: list[int]) -> None:
        self.text, self.raws, self.spans = text, raws, spans
        self.keys, self.singles, self.starts, self.ends = keys, singles, starts, ends
        self._lows: list[str] | None = None
        #: (start, end) of the words that name a finding as absent ("afebrile": ``data/absent.tsv``)
        self.absent: frozenset[tuple[int, int]] = frozenset()
        #: (start, end) of mentions whose own words deny them ("the liver was not enlarged"):
        #: excluded whatever the sentence around them says
        self.denied: frozenset[tuple[int, int]] = frozenset()

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

    def written(self, first: int, last: int, at: list[int] | None = None) -> str:
        """Matching tokens ``first..last`` (of ``at``, when given) as written, lowercased,
        American spelling."""
        picked = range(first, last + 1) if at is None else at[first:last + 1]
        return " ".join(spell(self.text[self.starts[k]:self.ends[k]].lower()) for k in picked)

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
        known.discard(",")  # a comma inside a name as written ("comma-names") is no word
        self.known = frozenset(known)
        self.first_words = frozenset(k.split(" ", 1)[0] for k in index.sequences)
        self._keys: dict[str, tuple[str, str]] = {}
        self._ancestors: dict[int, frozenset[int]] = {}
        #: words that, followed by "of", say a finding is absent: no word-order-free match there
        self._negators = frozenset(index.normalizer.key(w) for w in ("absence", "lack", "free"))
        self._glued: dict[str, tuple[tuple[str, str, int, int], ...] | None] = {}
        self._joined: dict[tuple[str, str], tuple[str, str]] = {}
        self._glued_names = index.options.has("glued-names")
        self._slash = index.options.has("slash")
        self._comma_adjectives = index.options.has("comma-adjectives")
        self._predicates = index.options.has("predicates")
        #: the words of a quality said after what it qualifies, by kind (``data/predicates.tsv``)
        predicate_words: dict[str, set[str]] = defaultdict(set)
        for word, kind in read_table("predicates.tsv"):
            predicate_words[kind].add(index.normalizer.key(word))
        self._copulas = frozenset(predicate_words["copula"])
        self._predicate_negators = frozenset(predicate_words["denial"])
        self._degree_adverbs = frozenset(predicate_words["degree"])
        self._clause_words = frozenset(predicate_words["clause"])
        self._abnormal = index.normalizer.key("abnormal")
        self._abbreviations = index.options.has("abbreviation-definitions")
        self._crossing = index.options.has("crossing")
        self._both_sides = index.options.has("shared-both-sides")
        self._inverted_phrases = index.options.has("inverted-phrases")
        self._singular_names = index.options.has("singular-names")
        self._not_findings = re.compile("|".join(f"(?:{row[0]})" for row in read_table("not_findings.tsv")),
                                        re.IGNORECASE) if index.options.has("not-findings") else None
        #: "afebrile" -> (the single key of "fever", a full key no name has): a one-word mention only
        self._absent = {row[0]: (index.normalizer.keys(row[1])[0], "\x00" + row[0])
                        for row in read_table("absent.tsv")} if index.options.has("absent-adjectives") else {}
        self._absent_re = re.compile(r"(?i)\b(?:" + "|".join(map(re.escape, self._absent)) + r")\b") \
            if self._absent else None
        self._singulars: dict[str, str] = {}
        self._at_birth = index.normalizer.keys("neonatal") if index.options.has("at-birth") else None
        #: severity words ("mild", "severe"; ``data/modifiers.tsv``) that make a range with "to"
        self._severities = frozenset(index.normalizer.key(row[0]) for row in read_table("modifiers.tsv")
                                     if row[1] == "severity") if index.options.has("severity-ranges") else frozenset()
        self._coordinators = COORDINATORS | {"/"} if self._slash else COORDINATORS
        #: keys of the words a name may have inside it in the text (``data/modifiers.tsv``)
        self._modifiers = frozenset(index.normalizer.key(row[0]) for row in read_table("modifiers.tsv")) \
            if index.options.has("modifiers") else frozenset()

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
        if self._at_birth is not None and "birth" in text:
            for i in range(len(raws) - 1):
                if raws[i + 1] == "birth" and raws[i] in ("at", "At"):
                    pairs[i], pairs[i + 1] = _SKIP, self._at_birth  # "hypotonia at birth": neonatal
        absent: list[tuple[int, int]] = []
        if self._absent_re is not None and self._absent_re.search(text):
            for i, raw in enumerate(raws):
                keys = self._absent.get(raw.lower())
                if keys is not None:
                    pairs[i] = keys
                    absent.append(spans[i])
        if "-" in text or "\u2010" in text or "\u2011" in text:
            spans = self._join_hyphenated(raws, spans, pairs)
        keep = [i for i, pair in enumerate(pairs) if pair[1]]
        keys = [pairs[i][1] for i in keep]
        singles = [pairs[i][0] for i in keep]
        starts = [spans[i][0] for i in keep]
        ends = [spans[i][1] for i in keep]
        toks = Tokens(text, raws, spans, keys, singles, starts, ends)
        if absent:
            toks.absent = frozenset(absent)
        if self._glued and not self._glued.keys().isdisjoint(raws):
            self._unglue(toks)
        return toks

    def _join_hyphenated(self, raws: list[str], spans: list[tuple[int, int]],
                         pairs: list[tuple[str, str]]) -> list[tuple[int, int]]:
        """"pre-auricular" -> one word when "preauricular" is a word of the names, "A-1" -> "A1"
        when "A1" is (the joined keys take the first token's place, the hyphen and the second
        token take no part)."""
        spans = list(spans)
        for i in [i for i, raw in enumerate(raws) if raw in HYPHENS and 0 < i < len(raws) - 1]:
            left, right = raws[i - 1], raws[i + 1]
            if spans[i - 1][1] != spans[i][0] or spans[i][1] != spans[i + 1][0] or not pairs[i - 1][1] \
                    or not left.isalpha() or not (right.isalpha() or len(left) == 1 and right.isdigit()):
                continue  # two words, or a letter and a number ("type A-1" is "type A1")
            joined = self._joined.get((left, right))
            if joined is None:
                keys = self.index.normalizer.keys(left + right)
                joined = self._joined[(left, right)] = \
                    keys if keys[1] in self.known or keys[0] in self.singles else _SKIP
            if joined[1]:
                pairs[i - 1], pairs[i + 1] = joined, _SKIP
                spans[i - 1] = (spans[i - 1][0], spans[i + 1][1])
        return spans

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
        """Two halves whose keys start or make a name ("cleftpalate"), or, with the
        "glued-names" feature, two one-word names or a name and a word of at least
        ``MIN_NAME_PART`` letters each ("hemoptysisanemia") -- when exactly one cut gives
        them. A token that is a word of the HPO's own text is never split."""
        normalizer = self.index.normalizer
        found = []
        for cut in range(MIN_PART, len(raw) - MIN_PART + 1):
            left, right = normalizer.keys(raw[:cut]), normalizer.keys(raw[cut:])
            if f"{left[1]} {right[1]}" in self.index.glue_pairs:
                found.append((cut, left, right))
        if not found and self._glued_names:
            words, singles = self.index.words, self.singles
            lower = raw.lower()
            if spell(lower) in words or normalizer.keys(raw)[1] in words:
                return None
            for cut in range(MIN_NAME_PART, len(raw) - MIN_NAME_PART + 1):
                left, right = normalizer.keys(raw[:cut]), normalizer.keys(raw[cut:])
                names = (left[0] in singles) + (right[0] in singles)
                if names == 2 or names == 1 and (left[0] in singles or spell(lower[:cut]) in words) \
                        and (right[0] in singles or spell(lower[cut:]) in words):
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
        out = [Span(i, i, hit[0], hit[1]) for i, hit in enumerate(map(self.singles.get, toks.singles))
               if hit is not None]
        if n < 2:
            return out
        out.extend(self._sequence_candidates(toks, keys))
        if self._modifiers and not self._modifiers.isdisjoint(keys):
            at = [k for k, key in enumerate(keys) if key not in self._modifiers]
            out.extend(self._sequence_candidates(toks, [keys[k] for k in at], at))
        out.extend(self._bag_candidates(keys, toks))
        if "," in keys:
            out.extend(self._inverted(toks))
        if "and" in keys or "or" in keys or "nor" in keys or self._slash and "/" in keys:
            out.extend(self._coordinated(keys, toks))
        if self._comma_adjectives and "," in keys:
            out.extend(self._comma_coordinated(keys, toks))
        if self._severities and "to" in keys:
            out.extend(self._ranges(toks))
        if self._predicates and not self._copulas.isdisjoint(keys):
            out.extend(self._predicated(keys, toks))
        return out

    def _predicated(self, keys: list[str], toks: Tokens) -> list[Span]:
        """A quality said after the thing it qualifies: "serum creatine kinase was elevated",
        "the liver was enlarged", "speech was absent" -> the name "elevated serum creatine
        kinase" ("enlarged liver", "absent speech") over the whole phrase. The subject is the
        longest run of up to four words before the verb that makes a name with the quality;
        the quality must end the clause ("was elevated serum ..." qualifies what follows). With
        "not" or "never" after the verb the finding is named as excluded ("the liver was not
        enlarged": Hepatomegaly, negated), like "afebrile"."""
        out: list[Span] = []
        lookup, known, n = self._lookup, self.known, len(keys)
        excluded: set[tuple[int, int]] = set()
        for c in [c for c, key in enumerate(keys) if key in self._copulas and c >= 1]:
            q = c + 1
            negated = q < n and keys[q] in self._predicate_negators
            if negated:
                q += 1
            if q < n and keys[q] in self._degree_adverbs:
                q += 1
            if q >= n or not keys[q][:1].isalpha() or keys[q] not in known or keys[q] in FUNCTION_WORDS:
                continue
            if q + 1 < n and keys[q + 1] in known and keys[q + 1] not in FUNCTION_WORDS \
                    and keys[q + 1] not in COORDINATORS and keys[q + 1] not in self._clause_words:
                continue  # "was elevated serum ..." qualifies what follows, not what came before
            for start in range(max(0, c - 4), c):
                subject = keys[start:c]
                if any(k not in known or k in FUNCTION_WORDS for k in subject):
                    continue
                hit = lookup([keys[q], *subject], toks, [q, *range(start, c)])
                if hit is not None:
                    out.append(Span(start, q, hit[0], hit[1] + INVERTED))
                    if negated:
                        excluded.add((toks.starts[start], toks.ends[q]))
                    break
        if excluded:
            toks.denied = toks.denied | excluded
        return out

    def _ranges(self, toks: Tokens) -> list[Span]:
        """"mild to moderate hearing loss" -> mild and moderate hearing loss: a range of two
        severity words before a name gives the name with each (where HPO has it; otherwise the
        name without them), as one coordinated mention over the whole phrase."""
        out: list[Span] = []
        keys = toks.keys
        severities, sequences, n = self._severities, self.sequences, len(keys)
        for k in range(1, n - 2):
            if keys[k] != "to" or keys[k - 1] not in severities or keys[k + 1] not in severities:
                continue
            low, high = keys[k - 1], keys[k + 1]
            for last in range(min(n - 1, k + 1 + MAX_BAG), k + 1, -1):  # the longest name after them
                rest = " ".join(keys[k + 2:last + 1])
                plain = sequences.get(rest) if last > k + 2 else self.singles.get(toks.singles[k + 2])
                hits = [sequences.get(f"{low} {rest}") or plain, sequences.get(f"{high} {rest}") or plain]
                found = [h for h in hits if h is not None]
                if not found:
                    continue
                terms = list(dict.fromkeys(h[0] for h in found))
                out.append(Span(k - 1, last, terms[0], max(h[1] for h in found), tuple(terms[1:]), HEAD_AFTER))
                break
        return out

    def _sequence_candidates(self, toks: Tokens, keys: list[str], at: list[int] | None = None) -> list[Span]:
        """Every run of keys that is a name. With ``at`` (the token positions of ``keys``, some
        modifier words left out), only the runs that had a modifier inside them."""
        out: list[Span] = []
        n = len(keys)
        sequences, prefixes, alternatives = self.sequences, self.prefixes, self.index.alternatives
        glue_pairs = self.index.glue_pairs  # the first two keys of every longer name
        bigrams = [a + " " + b for a, b in pairwise(keys)]
        for i in [i for i, bigram in enumerate(bigrams) if bigram in glue_pairs]:
            acc, j = bigrams[i], i + 1
            while True:
                hit = sequences.get(acc)
                if hit is not None and " , " in acc and j + 1 < n and keys[j + 1][:1].isalnum() \
                        and keys[j + 1] not in FUNCTION_WORDS and keys[j + 1] not in COORDINATORS:
                    hit = None  # a name written with its comma ends the clause: "mental retardation,
                    #             profound speech impairment" lists two findings
                if hit is not None:
                    if at is None:
                        if acc in alternatives:
                            hit = self._closest(acc, toks.written(i, j), hit)
                        out.append(Span(i, j, hit[0], hit[1]))
                    elif at[j] - at[i] != j - i:
                        if acc in alternatives:
                            hit = self._closest(acc, toks.written(i, j, at), hit)
                        out.append(Span(at[i], at[j], hit[0], hit[1] + MODIFIED))
                j += 1
                if j >= n or acc not in prefixes:
                    break
                acc = acc + " " + keys[j]
        return out

    def _closest(self, key: str, written: str, best: tuple[int, int]) -> tuple[int, int]:
        """Among terms sharing ``key``, the one whose name is written as the text is, if any
        ("ear anomalies" and "ear anomaly" name two terms that share a key)."""
        alternatives = self.index.alternatives[key]
        if self._singular_names:  # "renal malformations": the name "Renal malformation", not "Renal anomaly"
            singular = self._singular(written)
            found = {(term, priority) for form, term, priority in alternatives if form and self._singular(form) == singular}
            terms = {term for term, _ in found}
            if len(terms) == 1:
                return min(found, key=lambda f: f[1])
            if best[0] in terms:  # names that differ only in number ("Ear anomaly", "Ear anomalies")
                return best       # do not tell their terms apart: the index's choice stands
        for form, term, priority in alternatives:
            if form == written:
                return term, priority
        return best

    def _singular(self, written: str) -> str:
        """A name as written (lowercased, American spelling), each word singular (cached)."""
        found = self._singulars.get(written)
        if found is None:
            if len(self._singulars) > SINGULAR_CACHE:
                self._singulars.clear()  # a long run over many texts must not grow it without end
            singular = self.index.normalizer.singular
            found = self._singulars[written] = " ".join(singular(w) for w in written.split(" "))
        return found

    def _bag_written(self, bag: frozenset[str], toks: Tokens, first: int, last: int,
                     best: tuple[int, int]) -> tuple[int, int]:
        """Among terms whose names give this bag, the one whose name has the text's content
        words as written (up to order and number): "diffuse atrophy of the brain" is "Diffuse
        brain atrophy", not "Diffuse cerebral atrophy", though cerebral and brain share a key."""
        singular, text = self.index.normalizer.singular, toks.text
        written = " ".join(sorted(singular(text[toks.starts[k]:toks.ends[k]].lower())  # (spells too)
                                  for k in range(first, last + 1) if toks.keys[k] not in FUNCTION_WORDS))
        found = {(term, priority) for form, term, priority in self.index.bag_alternatives[bag] if form == written}
        if len({term for term, _ in found}) == 1:
            return min(found, key=lambda f: f[1])
        return best

    def _bag_candidates(self, keys: list[str], toks: Tokens | None = None) -> list[Span]:
        """Windows of vocabulary words whose content keys are a name's, in any order; a window
        is only opened where its first two content words occur together in some name."""
        out: list[Span] = []
        bags, bag_words, bag_pairs = self.bags, self.bag_words, self.index.bag_pairs
        content = [(k, key) for k, key in enumerate(keys) if key not in FUNCTION_WORDS or key in COORDINATORS]
        n = len(keys)
        negators = self._negators
        for (i, first), (_, second) in pairwise(content):
            if first not in bag_words or first + " " + second not in bag_pairs:
                continue
            if first in negators and i + 1 < n and keys[i + 1] == "of":
                continue  # "absence of seizures" is no seizure, whatever "absence seizure" is
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
                bag = frozenset(seen)
                hit = bags.get(bag)
                if hit is not None:
                    if toks is not None and bag in self.index.bag_alternatives:
                        hit = self._bag_written(bag, toks, i, j, hit)
                    out.append(Span(i, j, hit[0], hit[1]))
        return out

    def _inverted(self, toks: Tokens) -> list[Span]:
        """"anemia, iron deficiency" -> "iron deficiency anemia": a one-word name, a comma, and
        up to three words that end the clause and, put before it, make a name (problem-list
        style; in running prose "meningiomas, spinal schwannomas" is a list, not an inversion)."""
        out: list[Span] = []
        keys, singles, sequences = toks.keys, toks.singles, self.sequences
        longest = 3 if self._inverted_phrases else 1
        for c in range(1, len(keys) - 1):
            if keys[c] != ",":
                continue
            heads = [h for h in range(min(longest, c), 1, -1) if " ".join(keys[c - h:c]) in sequences]
            if singles[c - 1] in self.singles:
                heads.append(1)
            for h in heads:  # the longest name before the comma first: "mental retardation, profound"
                head = " ".join(keys[c - h:c])
                found = None
                for m in range(min(3, len(keys) - c - 1), 0, -1):
                    after = c + 1 + m
                    if after < len(keys) and keys[after][:1].isalnum():
                        continue  # the modifiers must end the clause: "anemia, iron deficiency."
                    tail = " ".join(keys[c + 1:after])
                    if m == 1 and singles[c + 1] in self.singles or h > 1 and tail in sequences:
                        break  # "seizures, hypotonia." / "cleft palate, cleft lip." list two findings
                    hit = sequences.get(tail + " " + head)
                    if hit is not None:
                        found = Span(c - h, c + m, hit[0], hit[1] + INVERTED)
                        break
                if found is not None:
                    out.append(found)
                    break
        return out

    def _lookup(self, words: list[str], toks: Tokens | None = None, at: list[int] | None = None
                ) -> tuple[int, int] | None:
        """A name made of exactly these keys: in this order, or in any order as a bag. With the
        tokens and the positions the words come from, a key several names share goes to the
        name written so ("otic and renal malformations": Renal malformation)."""
        key = " ".join(words)
        hit = self.sequences.get(key)
        if hit is not None and toks is not None and at is not None and key in self.index.alternatives:
            hit = self._closest(key, toks.written(0, len(at) - 1, at), hit)
        if hit is None:
            content = frozenset(w for w in words if w not in FUNCTION_WORDS)
            if len(content) >= 2:
                hit = self.bags.get(content)
        return hit

    def _conjuncts(self, keys: list[str], k: int, toks: Tokens | None = None) -> list[tuple[int, int]]:
        """Token ranges ``(first, last)`` of the conjuncts around the coordinator ``keys[k]``:
        the word after it, the word before it (past a serial comma) and earlier words each
        followed by a comma ("A, B, and C" / "A, B and C"). A conjunct is one word, or two
        joined by a hyphen ("myoclonic and tonic-clonic seizures": tonic-clonic is one)."""
        known = self.known

        def linked(a: int) -> bool:  # keys[a] and keys[a + 1] are written "a-b"
            return toks is not None and a + 1 < len(keys) and toks.text[toks.ends[a]:toks.starts[a + 1]] in HYPHENS \
                and keys[a + 1] in known and keys[a + 1] not in FUNCTION_WORDS

        def ending_at(b: int) -> tuple[int, int]:
            return (b - 1, b) if b >= 1 and keys[b - 1] in known and keys[b - 1] not in FUNCTION_WORDS \
                and linked(b - 1) else (b, b)

        before = k - 2 if keys[k - 1] == "," else k - 1
        if before < 0 or keys[k + 1] not in known or keys[before] not in known \
                or keys[before] in FUNCTION_WORDS:
            return []
        items = [ending_at(before), (k + 1, k + 2) if linked(k + 1) else (k + 1, k + 1)]
        at = items[0][0] - 1
        while at >= 1 and keys[at] == "," and keys[at - 1] in known and keys[at - 1] not in FUNCTION_WORDS:
            items.insert(0, ending_at(at - 1))
            at = items[0][0] - 1
        return items

    def _coordinated(self, keys: list[str], toks: Tokens | None = None) -> list[Span]:
        """Shared heads and modifiers over a list of one-word (or hyphenated) conjuncts:
        "A, B or C H" -> A H, B H, C H ("aplastic or hypoplastic nails");
        "H A and B" -> H A, H B ("cleft lip and palate");
        "H of A, B and C" -> H of A, H of B, H of C;
        "M A or B H" -> M A H, M B H ("posterior subcapsular or capsular cataract")."""
        out: list[Span] = []
        lookup, known = self._lookup, self.known
        n = len(keys)
        coordinators = self._coordinators
        for k in [k for k, key in enumerate(keys) if key in coordinators and 0 < k < n - 1]:
            items = self._conjuncts(keys, k, toks)
            if not items:
                continue
            first, last = items[0][0], items[-1][1]
            modifier = keys[first - 1] if first >= 1 and keys[first - 1] in known \
                and keys[first - 1] not in FUNCTION_WORDS else None
            for tail, head in self._heads_after(keys, last):
                self._share_head_after(out, keys, toks, items, last, tail)
                if modifier is not None and self._both_sides:  # and a modifier shared before it
                    hits = [(i, lookup([modifier, *keys[i[0]:i[1] + 1], *head])) for i in items]
                    self._add_coordinated(out, hits, first - 1, last + tail, HEAD_AFTER)
            if first >= 1:  # a head shared before the list
                before = keys[first - 1]
                if before in known and before not in FUNCTION_WORDS:
                    hits = [(i, lookup([before, *keys[i[0]:i[1] + 1]])) for i in items]
                    self._add_coordinated(out, hits, first - 1, None, HEAD_BEFORE)
                elif before == "of" and first >= 2 and keys[first - 2] in known:
                    head_word = keys[first - 2]
                    hits = [(i, lookup([head_word, "of", *keys[i[0]:i[1] + 1]])) for i in items]
                    self._add_coordinated(out, hits, first - 2, None, HEAD_BEFORE)
        return out

    def _comma_coordinated(self, keys: list[str], toks: Tokens) -> list[Span]:
        """Two words before a head, with a comma and no "and": "A, B H" -> A H, B H ("cup-shaped,
        anteverted pinnae", "severe, progressive hearing loss"), when both make names (of two
        terms): a list of findings ("seizures, hypotonia") makes none. A word for "abnormal"
        before the comma ends a list item ("this disorder, bifid ribs") and shares nothing."""
        out: list[Span] = []
        known = self.known
        n = len(keys)
        for k in [k for k, key in enumerate(keys) if key == "," and 0 < k < n - 2]:
            a, b = k - 1, k + 1
            if keys[a] not in known or keys[b] not in known or keys[a] in FUNCTION_WORDS \
                    or keys[b] in FUNCTION_WORDS or a >= 1 and keys[a - 1] in COORDINATORS \
                    or keys[a] == self._abnormal:  # "this disorder, bifid ribs": a list, no "abnormal ribs"
                continue
            for tail, _ in self._heads_after(keys, b):
                if " ".join(keys[a:b + 1 + tail]) in self.sequences:
                    continue  # a name written with its comma ("High, narrow palate") is that name
                self._share_head_after(out, keys, toks, [(a, a), (b, b)], b, tail)
        return out

    def _heads_after(self, keys: list[str], last: int) -> list[tuple[int, list[str]]]:
        """The one- and two-word heads that may follow a list ending at ``keys[last]``: words of
        the names, never ending in "and" or "of"."""
        out = []
        for tail in (1, 2):
            head = keys[last + 1:last + 1 + tail]
            if len(head) < tail or any(h not in self.known for h in head) or head[-1] in FUNCTION_WORDS:
                break
            out.append((tail, head))
        return out

    def _share_head_after(self, out: list[Span], keys: list[str], toks: Tokens | None,
                          items: list[tuple[int, int]], last: int, tail: int) -> None:
        """"A, B or C H" -> A H, B H, C H: each conjunct (a token range) with the ``tail`` words
        after ``last``, looked up with the words as written so a shared key goes to the name
        the text wrote."""
        after = list(range(last + 1, last + 1 + tail))
        head = keys[last + 1:last + 1 + tail]
        hits = [(i, self._lookup([*keys[i[0]:i[1] + 1], *head], toks, [*range(i[0], i[1] + 1), *after]))
                for i in items]
        self._add_coordinated(out, hits, None, last + tail, HEAD_AFTER)

    @staticmethod
    def _add_coordinated(out: list[Span], hits: list[tuple[tuple[int, int], tuple[int, int] | None]],
                         first: int | None, last: int | None, shared: int) -> None:
        """One span for the conjuncts (token ranges) that make names (two at least, two terms at
        least); it runs from the first such conjunct (or the shared head) to the shared head (or
        the last such conjunct), so a list item that makes no name is not swallowed."""
        found = [(i, h) for i, h in hits if h is not None]
        terms = list(dict.fromkeys(h[0] for _, h in found))
        if len(found) < 2 or len(terms) < 2:
            return
        first = found[0][0][0] if first is None else first
        last = found[-1][0][1] if last is None else last
        out.append(Span(first, last, terms[0], max(h[1] for _, h in found), tuple(terms[1:]), shared))

    def ancestors(self, term: int) -> frozenset[int]:
        """``term`` and every indexed term it is_a (cached)."""
        found = self._ancestors.get(term)
        if found is None:
            acc = {term}
            stack = [term]
            parents = self.index.parents
            while stack:
                for parent in parents[stack.pop()]:
                    if parent not in acc:
                        acc.add(parent)
                        stack.append(parent)
            found = self._ancestors[term] = frozenset(acc)
        return found

    # -- selection ---------------------------------------------------------------------------
    def select(self, toks: Tokens, spans: list[Span]) -> tuple[list[Span], list[Span]]:
        """Non-overlapping spans and the candidates nested inside them.

        Ordinary candidates first: longest (in tokens, then characters), then the better name
        source, the earlier start, the lower HPO ID. Coordinated readings come second and
        only where they do not cut a chosen name in two: "thumb and ear anomalies" loses to
        "triphalangeal thumb"; but a name that holds the shared head ("unilateral cleft lip"
        in "unilateral cleft lip and palate") is merged into the coordinated mention. A
        candidate strictly inside a chosen span is nested when it names an ancestor of a term
        of that span: "hearing loss" in "sensorineural hearing loss" is kept, while
        "arthrogryposis" (Arthrogryposis multiplex congenita) in "distal arthrogryposis" is not.
        """
        rank = self._rank(toks)
        chosen: list[Span] = []
        owner = [-1] * len(toks)
        for span in sorted((s for s in spans if s.shared == REGULAR), key=rank):
            if all(o < 0 for o in owner[span.first:span.last + 1]):
                owner[span.first:span.last + 1] = [len(chosen)] * (span.last - span.first + 1)
                chosen.append(span)
        for span in sorted((s for s in spans if s.shared != REGULAR), key=rank):
            hit = {o for o in owner[span.first:span.last + 1] if o >= 0}
            first, last, extra = span.first, span.last, list(span.extra_terms)
            ok = True
            for o in hit:
                other = chosen[o]
                if other.first >= span.first and other.last <= span.last:
                    continue  # inside: the coordinated reading replaces it
                if other.shared == REGULAR and span.shared == HEAD_BEFORE \
                        and other.first < span.first <= other.last <= span.last:
                    first = other.first  # it holds the shared head: merge
                    extra.append(other.term)
                    continue
                ok = False
                break
            if not ok:
                continue
            merged = Span(first, last, span.term, span.priority,
                          tuple(t for t in dict.fromkeys(extra) if t != span.term), span.shared)
            for o in hit:
                chosen[o] = chosen[o]._replace(last=-1)  # absorbed
            owner[first:last + 1] = [len(chosen)] * (last - first + 1)
            chosen.append(merged)
        kept = [s for s in chosen if s.last >= 0]
        nested: list[Span] = []
        by_position = {k: s for s in kept for k in range(s.first, s.last + 1)}
        for span in spans:
            outer = by_position.get(span.first)
            if outer is None or span.last > outer.last or (span.first, span.last) == (outer.first, outer.last) \
                    or span.shared != REGULAR:
                continue
            named = (outer.term, *outer.extra_terms)
            if span.term not in named and any(span.term in self.ancestors(t) for t in named):
                nested.append(span)
        if self._crossing:
            nested.extend(self._crossing_spans(by_position, spans))
        kept.sort(key=lambda s: s.first)
        nested.sort(key=lambda s: (s.first, s.last, s.term))
        return kept, nested

    def _rank(self, toks: Tokens) -> Callable[[Span], tuple[int, int, int, int, str]]:
        """Best candidate first: longest in tokens, then characters, then the better name
        source, the earlier start, the lower HPO ID."""
        terms, starts, ends = self.index.terms, toks.starts, toks.ends
        return lambda s: (-(s.last - s.first), -(ends[s.last] - starts[s.first]), s.priority, s.first,
                          terms[s.term][0])

    @staticmethod
    def _crossing_spans(owner: dict[int, Span], spans: list[Span]) -> list[Span]:
        """Candidates that lost only to a chosen span they cross, neither holding the other:
        "malformed nose with broad bridge" names a malformed nose and a broad nasal bridge.
        ``owner`` maps a token position to the chosen span that holds it."""
        out = []
        for span in spans:
            if span.shared != REGULAR or owner.get(span.first) is owner.get(span.last):
                continue  # inside one chosen span, or holding every chosen span it meets
            over = {(o.first, o.last) for o in (owner.get(k) for k in range(span.first, span.last + 1)) if o}
            if over and all(a < span.first <= b < span.last or span.first < a <= span.last < b for a, b in over):
                out.append(span)
        return out

    def match(self, text: str) -> tuple[Tokens, list[Span], list[Span]]:
        """Tokens, the chosen spans and the nested ones."""
        toks = self.tokens(text)
        spans = self.candidates(toks)
        if self._abbreviations and "(" in text:
            regular = sorted((s for s in spans if s.shared == REGULAR), key=self._rank(toks))
            defined = definitions(text, toks.starts, toks.ends, regular)
            changed = self._defined(toks, spans, defined) if defined else None
            if changed is not None:
                spans = changed
        if self._not_findings is not None and spans:
            spans = self._drop_not_findings(toks, spans)
        if spans and "-" in text:
            spans = self._drop_cut_ranges(toks, spans)
        chosen, nested = self.select(toks, spans)
        return toks, chosen, nested

    @staticmethod
    def _drop_cut_ranges(toks: Tokens, spans: list[Span]) -> list[Span]:
        """Candidates that end inside a range such as "L5-S4" or "C2-C3": the name's level
        ("Spina bifida occulta at L5") is only where the range starts, so it is no match."""
        text, ends, n = toks.text, toks.ends, len(toks.text)

        def cut(span: Span) -> bool:
            end = ends[span.last]
            return end + 1 < n and text[end] == "-" and text[end + 1].isalnum() \
                and any(c.isdigit() for c in text[toks.starts[span.last]:end])

        return [s for s in spans if not cut(s)]

    def _drop_not_findings(self, toks: Tokens, spans: list[Span]) -> list[Span]:
        """Candidates inside a phrase that only looks like a finding ("short arm of chromosome 1")."""
        assert self._not_findings is not None
        phrases = [(m.start(), m.end()) for m in self._not_findings.finditer(toks.text)]
        if not phrases:
            return spans
        starts, ends = toks.starts, toks.ends
        return [s for s in spans
                if not any(a <= starts[s.first] and ends[s.last] <= b for a, b in phrases)]

    def _defined(self, toks: Tokens, spans: list[Span],
                 defined: list[tuple[int, int, str, int | None]]) -> list[Span] | None:
        """The candidates once the text's own abbreviations are read: after its definition, a
        short form names the term of its long form, and only that (``abbreviations``); None
        when that changes nothing."""
        text, starts, ends = toks.text, toks.starts, toks.ends
        written = sorted({form for _, _, form, _ in defined}, key=len, reverse=True)
        dropped: set[int] = set()
        added: list[Span] = []
        for m in re.finditer(r"(?<![^\W_])(?:" + "|".join(map(re.escape, written)) + r")(?![^\W_])", text):
            k = bisect_left(starts, m.start())
            if k >= len(starts) or starts[k] != m.start() or ends[k] != m.end():
                continue  # not one token of the matching layer
            word = m.group()
            meaning = None
            for start, end, form, term in defined:  # the latest definition before k wins
                if form == word and starts[k] >= start:
                    meaning = (term, starts[k] >= end)
            if meaning is None:
                continue
            term, after = meaning
            if term is None or after:  # (the short form in its own parentheses keeps its reading)
                dropped.add(k)
            if term is not None and after:
                added.append(Span(k, k, term, ABBREVIATION))
        if not dropped:
            return None
        return [s for s in spans if not (s.first == s.last and s.first in dropped)] + added
