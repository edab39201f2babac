"""HPOA annotations -> triples: disease nodes, one association node per row, direct edges.

The direct ``disease biolink:has_phenotype HP:x`` edge is written only for non-negated rows;
a NOT row lives on its association node alone, with ``biolink:negated true`` (the defect of
Monarch's RDF this model fixes). Qualifiers are IRIs where the source gives a term, typed
literals for counts and ratios. See docs/model.md for the table of aspects and predicates.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from kg.curie import DEFAULT_BASE, IDENTIFIER_PREFIXES, expand, hp_iri
from kg.model import EVIDENCE_ECO, SEX_PATO, Annotation, Aspect
from kg.rdf.iri import mint
from kg.rdf.terms import FALSE, TRUE, XSD_INTEGER, Triple, check_iri, literal
from kg.rdf.vocab import BIOLINK, INFORES_HPOA, RDF, RDFS, RDKGV, n3

_TYPE = n3(RDF.type)
_SUBJECT, _PREDICATE, _OBJECT = n3(RDF.subject), n3(RDF.predicate), n3(RDF.object)
_ASSOCIATION = n3(BIOLINK.Association)
_DISEASE = n3(BIOLINK.Disease)
_LABEL = n3(RDFS.label)
_NEGATED = n3(BIOLINK.negated)
_EVIDENCE = n3(BIOLINK.has_evidence)
_PUBLICATIONS = n3(BIOLINK.publications)
_PKS = n3(BIOLINK.primary_knowledge_source)
_PKS_HPOA = n3(INFORES_HPOA)
_ASPECT = n3(RDKGV.aspect)
_BIOCURATION = n3(RDKGV.biocuration)
_SOURCE_OBJECT = n3(RDKGV.sourceObject)
_FREQUENCY = n3(BIOLINK.frequency_qualifier)
_COUNT, _TOTAL = n3(BIOLINK.has_count), n3(BIOLINK.has_total)
_QUOTIENT, _PERCENTAGE = n3(BIOLINK.has_quotient), n3(BIOLINK.has_percentage)
_ONSET = n3(BIOLINK.onset_qualifier)
_SEX = n3(BIOLINK.sex_qualifier)
_QUALIFIERS = n3(BIOLINK.qualifiers)

#: aspect -> (association class, predicate); C/M/H describe the disease, they are not phenotypes.
ASPECT_MAPPING: dict[Aspect, tuple[str, str]] = {
    Aspect.PHENOTYPE: (n3(BIOLINK.DiseaseToPhenotypicFeatureAssociation), n3(BIOLINK.has_phenotype)),
    Aspect.INHERITANCE: (n3(BIOLINK.DiseaseOrPhenotypicFeatureToGeneticInheritanceAssociation),
                         n3(BIOLINK.has_mode_of_inheritance)),
    Aspect.CLINICAL_COURSE: (_ASSOCIATION, n3(BIOLINK.has_attribute)),
    Aspect.MODIFIER: (_ASSOCIATION, n3(BIOLINK.has_attribute)),
    Aspect.PAST_HISTORY: (_ASSOCIATION, n3(BIOLINK.has_attribute)),
}
_EVIDENCE_IRI = {e: f"<{expand(eco)}>" for e, eco in EVIDENCE_ECO.items()}
_SEX_IRI = {s: f"<{expand(pato)}>" for s, pato in SEX_PATO.items()}


def curie_term(curie: str) -> str:
    """``<iri>`` of a validated CURIE or URL (reader has checked the syntax)."""
    if curie.startswith(("http://", "https://")):
        return "<" + check_iri(curie) + ">"
    prefix, local = curie.split(":", 1)
    return f"<{IDENTIFIER_PREFIXES[prefix][0]}{local}>"


def disease_triples(annotations: Iterable[Annotation]) -> Iterator[Triple]:
    """``disease a biolink:Disease ; rdfs:label name`` once per disease (first name in ID order)."""
    names: dict[str, str] = {}
    for a in annotations:
        names.setdefault(a.disease_id, a.disease_name)
    for disease in sorted(names):
        s = curie_term(disease)
        yield s, _TYPE, _DISEASE
        if names[disease]:
            yield s, _LABEL, literal(names[disease])


def hpoa_triples(annotations: Iterable[Annotation], *, base_iri: str = DEFAULT_BASE) -> Iterator[Triple]:
    """Every triple of the HPOA graph: disease nodes, associations and direct edges."""
    annotations = list(annotations)
    yield from disease_triples(annotations)
    yield from association_triples(annotations, base_iri=base_iri)


def hpoa_groups(annotations: list[Annotation], *, base_iri: str = DEFAULT_BASE) -> list[tuple[str, list[tuple[str, str]]]]:
    """The HPOA graph already grouped by subject and sorted, as ``kg.export`` writes it.

    Equivalent to ``kg.export.group(hpoa_triples(...))`` (a test checks it) but several times
    faster on the full file: each association's pairs are built as one list.
    """
    groups: dict[str, list[tuple[str, str]]] = {}
    for s, p, o in disease_triples(annotations):
        groups.setdefault(s, []).append((p, o))
    mapper = _AssociationMapper(base_iri)
    for a in annotations:
        subject, pairs, direct = mapper.map(a)
        if subject in groups:  # the same statement twice: the reader drops duplicates, so this is a bug
            raise ValueError(f"association IRI collision: {subject} (line {a.line})")
        pairs.sort()
        groups[subject] = pairs
        if direct is not None:
            groups[direct[0]].append(direct[1:])  # type: ignore[arg-type]
    out = []
    for subject in sorted(groups):
        pairs = groups[subject]
        if not subject.startswith("<" + base_iri):
            pairs = sorted(set(pairs))
        out.append((subject, pairs))
    return out


def association_triples(annotations: Iterable[Annotation], *, base_iri: str = DEFAULT_BASE) -> Iterator[Triple]:
    """One association node per annotation, plus the direct edge for non-negated rows."""
    mapper = _AssociationMapper(base_iri)
    for a in annotations:
        subject, pairs, direct = mapper.map(a)
        for p, o in pairs:
            yield subject, p, o
        if direct is not None:
            yield direct


class _AssociationMapper:
    """Maps one annotation to its association node's (predicate, object) pairs; caches terms."""

    def __init__(self, base_iri: str) -> None:
        self.base_iri = base_iri
        self.diseases: dict[str, str] = {}
        self.refs: dict[str, str] = {}
        self.curations: dict[str, str] = {}

    def map(self, a: Annotation) -> tuple[str, list[tuple[str, str]], Triple | None]:
        s = "<" + mint("association", "hpoa", a.row_key, base_iri=self.base_iri) + ">"
        disease = self.diseases.get(a.disease_id)
        if disease is None:
            disease = self.diseases[a.disease_id] = curie_term(a.disease_id)
        cls, predicate = ASPECT_MAPPING[a.aspect]
        obj = "<" + hp_iri(a.hpo_id) + ">"
        pairs = [(_TYPE, _ASSOCIATION), (_SUBJECT, disease), (_PREDICATE, predicate), (_OBJECT, obj),
                 (_NEGATED, TRUE if a.negated else FALSE), (_EVIDENCE, _EVIDENCE_IRI[a.evidence]),
                 (_PKS, _PKS_HPOA)]
        add = pairs.append
        if cls != _ASSOCIATION:
            add((_TYPE, cls))
        else:
            add((_ASPECT, literal(a.aspect.value)))
        for ref in a.references:
            term = self.refs.get(ref)
            if term is None:
                term = self.refs[ref] = curie_term(ref)
            add((_PUBLICATIONS, term))
        for curation in a.biocuration:
            text = curation.curator + (f"[{curation.date}]" if curation.date else "")
            term = self.curations.get(text)
            if term is None:
                term = self.curations[text] = literal(text)
            add((_BIOCURATION, term))
        if a.original_hpo_id:
            add((_SOURCE_OBJECT, literal(a.original_hpo_id)))
        f = a.frequency
        if f is not None:
            if f.term:
                add((_FREQUENCY, "<" + hp_iri(f.term) + ">"))
            elif f.count is not None:
                add((_COUNT, f'"{f.count}"^^<{XSD_INTEGER}>'))
                add((_TOTAL, f'"{f.total}"^^<{XSD_INTEGER}>'))
            elif f.percent is not None:
                add((_PERCENTAGE, literal(float(f.percent))))
            quotient = f.quotient
            if quotient is not None:
                add((_QUOTIENT, literal(float(quotient))))
        if a.onset:
            add((_ONSET, "<" + hp_iri(a.onset) + ">"))
        if a.sex is not None:
            add((_SEX, _SEX_IRI[a.sex]))
        for modifier in a.modifiers:
            add((_QUALIFIERS, "<" + hp_iri(modifier) + ">"))
        return s, pairs, (None if a.negated else (disease, predicate, obj))
