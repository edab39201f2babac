"""The default diagnostic ranking: per-term evidence calibrated per disease, summed.

Plain set similarity (BMA, funSimAvg) compares a patient with a disease as two sets. For
diagnosis that has two known defects: a disease with a long profile matches any term well,
so it wins on noise; and funSimAvg's disease -> patient half punishes long profiles for the
features a patient has not (yet) shown. The default ranking instead asks, per patient term
q and disease d, *how unusual* d's best match to q is:

    p_d(q) = P( Resnik(t, d) >= Resnik(q, d) ),  t a random phenotype term

where a random term is drawn as patients' terms are, in proportion to how many diseases are
annotated with it, and Resnik(x, d) is the IC of the most informative ancestor of x that d
reaches. ``-ln p_d(q)`` is the calibrated evidence of q for d; half the raw match IC is added
(``RAW_WEIGHT``: how specific the shared ancestor is in absolute terms), and the score is the
sum over the patient's terms (Fisher's combination plus half the one-sided Resnik sum), with
the disease's single strongest term counted half (``STRONGEST_DISCOUNT``): one finding, which
may be incidental, should not decide alone. Under the null each term adds about the same for every disease, whatever the
profile length, so long profiles no longer win by default, short ones are not buried, and a
noise term adds roughly a constant. The p-values are exact: the distribution of Resnik(t, d)
over all annotated terms t is computed once per disease (``calibration``, ~20 s, cached by
index key and corpus) and stored as a tail probability per (disease, closure term).

What the graph knows and the anchors ignore (each measured in benchmarks/similarity.py):
* excluded findings (``--not x``): a disease annotated to x or a descendant with frequency f
  loses ``-ln max(1 - f, FLOOR)`` (f unknown: 0.5); an observed term the disease is annotated
  NOT to (or to an ancestor of it) costs ``-ln FLOOR``;
* onset: a disease whose annotated onsets are all incompatible with the patient's (neither
  ancestor nor descendant) loses ``ONSET_PENALTY``;
* frequency (off by default: it hurts on simulated patients): each term's evidence times the
  frequency of the disease term that matched it.
See docs/decisions/0005-similarity-calibrated-ranking.md for the alternatives measured and rejected.
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np

from kg import paths
from kg.similarity.index import CORPORA, SimilarityIndex, gather

log = logging.getLogger(__name__)

CAL_FORMAT = 1
#: Smallest probability an excluded or contradicted finding is given (caps a penalty at ~3).
FLOOR = 0.05
#: Assumed frequency of an annotation the source gives none for.
UNKNOWN_FREQUENCY = 0.5
#: Penalty (natural log units) when every annotated onset contradicts the patient's.
ONSET_PENALTY = 1.0
#: Weight of the uncalibrated evidence, the IC of the shared ancestor (raw Resnik), added to
#: the calibrated one (chosen on development patients, see docs/decisions/0005-similarity-calibrated-ranking.md).
RAW_WEIGHT = 0.5
#: Share of each disease's single strongest term that is *not* counted: no one finding (which
#: may be incidental) decides a diagnosis alone (see docs/decisions/0005-similarity-calibrated-ranking.md).
STRONGEST_DISCOUNT = 0.5


@dataclass(frozen=True, slots=True)
class Options:
    """Which of the graph's extra knowledge the default ranking uses."""

    excluded: bool = True
    onset: bool = True
    frequency: bool = False


@dataclass
class Evidence:
    """Per-disease score and, per query term, the closure entry (shared ancestor) it used."""

    score: np.ndarray                 # (diseases,)
    positions: np.ndarray             # (diseases x queries) closure-entry index, sentinel when none
    term_evidence: np.ndarray         # (diseases x queries)
    penalty: np.ndarray               # (diseases,)
    reasons: dict[int, list[str]] = field(default_factory=dict)


def _cache_path(index: SimilarityIndex, corpus: str) -> str:
    return str(paths.cache_dir() / f"similarity-cal-{index.key[:24]}-{corpus}-v{CAL_FORMAT}.npy")


