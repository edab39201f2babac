"""HPOA annotations -> RDF (kg.rdf.hpoa): a hand-written fragment gives exactly the expected triples.

The expected graph below is written by hand from docs/model.md; association IRIs are the
documented ``rdkg:association/hpoa/<16 hex of sha256(row key)>`` with the row key (columns
1, 3-11 of the row as written) computed here, not by the code under test.
"""

from __future__ import annotations

import functools
import hashlib
import io

import pyoxigraph as ox
import pytest
import rdflib
from hypothesis import given, settings
from hypothesis import strategies as st
from rdflib.compare import graph_diff, to_isomorphic

from kg.curie import expand, prefix_map
from kg.errors import KgError
from kg.export import group
from kg.ontology import Ontology
from kg.rdf.hpoa import ASPECT_MAPPING, association_triples, hpoa_groups, hpoa_triples
from kg.rdf.vocab import BIOLINK, RDKGV
from kg.report import Report
from kg.sources import hpoa
from tests.conftest import FIXTURES

HEADER = "\t".join(hpoa.COLUMNS)
ROWS = [
    # P: n/m, onset, sex, two modifiers, two references, two curations; a label with quotes
    ('OMIM:610001\tTest syndrome "one"\t\tHP:0001250\tPMID:11111111;PMID:22222222\tPCS\tHP:0003593\t3/7\t'
     "MALE\tHP:0012828;HP:0025303\tP\tHPO:probinson[2021-06-21];HPO:skoehler[2022-01-05]"),
    # NOT P with an HP frequency term
    ("ORPHA:99001\tTest rare disease\tNOT\tHP:0002105\tORPHA:99001\tTAS\t\tHP:0040285\t\t\tP\t"
     "ORPHA:orphadata[2025-01-16]"),
    # I
    'OMIM:610001\tTest syndrome "one"\t\tHP:0000006\tOMIM:610001\tIEA\t\t\t\t\tI\tHPO:iea[2009-02-17]',
    # C: x%, FEMALE, URL + ISBN-13 references
    ('OMIM:610001\tTest syndrome "one"\t\tHP:0003676\thttp://www.ncbi.nlm.nih.gov/books/NBK1116/;'
     "ISBN-13:978-0-19-262896-1\tPCS\t\t45%\tFEMALE\t\tC\tHPO:probinson[2021-06-21]"),
    # P with an obsolete ID (HP:0003114 -> HP:0001626)
    ("ORPHA:99001\tTest rare disease\t\tHP:0003114\tORPHA:99001\tTAS\t\tHP:0040283\t\t\tP\t"
     "ORPHA:orphadata[2025-01-16]"),
    # NOT H on a DECIPHER disease
    "DECIPHER:16\tTest deletion syndrome\tNOT\tHP:0009800\tDECIPHER:16\tIEA\t\t\t\t\tH\tHPO:skoehler[2013-05-29]",
]

