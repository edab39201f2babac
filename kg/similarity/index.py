"""The prepared similarity index: the HPO and the disease annotations as flat NumPy arrays.

Every similarity computation works on integer term indices and CSR-style arrays, never on
Python objects, so that one query against all ~12,700 diseases is a handful of vectorised
operations. Building the index reads hp.obo and phenotype.hpoa (several seconds); the result
is cached as an uncompressed ``.npz`` in ``kg.paths.cache_dir()`` under a key made of both
inputs' sha256 and the index format, so a warm load is a few tens of milliseconds. A stale
or unreadable cache is rebuilt, never trusted.

Term order: live (non-obsolete) terms sorted by ID. ``levels`` groups terms by their longest
path from the root, so a value can be pushed down the DAG level by level (see ``terms.py``).
Disease profiles hold the positive phenotype (aspect P) annotations, one entry per distinct
term, with the annotation frequency as a fraction (NaN when the source gives none).
"""

from __future__ import annotations

import hashlib
import logging
import os
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import numpy as np

from kg import paths
from kg.errors import InputError
from kg.model import Annotation, Aspect
from kg.ontology import ONSET, PHENOTYPIC_ABNORMALITY, ROOT, Ontology, sha256_of

log = logging.getLogger(__name__)

INDEX_FORMAT = 4
#: Disease corpora: the source prefix of each disease ID; ``all`` is their union.
CORPORA = ("omim", "orpha", "decipher")
CORPUS_CHOICES = ("all", "omim", "orpha")
_PREFIX_CORPUS = {"OMIM": 0, "ORPHA": 1, "DECIPHER": 2}

#: HPO frequency terms as the fraction of patients the HPO defines for them (midpoints).
FREQUENCY_TERMS = {
    "HP:0040280": 1.0,     # obligate (100%)
    "HP:0040281": 0.895,   # very frequent (80-99%)
    "HP:0040282": 0.545,   # frequent (30-79%)
    "HP:0040283": 0.17,    # occasional (5-29%)
    "HP:0040284": 0.025,   # very rare (1-4%)
    "HP:0040285": 0.0,     # excluded (0%)
}


@dataclass(frozen=True, slots=True)
class Resolved:
    """A query term after alt-ID / obsolete mapping: its index, or why it has none."""

    requested: str
    term: str | None
    index: int | None
    note: str  # "current" | "alt_id" | "obsolete_replaced" | "unknown" | "obsolete"


