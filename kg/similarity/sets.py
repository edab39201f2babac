"""Set similarity: a set of query terms against every disease profile at once.

Per disease we need the best match of every query term (query -> disease, "row maxima") and
of every disease term (disease -> query, "column maxima"); all the combinations follow:

* ``bma``: best-match average over both directions, (sum of row maxima + sum of column
  maxima) / (n_query + n_disease) -- pyhpo/hpo3 ``BMA``;
* ``funSimAvg`` / ``funSimMax``: mean (max) of the two directional averages (Schlicker 2006);
* ``one-sided``: the query -> disease average only (Phenomizer's asymmetric score);
* ``simgic``: IC-weighted Jaccard of the two ancestor closures (Pesquita 2008).

Row maxima for Resnik come from the "reach" index (which diseases are annotated to a term or
a descendant): the best match of q in d is the most informative ancestor of q that d reaches.
Other measures gather the term scores at the ~250,000 profile entries and reduce each CSR
segment with ``np.maximum.reduceat``. No per-pair Python loops.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from kg.errors import InputError
from kg.similarity.index import SimilarityIndex, gather
from kg.similarity.terms import check_method, resnik_block, term_matrix

COMBINES = ("bma", "funSimAvg", "funSimMax", "one-sided", "simgic")


def check_combine(combine: str) -> str:
    if combine not in COMBINES:
        raise InputError(f"unknown set similarity {combine!r} (one of {', '.join(COMBINES)})")
    return combine


@dataclass(frozen=True)
class Matches:
    """Best matches of one query against every disease (arrays indexed by disease)."""

    query: np.ndarray      # query term indices (deduplicated, in the order given)
    row_max: np.ndarray    # (diseases x queries) best score of each query term in each disease
    col_sum: np.ndarray    # (diseases,) sum over disease terms of their best score in the query
    sizes: np.ndarray      # (diseases,) profile sizes

    def combine(self, combine: str) -> np.ndarray:
        n_q = max(len(self.query), 1)
        forward = self.row_max.sum(axis=1) / n_q
        backward = self.col_sum / np.maximum(self.sizes, 1)
        if combine == "one-sided":
            return forward
        if combine == "funSimAvg":
            return (forward + backward) / 2.0
        if combine == "funSimMax":
            return np.maximum(forward, backward)
        if combine == "bma":
            return (self.row_max.sum(axis=1) + self.col_sum) / (len(self.query) + self.sizes)
        raise InputError(f"combine {combine!r} is not a best-match combination")


def unique_terms(query: np.ndarray | list[int]) -> np.ndarray:
    """Query term indices without duplicates, first occurrence order kept."""
    arr = np.asarray(query, dtype=np.int64)
    _, first = np.unique(arr, return_index=True)
    return arr[np.sort(first)]


def resnik_row_max(index: SimilarityIndex, query: np.ndarray, ic: np.ndarray,
                   diseases: int | None = None) -> np.ndarray:
    """(diseases x queries) Resnik score of each query term's best match in each disease.

    Each query term's ancestors are visited in increasing IC and write their IC to the
    diseases they reach; the last write is the maximum. That touches the diseases of about a
    dozen ancestors instead of all 250,000 profile entries.
    """
    out = np.zeros((index.n_diseases if diseases is None else diseases, len(query)))
    rp, ri = index.reach_indptr, index.reach_indices
    for j, q in enumerate(query):
        anc = index.ancestors(int(q))
        for a in index.by_information(anc, ic):
            if ic[a] > 0:
                out[ri[rp[a]:rp[a + 1]], j] = ic[a]
    return out


def entry_scores(index: SimilarityIndex, query: np.ndarray, method: str, ic: np.ndarray) -> np.ndarray:
    """(profile entries x queries), Fortran order: each query term against every profile entry.

    The measure is computed once per ontology term (19,000 rows) and then gathered at the
    250,000 profile entries, which is cheaper than transforming every entry.
    """
    per_term = np.asfortranarray(term_matrix(index, query, None, method=method, ic=ic))
    entries = index.prof_indices
    block = np.empty((len(entries), len(query)), order="F")
    for j in range(len(query)):
        np.take(per_term[:, j], entries, out=block[:, j])
    return block


def matches(index: SimilarityIndex, query: np.ndarray, *, method: str = "resnik", corpus: str = "all",
            backward: bool = True) -> Matches:
    """Row maxima and column sums of ``query`` against every disease profile.

    ``backward=False`` skips the disease -> query direction (``col_sum`` is then zeros), for
    one-sided scores.
    """
    check_method(method)
    query = unique_terms(query)
    ic = index.ic(corpus)
    entries = index.prof_indices
    starts = index.prof_indptr[:-1]
    col_sum = np.zeros(index.n_diseases)
    if method == "resnik":
        row_max = resnik_row_max(index, query, ic)
        if backward and len(query):
            best = resnik_block(index, query, ic).max(axis=1)
            col_sum = np.add.reduceat(best[entries], starts)
        return Matches(query, row_max, col_sum, index.profile_sizes)
    block = entry_scores(index, query, method, ic)
    row_max = np.zeros((index.n_diseases, len(query)))
    best = None
    for j in range(len(query)):
        column = block[:, j]
        row_max[:, j] = np.maximum.reduceat(column, starts)
        best = column.copy() if best is None else np.maximum(best, column, out=best)
    if backward and best is not None:
        col_sum = np.add.reduceat(best, starts)
    return Matches(query, row_max, col_sum, index.profile_sizes)


def closure_mask(index: SimilarityIndex, query: np.ndarray) -> np.ndarray:
    mask = np.zeros(index.n_terms, dtype=bool)
    anc, _ = gather(index.anc_indptr, index.anc_indices, np.asarray(query, dtype=np.int64))
    mask[anc] = True
    return mask


def simgic(index: SimilarityIndex, query: np.ndarray, *, corpus: str = "all") -> np.ndarray:
    """simGIC of the query against every disease: shared closure IC / union closure IC."""
    ic = index.ic(corpus)
    terms, starts = index.clos_indices, index.clos_indptr[:-1]
    weights = np.where(closure_mask(index, query), ic, 0.0)
    inter = np.add.reduceat(weights[terms], starts)
    union = np.add.reduceat(ic[terms], starts) + weights.sum() - inter
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(union > 0, inter / union, 0.0)


def score(index: SimilarityIndex, query: np.ndarray, *, method: str = "resnik", combine: str = "bma",
          corpus: str = "all") -> np.ndarray:
    """One score per disease of the index (all of them; select candidates afterwards)."""
    check_combine(combine)
    if combine == "simgic":
        return simgic(index, unique_terms(query), corpus=corpus)
    return matches(index, query, method=method, corpus=corpus,
                   backward=combine != "one-sided").combine(combine)


def set_similarity(index: SimilarityIndex, a: np.ndarray, b: np.ndarray, *, method: str = "resnik",
                   combine: str = "bma", corpus: str = "all") -> float:
    """Similarity of two term sets (term indices), e.g. two patients; ``one-sided`` is a -> b."""
    check_combine(combine)
    a, b = unique_terms(a), unique_terms(b)
    if not len(a) or not len(b):
        return 0.0
    ic = index.ic(corpus)
    if combine == "simgic":
        ma, mb = closure_mask(index, a), closure_mask(index, b)
        union = ic[ma | mb].sum()
        return float(ic[ma & mb].sum() / union) if union > 0 else 0.0
    block = term_matrix(index, b, a, method=method, ic=ic)  # rows: terms of a, columns: terms of b
    a_to_b = block.max(axis=1)  # best match in b of each term of a
    b_to_a = block.max(axis=0)  # best match in a of each term of b
    if combine == "bma":
        return float((a_to_b.sum() + b_to_a.sum()) / (len(a) + len(b)))
    if combine == "funSimAvg":
        return float((a_to_b.mean() + b_to_a.mean()) / 2.0)
    if combine == "funSimMax":
        return float(max(a_to_b.mean(), b_to_a.mean()))
    return float(a_to_b.mean())