EXPECTED = """
@prefix biolink: <https://w3id.org/biolink/vocab/> .
@prefix rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix rdkgv: <https://w3id.org/rdkg/vocab/> .
@prefix a: <https://w3id.org/rdkg/association/hpoa/> .
@prefix HP: <http://purl.obolibrary.org/obo/HP_> .
@prefix ECO: <http://purl.obolibrary.org/obo/ECO_> .
@prefix PATO: <http://purl.obolibrary.org/obo/PATO_> .
@prefix OMIM: <https://omim.org/entry/> .
@prefix ORPHA: <http://www.orpha.net/ORDO/Orphanet_> .
@prefix DECIPHER: <https://www.deciphergenomics.org/syndrome/> .
@prefix PMID: <http://www.ncbi.nlm.nih.gov/pubmed/> .
@prefix infores: <https://w3id.org/biolink/infores/> .

OMIM:610001 a biolink:Disease ; rdfs:label "Test syndrome \\"one\\"" ;
    biolink:has_phenotype HP:0001250 ;
    biolink:has_mode_of_inheritance HP:0000006 ;
    biolink:has_attribute HP:0003676 .
ORPHA:99001 a biolink:Disease ; rdfs:label "Test rare disease" ;
    biolink:has_phenotype HP:0001626 .
DECIPHER:16 a biolink:Disease ; rdfs:label "Test deletion syndrome" .

a:{0} a biolink:Association, biolink:DiseaseToPhenotypicFeatureAssociation ;
    rdf:subject OMIM:610001 ; rdf:predicate biolink:has_phenotype ; rdf:object HP:0001250 ;
    biolink:negated false ; biolink:has_evidence ECO:0006017 ;
    biolink:primary_knowledge_source infores:hpo-annotations ;
    biolink:publications PMID:11111111, PMID:22222222 ;
    rdkgv:biocuration "HPO:probinson[2021-06-21]", "HPO:skoehler[2022-01-05]" ;
    biolink:has_count 3 ; biolink:has_total 7 ; biolink:has_quotient "0.42857142857142855"^^xsd:double ;
    biolink:onset_qualifier HP:0003593 ; biolink:sex_qualifier PATO:0000384 ;
    biolink:qualifiers HP:0012828, HP:0025303 .

a:{1} a biolink:Association, biolink:DiseaseToPhenotypicFeatureAssociation ;
    rdf:subject ORPHA:99001 ; rdf:predicate biolink:has_phenotype ; rdf:object HP:0002105 ;
    biolink:negated true ; biolink:has_evidence ECO:0000304 ;
    biolink:primary_knowledge_source infores:hpo-annotations ;
    biolink:publications ORPHA:99001 ;
    rdkgv:biocuration "ORPHA:orphadata[2025-01-16]" ;
    biolink:frequency_qualifier HP:0040285 .

a:{2} a biolink:Association, biolink:DiseaseOrPhenotypicFeatureToGeneticInheritanceAssociation ;
    rdf:subject OMIM:610001 ; rdf:predicate biolink:has_mode_of_inheritance ; rdf:object HP:0000006 ;
    biolink:negated false ; biolink:has_evidence ECO:0000501 ;
    biolink:primary_knowledge_source infores:hpo-annotations ;
    biolink:publications OMIM:610001 ;
    rdkgv:biocuration "HPO:iea[2009-02-17]" .

a:{3} a biolink:Association ; rdkgv:aspect "C" ;
    rdf:subject OMIM:610001 ; rdf:predicate biolink:has_attribute ; rdf:object HP:0003676 ;
    biolink:negated false ; biolink:has_evidence ECO:0006017 ;
    biolink:primary_knowledge_source infores:hpo-annotations ;
    biolink:publications <http://www.ncbi.nlm.nih.gov/books/NBK1116/>, <urn:isbn:9780192628961> ;
    rdkgv:biocuration "HPO:probinson[2021-06-21]" ;
    biolink:has_percentage "45.0"^^xsd:double ; biolink:has_quotient "0.45"^^xsd:double ;
    biolink:sex_qualifier PATO:0000383 .

a:{4} a biolink:Association, biolink:DiseaseToPhenotypicFeatureAssociation ;
    rdf:subject ORPHA:99001 ; rdf:predicate biolink:has_phenotype ; rdf:object HP:0001626 ;
    rdkgv:sourceObject "HP:0003114" ;
    biolink:negated false ; biolink:has_evidence ECO:0000304 ;
    biolink:primary_knowledge_source infores:hpo-annotations ;
    biolink:publications ORPHA:99001 ;
    rdkgv:biocuration "ORPHA:orphadata[2025-01-16]" ;
    biolink:frequency_qualifier HP:0040283 .

a:{5} a biolink:Association ; rdkgv:aspect "H" ;
    rdf:subject DECIPHER:16 ; rdf:predicate biolink:has_attribute ; rdf:object HP:0009800 ;
    biolink:negated true ; biolink:has_evidence ECO:0000501 ;
    biolink:primary_knowledge_source infores:hpo-annotations ;
    biolink:publications DECIPHER:16 ;
    rdkgv:biocuration "HPO:skoehler[2013-05-29]" .
"""


