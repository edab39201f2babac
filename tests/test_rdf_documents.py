"""RDF of document records, checked with SPARQL the way the acceptance criteria read."""

from __future__ import annotations

import pyoxigraph as ox
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kg import paths
from kg.docrecords import (
    Case,
    DiseaseName,
    Document,
    DocumentRecord,
    Kind,
    PhenotypeStatement,
    Resolution,
    Span,
)
from kg.rdf.documents import document_triples
from kg.sources.documents import loads

P = """PREFIX biolink: <https://w3id.org/biolink/vocab/>
PREFIX rdkgv: <https://w3id.org/rdkg/vocab/>
PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX schema: <http://schema.org/>
PREFIX dcterms: <http://purl.org/dc/terms/>
PREFIX oboInOwl: <http://www.geneontology.org/formats/oboInOwl#>
PREFIX prov: <http://www.w3.org/ns/prov#>
PREFIX HP: <http://purl.obolibrary.org/obo/HP_>
PREFIX ORPHA: <http://www.orpha.net/ORDO/Orphanet_>
PREFIX OMIM: <https://omim.org/entry/>
"""


def committed_records():
    return [loads(p.read_text(encoding="utf-8"), path=str(p)) for p in sorted(paths.DOCUMENT_RECORDS.glob("*.json"))]


def to_nt(triples) -> str:
    return "".join(f"{s} {p} {o} .\n" for s, p, o in triples)


@pytest.fixture(scope="module")
def store():
    records = committed_records()
    assert len(records) == 3
    st_ = ox.Store()
    st_.load(to_nt(document_triples(records)).encode(), ox.RdfFormat.N_TRIPLES)
    return st_


def rows(store, query):
    return [tuple(str(getattr(v, "value", v)) for v in solution) for solution in store.query(P + query)]


def test_gard_page_synonyms_table_and_identity(store):
    (n,) = rows(store, "SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE { ORPHA:99931 oboInOwl:hasRelatedSynonym ?s }")[0]
    assert n == "3"
    inh = rows(store, "SELECT ?i WHERE { ?a rdf:subject ORPHA:99931 ; rdf:predicate biolink:has_mode_of_inheritance ;"
                      " rdf:object ?i ; rdkgv:origin 'table' }")
    assert inh == [("http://purl.obolibrary.org/obo/HP_0000006",)]
    table = {r[0].rsplit("_", 1)[1] for r in rows(store, "SELECT ?p WHERE { ?a rdf:subject ORPHA:99931 ; "
                                                          "rdf:predicate biolink:has_phenotype ; rdf:object ?p ; rdkgv:origin 'table' }")}
    assert table == {"0002105", "0001891", "0002206", "0006535", "0002093", "0005828"}
    assert store.query(P + "ASK { ORPHA:99931 skos:exactMatch OMIM:178550 }")
    just = rows(store, "SELECT ?j WHERE { ?a rdf:subject ORPHA:99931 ; rdf:predicate skos:exactMatch ; "
                       "rdf:object OMIM:178550 ; rdkgv:justification ?j }")
    assert just and "printed in the document" in just[0][0]


def test_gard_prose_phenotypes_treatments_prevalence_references(store):
    prose = {r[0] for r in rows(store, "SELECT ?p WHERE { ORPHA:99931 biolink:has_phenotype ?p }")}
    assert {"http://purl.obolibrary.org/obo/HP_0030828", "http://purl.obolibrary.org/obo/HP_0012378"} <= prose
    treat = {r[0] for r in rows(store, "SELECT ?l WHERE { ?t biolink:applied_to_treat ORPHA:99931 ; rdfs:label ?l }")}
    assert {"oxygen", "blood transfusion", "mechanical ventilation", "gluten-free diet"} <= treat
    prev = rows(store, "SELECT ?lo ?hi ?per ?u WHERE { ORPHA:99931 rdkgv:prevalence ?q . ?q rdkgv:measure 'prevalence' ; schema:minValue ?lo ; "
                       "schema:maxValue ?hi ; rdkgv:perPopulation ?per ; schema:unitText ?u }")
    assert prev == [("0.24", "1.26", "1000000", "per 1,000,000 people")]
    refs = rows(store, "SELECT (COUNT(DISTINCT ?r) AS ?n) WHERE { ?d rdkgv:documentKind 'gard' ; dcterms:references ?r }")
    assert refs == [("8",)]
    ids = {r[0] for r in rows(store, "SELECT ?i WHERE { ?d rdkgv:documentKind 'gard' ; dcterms:references ?r . "
                                     "?r dcterms:identifier ?i }")}
    assert {"PMCID:PMC4545926", "PMCID:PMC3852822", "PMID:26692115", "OMIM:178550"} <= ids