class SimilarityIndex:
    """Terms, hierarchy, per-corpus annotation counts and disease profiles as arrays."""

    _ARRAYS = ("term_ids", "term_labels", "anc_indptr", "anc_indices", "level_ptr", "level_children",
               "level_seg", "level_pptr", "level_parents", "counts", "totals", "disease_ids", "disease_names",
               "disease_corpus", "prof_indptr", "prof_indices", "prof_freq", "neg_indptr", "neg_indices",
               "onset_indptr", "onset_indices", "clos_indptr", "clos_indices", "reach_indptr",
               "reach_indices", "reach_pos", "alias_from", "alias_to", "alias_reason", "meta")

    # the arrays (see build() for their meaning); set from ``_ARRAYS`` in __init__
    term_ids: np.ndarray
    term_labels: np.ndarray
    anc_indptr: np.ndarray
    anc_indices: np.ndarray
    level_ptr: np.ndarray
    level_children: np.ndarray
    level_seg: np.ndarray
    level_pptr: np.ndarray
    level_parents: np.ndarray
    counts: np.ndarray
    totals: np.ndarray
    disease_ids: np.ndarray
    disease_names: np.ndarray
    disease_corpus: np.ndarray
    prof_indptr: np.ndarray
    prof_indices: np.ndarray
    prof_freq: np.ndarray
    neg_indptr: np.ndarray
    neg_indices: np.ndarray
    onset_indptr: np.ndarray
    onset_indices: np.ndarray
    clos_indptr: np.ndarray
    clos_indices: np.ndarray
    reach_indptr: np.ndarray
    reach_indices: np.ndarray
    reach_pos: np.ndarray
    alias_from: np.ndarray
    alias_to: np.ndarray
    alias_reason: np.ndarray
    meta: np.ndarray

    def __init__(self, arrays: dict[str, np.ndarray]) -> None:
        missing = [name for name in self._ARRAYS if name not in arrays]
        if missing:
            raise InputError(f"similarity index lacks arrays {missing}")
        for name in self._ARRAYS:
            setattr(self, name, arrays[name])
        meta = dict(zip(arrays["meta"][0::2].tolist(), arrays["meta"][1::2].tolist()))
        self.key: str = meta.get("key", "")
        self.hpo_version: str = meta.get("hpo_version", "")
        self.hpoa_version: str = meta.get("hpoa_version", "")
        self.term_index: dict[str, int] = {t: i for i, t in enumerate(self.term_ids.tolist())}
        self.disease_index: dict[str, int] = {d: i for i, d in enumerate(self.disease_ids.tolist())}
        self.n_terms = len(self.term_ids)
        self.n_diseases = len(self.disease_ids)

    # -- information content ---------------------------------------------------------------
    def ic(self, corpus: str = "all") -> np.ndarray:
        """-ln(p) per term, p = share of the corpus's diseases annotated to it or a descendant.

        The convention of pyhpo and hpo3: positive annotations of every aspect count, the
        denominator is every disease of the corpus with a positive annotation, and a term no
        disease reaches gets 0 (not infinity).
        """
        return self._ic[corpus]

    @cached_property
    def _ic(self) -> dict[str, np.ndarray]:
        out = {}
        for name in CORPUS_CHOICES:
            if name == "all":
                count, total = self.counts.sum(axis=0), self.totals.sum()
            else:
                row = CORPORA.index(name)
                count, total = self.counts[row], self.totals[row]
            with np.errstate(divide="ignore"):
                ic = -np.log(count / float(total)) if total else np.zeros(self.n_terms)
            ic[count == 0] = 0.0
            out[name] = np.maximum(ic, 0.0)  # -log(1) is -0.0; keep +0.0
        return out

    def candidates(self, corpus: str = "all") -> np.ndarray:
        """Indices of the diseases a ranking over ``corpus`` considers."""
        if corpus == "all":
            return np.arange(self.n_diseases)
        if corpus not in CORPUS_CHOICES:
            raise InputError(f"unknown corpus {corpus!r} (one of {', '.join(CORPUS_CHOICES)})")
        return np.flatnonzero(self.disease_corpus == CORPORA.index(corpus))

    # -- lookups ---------------------------------------------------------------------------
    @cached_property
    def _aliases(self) -> dict[str, tuple[str, str]]:
        return {a: (b, r) for a, b, r in zip(self.alias_from.tolist(), self.alias_to.tolist(),
                                             self.alias_reason.tolist())}

    def resolve(self, hp_id: str) -> Resolved:
        """Map an HPO ID (current, alternative or obsolete-with-replacement) to a term index."""
        hp_id = hp_id.strip()
        index = self.term_index.get(hp_id)
        if index is not None:
            return Resolved(hp_id, hp_id, index, "current")
        target, reason = self._aliases.get(hp_id, (None, "unknown"))
        if target:
            return Resolved(hp_id, target, self.term_index[target], reason)
        return Resolved(hp_id, None, None, reason)

    def label(self, index: int) -> str:
        return str(self.term_labels[index])

    def profile(self, disease: int) -> np.ndarray:
        return self.prof_indices[self.prof_indptr[disease]:self.prof_indptr[disease + 1]]

    def ancestors(self, index: int) -> np.ndarray:
        return self.anc_indices[self.anc_indptr[index]:self.anc_indptr[index + 1]]

    @cached_property
    def depth(self) -> np.ndarray:
        """Number of ancestors of each term (itself included): deeper terms are more specific."""
        return np.diff(self.anc_indptr)

    def by_information(self, terms: np.ndarray, ic: np.ndarray) -> np.ndarray:
        """``terms`` ordered by increasing IC, then depth: the last is the most informative."""
        return terms[np.lexsort((self.depth[terms], ic[terms]))]

    @cached_property
    def profile_sizes(self) -> np.ndarray:
        return np.diff(self.prof_indptr)

    @cached_property
    def profile_rows(self) -> np.ndarray:
        """Disease index of every profile entry (the CSR row expanded)."""
        return np.repeat(np.arange(self.n_diseases), self.profile_sizes)

    @cached_property
    def phenotype_mask(self) -> np.ndarray:
        """True for terms under Phenotypic abnormality (HP:0000118), itself included."""
        return self.descendant_mask(self.term_index[PHENOTYPIC_ABNORMALITY])

    def descendant_mask(self, index: int) -> np.ndarray:
        """Boolean mask of ``index`` and all its descendants."""
        counts = np.diff(self.anc_indptr)
        rows = np.repeat(np.arange(self.n_terms), counts)
        mask = np.zeros(self.n_terms, dtype=bool)
        mask[rows[self.anc_indices == index]] = True
        return mask

    def arrays(self) -> dict[str, np.ndarray]:
        return {name: getattr(self, name) for name in self._ARRAYS}