def row_hash(row: str) -> str:
    """The documented key: columns 1 and 3-11 as written, tab-joined; 16 hex of its sha256."""
    cells = row.split("\t")
    key = "\t".join([cells[0]] + cells[2:11])
    return hashlib.sha256(key.encode("utf-8")).hexdigest()[:16]


@functools.lru_cache(maxsize=1)
def _slice() -> Ontology:
    return Ontology.load(FIXTURES / "hp-slice.obo")


@pytest.fixture(scope="module")
def onto() -> Ontology:
    return _slice()


def read(rows, onto, report=None):
    text = HEADER + "\n" + "\n".join(rows) + "\n"
    return list(hpoa.read(io.StringIO(text), ontology=onto, report=report or Report()))


def nt_graph(triples) -> rdflib.Graph:
    graph = rdflib.Graph()
    graph.parse(data="".join(f"{s} {p} {o} .\n" for s, p, o in triples), format="nt")
    return graph


def assert_isomorphic(actual: rdflib.Graph, expected: rdflib.Graph) -> None:
    """Compare by isomorphism; on failure show the triples only one side has, one per line."""
    iso_actual, iso_expected = to_isomorphic(actual), to_isomorphic(expected)
    if iso_actual == iso_expected:
        return
    _, only_actual, only_expected = graph_diff(iso_actual, iso_expected)

    def lines(graph):
        return "\n".join(sorted(f"    {s.n3()} {p.n3()} {o.n3()} ." for s, p, o in graph)) or "    (none)"

    pytest.fail(f"graphs differ ({len(actual)} triples produced, {len(expected)} expected)\n"
                f"  only produced:\n{lines(only_actual)}\n  only expected:\n{lines(only_expected)}",
                pytrace=False)


def test_fragment_gives_exactly_the_expected_triples(onto):
    annotations = read(ROWS, onto)
    assert len(annotations) == len(ROWS)
    expected = rdflib.Graph().parse(data=EXPECTED.format(*(row_hash(r) for r in ROWS)), format="turtle")
    actual = nt_graph(hpoa_triples(annotations))
    assert_isomorphic(actual, expected)
    assert len(actual) == len(expected)


def test_row_order_does_not_change_the_graph(onto):
    forward = list(hpoa_triples(read(ROWS, onto)))
    backward = list(hpoa_triples(read(list(reversed(ROWS)), onto)))
    assert sorted(forward) == sorted(backward)


def test_grouped_fast_path_equals_grouping_the_triples(onto):
    annotations = read(ROWS, onto)
    assert hpoa_groups(annotations) == group(hpoa_triples(annotations))
    mini = hpoa.load(FIXTURES / "mini.hpoa", ontology=onto)
    assert hpoa_groups(mini) == group(hpoa_triples(mini))
    base = "http://example.net/kg/"
    assert hpoa_groups(mini, base_iri=base) == group(hpoa_triples(mini, base_iri=base))


def test_base_iri_moves_only_minted_iris(onto):
    annotations = read(ROWS[:1], onto)
    default = {s for s, _, _ in association_triples(annotations) if "/association/" in s}
    other = {s for s, _, _ in association_triples(annotations, base_iri="http://example.net/kg#")
             if "association/" in s}
    assert len(default) == len(other) == 1
    assert {s.rsplit("/", 1)[-1] for s in default} == {s.rsplit("/", 1)[-1] for s in other}
    assert all(s.startswith("<http://example.net/kg#association/hpoa/") for s in other)


def test_not_rows_have_no_direct_triple(onto):
    """Over the whole fixture: a direct edge exists exactly when some non-negated row states it."""
    annotations = hpoa.load(FIXTURES / "mini.hpoa", ontology=onto)
    triples = set(hpoa_triples(annotations))
    negated = [a for a in annotations if a.negated]
    assert len(negated) == 3
    for a in annotations:
        _, predicate = ASPECT_MAPPING[a.aspect]
        direct = (f"<{expand(a.disease_id)}>", predicate, f"<{expand(a.hpo_id)}>")
        stated = any(b.disease_id == a.disease_id and b.hpo_id == a.hpo_id and b.aspect == a.aspect
                     and not b.negated for b in annotations)
        assert (direct in triples) == stated, a
    negated_nodes = {s for s, p, o in triples if p == f"<{BIOLINK.negated}>" and o.startswith('"true"')}
    assert len(negated_nodes) == 3


