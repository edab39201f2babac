"""Typed records for what is read from rare-disease documents (GARD pages, Q&A pages, case reports).

These frozen dataclasses are the contract between the document readers (``kg.sources.gard``,
``kg.sources.qa_page``, ``kg.sources.case_report``), the disease resolver (``kg.resolve``) and the
RDF mapping (``kg.rdf.documents``). Every statement read from text carries a :class:`Span`:
character offsets into the document's text and the matched words only -- never whole
sentences, so committed records hold facts, not third-party prose.

``to_json`` / ``from_json`` give the reviewable JSON that ``kg extract`` writes and that the
build reads back (``data/documents/*.json``); the format is versioned by ``FORMAT``.
"""

from __future__ import annotations

import dataclasses
import types
import typing
from dataclasses import dataclass
from enum import Enum
from typing import Any

from kg.errors import InputError

FORMAT = "rdkg-document-records/1"


class Kind(str, Enum):
    """What kind of document a text is; decides the reader."""

    GARD = "gard"
    QA = "qa"
    CASE_REPORT = "case-report"


@dataclass(frozen=True, slots=True)
class Span:
    """Character offsets ``[start, end)`` into the document text, and the words found there."""

    start: int
    end: int
    text: str


@dataclass(frozen=True, slots=True)
class DateValue:
    """A date as printed; ``iso`` only when the reading is unambiguous or the source's format is known."""

    raw: str
    iso: str | None = None


@dataclass(frozen=True, slots=True)
class Document:
    """The source document itself: where it came from and what exactly was read."""

    source: str  # URL or path as given
    sha256: str  # of the raw bytes
    kind: Kind
    media_type: str  # text/plain | text/html
    text_sha256: str  # of the text the spans point into
    text_length: int
    retrieved: str | None = None  # ISO date
    encoding: str = "utf-8"


@dataclass(frozen=True, slots=True)
class Section:
    """A part of the document found by its heading or by its content."""

    topic: str  # summary | symptoms | phenotype-table | cause | inheritance | diagnosis | treatment | ...
    start: int
    end: int
    heading: str | None = None
    last_updated: DateValue | None = None


@dataclass(frozen=True, slots=True)
class DiseaseName:
    """The disease a document is about, as the document names it."""

    name: str
    span: Span | None = None
    synonyms: tuple[str, ...] = ()
    abbreviations: tuple[str, ...] = ()
    identifiers: tuple[str, ...] = ()  # CURIEs printed in the document (OMIM / ORPHA / GARD)


@dataclass(frozen=True, slots=True)
class DiseaseLink:
    """One link from a document's disease to an identifier, with why it was made."""

    curie: str
    match: str  # exact | close
    justification: str  # e.g. "document name equals the HPOA name 'X' of ORPHA:1"
    evidence: tuple[str, ...] = ()  # identifier-in-document | primary-name | inverted-title | synonym | abbreviation


@dataclass(frozen=True, slots=True)
class Resolution:
    """Disease identity: the node the document's facts hang on, and every link with its justification."""

    name: str
    status: str  # resolved | ambiguous | unresolved
    node: str | None  # CURIE of the disease node (Orphanet first, then OMIM), None when unresolved
    links: tuple[DiseaseLink, ...] = ()
    problems: tuple[str, ...] = ()  # ambiguous candidates and names left unlinked, in words


@dataclass(frozen=True, slots=True)
class PhenotypeStatement:
    """An HPO term the document states (or explicitly excludes) for the disease or the case."""

    hpo_id: str
    label: str
    span: Span
    negated: bool = False
    origin: str = "text"  # text | table | measurement
    section: str = ""
    context: str = "patient"  # patient | family | differential
    layperson: str | None = None  # the table's "Other Names" column


@dataclass(frozen=True, slots=True)
class InheritanceStatement:
    """Mode of inheritance (an HP term under HP:0000005) or an explicit 'not inherited', recurrence risk."""

    span: Span
    hpo_id: str | None = None
    label: str | None = None
    inherited: bool | None = None  # False for "not inherited"
    recurrence_percent: float | None = None
    origin: str = "text"


@dataclass(frozen=True, slots=True)
class CauseStatement:
    span: Span
    status: str  # unknown | suspected | known
    agent: str | None = None  # the named cause, e.g. "an autoimmune response"


@dataclass(frozen=True, slots=True)
class OnsetStatement:
    span: Span
    hpo_id: str | None  # smallest HPO onset class covering the stated ages
    min_years: float | None = None
    max_years: float | None = None


