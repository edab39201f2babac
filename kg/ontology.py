"""The HPO ontology layer: terms, hierarchy, alt_ids and obsolete terms, read with pronto.

Parsing hp.obo with pronto takes a few seconds, so the parsed terms are cached as a pickle
keyed by the file's sha256 (in ``kg.paths.cache_dir()``); a warm load takes well under a
second. The cache is only an accelerator: a missing or stale cache is rebuilt silently.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import logging
import pickle
import warnings
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from kg import paths
from kg.errors import OntologyError
from kg.model import Synonym, Term

log = logging.getLogger(__name__)

ROOT = "HP:0000001"
PHENOTYPIC_ABNORMALITY = "HP:0000118"
MODE_OF_INHERITANCE = "HP:0000005"
CLINICAL_MODIFIER = "HP:0012823"
CLINICAL_COURSE = "HP:0031797"
ONSET = "HP:0003674"
FREQUENCY = "HP:0040279"
PAST_MEDICAL_HISTORY = "HP:0032443"
_CACHE_FORMAT = 3


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def read_bytes(path: Path) -> bytes:
    """File content, gunzipped when it is gzip (by magic number, not by name)."""
    raw = Path(path).read_bytes()
    if raw[:2] == b"\x1f\x8b":
        try:
            return gzip.decompress(raw)
        except (OSError, EOFError) as exc:
            raise OntologyError(f"truncated or corrupt gzip: {exc}", path=str(path)) from exc
    return raw


@dataclass(frozen=True, slots=True)
class Resolution:
    """Where an HPO ID leads: itself, its primary ID (alt_id), or its replacement (obsolete)."""

    requested: str
    current: str | None
    reason: str  # "current" | "alt_id" | "obsolete_replaced" | "obsolete" | "unknown"


class Ontology:
    """HPO terms by ID with the ``is_a`` hierarchy; obsolete terms kept but marked."""

    def __init__(self, terms: Iterable[Term], *, version: str | None, source: str = "",
                 header: dict[str, str] | None = None, sha256: str | None = None) -> None:
        self.terms: dict[str, Term] = {t.id: t for t in terms}
        self.version = version
        self.source = source
        self.header = header or {}
        self.sha256 = sha256
        self.alt_ids: dict[str, str] = {}
        for term in self.terms.values():
            for alt in term.alt_ids:
                self.alt_ids.setdefault(alt, term.id)
        self._check_hierarchy()

    # -- loading -------------------------------------------------------------------------
    @classmethod
    def load(cls, path: Path | str | None = None, *, use_cache: bool = True) -> Ontology:
        """Load hp.obo (plain or gzipped); a cached parse is used when the sha256 matches."""
        path = Path(path or paths.HP_OBO)
        if not path.exists():
            raise OntologyError("ontology file not found", path=str(path))
        digest = sha256_of(path)
        cache = paths.cache_dir() / f"hpo-{digest[:20]}-v{_CACHE_FORMAT}.pickle" if use_cache else None
        if cache is not None and cache.exists():
            try:
                with open(cache, "rb") as handle:
                    version, header, terms = pickle.load(handle)
                return cls(terms, version=version, source=str(path), header=header, sha256=digest)
            except Exception:  # noqa: BLE001 -- a corrupt cache is rebuilt, never trusted
                log.warning("ignoring unreadable ontology cache %s", cache)
        version, header, terms = _parse_obo(path)
        onto = cls(terms, version=version, source=str(path), header=header, sha256=digest)
        if cache is not None:
            tmp = cache.with_suffix(".tmp")
            with open(tmp, "wb") as handle:
                pickle.dump((version, header, terms), handle, protocol=pickle.HIGHEST_PROTOCOL)
            tmp.replace(cache)
        return onto

    # -- lookups ---------------------------------------------------------------------------
    def __contains__(self, hp_id: object) -> bool:
        return hp_id in self.terms

    def __getitem__(self, hp_id: str) -> Term:
        return self.terms[hp_id]

    def __len__(self) -> int:
        return len(self.terms)

    def live_terms(self) -> Iterator[Term]:
        """Non-obsolete terms in ID order."""
        return (self.terms[k] for k in sorted(self.terms) if not self.terms[k].obsolete)

    def label(self, hp_id: str) -> str | None:
        term = self.terms.get(hp_id)
        return term.label if term else None

    def resolve(self, hp_id: str) -> Resolution:
        """Map an ID to the current term: primary IDs stay, alt_ids and replaced obsoletes move."""
        term = self.terms.get(hp_id)
        if term is not None and not term.obsolete:
            return Resolution(hp_id, hp_id, "current")
        if term is None:
            primary = self.alt_ids.get(hp_id)
            if primary is not None:
                return self.resolve(primary) if self.terms[primary].obsolete else Resolution(hp_id, primary, "alt_id")
            return Resolution(hp_id, None, "unknown")
        for target in term.replaced_by:
            seen = {hp_id}
            while target in self.terms and self.terms[target].obsolete and self.terms[target].replaced_by:
                if target in seen:
                    break
                seen.add(target)
                target = self.terms[target].replaced_by[0]
            if target in self.terms and not self.terms[target].obsolete:
                return Resolution(hp_id, target, "obsolete_replaced")
        return Resolution(hp_id, None, "obsolete")

    def parents(self, hp_id: str) -> tuple[str, ...]:
        return self.terms[hp_id].parents

    @cached_property
    def children_map(self) -> dict[str, tuple[str, ...]]:
        children: dict[str, list[str]] = defaultdict(list)
        for term in self.terms.values():
            for parent in term.parents:
                children[parent].append(term.id)
        return {k: tuple(sorted(v)) for k, v in children.items()}

    def children(self, hp_id: str) -> tuple[str, ...]:
        return self.children_map.get(hp_id, ())

    def ancestors(self, hp_id: str, *, include_self: bool = True) -> frozenset[str]:
        closure = self._ancestor_closure.get(hp_id, frozenset({hp_id}))
        return closure if include_self else closure - {hp_id}

    def descendants(self, hp_id: str, *, include_self: bool = True) -> set[str]:
        out = {hp_id} if include_self else set()
        stack = [hp_id]
        while stack:
            for child in self.children(stack.pop()):
                if child not in out:
                    out.add(child)
                    stack.append(child)
        return out

    def is_a(self, hp_id: str, ancestor: str) -> bool:
        """True when ``ancestor`` is ``hp_id`` or one of its ancestors."""
        return ancestor in self.ancestors(hp_id)

    @cached_property
    def _ancestor_closure(self) -> dict[str, frozenset[str]]:
        closure: dict[str, frozenset[str]] = {}
        for term_id in self._topological_order:
            acc = {term_id}
            for parent in self.terms[term_id].parents:
                acc |= closure.get(parent, {parent})
            closure[term_id] = frozenset(acc)
        return closure

    @cached_property
    def _topological_order(self) -> list[str]:
        order: list[str] = []
        state: dict[str, int] = {}
        for start in sorted(self.terms):
            if start in state:
                continue
            stack: list[tuple[str, Iterator[str]]] = [(start, iter(self.terms[start].parents))]
            state[start] = 1
            while stack:
                node, parents = stack[-1]
                advanced = False
                for parent in parents:
                    if parent not in self.terms:
                        continue
                    mark = state.get(parent)
                    if mark == 1:
                        raise OntologyError(f"is_a cycle through {parent} and {node}",
                                            path=self.source, identifier=node)
                    if mark is None:
                        state[parent] = 1
                        stack.append((parent, iter(self.terms[parent].parents)))
                        advanced = True
                        break
                if not advanced:
                    state[node] = 2
                    order.append(node)
                    stack.pop()
        return order

    def _check_hierarchy(self) -> None:
        self._topological_order  # noqa: B018 -- raises OntologyError on a cycle


def _parse_obo(path: Path) -> tuple[str | None, dict[str, str], list[Term]]:
    """Parse an OBO file with pronto into Term records; errors become OntologyError."""
    import pronto

    data = read_bytes(path)
    header = _read_header(data, path)
    if "format-version" not in header:
        raise OntologyError("not an OBO file: no 'format-version' header line", path=str(path), line=1)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            onto = pronto.Ontology(io.BytesIO(data))
    except Exception as exc:  # pronto/fastobo raise many types; name the file
        raise OntologyError(f"cannot parse OBO: {exc}", path=str(path)) from exc
    terms = []
    for t in onto.terms():
        if not t.id.startswith("HP:"):
            continue
        try:  # pronto reads some clauses lazily: an undeclared synonym type raises ValueError only here
            synonyms = tuple(sorted(
                (Synonym(s.description, s.scope or "RELATED", s.type.id if s.type else None) for s in t.synonyms),
                key=lambda s: (s.scope, s.text, s.type or "")))
            parents = tuple(sorted(p.id for p in t.superclasses(distance=1, with_self=False)))
            terms.append(Term(
                id=t.id, label=t.name or t.id,
                definition=str(t.definition) if t.definition else None,
                synonyms=synonyms, parents=parents,
                alt_ids=tuple(sorted(t.alternate_ids)), obsolete=bool(t.obsolete),
                replaced_by=_target_ids(t.replaced_by, t.id, path),
                consider=_target_ids(t.consider, t.id, path),
                xrefs=tuple(sorted(x.id for x in t.xrefs)),
                comment=t.comment or None,
            ))
        except (ValueError, KeyError, AttributeError, TypeError) as exc:
            raise OntologyError(f"cannot parse OBO: {exc}", path=str(path), identifier=t.id) from exc
    if not terms:
        raise OntologyError("no HP terms found", path=str(path))
    version = header.get("data-version")
    if version and "/" in version:
        version = version.rsplit("/", 1)[-1]
    return version, header, terms


def _target_ids(targets, term_id: str, path: Path) -> tuple[str, ...]:
    """IDs named by ``replaced_by`` / ``consider`` without looking each term up.

    Iterating a pronto term set resolves every ID and raises a bare KeyError when the target
    is not in the file (a slice, or a dangling upstream reference). The IDs alone are what a
    Term records; ``resolve()`` already treats a replacement that is not loaded as no replacement.
    """
    ids = getattr(targets, "_ids", None)  # pronto's EntitySet keeps the raw IDs here
    if ids is not None:
        return tuple(sorted(ids))
    try:
        return tuple(sorted(t.id for t in targets))
    except KeyError as exc:
        raise OntologyError(f"refers to {exc.args[0]}, which is not in the file", path=str(path),
                            identifier=term_id) from exc


def _read_header(data: bytes, path: Path) -> dict[str, str]:
    header: dict[str, str] = {}
    for number, raw in enumerate(data.split(b"\n", 400)[:400], start=1):
        line = raw.decode("utf-8", errors="replace").strip()
        if line.startswith("["):
            break
        if ":" in line:
            key, value = line.split(":", 1)
            header.setdefault(key.strip(), value.strip())
    return header
