"""Every canned query on a small hand-written graph: exact rows, identical on pyoxigraph and rdflib.

The graph (``tests/fixtures/graphs/small``) follows docs/model.md: an HPO slice, HPOA
associations of two real and three invented diseases, a GARD-style page and a case report
(invented texts), and its dataset description. Each case below states the rows a query must
return; the same rows must come from the embedded pyoxigraph store and from rdflib, an
independent SPARQL engine, which is what shows the queries are plain SPARQL 1.1.
"""

from __future__ import annotations

import shutil
from collections import Counter
from pathlib import Path

import pytest

from kg import query as q
from kg.store import EmbeddedStore, RdflibStore, create_embedded_store
from tests.conftest import FIXTURES

SMALL = FIXTURES / "graphs" / "small"
LIVE_COUNTS = q.parse_query(FIXTURES / "statistics-live.rq")  # a test's completeness check, not a canned query
QUERIES = q.load_queries()

ORPHA_PAGE = "rdkg:document/00000000000000d1"
CASE_DOC = "rdkg:document/00000000000000d2"
CASE = "rdkg:case/c97831195bd0be20"
HPOA = "infores:hpo-annotations"


def small_build(directory: Path) -> Path:
    """A build folder holding the hand-written graph files and their embedded store."""
    directory.mkdir(parents=True, exist_ok=True)
    for path in sorted(SMALL.glob("*.ttl")):
        shutil.copyfile(path, directory / path.name)
    create_embedded_store(directory, sorted(directory.glob("*.ttl")))
    return directory


@pytest.fixture(scope="module")
def stores(tmp_path_factory):
    build = small_build(tmp_path_factory.mktemp("small") / "build")
    embedded, rdflib_store = EmbeddedStore.for_build(build), RdflibStore.for_build(build)
    yield {"pyoxigraph": embedded, "rdflib": rdflib_store}
    embedded.close()
    rdflib_store.close()


def a(key: str) -> str:
    return f"rdkg:association/{key}"