@dataclass(frozen=True, slots=True)
class Dose:
    """One dosing step of a treatment: amount and unit per period, route, duration, regimen."""

    span: Span
    amount: float | None = None
    unit: str | None = None  # mg, g, L/min, mg/kg
    per: str | None = None  # day, dose, week
    route: str | None = None  # intravenous | oral | inhaled | nasal cannula | subcutaneous
    frequency: str | None = None  # daily, twice daily
    duration_value: float | None = None
    duration_unit: str | None = None  # day | week | month | year
    regimen: str | None = None  # pulse | taper | maintenance


@dataclass(frozen=True, slots=True)
class Treatment:
    """A drug, procedure, diet or device used (or recommended) for the disease or given to the case."""

    name: str  # canonical lexicon name, or the item as printed when not in the lexicon
    span: Span
    category: str = "other"  # drug | procedure | diet | device | therapy | other
    identifiers: tuple[str, ...] = ()  # CHEBI / MAXO / NCIT CURIEs from the curated lexicon
    purpose: str = "treatment"  # treatment | prevention
    population: str | None = None  # "people with celiac disease", "future pregnancies"
    negated: bool = False
    doses: tuple[Dose, ...] = ()
    mentions: tuple[Span, ...] = ()  # further mentions merged into this treatment


@dataclass(frozen=True, slots=True)
class Procedure:
    """A diagnostic procedure named in a diagnosis section."""

    name: str
    span: Span


@dataclass(frozen=True, slots=True)
class PrognosisFactor:
    factor: str
    span: Span


@dataclass(frozen=True, slots=True)
class Complication:
    name: str
    span: Span
    hpo_id: str | None = None


@dataclass(frozen=True, slots=True)
class Prevalence:
    """A frequency of the disease as numbers: ``low``..``high`` cases per ``per`` of ``population``."""

    span: Span
    measure: str  # prevalence | incidence | birth-prevalence
    low: float
    high: float
    per: int
    population: str = "people"
    annual: bool = False


@dataclass(frozen=True, slots=True)
class Reference:
    number: int
    span: Span
    authors: tuple[str, ...] = ()
    title: str | None = None
    journal: str | None = None
    year: int | None = None
    identifiers: tuple[str, ...] = ()  # PMID / PMCID / DOI / OMIM / ORPHA CURIEs
    urls: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Resource:
    """An external resource a page points readers to (Orphanet, OMIM, ClinicalTrials.gov, ...)."""

    name: str
    span: Span
    section: str = ""


@dataclass(frozen=True, slots=True)
class Organisation:
    name: str
    span: Span
    address: str | None = None
    country: str | None = None
    phone: str | None = None
    toll_free: str | None = None
    fax: str | None = None
    email: str | None = None
    url: str | None = None


@dataclass(frozen=True, slots=True)
class Question:
    """A question of a Q&A page with the topic its answer was classified under."""

    question: str
    topic: str  # cause | inheritance | treatment | symptoms | diagnosis | prognosis | prevalence | other
    span: Span  # the question
    answer_start: int
    answer_end: int
    last_updated: DateValue | None = None


@dataclass(frozen=True, slots=True)
class Measurement:
    """A vital sign, laboratory value or lung-function value of a case, with its reference range."""

    name: str  # as printed
    analyte: str  # canonical key, e.g. haemoglobin, crp, pao2, dlco_pct_pred
    span: Span
    value: float | None = None
    comparator: str | None = None  # < <= > >= when printed with the value
    qualitative: str | None = None  # negative | positive
    unit: str | None = None
    ref_low: float | None = None
    ref_high: float | None = None
    ref_text: str | None = None  # the reference as printed
    ref_source: str = "document"  # document | standard (not printed: a standard adult range)
    flag: str | None = None  # low | high | normal | abnormal; None when no usable range
    hpo_id: str | None = None  # the abnormality the flag means, where HPO has one
    category: str = "laboratory"  # vital-sign | laboratory | lung-function | haemodynamic
    group: str | None = None  # urinalysis, blood gas analysis, ...
    time_point: str | None = None


@dataclass(frozen=True, slots=True)
class Smoking:
    span: Span
    status: str  # current | former | never
    per_day: float | None = None
    years: float | None = None
    pack_years: float | None = None


@dataclass(frozen=True, slots=True)
class Diagnosis:
    """A diagnosis of the case (with its certainty) or a differential that was excluded."""

    name: str
    span: Span
    certainty: str  # confirmed | suspected | excluded
    resolution: Resolution | None = None


@dataclass(frozen=True, slots=True)
class Outcome:
    status: str  # improved | resolved | recurred | persisted | died | stable
    span: Span


