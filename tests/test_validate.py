"""SHACL validation: a sample build conforms; each kind of hand-made breakage gives its readable violation.

The sample build is made by ``kg build`` from tiny inputs (the 51-term hp.obo slice, the hand-made
mini.hpoa and the fixture documents). Each breakage is a SPARQL update on that graph, chosen by
pattern (never by a hard-coded IRI), and the test states exactly which constraints must fail.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pyoxigraph as ox
import pytest
import rdflib
from rdflib.namespace import SH

from kg.cli import main
from kg.curie import IDENTIFIER_PREFIXES, Curie
from kg.errors import InputError
from kg.validate import Shapes, format_result, load_store, validate, validate_store
from tests.conftest import FIXTURES

PREFIXES = """
PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX owl: <http://www.w3.org/2002/07/owl#>
PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>
PREFIX biolink: <https://w3id.org/biolink/vocab/>
PREFIX prov: <http://www.w3.org/ns/prov#>
PREFIX pav: <http://purl.org/pav/>
PREFIX rdkgv: <https://w3id.org/rdkg/vocab/>
PREFIX HP: <http://purl.obolibrary.org/obo/HP_>
PREFIX ECO: <http://purl.obolibrary.org/obo/ECO_>
"""


def _build(out: Path, inputs: Path, *extra: str) -> Path:
    code = main(["build", "--inputs", str(inputs), "--out", str(out), "--documents", str(FIXTURES / "documents"),
                 "--no-default-documents", "--no-store", *extra])
    assert code == 0
    return out


@pytest.fixture(scope="module")
def inputs(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("inputs")
    shutil.copy(FIXTURES / "hp-slice.obo", folder / "hp.obo")
    shutil.copy(FIXTURES / "mini.hpoa", folder / "phenotype.hpoa")
    return folder


@pytest.fixture(scope="module")
def sample_build(tmp_path_factory, inputs) -> Path:
    return _build(tmp_path_factory.mktemp("build") / "out", inputs)


@pytest.fixture(scope="module")
def shapes() -> Shapes:
    return Shapes.load()


def _store(build: Path) -> ox.Store:
    store, _ = load_store(build)
    return store


# -- the shapes file itself ---------------------------------------------------------------------------

def test_core_part_is_node_local(shapes):
    """The Core part may be run subject by subject: no sh:class, sh:node, nested shapes or long paths."""
    for forbidden in (SH["class"], SH.node, SH["or"], SH["and"], SH["not"], SH.xone, SH.qualifiedValueShape):
        assert not list(shapes.core.subject_objects(forbidden)), f"{forbidden} in the Core part"
    for _, path in shapes.core.subject_objects(SH.path):
        if isinstance(path, rdflib.BNode):
            assert shapes.core.value(path, SH.alternativePath) is not None, "only simple or alternative paths"


def test_every_constraint_has_a_message(shapes):
    g = shapes.graph
    for prop in g.objects(None, SH.property):
        assert g.value(prop, SH.message), f"property shape on {g.value(prop, SH.path)} has no sh:message"
    for constraint in g.objects(None, SH.sparql):
        assert g.value(constraint, SH.message)


def test_every_class_the_sample_build_emits_has_a_shape(sample_build, shapes):
    store = _store(sample_build)
    emitted = {r["c"].value for r in store.query("SELECT DISTINCT ?c WHERE { ?s a ?c }")}
    targeted = {str(c) for c in shapes.graph.objects(None, SH.targetClass)}
    # typed nodes checked through another target: HP terms' Biolink categories (HpoTermShape, on every
    # owl:Class), documents' second class, the dataset's extra types, the ontology node (targetNode)
    covered_otherwise = {"https://w3id.org/biolink/vocab/" + c for c in (
        "PhenotypicFeature", "GeneticInheritance", "ClinicalCourse", "ClinicalModifier", "ClinicalAttribute")} | {
        "http://rdfs.org/ns/void#Dataset", "http://www.w3.org/ns/prov#Entity", "http://www.w3.org/2002/07/owl#Ontology"}
    assert emitted - targeted - covered_otherwise == set()


@pytest.mark.parametrize("prefix", ["OMIM", "ORPHA", "DECIPHER", "GARD", "MONDO"])
def test_disease_iri_pattern_agrees_with_the_prefix_map(shapes, prefix):
    pattern = str(shapes.graph.value(rdflib.URIRef("https://w3id.org/rdkg/shapes#DiseaseShape"), SH.pattern))
    local = {"OMIM": "178550", "ORPHA": "99931", "DECIPHER": "16", "GARD": "6741", "MONDO": "0007915"}[prefix]
    assert re.search(pattern, Curie(prefix, local).iri)
    assert not re.search(pattern, IDENTIFIER_PREFIXES[prefix][0] + "x" + local)


def test_hp_iri_pattern_agrees_with_the_prefix_map(shapes):
    patterns = {str(o) for o in shapes.graph.objects(None, SH.pattern) if "HP_" in str(o)}
    assert "^http://purl\\.obolibrary\\.org/obo/HP_[0-9]{7}$" in patterns
    assert re.search("^http://purl\\.obolibrary\\.org/obo/HP_[0-9]{7}$", Curie("HP", "0002105").iri)


# -- conforming builds -------------------------------------------------------------------------------------

def test_sample_build_conforms(sample_build):
    result = validate(sample_build)
    assert result.conforms, "\n".join(format_result(result, limit=20))
    assert result.triples > 2000


def test_sample_build_with_another_base_conforms(tmp_path, inputs):
    out = _build(tmp_path / "out", inputs, "--base-iri", "https://example.org/kg/")
    result = validate(out)
    assert result.conforms, "\n".join(format_result(result, limit=20))
    # and the default-base shapes see the foreign IRIs
    wrong = validate(out, shapes=Shapes.load())
    assert not wrong.conforms
    assert any("<base>association/" in v.message for v in wrong.violations)


# -- hand-broken graphs -----------------------------------------------------------------------------------

FIRST_P = """{ SELECT ?a WHERE { ?a a biolink:DiseaseToPhenotypicFeatureAssociation ;
                                     biolink:primary_knowledge_source ?k . FILTER (STRENDS(STR(?k), "hpo-annotations")) }
               ORDER BY ?a LIMIT 1 }"""

BREAKAGES = {
    "missing required property": (
        f"DELETE {{ ?a biolink:negated ?n }} WHERE {{ {FIRST_P} ?a biolink:negated ?n }}",
        {("rdkgs:AssociationShape", "an association needs exactly one biolink:negated, true or false (xsd:boolean)"),
         ("rdkgs:DirectEdgeShape", "the direct triple {$this} {?p} {?o} is not backed by any non-negated association")}),
    "wrong datatype": (
        f'DELETE {{ ?a biolink:negated ?n }} INSERT {{ ?a biolink:negated "no" }} WHERE {{ {FIRST_P} ?a biolink:negated ?n }}',
        {("rdkgs:AssociationShape", "an association needs exactly one biolink:negated, true or false (xsd:boolean)"),
         ("rdkgs:DirectEdgeShape", "the direct triple {$this} {?p} {?o} is not backed by any non-negated association")}),
    "second evidence": (
        f"INSERT {{ ?a biolink:has_evidence ECO:0000501, ECO:0006017 }} WHERE {{ {FIRST_P} }}",
        {("rdkgs:HpoaAssociationShape", ("an HPOA association needs exactly one evidence: ECO:0000501 (IEA), "
                                        "ECO:0006017 (PCS) or ECO:0000304 (TAS)"))}),
    "evidence outside the closed list": (
        f"DELETE {{ ?a biolink:has_evidence ?e }} INSERT {{ ?a biolink:has_evidence ECO:0000001 }} WHERE {{ {FIRST_P} ?a biolink:has_evidence ?e }}",
        {("rdkgs:HpoaAssociationShape", ("an HPOA association needs exactly one evidence: ECO:0000501 (IEA), "
                                        "ECO:0006017 (PCS) or ECO:0000304 (TAS)"))}),
    "malformed disease IRI": (
        'INSERT DATA { <https://omim.org/entry/12> a biolink:Disease ; rdfs:label "Too short" }',
        {("rdkgs:DiseaseShape", ("a biolink:Disease IRI must be an OMIM, Orphanet, DECIPHER, GARD or MONDO IRI as "
                                "kg/curie.py writes them, or <base>disease/<slug> for a disease no identifier was "
                                "found for"))}),
    "negated statement with a direct triple": (
        ("INSERT { ?s ?p ?o } WHERE { { SELECT ?a WHERE { ?a biolink:negated true ; rdf:subject ?x . "
        "?x a biolink:Disease } ORDER BY ?a LIMIT 1 } ?a rdf:subject ?s ; rdf:predicate ?p ; rdf:object ?o }"),
        {("rdkgs:AssociationShape", ("a negated association must not have its direct triple {?s} {?p} {?o} unless "
                                    "a non-negated association states it")),
         ("rdkgs:DirectEdgeShape", "the direct triple {$this} {?p} {?o} is not backed by any non-negated association")}),
    "direct triple without any association": (
        ("INSERT { ?d biolink:has_phenotype HP:0001626 } WHERE { { SELECT ?d WHERE { ?d a biolink:Disease . "
        "FILTER NOT EXISTS { ?a rdf:subject ?d ; rdf:object HP:0001626 } } ORDER BY ?d LIMIT 1 } }"),
        {("rdkgs:DirectEdgeShape", "the direct triple {$this} {?p} {?o} is not backed by any non-negated association")}),
    "phenotype object from the inheritance branch": (
        f"DELETE {{ ?a rdf:object ?o }} INSERT {{ ?a rdf:object HP:0000006 }} WHERE {{ {FIRST_P} ?a rdf:object ?o }}",
        {("rdkgs:DiseaseToPhenotypicFeatureAssociationShape", ("the object {?o} of a disease-phenotype association "
                                                              "is not an HP term under Phenotypic abnormality (HP:0000118)")),
         ("rdkgs:DirectEdgeShape", "the direct triple {$this} {?p} {?o} is not backed by any non-negated association")}),
    "obsolete term as object": (
        ("DELETE { ?a rdf:object ?o } INSERT { ?a rdf:object ?t } WHERE { "
        "{ SELECT ?t WHERE { ?t owl:deprecated true } ORDER BY ?t LIMIT 1 } "
        "{ SELECT ?a WHERE { ?a a biolink:DiseaseOrPhenotypicFeatureToGeneticInheritanceAssociation ; "
        "biolink:has_evidence ?e ; biolink:negated false } "
        "ORDER BY ?a LIMIT 1 } ?a rdf:object ?o }"),
        {("rdkgs:HpoaAssociationShape", ("the object {?o} of an HPOA association is not a live HP term (alt/obsolete "
                                        "IDs must be mapped to the current term)")),
         ("rdkgs:InheritanceAssociationShape", ("the object {?o} of an inheritance association is not an HP term under "
                                               "Mode of inheritance (HP:0000005)")),
         ("rdkgs:DirectEdgeShape", "the direct triple {$this} {?p} {?o} is not backed by any non-negated association")}),
    "frequency in two forms": (
        ("INSERT { ?a biolink:frequency_qualifier HP:0040283 } WHERE { { SELECT ?a WHERE { ?a biolink:has_count ?c } "
        "ORDER BY ?a LIMIT 1 } }"),
        {("rdkgs:HpoaAssociationShape", ("the frequency must be given in exactly one form: a frequency term, has_count "
                                        "+ has_total + has_quotient, or has_percentage + has_quotient"))}),
    "count above total": (
        ("DELETE { ?a biolink:has_count ?c } INSERT { ?a biolink:has_count 99 } WHERE { { SELECT ?a WHERE { "
        "?a biolink:has_count ?x } ORDER BY ?a LIMIT 1 } ?a biolink:has_count ?c }"),
        {("rdkgs:CountShape", "an n/m frequency needs one xsd:integer biolink:has_count n >= 0 with n <= biolink:has_total")}),
    "quotient out of range": (
        ('DELETE { ?a biolink:has_quotient ?q } INSERT { ?a biolink:has_quotient "1.5"^^xsd:double } WHERE { '
        "{ SELECT ?a WHERE { ?a biolink:has_quotient ?x } ORDER BY ?a LIMIT 1 } ?a biolink:has_quotient ?q }"),
        {("rdkgs:QuotientShape", "biolink:has_quotient is one xsd:double between 0 and 1")}),
    "subject that is not a disease": (
        ("DELETE { ?d a biolink:Disease } WHERE { { SELECT ?d WHERE { ?d a biolink:Disease . "
        "?a rdf:subject ?d ; biolink:has_evidence ?e . FILTER NOT EXISTS { ?b rdf:subject ?d ; prov:wasDerivedFrom ?doc } "
        "FILTER NOT EXISTS { ?i rdf:subject ?d ; a biolink:DiseaseOrPhenotypicFeatureToGeneticInheritanceAssociation } } "
        "ORDER BY ?d LIMIT 1 } }"),
        {("rdkgs:HpoaAssociationShape", "the subject {?s} of an HPOA association is not a biolink:Disease"),
         ("rdkgs:DiseaseToPhenotypicFeatureAssociationShape",
          "the subject {?s} of a disease-phenotype association is not a biolink:Disease")}),
    "unknown predicate": (
        f"DELETE {{ ?a rdf:predicate ?p }} INSERT {{ ?a rdf:predicate biolink:related_to }} WHERE {{ {FIRST_P} ?a rdf:predicate ?p }}",
        {("rdkgs:AssociationShape", ("an association needs exactly one rdf:predicate, one of the predicates "
                                    "docs/model.md lists")),
         ("rdkgs:DiseaseToPhenotypicFeatureAssociationShape",
          "a disease-phenotype association has predicate biolink:has_phenotype"),
         ("rdkgs:HpoaAssociationShape", ("an HPOA association's predicate is has_phenotype (aspect P), "
                                        "has_mode_of_inheritance (I) or has_attribute (C, M, H)")),
         ("rdkgs:HpoaAssociationShape", ("an HPOA association's class, predicate and aspect disagree: P is a "
                                        "DiseaseToPhenotypicFeatureAssociation with has_phenotype, I a "
                                        "DiseaseOrPhenotypicFeatureToGeneticInheritanceAssociation with "
                                        "has_mode_of_inheritance, C/M/H a plain biolink:Association with "
                                        "has_attribute and rdkgv:aspect")),
         ("rdkgs:DirectEdgeShape", "the direct triple {$this} {?p} {?o} is not backed by any non-negated association")}),
    "HPO term in two categories": (
        "INSERT { HP:0001250 a biolink:GeneticInheritance } WHERE {}",
        {("rdkgs:HpoTermShape", "an HP term has more than one Biolink category: {?one} and {?two}"),
         ("rdkgs:HpoTermShape", ("Biolink category {?category} does not fit the HPO branch: GeneticInheritance must be "
                                "under HP:0000005, ClinicalCourse under HP:0031797, ClinicalModifier under HP:0012823, "
                                "ClinicalAttribute under HP:0040279 or HP:0032443"))}),
    "HPO term without label": (
        "DELETE { HP:0001250 rdfs:label ?l } WHERE { HP:0001250 rdfs:label ?l }",
        {("rdkgs:HpoTermShape", "an HP term needs exactly one non-empty rdfs:label (xsd:string)")}),
    "input without release version": (
        ("DELETE { ?i pav:version ?v } WHERE { { SELECT ?i WHERE { ?d prov:wasDerivedFrom ?i ; a <http://www.w3.org/ns/dcat#Dataset> } "
        "ORDER BY ?i LIMIT 1 } ?i pav:version ?v }"),
        {("rdkgs:DatasetShape", "the input {?input} needs its title, identifier, release version (pav:version) and sha256")}),
    "document statement without its document": (
        ("DELETE { ?a prov:wasDerivedFrom ?d } WHERE { { SELECT ?a WHERE { ?a a biolink:Association ; "
        "prov:wasDerivedFrom ?x } ORDER BY ?a LIMIT 1 } ?a prov:wasDerivedFrom ?d }"),
        {("rdkgs:AssociationShape", ("the association's primary knowledge source is not infores:hpo-annotations, so it "
                                    "must come from a document: exactly one prov:wasDerivedFrom a document node"))}),
    "span that ends before it starts": (
        ("DELETE { ?a rdkgv:spanStart ?s } INSERT { ?a rdkgv:spanStart 999999 } WHERE { { SELECT ?a WHERE { "
        "?a a biolink:Association ; rdkgv:spanStart ?x } ORDER BY ?a LIMIT 1 } ?a rdkgv:spanStart ?s }"),
        {("rdkgs:DocumentAssociationShape", ("rdkgv:spanStart is at most one xsd:integer offset >= 0, not after "
                                            "rdkgv:spanEnd"))}),
}


@pytest.mark.parametrize("name", sorted(BREAKAGES))
def test_each_kind_of_breakage_gives_its_violation(sample_build, shapes, name):
    update, expected = BREAKAGES[name]
    store = _store(sample_build)
    before = len(store)
    store.update(PREFIXES + update)
    assert len(store) != before or "DELETE" in update, "the breakage changed nothing"
    result = validate_store(store, shapes=shapes, engine="split")
    found = {(v.shape, v.constraint) for v in result.violations}
    assert found == expected, "\n".join(format_result(result))
    assert not result.conforms
    for v in result.violations:  # readable: focus as a CURIE, message with the offending terms filled in
        assert "{?" not in v.message and "{$" not in v.message
        assert not v.focus.startswith("<http") or "example" in v.focus or "omim.org/entry/12" in v.focus


def test_pyshacl_alone_and_the_split_engine_agree(sample_build, shapes):
    """The reference (pySHACL runs every constraint itself, SPARQL ones per focus node) and the split
    engine (Core in chunks, SPARQL in bulk on pyoxigraph) find the same results on the whole sample
    build with every breakage applied at once."""
    store = _store(sample_build)
    for name, (update, _) in sorted(BREAKAGES.items()):
        store.update(PREFIXES + update)
    split = validate_store(store, shapes=shapes, engine="split")
    reference = validate_store(store, shapes=shapes, engine="pyshacl")
    key = lambda r: sorted({(v.focus, v.shape, v.constraint) for v in r.violations})
    assert key(split) == key(reference)
    assert len({constraint for _, _, constraint in key(split)}) >= 20


def test_format_result_is_readable(sample_build, shapes):
    store = _store(sample_build)
    store.update(PREFIXES + BREAKAGES["count above total"][0])
    lines = format_result(validate_store(store, shapes=shapes, engine="split"))
    assert lines[0].endswith("does not conform: 1 violation(s)")
    assert lines[1].strip().startswith("1  rdkgs:CountShape: an n/m frequency needs one xsd:integer")
    assert re.match(r'\s+Violation: rdkg:association/hpoa/[0-9a-f]{16} biolink:has_count = 99: ', lines[2])


# -- kg validate on the command line ----------------------------------------------------------------------

def test_cli_conforming_build_exits_0(sample_build, capsys):
    assert main(["validate", str(sample_build)]) == 0
    out = capsys.readouterr().out
    assert "triples checked" in out and out.rstrip().endswith("conforms")


def test_cli_sample_checks_some_diseases_and_everything_else(sample_build, capsys):
    assert main(["validate", str(sample_build), "--sample", "2", "--seed", "7"]) == 0
    out = capsys.readouterr().out
    assert "2 diseases sampled" in out and out.rstrip().endswith("conforms")


def test_sample_store_keeps_whole_diseases(sample_build):
    from kg.validate import sample_store

    store = _store(sample_build)
    part = sample_store(store, 2, seed=3)
    diseases = {r["d"] for r in part.query(PREFIXES + "SELECT DISTINCT ?d WHERE { ?d a biolink:Disease }")}
    everywhere = {r["d"] for r in store.query(PREFIXES + "SELECT DISTINCT ?d WHERE { ?d a biolink:Disease }")}
    assert len(part) < len(store) and len(diseases) == 2 and diseases < everywhere
    ends = [ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#" + p) for p in ("subject", "object")]
    for d in diseases:  # every statement about a kept disease came along, with all its triples
        for q in (q for end in ends for q in store.quads_for_pattern(None, end, d, None)):
            assert set(part.quads_for_pattern(q.subject, None, None, None)) == set(
                store.quads_for_pattern(q.subject, None, None, None))
    result = validate_store(part, shapes=Shapes.load())
    assert result.conforms, "\n".join(format_result(result))


def test_cli_broken_file_exits_1_with_readable_lines(sample_build, tmp_path, capsys):
    broken = tmp_path / "broken.nt"
    broken.write_text("<https://omim.org/entry/12> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> "
                      "<https://w3id.org/biolink/vocab/Disease> .\n")
    assert main(["validate", str(broken)]) == 1
    out = capsys.readouterr().out
    assert "does not conform: 2 violation(s)" in out
    assert "Violation: <https://omim.org/entry/12> rdfs:label: a disease needs exactly one non-empty rdfs:label" in out


def test_cli_syntax_error_names_file_and_line(tmp_path, capsys):
    bad = tmp_path / "bad.ttl"
    bad.write_text("@prefix ex: <http://example.org/> .\nex:a ex:b ex:c .\nex:a ex:b \"unterminated .\n")
    assert main(["validate", str(bad)]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"kg validate: error: {bad}:3: not valid RDF") and err.count("\n") == 1


@pytest.mark.parametrize("argv, message", [
    (["validate", "/nonexistent/build"], "no such build directory or graph file"),
    (["validate", "--sample", "0"], "--sample must be 1 or more"),
    (["validate", "--engine", "fast"], "invalid choice: 'fast'"),
])
def test_cli_bad_arguments(argv, message, capsys):
    try:
        code = main(argv)
    except SystemExit as exit_:
        code = exit_.code
    assert code == 2
    assert message in capsys.readouterr().err


def test_empty_directory_is_an_input_error(tmp_path):
    with pytest.raises(InputError, match="no graph files"):
        validate(tmp_path)


def test_committed_records_have_no_reversed_reference_range(shapes):
    """Regression: a case report prints C3 "65–13" (a misprint); the graph kept it as minValue 65 >
    maxValue 13. Now only rdkgv:referenceText keeps the printed text."""
    from kg.rdf.documents import document_triples
    from kg.sources import documents

    folder = Path(__file__).resolve().parents[1] / "data" / "documents"
    records = [documents.loads(p.read_text(encoding="utf-8"), path=str(p)) for p in sorted(folder.glob("*.json"))]
    store = ox.Store()
    store.bulk_load(("\n".join(f"{s} {p} {o} ." for s, p, o in document_triples(records)) + "\n").encode(),
                    format=ox.RdfFormat.N_TRIPLES, to_graph=ox.DefaultGraph())
    result = validate_store(store, shapes=shapes, engine="split")
    measurement = [v for v in result.violations if v.shape == "rdkgs:ClinicalMeasurementShape"]
    assert measurement == []
    assert any('"65–13"' in r["t"].value or "65–13" == r["t"].value for r in store.query(
        "SELECT ?t WHERE { ?m <https://w3id.org/rdkg/vocab/referenceText> ?t }"))
