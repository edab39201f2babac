"""All disease pairs: the full similarity matrix, streamed in row blocks, and top-K neighbours.

The best-match combinations only need, for every annotated term t and disease d, the score of
t's best match in d: ``R[t, d]`` (11,000 terms x 12,700 diseases, float32, ~0.6 GB; computed
once in ~10 s with the same vectorised kernels as a query). With the 0/1 profile matrix P
(diseases x terms), ``A = P @ R`` holds, for every ordered pair, the sum of one disease's row
maxima in the other, and every combination is elementwise in A and A.T:

    bma = (A + A.T) / (n_i + n_j),   funSimAvg = (A / n_i + A.T / n_j) / 2, ...

A is never materialised: each block of rows needs ``P[block] @ R`` and ``(P @ R[:, block]).T``,
so memory is R plus two blocks, whatever the number of diseases. ``simgic`` works on the
ancestor closures instead (sparse products per block). Blocks are written straight into a
``.npz`` (a zip of ``.npy`` members, deflated) through a streaming zip entry: ``np.load`` reads
it back as ``scores`` (float32, rows x columns), ``ids`` and ``names`` (row = column order)
and ``meta`` (key/value pairs: method, measure, corpus, versions).
"""

from __future__ import annotations

import time
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from numpy.lib import format as npformat
from scipy import sparse

from kg.errors import InputError
from kg.similarity.index import CORPUS_CHOICES, SimilarityIndex
from kg.similarity.sets import entry_scores, resnik_row_max
from kg.similarity.terms import METHODS

#: Set similarities available for disease pairs (``one-sided`` gives an asymmetric matrix).
PAIR_METHODS = ("bma", "funSimAvg", "funSimMax", "one-sided", "simgic")


@dataclass(frozen=True, slots=True)
class PairsSummary:
    path: str
    diseases: int
    method: str
    measure: str
    corpus: str
    seconds: float
    bytes: int


class PairScorer:
    """Scores blocks of disease rows against all diseases of a corpus."""

    def __init__(self, index: SimilarityIndex, *, method: str = "bma", measure: str = "resnik",
                 corpus: str = "all", block: int = 256,
                 progress: Callable[[int, int], None] | None = None) -> None:
        if method not in PAIR_METHODS:
            raise InputError(f"unknown pair method {method!r} (one of {', '.join(PAIR_METHODS)})")
        if measure not in METHODS:
            raise InputError(f"unknown term similarity {measure!r} (one of {', '.join(METHODS)})")
        if corpus not in CORPUS_CHOICES:
            raise InputError(f"unknown corpus {corpus!r} (one of {', '.join(CORPUS_CHOICES)})")
        self.index, self.method, self.measure, self.corpus = index, method, measure, corpus
        self.diseases = index.candidates(corpus)
        self.ic = index.ic(corpus)
        self.block = block
        sub = self._profiles(self.diseases)
        self.sizes = np.diff(sub.indptr).astype(np.float64)
        if method == "simgic":
            self._prepare_simgic()
        else:
            self.terms, columns = np.unique(sub.indices, return_inverse=True)
            self.P = sparse.csr_matrix((np.ones(len(columns), dtype=np.float32), columns, sub.indptr),
                                       shape=(len(self.diseases), len(self.terms)))
            self.PT = self.P.T.tocsr()
            self.R = self._best_matches(progress)

    def _profiles(self, diseases: np.ndarray) -> sparse.csr_matrix:
        ix = self.index
        full = sparse.csr_matrix((np.ones(len(ix.prof_indices), dtype=np.float32), ix.prof_indices, ix.prof_indptr),
                                 shape=(ix.n_diseases, ix.n_terms))
        return full[diseases]

    def _best_matches(self, progress: Callable[[int, int], None] | None) -> np.ndarray:
        """R[t, j]: best score of annotated term t in disease j (of this corpus)."""
        ix, terms = self.index, self.terms
        R = np.empty((len(terms), len(self.diseases)), dtype=np.float32)
        step = 256 if self.measure == "resnik" else 48
        starts = ix.prof_indptr[:-1]
        for start in range(0, len(terms), step):
            chunk = terms[start:start + step].astype(np.int64)
            if self.measure == "resnik":
                best = resnik_row_max(ix, chunk, self.ic)
            else:
                block = entry_scores(ix, chunk, self.measure, self.ic)
                best = np.maximum.reduceat(block, starts, axis=0)
            R[start:start + len(chunk)] = best[self.diseases].T
            if progress:
                progress(min(start + step, len(terms)), len(terms))
        return R

    def _prepare_simgic(self) -> None:
        ix = self.index
        closure = sparse.csr_matrix((np.ones(len(ix.clos_indices)), ix.clos_indices, ix.clos_indptr),
                                    shape=(ix.n_diseases, ix.n_terms))[self.diseases]
        self.C = closure.tocsr()
        self.CW = (closure @ sparse.diags(self.ic)).tocsr()
        self.CT = self.C.T.tocsc()
        self.totals = np.asarray(self.CW.sum(axis=1)).ravel()

    def rows(self, start: int, stop: int) -> np.ndarray:
        """Scores of diseases ``start:stop`` (positions in ``self.diseases``) against all."""
        if self.method == "simgic":
            inter = (self.CW[start:stop] @ self.CT).toarray()
            union = self.totals[start:stop, None] + self.totals[None, :] - inter
            with np.errstate(divide="ignore", invalid="ignore"):
                return np.where(union > 0, inter / union, 0.0).astype(np.float32)
        forward = np.asarray(self.P[start:stop] @ self.R, dtype=np.float64)          # A[block, :]
        backward = np.asarray(self.PT.T @ self.R[:, start:stop], dtype=np.float64).T  # A[:, block].T
        n_i, n_j = self.sizes[start:stop, None], self.sizes[None, :]
        if self.method == "bma":
            out = (forward + backward) / (n_i + n_j)
        elif self.method == "funSimAvg":
            out = (forward / n_i + backward / n_j) / 2.0
        elif self.method == "funSimMax":
            out = np.maximum(forward / n_i, backward / n_j)
        else:
            out = forward / n_i
        return out.astype(np.float32)

    def blocks(self) -> Iterator[tuple[int, np.ndarray]]:
        for start in range(0, len(self.diseases), self.block):
            stop = min(start + self.block, len(self.diseases))
            yield start, self.rows(start, stop)