def gather(indptr: np.ndarray, indices: np.ndarray, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Concatenated CSR rows ``rows`` and, for each element, its position in ``rows``."""
    starts, ends = indptr[rows], indptr[rows + 1]
    lengths = ends - starts
    owner = np.repeat(np.arange(len(rows)), lengths)
    offsets = np.arange(int(lengths.sum())) - np.repeat(np.cumsum(lengths) - lengths, lengths)
    return indices[np.repeat(starts, lengths) + offsets], owner


# -- building ----------------------------------------------------------------------------------
def build(ontology: Ontology, annotations: Iterable[Annotation], *, key: str = "",
          hpoa_version: str = "") -> SimilarityIndex:
    """Prepare the arrays from a loaded ontology and HPOA annotation records."""
    live = sorted(t.id for t in ontology.terms.values() if not t.obsolete)
    index = {t: i for i, t in enumerate(live)}
    n = len(live)
    labels = np.array([ontology.terms[t].label for t in live])

    # ancestor closure (self included), CSR over terms
    anc_rows = [sorted(index[a] for a in ontology.ancestors(t) if a in index) for t in live]
    anc_indptr = np.zeros(n + 1, dtype=np.int64)
    anc_indptr[1:] = np.cumsum([len(r) for r in anc_rows])
    anc_indices = np.fromiter((a for r in anc_rows for a in r), dtype=np.int32, count=int(anc_indptr[-1]))

    # levels: longest path from the root; parents always sit on a lower level
    level: dict[str, int] = {}
    for t in ontology._topological_order:
        if t in index:
            parents = [p for p in ontology.parents(t) if p in index]
            level[t] = 1 + max((level[p] for p in parents), default=-1)
    depth = max(level.values())
    level_ptr = [0]
    children: list[int] = []
    seg: list[int] = []
    parents_flat: list[int] = []
    by_level: dict[int, list[str]] = {}
    for t in live:
        by_level.setdefault(level[t], []).append(t)
    seg_ptr = [0]
    for lv in range(1, depth + 1):
        for t in by_level.get(lv, []):
            children.append(index[t])
            seg.append(len(parents_flat))
            parents_flat.extend(sorted(index[p] for p in ontology.parents(t) if p in index))
        level_ptr.append(len(children))
        seg_ptr.append(len(parents_flat))
    level_seg = np.array(seg, dtype=np.int64)

    # annotations: per-corpus propagated counts; disease profiles, NOT terms, onset terms
    positive: dict[str, set[int]] = {}
    names: dict[str, str] = {}
    profile: dict[str, dict[int, float]] = {}
    negated: dict[str, set[int]] = {}
    onset: dict[str, set[int]] = {}
    onset_root = index[ONSET]
    onset_terms = {i for i in range(n) if onset_root in anc_rows[i]}
    for a in annotations:
        names.setdefault(a.disease_id, a.disease_name)
        term = index.get(a.hpo_id)
        if term is None:
            continue
        if a.negated:
            if a.aspect is Aspect.PHENOTYPE:
                negated.setdefault(a.disease_id, set()).add(term)
            continue
        positive.setdefault(a.disease_id, set()).add(term)
        if a.aspect is Aspect.PHENOTYPE:
            freq = _fraction(a)
            entries = profile.setdefault(a.disease_id, {})
            old = entries.get(term, np.nan)
            entries[term] = freq if np.isnan(old) else (old if np.isnan(freq) else max(old, freq))
        elif a.aspect is Aspect.CLINICAL_COURSE and term in onset_terms:
            onset.setdefault(a.disease_id, set()).add(term)
    counts = np.zeros((len(CORPORA), n), dtype=np.int64)
    totals = np.zeros(len(CORPORA), dtype=np.int64)
    for disease, terms in positive.items():
        row = _PREFIX_CORPUS[disease.split(":", 1)[0]]
        totals[row] += 1
        closure = np.unique(np.concatenate([anc_indices[anc_indptr[t]:anc_indptr[t + 1]] for t in terms]))
        counts[row, closure] += 1

    diseases = sorted(profile)
    prof_indptr, prof_indices, prof_freq = _csr([sorted(profile[d].items()) for d in diseases])
    neg_indptr, neg_indices, _ = _csr([[(t, 0.0) for t in sorted(negated.get(d, ()))] for d in diseases])
    onset_indptr, onset_indices, _ = _csr([[(t, 0.0) for t in sorted(onset.get(d, ()))] for d in diseases])

    clos_indptr, clos_indices, reach_indptr, reach_indices, reach_pos = _closures(prof_indptr, prof_indices, anc_indptr,
                                                                       anc_indices, n)
    alias_from, alias_to, alias_reason = [], [], []
    known = set(ontology.terms) | set(ontology.alt_ids)
    for hp_id in sorted(known - set(live)):
        res = ontology.resolve(hp_id)
        alias_from.append(hp_id)
        alias_to.append(res.current or "")
        alias_reason.append(res.reason)

    meta = ["key", key, "hpo_version", ontology.version or "", "hpoa_version", hpoa_version]
    arrays = {
        "term_ids": np.array(live), "term_labels": labels,
        "anc_indptr": anc_indptr, "anc_indices": anc_indices,
        "level_ptr": np.array(level_ptr, dtype=np.int64), "level_children": np.array(children, dtype=np.int64),
        "level_seg": level_seg, "level_pptr": np.array(seg_ptr, dtype=np.int64),
        "level_parents": np.array(parents_flat, dtype=np.int64),
        "counts": counts, "totals": totals,
        "disease_ids": np.array(diseases), "disease_names": np.array([names[d] for d in diseases]),
        "disease_corpus": np.array([_PREFIX_CORPUS[d.split(":", 1)[0]] for d in diseases], dtype=np.int8),
        "prof_indptr": prof_indptr, "prof_indices": prof_indices, "prof_freq": prof_freq,
        "neg_indptr": neg_indptr, "neg_indices": neg_indices,
        "onset_indptr": onset_indptr, "onset_indices": onset_indices,
        "clos_indptr": clos_indptr, "clos_indices": clos_indices,
        "reach_indptr": reach_indptr, "reach_indices": reach_indices, "reach_pos": reach_pos,
        "alias_from": np.array(alias_from, dtype=str), "alias_to": np.array(alias_to, dtype=str),
        "alias_reason": np.array(alias_reason, dtype=str), "meta": np.array(meta),
    }
    if ROOT not in index:
        raise InputError(f"ontology has no root term {ROOT}", path=ontology.source)
    return SimilarityIndex(arrays)


def _closures(prof_indptr: np.ndarray, prof_indices: np.ndarray, anc_indptr: np.ndarray,
              anc_indices: np.ndarray, n_terms: int) -> tuple[np.ndarray, ...]:
    """Each disease's profile closure (CSR by disease) and its transpose (CSR by term: the
    diseases a term reaches, i.e. annotated to it or a descendant), with, for each entry of
    the transpose, its position in the closure arrays (so per-closure-entry tables such as
    the calibration can be read while walking a term's diseases)."""
    n_diseases = len(prof_indptr) - 1
    anc, owner = gather(anc_indptr, anc_indices, prof_indices.astype(np.int64))
    disease = np.repeat(np.arange(n_diseases), np.diff(prof_indptr))[owner]
    key = np.unique(disease.astype(np.int64) * n_terms + anc)
    rows, terms = np.divmod(key, n_terms)
    clos_indptr = np.zeros(n_diseases + 1, dtype=np.int64)
    np.cumsum(np.bincount(rows, minlength=n_diseases), out=clos_indptr[1:])
    order = np.lexsort((rows, terms))
    reach_indptr = np.zeros(n_terms + 1, dtype=np.int64)
    np.cumsum(np.bincount(terms, minlength=n_terms), out=reach_indptr[1:])
    return (clos_indptr, terms.astype(np.int32), reach_indptr, rows[order].astype(np.int32),
            order.astype(np.int32))


def _fraction(a: Annotation) -> float:
    if a.frequency is None:
        return float("nan")
    if a.frequency.term:
        return FREQUENCY_TERMS.get(a.frequency.term, float("nan"))
    q = a.frequency.quotient
    return float("nan") if q is None else float(q)


def _csr(rows: Sequence[Sequence[tuple[int, float]]]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    indptr = np.zeros(len(rows) + 1, dtype=np.int64)
    indptr[1:] = np.cumsum([len(r) for r in rows])
    indices = np.fromiter((t for r in rows for t, _ in r), dtype=np.int32, count=int(indptr[-1]))
    values = np.fromiter((v for r in rows for _, v in r), dtype=np.float32, count=int(indptr[-1]))
    return indptr, indices, values


# -- loading with the cache ------------------------------------------------------------------------
def cache_key(hpo_path: Path, hpoa_path: Path) -> str:
    digest = hashlib.sha256(f"format={INDEX_FORMAT}".encode())
    digest.update(sha256_of(hpo_path).encode())
    digest.update(sha256_of(hpoa_path).encode())
    return digest.hexdigest()


def load(hpo_path: Path | str | None = None, hpoa_path: Path | str | None = None, *,
         use_cache: bool = True) -> SimilarityIndex:
    """The index for the given (default: vendored) hp.obo and phenotype.hpoa, cached by sha256."""
    hpo_path = Path(hpo_path or paths.HP_OBO)
    hpoa_path = Path(hpoa_path or paths.HPOA)
    for p in (hpo_path, hpoa_path):
        if not p.exists():
            raise InputError("file not found", path=str(p))
    key = cache_key(hpo_path, hpoa_path)
    cache = paths.cache_dir() / f"similarity-{key[:24]}.npz"
    if use_cache and cache.exists():
        try:
            with np.load(cache, allow_pickle=False) as data:
                return SimilarityIndex({name: data[name] for name in data.files})
        except (OSError, ValueError, KeyError, EOFError, InputError, zipfile.BadZipFile):  # rebuilt, never trusted
            log.warning("ignoring unreadable similarity cache %s", cache)
    from kg.progress import step
    from kg.report import Report
    from kg.sources import hpoa

    with step("preparing the similarity index (once per input release)"):
        ontology = Ontology.load(hpo_path)
        header = hpoa.read_header(hpoa_path)
        annotations = hpoa.load(hpoa_path, ontology=ontology, report=Report())
        index = build(ontology, annotations, key=key, hpoa_version=header.version or "")
    if use_cache:
        tmp = cache.with_name(cache.name + f".{os.getpid()}.tmp")
        with open(tmp, "wb") as handle:
            np.savez(handle, **index.arrays())  # type: ignore[arg-type]  # numpy stub: allow_pickle clash
        tmp.replace(cache)
    return index
