"""Acceptance facts of the full default build (all of phenotype.hpoa 2025-01-16 on the vendored HPO).

Uses the session fixture ``full_build`` (one build per test session, shared with other areas).
Expected values come from reading the vendored HPOA here, independently of kg.sources.hpoa:
plain tab-splitting, and association IRIs recomputed from the documented row key. Graph facts
are read back through pyoxigraph (the build's embedded store, or the files when there is none).
"""

from __future__ import annotations

import gzip
import hashlib
import re
import shutil
import subprocess
from collections import Counter
from pathlib import Path

import pyoxigraph as ox
import pytest
import rdflib

from kg import paths
from kg.curie import expand
from tests.test_rdf_hpoa import assert_isomorphic

pytestmark = pytest.mark.slow

OMIM_178550 = "OMIM:178550"
ORPHA_99931 = "ORPHA:99931"
PREFIXES = """PREFIX biolink: <https://w3id.org/biolink/vocab/>
PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
"""
PREDICATE = {"P": "https://w3id.org/biolink/vocab/has_phenotype",
             "I": "https://w3id.org/biolink/vocab/has_mode_of_inheritance",
             "C": "https://w3id.org/biolink/vocab/has_attribute", "M": "https://w3id.org/biolink/vocab/has_attribute",
             "H": "https://w3id.org/biolink/vocab/has_attribute"}
ECO = {"IEA": "http://purl.obolibrary.org/obo/ECO_0000501", "PCS": "http://purl.obolibrary.org/obo/ECO_0006017",
       "TAS": "http://purl.obolibrary.org/obo/ECO_0000304"}


# -- the HPOA read independently ------------------------------------------------------------------------

class Rows:
    """The vendored phenotype.hpoa as plain cell lists, with the documented association IRIs."""

    def __init__(self, path: Path) -> None:
        lines = gzip.decompress(path.read_bytes()).decode("utf-8").splitlines()
        body = [line.split("\t") for line in lines if line and not line.startswith("#")]
        assert body[0][0] == "database_id"
        self.rows = body[1:]
        self.by_key: dict[str, list[str]] = {}
        for cells in self.rows:
            self.by_key.setdefault("\t".join([cells[0]] + cells[2:11]), cells)

    @staticmethod
    def iri(key: str, base: str = "https://w3id.org/rdkg/") -> str:
        return f"{base}association/hpoa/{hashlib.sha256(key.encode('utf-8')).hexdigest()[:16]}"

    def of(self, disease: str) -> list[list[str]]:
        return [c for c in self.by_key.values() if c[0] == disease]


@pytest.fixture(scope="module")
def rows() -> Rows:
    return Rows(paths.HPOA)


# -- the graph, through pyoxigraph ------------------------------------------------------------------------

@pytest.fixture(scope="module")
def graph(full_build):
    """The build's embedded store (read-only), or the graph files loaded into memory when it has none."""
    store_dir = full_build.out / "store"
    if store_dir.is_dir():
        return ox.Store.read_only(str(store_dir))
    store = ox.Store()
    for written in full_build.files:
        with open(written.path, "rb") as handle:
            store.bulk_load(handle, format=ox.RdfFormat.TURTLE,
                            to_graph=ox.NamedNode(f"https://w3id.org/rdkg/graph/{written.path.name.split('.')[0]}"))
    return store


HPOA_GRAPH = ox.NamedNode("https://w3id.org/rdkg/graph/hpoa")


def select(store, query: str, *, hpoa_only: bool = True) -> list[tuple[str, ...]]:
    """SELECT over the hpoa.ttl graph (documents add their own associations to the union)."""
    if hpoa_only:
        result = store.query(PREFIXES + query, default_graph=HPOA_GRAPH)
    else:
        result = store.query(PREFIXES + query, use_default_graph_as_union=True)
    return [tuple(None if row[v] is None else row[v].value for v in result.variables) for row in result]


def hpoa_file(full_build) -> Path:
    return next(f.path for f in full_build.files if f.path.name.startswith("hpoa."))


# -- acceptance ------------------------------------------------------------------------------------------