@lru_cache(maxsize=4)
def surprise(index: SimilarityIndex, corpus: str = "all") -> np.ndarray:
    """``-ln p`` per closure entry (disease, term), plus a trailing 0 for "no match"; cached."""
    path = _cache_path(index, corpus)
    if index.key and os.path.exists(path):
        try:
            values = np.load(path, allow_pickle=False)
            if values.shape == (len(index.clos_indices) + 1,):
                return values
        except (OSError, ValueError):
            log.warning("ignoring unreadable calibration cache %s", path)
    from kg.progress import step

    with step(f"calibrating the ranking for corpus {corpus} (once per input release)"):
        values = compute_surprise(index, corpus)
    if index.key:
        tmp = f"{path}.{os.getpid()}.tmp"
        with open(tmp, "wb") as handle:
            np.save(handle, values)
        os.replace(tmp, path)
    return values


def positions(index: SimilarityIndex, query: np.ndarray, ic: np.ndarray) -> np.ndarray:
    """(diseases x queries): closure entry of the most informative shared ancestor, or sentinel.

    Ancestors of each query term are visited in increasing IC; each writes its closure
    position to the diseases it reaches, so the last write is the best match.
    """
    sentinel = len(index.clos_indices)
    out = np.full((index.n_diseases, len(query)), sentinel, dtype=np.int64)
    rp, ri, pos = index.reach_indptr, index.reach_indices, index.reach_pos
    for j, q in enumerate(query):
        anc = index.ancestors(int(q))
        column = out[:, j]
        for a in index.by_information(anc, ic):
            if ic[a] > 0:
                column[ri[rp[a]:rp[a + 1]]] = pos[rp[a]:rp[a + 1]]
        out[:, j] = column
    return out


def reference_weights(index: SimilarityIndex, corpus: str) -> tuple[np.ndarray, np.ndarray]:
    """Reference terms (every term annotated to a corpus disease) and their weights (how many)."""
    rows = index.profile_rows
    keep = np.isin(rows, index.candidates(corpus))
    terms, counts = np.unique(index.prof_indices[keep], return_counts=True)
    return terms.astype(np.int64), counts.astype(np.float64)


def compute_surprise(index: SimilarityIndex, corpus: str = "all", block: int = 256) -> np.ndarray:
    """Exact per-disease tail probabilities of the best-match IC of a random reference term."""
    ic = index.ic(corpus)
    terms, weights = reference_weights(index, corpus)
    weights = weights / weights.sum()
    n_entries = len(index.clos_indices)
    mass = np.zeros(n_entries + 1)
    for start in range(0, len(terms), block):
        pos = positions(index, terms[start:start + block], ic)
        w = np.broadcast_to(weights[start:start + block][None, :], pos.shape)
        mass += np.bincount(pos.ravel(), weights=w.ravel(), minlength=n_entries + 1)
    mass = mass[:n_entries]
    # tail P(best-match IC >= IC(a)) within each disease: order entries by IC descending
    # (count ascending) and accumulate; entries with equal counts share their group's total.
    counts = index.counts.sum(axis=0) if corpus == "all" else index.counts[CORPORA.index(corpus)]
    rows = np.repeat(np.arange(index.n_diseases), np.diff(index.clos_indptr))
    c = counts[index.clos_indices]
    order = np.lexsort((c, rows))
    cumulative = np.cumsum(mass[order])
    first = index.clos_indptr[:-1][rows[order]]
    within = cumulative - np.concatenate([[0.0], cumulative])[first]
    key = rows[order].astype(np.int64) * (int(c.max()) + 2) + c[order]
    new_group = np.r_[True, key[1:] != key[:-1]]
    last = np.r_[new_group[1:], True]
    group = np.cumsum(new_group) - 1
    tail = np.empty(n_entries)
    tail[order] = within[last][group]
    floor = 0.5 * weights[weights > 0].min() if len(weights) else 1.0
    out = np.zeros(n_entries + 1)
    out[:n_entries] = -np.log(np.clip(tail, floor, 1.0))
    return out


@lru_cache(maxsize=8)
def term_evidence_table(index: SimilarityIndex, corpus: str = "all") -> np.ndarray:
    """Evidence per closure entry: ``-ln p`` plus RAW_WEIGHT x the entry's IC; trailing 0."""
    ic = np.append(index.ic(corpus)[index.clos_indices], 0.0)
    return surprise(index, corpus) + RAW_WEIGHT * ic


