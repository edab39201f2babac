"""Set similarity: a set of query terms against every disease profile at once.

For one query the term measure is computed between each query term and every term of the
ontology (``terms.term_matrix``), gathered at the ~250,000 (disease, term) profile entries,
and reduced per disease with ``np.maximum.reduceat`` / ``np.add.reduceat`` over the CSR
segments. That gives, per disease, the best match of every query term (query -> disease) and
of every disease term (disease -> query), from which all the combinations follow:

* ``bma``: best-match average over both directions, (sum of row maxima + sum of column
  maxima) / (n_query + n_disease) -- pyhpo/hpo3 ``BMA``;
* ``funSimAvg`` / ``funSimMax``: mean (max) of the two directional averages (Schlicker 2006);
* ``one-sided``: the query -> disease average only (Phenomizer's asymmetric score);
* ``simgic``: IC-weighted Jaccard of the two ancestor closures (Pesquita 2008).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from kg.errors import InputError
from kg.similarity.index import SimilarityIndex
from kg.similarity.terms import check_method, gather, resnik_block, term_matrix, transform

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


def matches(index: SimilarityIndex, query: np.ndarray, *, method: str = "resnik", corpus: str = "all",
            dtype: type = np.float64) -> Matches:
    """Row maxima and column sums of ``query`` against every disease profile."""
    check_method(method)
    query = unique_terms(query)
    ic = index.ic(corpus)
    entries = index.prof_indices
    if method == "graphic":
        block = term_matrix(index, query, entries, method="graphic", ic=ic)
    else:
        block = resnik_block(index, query, ic, dtype)[entries]
        if method != "resnik":
            same = entries[:, None] == query[None, :] if method == "jc" else None
            block = transform(method, block, ic[entries], ic[query], same)
    starts = index.prof_indptr[:-1]
    row_max = np.maximum.reduceat(block, starts, axis=0)
    col_sum = np.add.reduceat(block.max(axis=1), starts)
    return Matches(query, row_max, col_sum, index.profile_sizes)


@lru_cache(maxsize=4)
def _closures(index: SimilarityIndex) -> tuple[np.ndarray, np.ndarray]:
    """CSR of each disease's ancestor closure (union of its terms' ancestors)."""
    anc, owner = gather(index.anc_indptr, index.anc_indices, index.prof_indices.astype(np.int64))
    disease = index.profile_rows[owner]
    key = np.unique(disease.astype(np.int64) * index.n_terms + anc)
    rows, terms = np.divmod(key, index.n_terms)
    indptr = np.zeros(index.n_diseases + 1, dtype=np.int64)
    np.cumsum(np.bincount(rows, minlength=index.n_diseases), out=indptr[1:])
    return indptr, terms


def closure_mask(index: SimilarityIndex, query: np.ndarray) -> np.ndarray:
    mask = np.zeros(index.n_terms, dtype=bool)
    anc, _ = gather(index.anc_indptr, index.anc_indices, np.asarray(query, dtype=np.int64))
    mask[anc] = True
    return mask


def simgic(index: SimilarityIndex, query: np.ndarray, *, corpus: str = "all") -> np.ndarray:
    """simGIC of the query against every disease: shared closure IC / union closure IC."""
    ic = index.ic(corpus)
    indptr, terms = _closures(index)
    mask = closure_mask(index, query)
    weights = np.where(mask, ic, 0.0)
    starts = indptr[:-1]
    inter = np.add.reduceat(weights[terms], starts)
    total = np.add.reduceat(ic[terms], starts)
    union = total + weights.sum() - inter
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(union > 0, inter / union, 0.0)


def score(index: SimilarityIndex, query: np.ndarray, *, method: str = "resnik", combine: str = "bma",
          corpus: str = "all") -> np.ndarray:
    """One score per disease of the index (all of them; select candidates afterwards)."""
    check_combine(combine)
    if combine == "simgic":
        return simgic(index, unique_terms(query), corpus=corpus)
    return matches(index, query, method=method, corpus=corpus).combine(combine)


def set_similarity(index: SimilarityIndex, a: np.ndarray, b: np.ndarray, *, method: str = "resnik",
                   combine: str = "bma", corpus: str = "all") -> float:
    """Similarity of two term sets (term indices), e.g. to compare two patients."""
    check_combine(combine)
    a, b = unique_terms(a), unique_terms(b)
    if not len(a) or not len(b):
        return 0.0
    ic = index.ic(corpus)
    if combine == "simgic":
        ma, mb = closure_mask(index, a), closure_mask(index, b)
        union = ic[ma | mb].sum()
        return float(ic[ma & mb].sum() / union) if union > 0 else 0.0
    block = term_matrix(index, b, a, method=method, ic=ic)  # rows: a, columns: b
    forward, backward = block.max(axis=0), block.max(axis=1)  # best of each b in a, of each a in b
    if combine == "bma":
        return float((forward.sum() + backward.sum()) / (len(a) + len(b)))
    fa, fb = backward.mean(), forward.mean()
    if combine == "funSimAvg":
        return float((fa + fb) / 2.0)
    if combine == "funSimMax":
        return float(max(fa, fb))
    return float(fa)  # one-sided: a -> b
