"""HPO terms -> triples: each term an ``owl:Class`` with label, definition, synonyms and parents.

So a store loaded with the build output alone answers "diseases with any kind of X"
through ``rdfs:subClassOf*``. Terms are typed with the Biolink category of their branch
(phenotype, inheritance, clinical attribute), which the SHACL shapes rely on.
"""

from __future__ import annotations

from collections.abc import Iterator

from kg.curie import OBO, hp_iri
from kg.ontology import (
    CLINICAL_COURSE,
    CLINICAL_MODIFIER,
    FREQUENCY,
    MODE_OF_INHERITANCE,
    PAST_MEDICAL_HISTORY,
    Ontology,
)
from kg.rdf.terms import TRUE, Triple, literal
from kg.rdf.vocab import BIOLINK, IAO, OBOINOWL, OWL, RDF, RDFS, n3

ONTOLOGY_IRI = OBO + "hp.owl"

_TYPE = n3(RDF.type)
_CLASS = n3(OWL.Class)
_LABEL = n3(RDFS.label)
_SUBCLASS = n3(RDFS.subClassOf)
_DEFINITION = n3(IAO["0000115"])
_REPLACED_BY = n3(IAO["0100001"])
_DEPRECATED = n3(OWL.deprecated)
_ALT_ID = n3(OBOINOWL.hasAlternativeId)
_SYNONYM_TYPE = n3(OBOINOWL.hasSynonymType)
_SCOPES = {"EXACT": n3(OBOINOWL.hasExactSynonym), "RELATED": n3(OBOINOWL.hasRelatedSynonym),
           "BROAD": n3(OBOINOWL.hasBroadSynonym), "NARROW": n3(OBOINOWL.hasNarrowSynonym)}
_CATEGORIES = [
    (MODE_OF_INHERITANCE, n3(BIOLINK.GeneticInheritance)),
    (CLINICAL_COURSE, n3(BIOLINK.ClinicalCourse)),
    (CLINICAL_MODIFIER, n3(BIOLINK.ClinicalModifier)),
    (FREQUENCY, n3(BIOLINK.ClinicalAttribute)),
    (PAST_MEDICAL_HISTORY, n3(BIOLINK.ClinicalAttribute)),
]
_PHENOTYPE = n3(BIOLINK.PhenotypicFeature)


def category(ontology: Ontology, hp_id: str) -> str:
    """N-Triples IRI of the Biolink class a live HPO term belongs to."""
    ancestors = ontology.ancestors(hp_id)
    for root, cls in _CATEGORIES:
        if root in ancestors:
            return cls
    return _PHENOTYPE


def hpo_triples(ontology: Ontology) -> Iterator[Triple]:
    onto = f"<{ONTOLOGY_IRI}>"
    yield onto, _TYPE, n3(OWL.Ontology)
    if ontology.version:
        yield onto, n3(OWL.versionInfo), literal(ontology.version)
    for term_id in sorted(ontology.terms):
        term = ontology.terms[term_id]
        s = f"<{hp_iri(term.id)}>"
        yield s, _TYPE, _CLASS
        yield s, _LABEL, literal(term.label)
        if term.definition:
            yield s, _DEFINITION, literal(term.definition)
        for alt in term.alt_ids:
            yield s, _ALT_ID, literal(alt)
        if term.obsolete:
            yield s, _DEPRECATED, TRUE
            for target in term.replaced_by:
                yield s, _REPLACED_BY, f"<{hp_iri(target)}>"
            continue
        yield s, _TYPE, category(ontology, term.id)
        for parent in term.parents:
            yield s, _SUBCLASS, f"<{hp_iri(parent)}>"
        for synonym in term.synonyms:
            yield s, _SCOPES.get(synonym.scope, _SCOPES["RELATED"]), literal(synonym.text)
