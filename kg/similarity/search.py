"""Rank diseases for a query (patient terms, a disease, a text) and explain every score.

This is the library function ``kg similar`` calls. It resolves the query's HPO IDs (alt and
obsolete IDs are mapped, unknown ones reported), scores every disease of the corpus with the
chosen method -- the calibrated default (``ranking.py``) or a plain set similarity
(``sets.py``) -- and returns the top hits, each with the terms that explain its score: for
every query term, the disease term that matched it best, the ancestor they share and the
term's contribution.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from kg.errors import InputError
from kg.ontology import ONSET
from kg.similarity import ranking, sets
from kg.similarity.index import CORPUS_CHOICES, SimilarityIndex
from kg.similarity.terms import METHODS, mica, term_matrix

#: Ranking methods: the calibrated default plus the plain set combinations.
RANKINGS = ("calibrated",) + sets.COMBINES


@dataclass(frozen=True, slots=True)
class TermMatch:
    """How one query term is explained by one disease."""

    query: str
    query_label: str
    matched: str | None        # the disease's annotated term that matches best
    matched_label: str | None
    shared: str | None         # their most informative common ancestor
    shared_label: str | None
    score: float               # this term's contribution (evidence, or term similarity)


@dataclass(frozen=True, slots=True)
class Hit:
    rank: int
    disease: str
    name: str
    score: float
    shared: tuple[str, ...]            # query terms the disease is annotated with exactly
    matches: tuple[TermMatch, ...]
    conflicts: tuple[str, ...] = ()    # excluded findings / NOT annotations / onset (calibrated)


@dataclass(frozen=True, slots=True)
class Result:
    method: str
    measure: str
    corpus: str
    observed: tuple[str, ...]
    excluded: tuple[str, ...]
    onset: tuple[str, ...]
    hits: tuple[Hit, ...]
    notes: tuple[str, ...]             # unknown / mapped IDs, ignored options
    candidates: int


@dataclass(frozen=True, slots=True)
class Query:
    """A patient as HPO IDs: findings observed, findings excluded, onset (optional)."""

    observed: tuple[str, ...]
    excluded: tuple[str, ...] = ()
    onset: tuple[str, ...] = ()


def resolve_ids(index: SimilarityIndex, ids: tuple[str, ...], notes: list[str]) -> list[int]:
    out: list[int] = []
    for hp_id in ids:
        r = index.resolve(hp_id)
        if r.index is None:
            notes.append(f"{hp_id}: {r.note} in HPO {index.hpo_version}; ignored")
            continue
        if r.note != "current":
            notes.append(f"{hp_id}: {r.note.replace('_', ' ')}, using {r.term}")
        if r.index not in out:
            out.append(r.index)
    return out


def disease_query(index: SimilarityIndex, disease: str) -> Query:
    """A disease's own annotations as a query: its phenotypes observed, its NOT terms excluded."""
    d = index.disease_index.get(disease.strip())
    if d is None:
        raise InputError(f"disease {disease} has no phenotype annotations in HPOA {index.hpoa_version}",
                         identifier=disease)
    negated = index.neg_indices[index.neg_indptr[d]:index.neg_indptr[d + 1]]
    onsets = index.onset_indices[index.onset_indptr[d]:index.onset_indptr[d + 1]]
    return Query(tuple(index.term_ids[index.profile(d)].tolist()), tuple(index.term_ids[negated].tolist()),
                 tuple(index.term_ids[onsets].tolist()))


