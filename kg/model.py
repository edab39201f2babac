"""Typed records: the contract between readers (which know formats) and the RDF mapping.

Records are frozen, slotted dataclasses; identifiers are strings already validated as
CURIEs by the reader (``kg.curie.Curie``). Document and case-report records live in
``kg.documents.records``; these are the ontology and annotation records.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum


@dataclass(frozen=True, slots=True)
class Synonym:
    text: str
    scope: str  # EXACT | RELATED | BROAD | NARROW
    type: str | None = None  # layperson | uk_spelling | abbreviation | plural_form | ...


@dataclass(frozen=True, slots=True)
class Term:
    """One HPO term as the ontology file states it."""

    id: str
    label: str
    definition: str | None = None
    synonyms: tuple[Synonym, ...] = ()
    parents: tuple[str, ...] = ()
    alt_ids: tuple[str, ...] = ()
    obsolete: bool = False
    replaced_by: tuple[str, ...] = ()
    consider: tuple[str, ...] = ()
    xrefs: tuple[str, ...] = ()
    comment: str | None = None


class Aspect(str, Enum):
    """HPOA column 11: which kind of statement a row makes."""

    PHENOTYPE = "P"
    INHERITANCE = "I"
    CLINICAL_COURSE = "C"
    MODIFIER = "M"
    PAST_HISTORY = "H"


class Evidence(str, Enum):
    IEA = "IEA"  # inferred from electronic annotation (parsed from OMIM text)
    PCS = "PCS"  # published clinical study
    TAS = "TAS"  # traceable author statement (mostly Orphanet)


EVIDENCE_ECO = {Evidence.IEA: "ECO:0000501", Evidence.PCS: "ECO:0006017", Evidence.TAS: "ECO:0000304"}


class Sex(str, Enum):
    MALE = "MALE"
    FEMALE = "FEMALE"


SEX_PATO = {Sex.MALE: "PATO:0000384", Sex.FEMALE: "PATO:0000383"}


@dataclass(frozen=True, slots=True)
class Frequency:
    """HPOA frequency in one of its three forms; exactly one of term / ratio / percent is set."""

    raw: str
    term: str | None = None  # HP:0040280 .. HP:0040285
    count: int | None = None  # n of n/m
    total: int | None = None  # m of n/m
    percent: float | None = None  # x of x%

    @property
    def quotient(self) -> float | None:
        if self.count is not None and self.total:
            return self.count / self.total
        if self.percent is not None:
            return self.percent / 100.0
        return None


@dataclass(frozen=True, slots=True)
class Biocuration:
    curator: str  # e.g. HPO:probinson, ORPHA:orphadata
    date: str | None  # ISO date YYYY-MM-DD


@dataclass(frozen=True, slots=True)
class Annotation:
    """One row of phenotype.hpoa, validated; ``line`` is its 1-based line in the file."""

    disease_id: str
    disease_name: str
    negated: bool
    hpo_id: str
    references: tuple[str, ...]
    evidence: Evidence
    aspect: Aspect
    onset: str | None = None
    frequency: Frequency | None = None
    sex: Sex | None = None
    modifiers: tuple[str, ...] = ()
    biocuration: tuple[Biocuration, ...] = ()
    line: int = 0
    original_hpo_id: str | None = None  # set when an alt/obsolete ID was mapped to hpo_id
    #: What identifies this statement in its source, independent of row order: the row's
    #: columns except the disease name and biocuration, as written. Minted IRIs hash it.
    row_key: str = ""


@dataclass(frozen=True, slots=True)
class HpoaHeader:
    """The ``#key: value`` lines at the top of phenotype.hpoa (version, description...)."""

    version: str | None
    fields: dict[str, str] = field(default_factory=dict)