def test_qa_page_facts(store):
    assert rows(store, "SELECT ?v WHERE { ORPHA:446 rdkgv:isInherited ?v }") == [("false",)]
    assert [float(v) for (v,) in rows(store, "SELECT ?v WHERE { ORPHA:446 rdkgv:recurrenceRiskPercent ?v }")] == [80.0]
    assert store.query(P + "ASK { ORPHA:446 skos:exactMatch OMIM:231100 }")
    prevent = rows(store, "SELECT ?l WHERE { ?t rdkgv:appliedToPrevent ORPHA:446 ; rdfs:label ?l }")
    assert prevent == [("intravenous immunoglobulin",)]
    phones = rows(store, "SELECT ?o ?p WHERE { ?o rdkgv:supports ORPHA:446 ; schema:telephone ?p }")
    orgs = rows(store, "SELECT (COUNT(DISTINCT ?o) AS ?n) WHERE { ?o rdkgv:supports ORPHA:446 }")
    assert orgs == [("6",)] and len(phones) == 5


def test_case_report_facts(store):
    case = "?c a biolink:Case ; rdkgv:sex <http://purl.obolibrary.org/obo/PATO_0000384> ; rdkgv:ageMin ?lo ; " \
           "rdkgv:ageMax ?hi . FILTER(?lo = 50 && ?hi = 59)"
    assert store.query(P + "ASK { " + case + " }")
    # excluded findings: a negated association, and no direct triple
    for hp in ("0002829", "0009830", "0000790", "0000093"):
        q = f"ASK {{ ?a rdf:subject ?c ; rdf:object HP:{hp} ; biolink:negated true . ?c a biolink:Case }}"
        assert store.query(P + q), hp
        assert not store.query(P + f"ASK {{ ?c a biolink:Case ; biolink:has_phenotype HP:{hp} }}"), hp
    for hp in ("0002105", "0001891", "0002113", "0012418", "0045051"):
        assert store.query(P + f"ASK {{ ?c a biolink:Case ; biolink:has_phenotype HP:{hp} }}"), hp
    labs = rows(store, "SELECT (COUNT(?m) AS ?n) WHERE { ?c a biolink:Case ; biolink:has_attribute ?m . "
                       "?m rdkgv:flag ?f . { ?m schema:minValue ?x } UNION { ?m schema:maxValue ?x } }")
    assert int(labs[0][0]) >= 15
    doses = rows(store, "SELECT ?l ?amt ?u WHERE { ?a rdf:subject ?c ; rdf:predicate rdkgv:received ; rdf:object ?t ; "
                        "rdkgv:dose ?d . ?t rdfs:label ?l . ?d rdkgv:doseAmount ?amt ; rdkgv:doseUnit ?u }")
    assert ("methylprednisolone", "1000", "mg") in doses and ("azathioprine", "100", "mg") in doses
    treated = rows(store, "SELECT (COUNT(DISTINCT ?t) AS ?n) WHERE { ?c a biolink:Case ; rdkgv:received ?t }")
    assert treated == [("5",)]
    assert store.query(P + "ASK { ?c a biolink:Case ; rdkgv:suspectedDiagnosis ORPHA:99931 }")
    excluded = {r[0] for r in rows(store, "SELECT ?l WHERE { ?a rdf:predicate rdkgv:diagnosis ; biolink:negated true ; "
                                           "rdf:object ?d . ?d rdfs:label ?l }")}
    assert any("antineutrophil" in x for x in excluded)
    assert store.query(P + "ASK { ?a rdf:predicate rdkgv:diagnosis ; biolink:negated true ; rdf:object OMIM:233450 }")


def test_every_association_has_provenance(store):
    missing = rows(store, "SELECT ?a WHERE { ?a a biolink:Association . FILTER NOT EXISTS { ?a prov:wasDerivedFrom ?d ;"
                          " biolink:negated ?n ; biolink:primary_knowledge_source ?k } }")
    assert missing == []


def test_output_is_deterministic_and_parses():
    records = committed_records()
    a = to_nt(document_triples(records))
    b = to_nt(document_triples(list(reversed(records))))
    assert a == b
    import rdflib

    g = rdflib.Graph()
    g.parse(data=a, format="nt")
    assert len(g) == a.count("\n")


def _record(text: str, negated: bool) -> DocumentRecord:
    doc = Document(source="t.txt", sha256="ab" * 32, kind=Kind.CASE_REPORT, media_type="text/plain",
                   text_sha256="cd" * 32, text_length=len(text))
    finding = PhenotypeStatement("HP:0002829", "Arthralgia", Span(0, len(text), text), negated)
    return DocumentRecord(document=doc, disease=DiseaseName("X disease"),
                          resolution=Resolution("X disease", "unresolved", None),
                          case=Case(span=Span(0, 0, ""), findings=(finding,)))


@settings(max_examples=50, deadline=None)
@given(st.text(max_size=60), st.booleans())
def test_any_supporting_text_gives_valid_ntriples_and_negation_holds(text, negated):
    nt = to_nt(document_triples([_record(text, negated)], base_iri="https://example.org/kg/"))
    store = ox.Store()
    store.load(nt.encode(), ox.RdfFormat.N_TRIPLES)
    direct = store.query(P + "ASK { ?c a biolink:Case ; biolink:has_phenotype HP:0002829 }")
    assert bool(direct) is (not negated)