def search(index: SimilarityIndex, query: Query, *, method: str = "calibrated", measure: str = "resnik",
           corpus: str = "all", top: int = 10, options: ranking.Options | None = None,
           skip: tuple[str, ...] = ()) -> Result:
    """Score all diseases of ``corpus`` for ``query`` and explain the ``top`` best."""
    if method not in RANKINGS:
        raise InputError(f"unknown method {method!r} (one of {', '.join(RANKINGS)})")
    if measure not in METHODS:
        raise InputError(f"unknown term similarity {measure!r} (one of {', '.join(METHODS)})")
    if corpus not in CORPUS_CHOICES:
        raise InputError(f"unknown corpus {corpus!r} (one of {', '.join(CORPUS_CHOICES)})")
    if method == "calibrated" and measure != "resnik":
        raise InputError("the calibrated ranking is built on Resnik similarity; use --measure resnik "
                         "or a plain --method")
    if top < 1:
        raise InputError(f"--top must be at least 1, not {top}")
    notes: list[str] = []
    observed = resolve_ids(index, query.observed, notes)
    excluded = resolve_ids(index, query.excluded, notes)
    onset = resolve_ids(index, query.onset, notes)
    onset_root = index.term_index[ONSET]
    onset += [t for t in observed if onset_root in index.ancestors(t) and t not in onset]
    observed = [t for t in observed if onset_root not in index.ancestors(t)]
    if not observed:
        raise InputError("no usable observed HPO term in the query" + (f" ({'; '.join(notes)})" if notes else ""))
    q = np.array(observed, dtype=np.int64)
    ex = np.array(excluded, dtype=np.int64)
    on = np.array(onset, dtype=np.int64)
    ev = None
    if method == "calibrated":
        ev = ranking.evidence(index, q, excluded=ex, onset=on, corpus=corpus, options=options or ranking.Options(),
                              explain=True)
        scores = ev.score
    else:
        if len(ex) or len(on):
            notes.append(f"plain method {method} ignores excluded findings and onset")
        scores = sets.score(index, q, method=measure, combine=method, corpus=corpus)
    candidates = index.candidates(corpus)
    if skip:
        candidates = candidates[~np.isin(index.disease_ids[candidates], np.array(skip))]
    order = candidates[np.lexsort((index.disease_ids[candidates], -scores[candidates]))][:top]
    ic = index.ic(corpus)
    hits = []
    for rank, d in enumerate(order.tolist(), start=1):
        profile = index.profile(d)
        exact = tuple(str(index.term_ids[t]) for t in observed if t in set(profile.tolist()))
        matches = _explain(index, d, q, ev, method, measure, ic)
        conflicts = tuple(ev.reasons.get(d, ())) if ev is not None else ()
        hits.append(Hit(rank, str(index.disease_ids[d]), str(index.disease_names[d]), float(scores[d]),
                        exact, matches, conflicts))
    return Result(method, measure, corpus, tuple(index.term_ids[observed].tolist()),
                  tuple(index.term_ids[excluded].tolist()), tuple(index.term_ids[onset].tolist()),
                  tuple(hits), tuple(notes), len(candidates))


def _explain(index: SimilarityIndex, d: int, q: np.ndarray, ev: ranking.Evidence | None, method: str,
             measure: str, ic: np.ndarray) -> tuple[TermMatch, ...]:
    profile = index.profile(d).astype(np.int64)
    out = []
    if method == "simgic":
        sims = np.zeros((len(profile), len(q)))
    else:
        sims = term_matrix(index, q, profile, method=measure, ic=ic)
    for j, t in enumerate(q.tolist()):
        if ev is not None:
            pos = int(ev.positions[d, j])
            contribution = float(ev.term_evidence[d, j])
            if pos >= len(index.clos_indices):
                out.append(_match(index, t, None, None, contribution))
                continue
            shared = int(index.clos_indices[pos])
            under = [p for p in profile.tolist() if shared in set(index.ancestors(p).tolist())]
            nearest = t if t in under else min(under, key=lambda p: (ic[p], index.term_ids[p]))
            out.append(_match(index, t, nearest, shared, contribution))
            continue
        best = int(np.argmax(sims[:, j])) if len(profile) else -1
        if best < 0:
            out.append(_match(index, t, None, None, 0.0))
            continue
        match = int(profile[best])
        out.append(_match(index, t, match, mica(index, t, match, ic), float(sims[best, j])))
    return tuple(out)


def _match(index: SimilarityIndex, query: int, matched: int | None, shared: int | None, score: float) -> TermMatch:
    def ident(i: int | None) -> tuple[str | None, str | None]:
        return (None, None) if i is None else (str(index.term_ids[i]), index.label(i))
    m, ml = ident(matched)
    s, sl = ident(shared)
    return TermMatch(str(index.term_ids[query]), index.label(query), m, ml, s, sl, score)