def write_all_pairs(index: SimilarityIndex, path: Path | str, *, method: str = "bma", measure: str = "resnik",
                    corpus: str = "all", block: int = 256, compresslevel: int = 1,
                    progress: Callable[[str, int, int], None] | None = None) -> PairsSummary:
    """Write the disease x disease matrix to ``path`` (.npz), streaming row blocks."""
    began = time.perf_counter()
    path = Path(path)
    if path.suffix != ".npz":
        raise InputError("the all-pairs matrix is written as .npz; give a path ending in .npz", path=str(path))
    path.parent.mkdir(parents=True, exist_ok=True)
    scorer = PairScorer(index, method=method, measure=measure, corpus=corpus, block=block,
                        progress=(lambda n, total: progress("best matches", n, total)) if progress else None)
    n = len(scorer.diseases)
    tmp = path.with_name(path.name + ".tmp")
    meta = np.array(["method", method, "measure", measure if method != "simgic" else "graph-ic",
                     "corpus", corpus, "hpo_version", index.hpo_version, "hpoa_version", index.hpoa_version,
                     "index_key", index.key])
    with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=compresslevel) as zf:
        for name, array in (("ids", index.disease_ids[scorer.diseases]),
                            ("names", index.disease_names[scorer.diseases]), ("meta", meta)):
            with zf.open(f"{name}.npy", "w") as member:
                npformat.write_array(member, np.asarray(array), allow_pickle=False)
        with zf.open("scores.npy", "w", force_zip64=True) as member:
            npformat.write_array_header_2_0(member, {"descr": npformat.dtype_to_descr(np.dtype("<f4")),
                                                     "fortran_order": False, "shape": (n, n)})
            for start, rows in scorer.blocks():
                member.write(np.ascontiguousarray(rows, dtype="<f4").tobytes())
                if progress:
                    progress("pairs", start + len(rows), n)
    tmp.replace(path)
    return PairsSummary(str(path), n, method, measure, corpus, time.perf_counter() - began, path.stat().st_size)


def top_neighbours(index: SimilarityIndex, k: int, *, method: str = "bma", measure: str = "resnik",
                   corpus: str = "all", block: int = 256) -> Iterator[tuple[str, list[tuple[str, float]]]]:
    """Per disease (ID order), its ``k`` most similar other diseases, best first (ties by ID)."""
    if k < 1:
        raise InputError(f"K must be at least 1, not {k}")
    scorer = PairScorer(index, method=method, measure=measure, corpus=corpus, block=block)
    ids = index.disease_ids[scorer.diseases]
    rank_of_id = np.argsort(np.argsort(ids, kind="stable"), kind="stable")
    for start, rows in scorer.blocks():
        for offset, row in enumerate(rows):
            me = start + offset
            row = row.astype(np.float64)
            row[me] = -np.inf
            kk = min(k, len(row) - 1)
            if kk <= 0:
                yield str(ids[me]), []
                continue
            cand = np.argpartition(-row, kk - 1)[:kk]
            cutoff = row[cand].min()
            cand = np.flatnonzero(row >= cutoff)  # keep ties at the boundary, then order and cut
            cand = cand[np.lexsort((rank_of_id[cand], -row[cand]))][:kk]
            yield str(ids[me]), [(str(ids[c]), float(row[c])) for c in cand]