def test_every_annotated_disease_and_row(full_build, rows):
    diseases = {cells[0] for cells in rows.rows}
    assert 12_600 <= len(diseases) <= 12_800
    assert full_build.diseases == len(diseases)
    # every row is an association except exact repeats of a statement (same key), which are reported
    assert full_build.annotations == len(rows.by_key) == len(rows.rows) - 45
    report = full_build.report
    assert report.count("error", "hpoa-duplicate") == len(rows.rows) - len(rows.by_key)
    assert report.count("error", "hpoa-row") == 0
    assert report.count("warning") == report.count("warning", "hpoa-reference") == 3


def test_association_classes(graph, full_build, rows):
    classes = {cls: int(n) for cls, n in select(graph, "SELECT ?c (COUNT(*) AS ?n) WHERE { ?x a ?c } GROUP BY ?c")}
    assert all(full_build.counts.classes[cls] >= n for cls, n in classes.items())  # + HPO and documents
    aspects = Counter(cells[10] for cells in rows.by_key.values())
    phenotype = classes["https://w3id.org/biolink/vocab/DiseaseToPhenotypicFeatureAssociation"]
    assert phenotype == aspects["P"] >= 240_000
    inheritance = classes["https://w3id.org/biolink/vocab/DiseaseOrPhenotypicFeatureToGeneticInheritanceAssociation"]
    assert inheritance == aspects["I"]
    assert classes["https://w3id.org/biolink/vocab/Association"] == len(rows.by_key)
    assert classes["https://w3id.org/biolink/vocab/Disease"] == full_build.diseases


def test_inheritance_links(graph, rows, full_build):
    expected = {(c[0], c[3]) for c in rows.by_key.values() if c[10] == "I" and c[2] != "NOT"}
    [(count,)] = select(graph, "SELECT (COUNT(*) AS ?n) WHERE { ?d biolink:has_mode_of_inheritance ?moi }")
    assert int(count) == len(expected)
    assert 8_500 <= len(expected) <= 9_100
    assert full_build.inheritance >= len(expected)


def test_every_not_row_is_negated_with_no_direct_triple(graph, rows):
    not_rows = {key: c for key, c in rows.by_key.items() if c[2] == "NOT"}
    assert len(not_rows) == 711
    negated = select(graph, """SELECT ?a ?s ?p ?o (EXISTS { ?s ?p ?o } AS ?direct) WHERE {
        ?a biolink:negated true ; rdf:subject ?s ; rdf:predicate ?p ; rdf:object ?o }""")
    by_iri = {Rows.iri(key): cells for key, cells in not_rows.items()}
    assert {a for a, *_ in negated} == set(by_iri)
    stated = {(c[0], c[10], c[3]) for c in rows.by_key.values() if c[2] != "NOT"}
    for a, s, p, o, direct in negated:
        cells = by_iri[a]
        assert (s, p, o) == (expand(cells[0]), PREDICATE[cells[10]], expand(cells[3]))
        # a direct edge exists only where another, non-negated row states the same thing
        assert (direct == "true") == ((cells[0], cells[10], cells[3]) in stated), cells
    assert sum(direct == "false" for *_, direct in negated) > 600


def test_omim_178550_has_exactly_its_seven_statements(graph, rows):
    omim = expand(OMIM_178550)
    statements = select(graph, f"""SELECT ?a ?p ?o ?e ?negated WHERE {{
        ?a rdf:subject <{omim}> ; rdf:predicate ?p ; rdf:object ?o ; biolink:has_evidence ?e ;
           biolink:negated ?negated }}""")
    hp = "http://purl.obolibrary.org/obo/HP_"
    assert sorted((p.rsplit("/", 1)[-1], o.replace(hp, "HP:")) for _, p, o, _, _ in statements) == [
        ("has_mode_of_inheritance", "HP:0000006"),
        ("has_phenotype", "HP:0001891"), ("has_phenotype", "HP:0002093"), ("has_phenotype", "HP:0002105"),
        ("has_phenotype", "HP:0002206"), ("has_phenotype", "HP:0005828"), ("has_phenotype", "HP:0006535")]
    assert {e for _, _, _, e, _ in statements} == {ECO["IEA"]}
    assert {n for *_, n in statements} == {"false"}
    assert {a for a, *_ in statements} == {Rows.iri("\t".join([c[0]] + c[2:11])) for c in rows.of(OMIM_178550)}
    direct = select(graph, f"SELECT ?p ?o WHERE {{ <{omim}> ?p ?o FILTER(?p != rdf:type && ?p != rdfs:label) }}")
    assert sorted(direct) == sorted((p, o) for _, p, o, _, _ in statements)
    [(label,)] = select(graph, f"SELECT ?l WHERE {{ <{omim}> a biolink:Disease ; rdfs:label ?l }}")
    assert label == "Pulmonary hemosiderosis"


