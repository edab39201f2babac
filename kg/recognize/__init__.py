"""Phenotype concept recognition: free text -> HPO mentions with offsets, negation and context.

The library call the document readers use::

    from kg.recognize import Recognizer
    recognizer = Recognizer.load()            # cached index: well under a second warm
    for m in recognizer.annotate("No rash, but coughing up blood."):
        print(m.hpo_id, m.label, m.start, m.end, m.negated, m.context.value)

Built from the vendored HPO through ``kg.ontology`` (see ``lexicon`` for which names are used
and ``normalize`` for how words are compared); ``matcher`` finds the mentions, ``context``
decides negation and whose finding it is. Every mention's ``text`` equals
``original[start:end]``, and the output is deterministic (sorted by offset, then HPO ID).
"""

from __future__ import annotations

from bisect import bisect_left
from dataclasses import dataclass
from pathlib import Path

from kg.recognize.context import POSITIVE, Context, ContextReader, sentences
from kg.recognize.lexicon import DEFAULT_OPTIONS, Index, IndexOptions, load_index
from kg.recognize.matcher import Matcher

__all__ = ["Context", "IndexOptions", "Mention", "Recognizer", "annotate"]


@dataclass(frozen=True, slots=True)
class Mention:
    """One HPO term found in a text."""

    hpo_id: str
    label: str
    text: str  # exactly original[start:end]
    start: int
    end: int
    negated: bool
    context: Context
    sentence: str
    sentence_start: int  # offset of ``sentence`` in the original text


class Recognizer:
    """Recognises HPO terms in text; one instance is reusable and not tied to a document."""

    def __init__(self, index: Index, context: ContextReader | None = None) -> None:
        self.index = index
        self.matcher = Matcher(index)
        self.context = context or ContextReader()

    @classmethod
    def load(cls, obo: Path | str | None = None, options: IndexOptions = DEFAULT_OPTIONS, *,
             use_cache: bool = True) -> Recognizer:
        """A recogniser for ``obo`` (default: the vendored hp.obo), index cached on disk."""
        return cls(load_index(obo, options, use_cache=use_cache))

    @property
    def hpo_version(self) -> str | None:
        return self.index.hpo_version

    def annotate(self, text: str, *, nested: bool = False) -> list[Mention]:
        """All mentions in ``text``, in order of position.

        Overlapping matches resolve to the longest; with ``nested=True`` the terms named
        inside a longer mention ("hearing loss" in "sensorineural hearing loss") are reported
        too, as their own mentions, which is how GSC+ and most corpora annotate, and so are
        names that cross a longer mention ("malformed nose" in "malformed nose with broad
        bridge", where "nose with broad bridge" won).
        """
        toks, spans, inner = self.matcher.match(text)
        if not spans:
            return []
        terms = self.index.terms
        found = sorted({(toks.starts[span.first], toks.ends[span.last], term)
                        for span in ((spans + inner) if nested else spans)
                        for term in (span.term, *span.extra_terms)})
        mentions: list[Mention] = []
        raw_starts = [a for a, _ in toks.spans]
        lows, raw_spans = toks.lows, toks.spans
        bounds = sentences(text)
        k = b = 0
        while b < len(bounds):
            s_start, s_end = bounds[b]
            b += 1
            here = []
            while k < len(found) and found[k][0] < s_end:
                here.append(found[k])
                k += 1
            if not here:
                continue
            while b < len(bounds) and max(end for _, end, _ in here) > s_end:
                s_end = bounds[b][1]  # a mention runs over a sentence end: one sentence
                b += 1
                while k < len(found) and found[k][0] < s_end:
                    here.append(found[k])
                    k += 1
            lo, hi = bisect_left(raw_starts, s_start), bisect_left(raw_starts, s_end)
            if self.context.trigger_words.isdisjoint(lows[lo:hi]):
                assessed = [POSITIVE] * len(here)  # nothing in the sentence can change a verdict
            else:
                words = [(lows[r], *raw_spans[r]) for r in range(lo, hi)]
                assessed = self.context.assess_tokens(words, [(a, e) for a, e, _ in here])
            sentence = text[s_start:s_end]
            for (a, e, term), verdict in zip(here, assessed):
                hpo_id, label = terms[term]
                negated = verdict.negated != ((a, e) in toks.absent) \
                    or (a, e) in toks.denied  # "afebrile"; "not afebrile"; "the liver was not enlarged"
                mentions.append(Mention(hpo_id, label, text[a:e], a, e, negated, verdict.context,
                                        sentence, s_start))
        for a, e, term in found[k:]:  # cannot happen (sentences cover every token); kept safe
            hpo_id, label = terms[term]
            mentions.append(Mention(hpo_id, label, text[a:e], a, e, False, Context.PATIENT, text[a:e], a))
        mentions.sort(key=lambda m: (m.start, m.end, m.hpo_id))
        return mentions


_default: Recognizer | None = None


def annotate(text: str) -> list[Mention]:
    """Annotate with the recogniser for the vendored HPO (loaded once per process)."""
    global _default
    if _default is None:
        _default = Recognizer.load()
    return _default.annotate(text)
