"""Closed vocabularies: every Biolink / project term the graph may emit.

``DefinedNamespace`` with ``_fail = True`` makes a typo (``BIOLINK.has_phenotyp``) an
AttributeError in tests instead of a silently wrong IRI in the graph. Add a term here, in
sorted order, before using it. Standard W3C vocabularies come from ``rdflib.namespace``.
"""

from __future__ import annotations

from rdflib.namespace import DCAT, DCTERMS, OWL, PROV, RDF, RDFS, SKOS, VOID, XSD, DefinedNamespace, Namespace
from rdflib.term import URIRef

from kg.curie import OBO, VOCAB

__all__ = [
    "BIOLINK",
    "DCAT",
    "DCTERMS",
    "ECO",
    "IAO",
    "INFORES",
    "OBOINOWL",
    "OWL",
    "PATO",
    "PAV",
    "PROV",
    "RDF",
    "RDFS",
    "RDKGV",
    "SCHEMA",
    "SKOS",
    "VOID",
    "XSD",
]


class BIOLINK(DefinedNamespace):
    """Biolink Model classes and slots used by the mapping."""

    _fail = True
    _NS = Namespace("https://w3id.org/biolink/vocab/")

    # classes
    Association: URIRef
    Case: URIRef
    CaseToPhenotypicFeatureAssociation: URIRef
    ChemicalOrDrugOrTreatmentToDiseaseOrPhenotypicFeatureAssociation: URIRef
    ClinicalAttribute: URIRef
    ClinicalCourse: URIRef
    ClinicalMeasurement: URIRef
    ClinicalModifier: URIRef
    Disease: URIRef
    DiseaseOrPhenotypicFeatureToGeneticInheritanceAssociation: URIRef
    DiseaseToPhenotypicFeatureAssociation: URIRef
    Drug: URIRef
    GeneticInheritance: URIRef
    InformationResource: URIRef
    Onset: URIRef
    PhenotypicFeature: URIRef
    Procedure: URIRef
    Publication: URIRef
    Treatment: URIRef
    # slots
    agent_type: URIRef
    aggregator_knowledge_source: URIRef
    applied_to_treat: URIRef
    ameliorates_condition: URIRef
    frequency_qualifier: URIRef
    has_attribute: URIRef
    has_count: URIRef
    has_evidence: URIRef
    has_mode_of_inheritance: URIRef
    has_percentage: URIRef
    has_phenotype: URIRef
    has_quotient: URIRef
    has_total: URIRef
    knowledge_level: URIRef
    negated: URIRef
    onset_qualifier: URIRef
    primary_knowledge_source: URIRef
    publications: URIRef
    qualifiers: URIRef
    sex_qualifier: URIRef
    similar_to: URIRef
    supporting_text: URIRef