def test_predicates_per_aspect_are_never_has_phenotype_for_attributes(onto):
    annotations = hpoa.load(FIXTURES / "mini.hpoa", ontology=onto)
    graph = nt_graph(hpoa_triples(annotations))
    has_phenotype = rdflib.URIRef(str(BIOLINK.has_phenotype))
    for _, _, obj in graph.triples((None, has_phenotype, None)):
        term = str(obj).rsplit("_", 1)[-1]
        assert onto.is_a("HP:" + term, "HP:0000118"), obj
    aspects = {str(o) for o in graph.objects(None, rdflib.URIRef(str(RDKGV.aspect)))}
    assert aspects == {"C", "M", "H"}


def test_every_term_is_declared_by_the_prefix_map(onto):
    """No IRI outside the declared namespaces (except URL references, written as they are)."""
    annotations = hpoa.load(FIXTURES / "mini.hpoa", ontology=onto)
    namespaces = tuple(prefix_map().values())
    for triple in hpoa_triples(annotations):
        for term in triple:
            if term.startswith("<"):
                iri = term[1:-1]
                assert iri.startswith(namespaces) or iri.startswith(("http://www.ncbi.nlm.nih.gov/books/",
                                                                     "https://www.orpha.net/en/")), iri


def test_closed_vocabulary_fails_on_a_typo():
    with pytest.raises(AttributeError):
        BIOLINK.has_phenotyp  # noqa: B018


_ROWS = st.tuples(
    st.sampled_from(["OMIM:610001", "ORPHA:99001", "DECIPHER:16"]),
    st.text(max_size=20).map(lambda t: t.replace("\t", " ").replace("\n", " ").replace("\r", " ")),
    st.sampled_from(["", "NOT"]),
    st.sampled_from(["HP:0001250", "HP:0004893", "HP:0003114", "HP:0000006", "HP:0003676", "HP:0012825"]),
    st.lists(st.one_of(st.sampled_from(["PMID:1", "OMIM:610001", "ORPHA:99001", "ISBN-10:0-19-262896-8",
                                        "DECIPHER:16"]),
                       st.text(max_size=15).map(lambda t: "http://a.org/" + t)), max_size=3).map(";".join),
    st.sampled_from(["PCS", "IEA", "TAS"]),
    st.sampled_from(["", "HP:0003593", "HP:0003577"]),
    st.sampled_from(["", "1/2", "3/3", "45%", "12.5%", "HP:0040282"]),
    st.sampled_from(["", "MALE", "FEMALE"]),
    st.sampled_from(["", "HP:0012828", "HP:0012825;HP:0025303"]),
    st.sampled_from(["P", "I", "C", "M", "H"]),
    st.text(max_size=20).map(lambda t: t.replace("\t", " ").replace("\n", " ").replace("\r", " ")),
).map("\t".join)


@settings(max_examples=100, deadline=None)
@given(rows=st.lists(_ROWS, max_size=8))
def test_whatever_the_reader_accepts_maps_to_parsable_rdf(rows):
    onto = _slice()
    try:
        annotations = list(hpoa.read(io.StringIO(HEADER + "\n" + "\n".join(rows) + "\n"), ontology=onto,
                                     report=Report()))
    except KgError:
        return
    triples = list(hpoa_triples(annotations))
    parsed = list(ox.parse("".join(f"{s} {p} {o} .\n" for s, p, o in triples).encode("utf-8"),
                           format=ox.RdfFormat.N_TRIPLES))
    assert len(parsed) == len(triples)
    associations = {s for s, p, o in triples if o == f"<{BIOLINK.Association}>"}
    assert len(associations) == len(annotations)