CASES = [
    # -- phenotypes of a disease: one row per statement, negated last, frequency in all three forms
    ("disease-phenotypes", {"disease": "OMIM:999001"}, [
        ("HP:0002105", False, "3/4", 0.75, "HP:0003577", "PATO:0000383", "ECO:0006017", "PMID:11111111", HPOA,
         "OMIM:999001", None, None, a("hpoa/c000000000000001")),
        ("HP:0012735", False, "50%", 0.5, None, None, "ECO:0006017", "PMID:11111111|PMID:22222222", HPOA,
         "OMIM:999001", None, None, a("hpoa/c000000000000002")),
        ("HP:0001891", True, None, None, None, None, "ECO:0006017", "PMID:11111111", HPOA,
         "OMIM:999001", None, None, a("hpoa/c000000000000003")),
    ]),
    # ... and for OMIM:178550 the statements about its exact match ORPHA:99931 (HPOA and the page)
    ("disease-phenotypes", {"disease": "OMIM:178550"}, [
        ("HP:0001891", False, None, None, None, None, "ECO:0000501", "OMIM:178550", HPOA, "OMIM:178550", None,
         None, a("hpoa/a000000000000002")),
        ("HP:0001891", False, "HP:0040281", None, None, None, "ECO:0000304", "ORPHA:99931", HPOA, "ORPHA:99931",
         None, None, a("hpoa/b000000000000002")),
        ("HP:0001945", False, "HP:0040283", None, None, None, "ECO:0000304", "ORPHA:99931", HPOA, "ORPHA:99931",
         None, None, a("hpoa/b000000000000006")),
        ("HP:0002093", False, None, None, None, None, "ECO:0000501", "OMIM:178550", HPOA, "OMIM:178550", None,
         None, a("hpoa/a000000000000004")),
        ("HP:0002105", False, None, None, None, None, None, None, "infores:gard", "ORPHA:99931", ORPHA_PAGE,
         "coughing up blood", a("doc/d100000000000004")),
        ("HP:0002105", False, None, None, None, None, "ECO:0000501", "OMIM:178550", HPOA, "OMIM:178550", None,
         None, a("hpoa/2b8a1af6217b2ae7")),
        ("HP:0002105", False, "HP:0040282", None, None, None, "ECO:0000304", "ORPHA:99931", HPOA, "ORPHA:99931",
         None, None, a("hpoa/b000000000000001")),
        ("HP:0002113", False, "HP:0040282", None, None, None, "ECO:0000304", "ORPHA:99931", HPOA, "ORPHA:99931",
         None, None, a("hpoa/b000000000000003")),
        ("HP:0005828", False, None, None, None, None, "ECO:0000501", "OMIM:178550", HPOA, "OMIM:178550", None,
         None, a("hpoa/a000000000000003")),
        ("HP:0012735", False, None, None, None, None, None, None, "infores:gard", "ORPHA:99931", ORPHA_PAGE,
         "cough", a("doc/d100000000000005")),
        ("HP:0012735", False, "HP:0040283", None, None, None, "ECO:0000304", "ORPHA:99931", HPOA, "ORPHA:99931",
         None, None, a("hpoa/b000000000000004")),
        ("HP:0012418", True, None, None, None, None, None, None, "infores:gard", "ORPHA:99931", ORPHA_PAGE,
         "no hypoxemia", a("doc/d100000000000006")),
    ]),
    # -- diseases with a phenotype or a descendant, by frequency (HP terms as the middle of their range)
    ("phenotype-diseases", {"phenotype": "HP:0002113"}, [
        ("ORPHA:99931", 0.545, "HP:0002113", 1),
        ("OMIM:178550", None, "HP:0005828", 1),  # Transient pulmonary infiltrates, a descendant
    ]),
    ("phenotype-diseases", {"phenotype": "HP:0002086", "limit": "3"}, [
        ("ORPHA:999003", 1.0, "HP:0012735", 1),
        ("OMIM:999002", 1.0, "HP:0002093", 1),
        ("OMIM:999001", 0.75, "HP:0002105|HP:0012735", 2),  # 3/4 beats 50%; the NOT row does not count
    ]),
    # -- shared phenotypes, exact terms or also descendants
    ("similar-diseases", {"disease": "OMIM:999002"}, [
        ("OMIM:178550", 1, "HP:0002093", 4),
    ]),
    ("similar-diseases", {"disease": "OMIM:999002", "descendants": "true"}, [
        ("OMIM:178550", 2, "HP:0001903|HP:0002093", 4),  # Anemia shared through Iron deficiency anemia
        ("ORPHA:99931", 1, "HP:0001903", 5),
    ]),
    # -- differential: most terms matched first, then the smaller profile
    ("differential", {"terms": "HP:0002105,HP:0001891,HP:0002113"}, [
        ("OMIM:178550", 3, "HP:0001891|HP:0002105|HP:0002113", 4),
        ("ORPHA:99931", 3, "HP:0001891|HP:0002105|HP:0002113", 5),
        ("OMIM:999001", 1, "HP:0002105", 2),
    ]),
    # -- inheritance, with the exact match's statement for ORPHA:99931
    ("inheritance", {"disease": "ORPHA:99931"}, [
        ("HP:0000006", False, "ECO:0000501", "OMIM:178550", HPOA, "OMIM:178550", None, None,
         a("hpoa/a000000000000005")),
    ]),
    ("inheritance-modes", {}, [("HP:0000006", 2), ("HP:0000007", 2)]),
    ("inheritance-diseases", {"mode": "HP:0034345"}, [  # Mendelian inheritance takes in both
        ("ORPHA:999003", "HP:0000006"), ("OMIM:178550", "HP:0000006"),
        ("OMIM:999001", "HP:0000007"), ("OMIM:999002", "HP:0000007"),
    ]),
    # -- excluded phenotypes of a disease (its exact match's page) and of a case
    ("excluded-phenotypes", {"subject": "OMIM:178550"}, [
        ("HP:0012418", None, None, "infores:gard", "ORPHA:99931", ORPHA_PAGE, "no hypoxemia",
         a("doc/d100000000000006")),
    ]),
    ("excluded-phenotypes", {"subject": "OMIM:999001"}, [
        ("HP:0001891", "ECO:0006017", "PMID:11111111", HPOA, "OMIM:999001", None, None, a("hpoa/c000000000000003")),
    ]),
    ("excluded-phenotypes", {"subject": CASE}, [
        ("HP:0001945", None, None, "infores:rdkg", CASE, CASE_DOC, "no fever", a("doc/d200000000000003")),
    ]),
    # -- search by name: labels and exact synonyms, case-insensitive, shortest first
    ("search", {"text": "hemoptysis"}, [("HP:0002105", "biolink:PhenotypicFeature", "Hemoptysis")]),
    ("search", {"text": "COUGH"}, [
        ("HP:0012735", "biolink:PhenotypicFeature", "Cough"),
        ("HP:0002105", "biolink:PhenotypicFeature", "Coughing up blood"),
        ("OMIM:999001", "biolink:Disease", "Fixture cough disease"),
        ("ORPHA:999003", "biolink:Disease", "Fixture cough syndrome"),
    ]),
    ("search", {"text": 'no "such\\ name'}, []),  # quotes and backslashes are data, not SPARQL
    # -- provenance of one statement, and of every statement linking a subject and an object
    ("provenance", {"statement": "rdkg:association/doc/d100000000000004"}, [
        (a("doc/d100000000000004"), "ORPHA:99931", "biolink:has_phenotype", "HP:0002105", False, None, None,
         "infores:gard", "knowledge_assertion", ORPHA_PAGE, "fixtures/gard-page.txt", "d1" + "0" * 62,
         "2025-01-20", 120, 137, "coughing up blood"),
    ]),
    ("provenance", {"subject": "OMIM:999001", "object": "HP:0012735"}, [
        (a("hpoa/c000000000000002"), "OMIM:999001", "biolink:has_phenotype", "HP:0012735", False, "ECO:0006017",
         "PMID:11111111|PMID:22222222", HPOA, "knowledge_assertion", None, None, None, None, None, None, None),
    ]),
    # -- references: cited publications, source documents, references printed in them
    ("references", {"disease": "ORPHA:99931"}, [
        (ORPHA_PAGE, "document", 8, ("biolink:applied_to_treat|biolink:has_phenotype|dcterms:subject|"
                                     "oboInOwl:hasRelatedSynonym|skos:exactMatch"),
         "Idiopathic pulmonary hemosiderosis", None, None),
        (CASE_DOC, "document", 1, "rdkgv:suspectedDiagnosis", "Idiopathic pulmonary hemosiderosis", None, None),
        ("ORPHA:99931", "publication", 6, "biolink:has_attribute|biolink:has_phenotype", None, None, None),
        ("OMIM:178550", "publication", 5, "biolink:has_mode_of_inheritance|biolink:has_phenotype", None, None,
         None),
        ("rdkg:reference/00000000000000f1", "reference", 0, None, "A fixture review of lung bleeding",
         "PMID:33333333", ORPHA_PAGE),
    ]),
    # -- treatments from the page and those the case received, one row per dosing step
    ("treatments", {"disease": "OMIM:178550"}, [
        ("CHEBI:24261", "biolink:applied_to_treat", False, None, None, None, None, None, None, None, None, None,
         None, None, ORPHA_PAGE, "corticosteroids", a("doc/d100000000000007")),
        ("rdkg:treatment/gluten-free-diet", "biolink:applied_to_treat", False, "people with celiac disease",
         None, None, None, None, None, None, None, None, None, None, ORPHA_PAGE, "gluten-free diet",
         a("doc/d100000000000008")),
        ("CHEBI:6888", "rdkgv:received", False, None, CASE, 1000.0, "mg", "day", "intravenous", "daily", 3.0,
         "day", "pulse", "1000 mg/day for 3 days", CASE_DOC, "methylprednisolone", a("doc/d200000000000007")),
        ("CHEBI:8378", "rdkgv:received", False, None, CASE, 50.0, "mg", "day", "oral", None, None, None, "taper",
         "50 mg/day orally", CASE_DOC, "prednisolone", a("doc/d200000000000008")),
        ("CHEBI:8378", "rdkgv:received", False, None, CASE, 10.0, "mg", None, None, None, None, None, "taper",
         "down to 10 mg", CASE_DOC, "prednisolone", a("doc/d200000000000008")),
    ]),
    ("treatments", {"disease": "OMIM:999001"}, []),
    # -- cross-references and names, links either way round with their justification
    ("cross-references", {"disease": "ORPHA:99931"}, [
        ("dcterms:subject", ORPHA_PAGE, None, None, "fixtures/gard-page.txt", None),
        ("dcterms:subject", CASE_DOC, None, None, "fixtures/case-report.txt", None),
        ("oboInOwl:hasRelatedSynonym", "Pulmonary hemosiderosis", None, None, ORPHA_PAGE, a("doc/d100000000000003")),
        ("rdfs:label", "Idiopathic pulmonary hemosiderosis", None, None, None, None),
        ("skos:altLabel", "IPH", None, None, None, None),
        ("skos:exactMatch", "OMIM:178550", "OMIM:178550 is printed in the document",
         "identifier-in-document|synonym", ORPHA_PAGE, a("doc/d100000000000002")),
    ]),
    ("cross-references", {"disease": "OMIM:178550"}, [
        ("rdfs:label", "Pulmonary hemosiderosis", None, None, None, None),
        ("skos:exactMatch", "ORPHA:99931", "OMIM:178550 is printed in the document",
         "identifier-in-document|synonym", ORPHA_PAGE, a("doc/d100000000000002")),
    ]),
    # -- what a case report says, section by section
    ("case-report", {"case": CASE}, [
        (CASE, "patient", None, "age", None, "years", None, 50.0, 59.0, None, None, None, None, None, None, None,
         None),
        (CASE, "patient", "PATO:0000384", "sex", None, None, None, None, None, None, None, None, None, None, None,
         "a man in his fifties", a("doc/d200000000000001")),
        (CASE, "diagnosis", "ORPHA:99931", "suspected", None, None, None, None, None, None, None, None, None, None,
         None, "suspected IPH", a("doc/d200000000000009")),
        (CASE, "diagnosis", "rdkg:disease/lung-abscess", "excluded", None, None, None, None, None, None, None,
         None, None, None, None, "lung abscess was ruled out", a("doc/d200000000000010")),
        (CASE, "finding", "HP:0002105", "observed", None, None, None, None, None, None, None, "text", None, None,
         None, "hemoptysis", a("doc/d200000000000002")),
        (CASE, "finding", "HP:0001945", "excluded", None, None, None, None, None, None, None, "text", None, None,
         None, "no fever", a("doc/d200000000000003")),
        (CASE, "finding", "HP:0012418", "observed", None, None, None, None, None, None, None, "measurement", None,
         None, None, "PaO2 55.5", a("doc/d200000000000004")),
        # the sodium value is within its range, so only PaO2 is listed
        (CASE, "measurement", "rdkg:measurement/00000000000000e1", "low", 55.5, "mm Hg", None, 75.0, 100.0, None,
         None, "HP:0012418", "on admission", None, None, "PaO2 55.5", a("doc/d200000000000005")),
        (CASE, "treatment", "CHEBI:6888", "pulse", 1000.0, "mg", "day", None, None, "intravenous", "daily", None,
         None, 3.0, "day", "methylprednisolone", a("doc/d200000000000007")),
        (CASE, "treatment", "CHEBI:8378", "taper", 50.0, "mg", "day", None, None, "oral", None, None, None, None,
         None, "prednisolone", a("doc/d200000000000008")),
        (CASE, "treatment", "CHEBI:8378", "taper", 10.0, "mg", None, None, None, None, None, None, None, None,
         None, "prednisolone", a("doc/d200000000000008")),
        (CASE, "outcome", "improved", None, None, None, None, None, None, None, None, None, None, None, None,
         "his hemoptysis improved", a("doc/d200000000000011")),
    ]),
]