class RDKGV(DefinedNamespace):
    """The project's own small vocabulary, for what Biolink, PROV and schema.org do not cover."""

    _fail = True
    _NS = Namespace(VOCAB)

    aspect: URIRef  # HPOA aspect letter (P, I, C, M, H) of an annotation
    biocuration: URIRef  # HPOA biocuration entry, e.g. "HPO:probinson[2021-06-21]"
    sourceObject: URIRef  # the HPO ID as written in the source, when it was an alt/obsolete ID
    sha256: URIRef  # sha256 of a file or document
    spanStart: URIRef
    spanEnd: URIRef
    justification: URIRef
    documentKind: URIRef
    # documents (kg/rdf/documents.py; docs/model.md "Documents")
    CaseReport: URIRef
    Dose: URIRef
    GardPage: URIRef
    QuestionAnswerPage: URIRef
    Question: URIRef
    SmokingHistory: URIRef
    ageMax: URIRef
    ageMin: URIRef
    agent: URIRef
    analyte: URIRef
    answerEnd: URIRef
    answerStart: URIRef
    appliedToPrevent: URIRef
    causeStatus: URIRef
    certainty: URIRef
    cigarettesPerDay: URIRef
    comparator: URIRef
    complication: URIRef
    describesCase: URIRef
    diagnosedBy: URIRef
    diagnosis: URIRef
    dose: URIRef
    doseAmount: URIRef
    doseUnit: URIRef
    durationUnit: URIRef
    durationValue: URIRef
    evidence: URIRef
    flag: URIRef
    frequency: URIRef
    group: URIRef
    indicates: URIRef
    isInherited: URIRef
    journal: URIRef
    laypersonLabel: URIRef
    measure: URIRef
    measurementCategory: URIRef
    namesResource: URIRef
    onsetMaxYears: URIRef
    onsetMinYears: URIRef
    origin: URIRef
    outcome: URIRef
    packYears: URIRef
    per: URIRef
    perPopulation: URIRef
    population: URIRef
    prevalence: URIRef
    prognosisFactor: URIRef
    qualitativeValue: URIRef
    received: URIRef
    recurrenceRiskPercent: URIRef
    referenceNumber: URIRef
    referenceSource: URIRef
    referenceText: URIRef
    regimen: URIRef
    resolutionNote: URIRef
    route: URIRef
    section: URIRef
    sex: URIRef
    smoking: URIRef
    smokingStatus: URIRef
    smokingYears: URIRef
    supports: URIRef
    suspectedDiagnosis: URIRef
    textSha256: URIRef
    timePoint: URIRef
    tollFreeNumber: URIRef
    topic: URIRef
    # disease-disease similarity (kg/rdf/similarity.py; docs/model.md "Similarity")
    informationContentCorpus: URIRef  # diseases the IC was computed over: "all", "omim", "orpha"
    similarityMethod: URIRef  # e.g. "bma-resnik"
    similarityRank: URIRef  # 1 = the subject's most similar disease
    similarityScore: URIRef  # xsd:double


class PAV(DefinedNamespace):
    _fail = True
    _NS = Namespace("http://purl.org/pav/")

    createdOn: URIRef
    createdWith: URIRef
    retrievedOn: URIRef
    version: URIRef
    importedFrom: URIRef


class OBOINOWL(DefinedNamespace):
    _fail = True
    _NS = Namespace("http://www.geneontology.org/formats/oboInOwl#")

    hasAlternativeId: URIRef
    hasBroadSynonym: URIRef
    hasDbXref: URIRef
    hasExactSynonym: URIRef
    hasNarrowSynonym: URIRef
    hasRelatedSynonym: URIRef
    hasSynonymType: URIRef


class IAO(DefinedNamespace):
    _fail = True
    _NS = Namespace(OBO + "IAO_")

    # IAO_0000115 "definition", IAO_0100001 "term replaced by", IAO_0000231 "obsolescence reason"
    _extras = ["0000115", "0100001", "0000231"]  # noqa: RUF012 -- rdflib DefinedNamespace convention


class SCHEMA(DefinedNamespace):
    _fail = True
    _NS = Namespace("http://schema.org/")

    name: URIRef
    # documents: organisations and quantitative values
    Organization: URIRef
    QuantitativeValue: URIRef
    address: URIRef
    addressCountry: URIRef
    email: URIRef
    faxNumber: URIRef
    maxValue: URIRef
    minValue: URIRef
    telephone: URIRef
    unitText: URIRef
    url: URIRef
    value: URIRef


INFORES = Namespace("https://w3id.org/biolink/infores/")
ECO = Namespace(OBO + "ECO_")
PATO = Namespace(OBO + "PATO_")

#: The infores identifiers the graph uses as knowledge sources.
INFORES_HPOA = INFORES["hpo-annotations"]
INFORES_RDKG = INFORES["rdkg"]


def n3(term: URIRef) -> str:
    """N-Triples form of a vocabulary IRI (for precomputing hot-loop constants)."""
    return f"<{term}>"