def test_orpha_99931_has_its_29_statements_with_their_frequency_terms(graph, rows):
    orpha = expand(ORPHA_99931)
    statements = select(graph, f"""SELECT ?a ?o ?f ?e WHERE {{
        ?a rdf:subject <{orpha}> ; rdf:object ?o ; biolink:has_evidence ?e .
        OPTIONAL {{ ?a biolink:frequency_qualifier ?f }} }}""")
    expected_rows = rows.of(ORPHA_99931)
    assert len(statements) == len(expected_rows) == 29
    assert sorted((o, f, e) for _, o, f, e in statements) == sorted(
        (expand(c[3]), expand(c[7]) if c[7] else None, ECO[c[5]]) for c in expected_rows)
    assert all(f is None or re.fullmatch(r"http://purl.obolibrary.org/obo/HP_004028[0-5]", f)
               for _, _, f, _ in statements)
    assert sum(f is not None for _, _, f, _ in statements) >= 25


def test_turtle_parses_with_pyoxigraph_with_the_written_counts(graph, full_build):
    counts = dict(select(graph, "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g",
                         hpoa_only=False))
    by_name = {g.rsplit("/", 1)[-1]: int(n) for g, n in counts.items()}
    for written in full_build.files:
        assert by_name[written.path.name.split(".")[0]] == written.triples, written.path.name
    assert full_build.counts.triples > 3_000_000


@pytest.mark.skipif(shutil.which("rapper") is None, reason="Debian raptor2-utils (rapper) is not installed")
def test_turtle_parses_with_rapper_with_the_same_counts(full_build):
    for written in full_build.files:
        if written.path.name.startswith("dataset"):
            continue
        done = subprocess.run(["rapper", "-i", "turtle", "-c", str(written.path)], capture_output=True, text=True,
                              timeout=300, check=False)
        assert done.returncode == 0, done.stderr[-2000:]
        assert "Error" not in done.stderr and "Warning" not in done.stderr
        assert f"returned {written.triples} triples" in done.stderr, done.stderr[-500:]


def test_rdflib_and_pyoxigraph_read_a_sample_the_same(full_build):
    """rdflib on ~0.5% of the HPOA file (every 200th subject block, whole file covered)."""
    text = hpoa_file(full_build).read_text(encoding="utf-8")
    header_end = text.index("\n\n")
    blocks = text[header_end + 2:].split("\n\n")
    sample = text[:header_end] + "\n\n" + "\n\n".join(blocks[::200])
    with_rdflib = rdflib.Graph().parse(data=sample, format="turtle")
    ntriples = ox.serialize(ox.parse(sample.encode("utf-8"), format=ox.RdfFormat.TURTLE),
                            format=ox.RdfFormat.N_TRIPLES)
    with_oxigraph = rdflib.Graph().parse(data=ntriples.decode("utf-8"), format="nt")
    assert len(with_rdflib) == len(with_oxigraph) > 10_000
    assert_isomorphic(with_rdflib, with_oxigraph)


def test_inputs_and_versions_are_read_from_the_files(full_build):
    versions = {i.name: i.version for i in full_build.inputs}
    assert versions == {"hp.obo": "2025-01-16", "phenotype.hpoa": "2025-01-16"}
    for item in full_build.inputs:
        assert item.sha256 == hashlib.sha256(Path(item.path).read_bytes()).hexdigest()