@lru_cache(maxsize=4)
def _closure_frequency(index: SimilarityIndex) -> np.ndarray:
    """Per closure entry (d, a): the highest frequency of d's terms under a (unknown: 1)."""
    freq = np.where(np.isnan(index.prof_freq), 1.0, index.prof_freq).astype(np.float64)
    anc, owner = gather(index.anc_indptr, index.anc_indices, index.prof_indices.astype(np.int64))
    disease = index.profile_rows[owner]
    keys = np.repeat(np.arange(index.n_diseases), np.diff(index.clos_indptr)).astype(np.int64) * index.n_terms \
        + index.clos_indices
    pos = np.searchsorted(keys, disease.astype(np.int64) * index.n_terms + anc)
    out = np.zeros(len(index.clos_indices) + 1)
    np.maximum.at(out, pos, freq[owner])
    out[-1] = 1.0
    return out


def evidence(index: SimilarityIndex, observed: np.ndarray, *, excluded: np.ndarray | None = None,
             onset: np.ndarray | None = None, corpus: str = "all", options: Options | None = None,
             explain: bool = False) -> Evidence:
    """Score every disease for a patient: observed / excluded term indices and onset terms."""
    options = options or Options()
    ic = index.ic(corpus)
    values = term_evidence_table(index, corpus)
    pos = positions(index, observed, ic)
    term_ev = values[pos]
    if options.frequency:
        term_ev = term_ev * _closure_frequency(index)[pos]
    score = term_ev.sum(axis=1)
    if term_ev.shape[1]:
        score = score - STRONGEST_DISCOUNT * term_ev.max(axis=1)
    penalty = np.zeros(index.n_diseases)
    reasons: dict[int, list[str]] = {}

    def note(diseases: np.ndarray, text: str, costs: np.ndarray | float) -> None:
        if explain:
            for d, cost in zip(diseases.tolist(), np.broadcast_to(costs, diseases.shape).tolist()):
                reasons.setdefault(d, []).append(f"{text} (-{cost:.2f})")

    if options.excluded and excluded is not None and len(excluded):
        freq = np.where(np.isnan(index.prof_freq), UNKNOWN_FREQUENCY, index.prof_freq).astype(np.float64)
        starts = index.prof_indptr[:-1]
        for x in excluded.tolist():
            under = index.descendant_mask(int(x))[index.prof_indices]
            if not under.any():
                continue
            f = np.maximum.reduceat(np.where(under, freq, -1.0), starts)
            hit = np.flatnonzero(f >= 0)
            cost = -np.log(np.maximum(1.0 - f[hit], FLOOR))
            penalty[hit] += cost
            note(hit, f"has excluded {index.term_ids[x]} ({index.label(x)})", cost)
    if options.excluded and len(observed) and len(index.neg_indices):
        neg_rows = np.repeat(np.arange(index.n_diseases), np.diff(index.neg_indptr))
        for q in observed.tolist():
            clash = np.unique(neg_rows[np.isin(index.neg_indices, index.ancestors(int(q)))])
            if len(clash):
                penalty[clash] += -np.log(FLOOR)
                note(clash, f"annotated NOT {index.term_ids[q]} ({index.label(q)})", -np.log(FLOOR))
    if options.onset and onset is not None and len(onset):
        patient = set(onset.tolist())
        related = set()
        for o in patient:
            related |= set(index.ancestors(o).tolist()) | set(np.flatnonzero(index.descendant_mask(o)).tolist())
        onset_rows = np.repeat(np.arange(index.n_diseases), np.diff(index.onset_indptr))
        has_onset = np.diff(index.onset_indptr) > 0
        ok = np.isin(index.onset_indices, np.fromiter(related, dtype=np.int64))
        compatible = np.bincount(onset_rows[ok], minlength=index.n_diseases)
        bad = np.flatnonzero(has_onset & (compatible == 0))
        penalty[bad] += ONSET_PENALTY
        note(bad, "annotated onset differs from the patient's", ONSET_PENALTY)
    return Evidence(score - penalty, pos, term_ev, penalty, reasons)