def _id(case) -> str:
    name, arguments, _ = case
    return name + ("[" + ",".join(f"{k}={v}" for k, v in arguments.items()) + "]" if arguments else "")


@pytest.mark.parametrize(("name", "arguments", "expected"), CASES, ids=[_id(c) for c in CASES])
def test_query_rows_on_both_engines(stores, name, arguments, expected):
    for engine, store in stores.items():
        rows = q.plain_rows(q.run(store, QUERIES[name], arguments))
        assert rows == expected, f"{name} {arguments} on {engine}"


def test_every_query_has_a_case_with_rows():
    with_rows = {name for name, _, expected in CASES if expected}
    assert with_rows | {"statistics"} == set(QUERIES)


@pytest.mark.parametrize("name", sorted(QUERIES))
def test_example_gives_the_same_rows_on_both_engines(stores, name):
    """Each query run exactly as its file stands (its examples bound) answers, identically on both."""
    answers = {engine: q.plain_rows(q.run(store, QUERIES[name], QUERIES[name].example_arguments))
               for engine, store in stores.items()}
    assert answers["pyoxigraph"], f"{name}: its example finds nothing in the test graph"
    assert answers["pyoxigraph"] == answers["rdflib"]


def _counts() -> tuple[Counter, Counter]:
    """Instances per class and triples per property of the data files, counted in Python."""
    from rdflib import RDF, Graph

    classes: Counter = Counter()
    properties: Counter = Counter()
    for name in ("hpo", "hpoa", "documents"):
        graph = Graph().parse(SMALL / f"{name}.ttl", format="turtle")
        for _, p, o in graph:
            properties[str(p)] += 1
            if p == RDF.type:
                classes[str(o)] += 1
    return classes, properties


def test_statistics_live_counts_the_data_and_matches_the_description(stores):
    classes, properties = _counts()
    expected = sorted([("class", c, n, n) for c, n in classes.items()] +
                      [("property", p, n, n) for p, n in properties.items()])
    for engine, store in stores.items():
        rows = q.plain_rows(q.run(store, LIVE_COUNTS, {}), curies=False)
        assert sorted(rows) == expected, engine


def test_statistics_reads_the_description(stores):
    classes, properties = _counts()
    for engine, store in stores.items():
        rows = q.plain_rows(q.run(store, QUERIES["statistics"], {}), curies=False)
        by_kind = Counter(row[0] for row in rows)
        assert by_kind == {"dataset": 4, "graph": 3, "class": len(classes), "property": len(properties)}, engine
        declared = {(kind, iri, measure): n for kind, iri, measure, n in rows}
        assert all(declared["class", c, "entities"] == n for c, n in classes.items())
        assert all(declared["property", p, "triples"] == n for p, n in properties.items())
        assert declared["dataset", "https://w3id.org/rdkg/dataset", "triples"] == sum(properties.values())
        assert declared["graph", "https://w3id.org/rdkg/graph/hpoa", "triples"] == 280