@dataclass(frozen=True, slots=True)
class Case:
    """The patient of a case report: who, what was found or excluded, measured, given, concluded."""

    span: Span  # where sex and age are stated
    sex: str | None = None  # male | female
    age_min: float | None = None
    age_max: float | None = None
    smoking: Smoking | None = None
    findings: tuple[PhenotypeStatement, ...] = ()
    measurements: tuple[Measurement, ...] = ()
    treatments: tuple[Treatment, ...] = ()
    diagnoses: tuple[Diagnosis, ...] = ()
    outcomes: tuple[Outcome, ...] = ()


@dataclass(frozen=True, slots=True)
class DocumentRecord:
    """Everything read from one document. Fields a kind does not have stay empty."""

    document: Document
    disease: DiseaseName
    resolution: Resolution | None = None
    sections: tuple[Section, ...] = ()
    phenotypes: tuple[PhenotypeStatement, ...] = ()
    inheritance: tuple[InheritanceStatement, ...] = ()
    causes: tuple[CauseStatement, ...] = ()
    onsets: tuple[OnsetStatement, ...] = ()
    treatments: tuple[Treatment, ...] = ()
    procedures: tuple[Procedure, ...] = ()
    prognosis: tuple[PrognosisFactor, ...] = ()
    complications: tuple[Complication, ...] = ()
    prevalence: tuple[Prevalence, ...] = ()
    references: tuple[Reference, ...] = ()
    resources: tuple[Resource, ...] = ()
    organisations: tuple[Organisation, ...] = ()
    questions: tuple[Question, ...] = ()
    dates: tuple[DateValue, ...] = ()
    case: Case | None = None


# -- JSON ---------------------------------------------------------------------------------------
_CLASSES: dict[str, type] = {
    cls.__name__: cls for cls in (
        Span, DateValue, Document, Section, DiseaseName, DiseaseLink, Resolution, PhenotypeStatement,
        InheritanceStatement, CauseStatement, OnsetStatement, Dose, Treatment, Procedure,
        PrognosisFactor, Complication, Prevalence, Reference, Resource, Organisation, Question,
        Measurement, Smoking, Diagnosis, Outcome, Case, DocumentRecord)
}


def to_json(value: Any) -> Any:
    """Plain JSON data of a record (fields in declaration order; defaults left out for brevity)."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        out: dict[str, Any] = {}
        for f in dataclasses.fields(value):
            item = getattr(value, f.name)
            if f.default is not dataclasses.MISSING and item == f.default:
                continue
            out[f.name] = to_json(item)
        return out
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, tuple):
        return [to_json(v) for v in value]
    return value


def from_json(cls: type, data: Any, *, path: str | None = None) -> Any:
    """Rebuild a record of type ``cls`` from :func:`to_json` data; malformed data is an InputError."""
    try:
        return _build(cls, data)
    except (TypeError, ValueError, KeyError) as exc:
        raise InputError(f"malformed {cls.__name__} record: {exc}", path=path) from exc


def _build(tp: Any, data: Any) -> Any:
    origin = typing.get_origin(tp)
    if origin in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(tp) if a is not type(None)]
        if data is None:
            return None
        return _build(args[0], data)
    if origin is tuple:
        (inner, _ellipsis) = typing.get_args(tp)
        if not isinstance(data, list):
            raise TypeError(f"expected a list, got {type(data).__name__}")
        return tuple(_build(inner, v) for v in data)
    if isinstance(tp, type) and issubclass(tp, Enum):
        return tp(data)
    if isinstance(tp, type) and dataclasses.is_dataclass(tp):
        if not isinstance(data, dict):
            raise TypeError(f"expected an object for {tp.__name__}, got {type(data).__name__}")
        hints = _hints(tp)
        unknown = set(data) - set(hints)
        if unknown:
            raise ValueError(f"unknown field(s) {sorted(unknown)} in {tp.__name__}")
        return tp(**{name: _build(hints[name], v) for name, v in data.items()})
    if tp is float:
        if isinstance(data, bool) or not isinstance(data, (int, float)):
            raise TypeError(f"expected a number, got {data!r}")
        return float(data)
    if tp in (int, str, bool):
        if not isinstance(data, tp) or (tp is int and isinstance(data, bool)):
            raise TypeError(f"expected {tp.__name__}, got {data!r}")
        return data
    raise TypeError(f"unsupported field type {tp!r}")


_HINTS: dict[type, dict[str, Any]] = {}


def _hints(cls: type) -> dict[str, Any]:
    if cls not in _HINTS:
        _HINTS[cls] = typing.get_type_hints(cls)
    return _HINTS[cls]
