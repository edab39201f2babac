"""Stated facts from the canned queries on the full default build (all HPO annotations + documents).

Uses the session fixture ``full_build`` (one ``kg build`` per test session, shared with other
areas), queried through the embedded store the build itself created. Expected values come
from the issue's acceptance (OMIM:178550, ORPHA:99931, HP:0002105...) or are read from the
vendored HPO annotations file here, independently of the graph.
"""

from __future__ import annotations

import contextlib
import gzip
import io
import re
from collections import defaultdict

import pytest

from kg import paths
from kg import query as q
from kg.cli import main
from kg.store import EmbeddedStore, is_fresh
from tests.conftest import FIXTURES

pytestmark = pytest.mark.slow
QUERIES = q.load_queries()
# Counts every class and property in the data (seconds on the full graph): a completeness check for the
# tests, not a canned query a user waits for; the statistics query reads the declared counts at once.
LIVE_COUNTS = q.parse_query(FIXTURES / "statistics-live.rq")
IPH_OMIM_PHENOTYPES = {"HP:0001891", "HP:0002093", "HP:0002105", "HP:0002206", "HP:0005828", "HP:0006535"}


@pytest.fixture(scope="module")
def store(full_build):
    assert is_fresh(full_build.out), "kg build should leave a current embedded store in <build>/store"
    store = EmbeddedStore.for_build(full_build.out)
    yield store
    store.close()


def rows(store, name: str, **arguments: str) -> list[dict[str, object]]:
    table = q.run(store, LIVE_COUNTS if name == "statistics-live" else QUERIES[name], arguments)
    return [dict(zip(table.columns, row)) for row in q.plain_rows(table)]


@pytest.fixture(scope="module")
def hpoa_rows() -> list[list[str]]:
    with gzip.open(paths.HPOA, "rt", encoding="utf-8") as handle:
        return [line.rstrip("\n").split("\t") for line in handle if line[0] not in "#d"]


def test_phenotypes_of_omim_178550_and_statements_from_documents_beside_them(store):
    found = rows(store, "disease-phenotypes", disease="OMIM:178550")
    hpoa = [r for r in found if r["about"] == "OMIM:178550" and r["source"] == "infores:hpo-annotations"]
    assert {r["phenotype"] for r in hpoa} == IPH_OMIM_PHENOTYPES and len(hpoa) == 6
    assert all(r["evidence"] == "ECO:0000501" and r["negated"] is False for r in hpoa)
    documents = [r for r in found if r["document"] is not None]
    assert documents, "statements read from documents appear beside the HPOA rows"
    assert all(r["supporting_text"] and r["source"] in ("infores:gard", "infores:rareguru") for r in documents)
    assert "HP:0002105" in {r["phenotype"] for r in documents}
    negated = [i for i, r in enumerate(found) if r["negated"]]
    assert negated == list(range(len(found) - len(negated), len(found))), "negated statements come last"


def test_diseases_with_hemoptysis(store):
    found = rows(store, "phenotype-diseases", phenotype="HP:0002105")
    by_disease = {r["disease"]: r for r in found}
    assert {"OMIM:178550", "ORPHA:99931"} <= set(by_disease)
    assert by_disease["ORPHA:99931"]["frequency"] == 0.545  # HPOA: Frequent (30-79%)
    ranks = [r["frequency"] if r["frequency"] is not None else -1 for r in found]
    assert ranks == sorted(ranks, reverse=True)


def test_differential_for_hemoptysis_iron_deficiency_anemia_pulmonary_infiltrates(store):
    found = rows(store, "differential", terms="HP:0002105,HP:0001891,HP:0002113")
    assert [r["disease"] for r in found[:2]] == ["OMIM:178550", "ORPHA:99931"]
    assert [r["matched"] for r in found[:2]] == [3, 3] and found[2]["matched"] < 3


def test_similar_diseases(store):
    exact = {r["other"]: r for r in rows(store, "similar-diseases", disease="OMIM:178550")}
    below = {r["other"]: r for r in rows(store, "similar-diseases", disease="OMIM:178550", descendants="true")}
    assert exact["ORPHA:99931"]["shared"] >= 3 and "OMIM:178550" not in exact
    assert below["ORPHA:99931"]["shared"] >= exact["ORPHA:99931"]["shared"]


def test_mode_of_inheritance_and_diseases_per_mode(store, hpoa_rows):
    modes = rows(store, "inheritance", disease="OMIM:178550")
    assert ("HP:0000006", "ECO:0000501", "OMIM:178550") in {(r["mode"], r["evidence"], r["about"]) for r in modes}
    expected: dict[str, set[str]] = defaultdict(set)
    for row in hpoa_rows:
        if row[10] == "I" and row[2] != "NOT":
            expected[row[3]].add(row[0])
    counts = {r["mode"]: r["diseases"] for r in rows(store, "inheritance-modes")}
    assert [m for m, _ in sorted(counts.items(), key=lambda kv: -kv[1])][:2] == ["HP:0000007", "HP:0000006"]
    for mode, diseases in expected.items():
        assert counts[mode] >= len(diseases)  # documents may add statements, never remove any
    recessive = {r["disease"] for r in rows(store, "inheritance-diseases", mode="HP:0000007")}
    assert expected["HP:0000007"] <= recessive


def test_excluded_phenotypes_of_a_disease_and_of_the_case(store, hpoa_rows):
    disease, _, _, term = next(r[:4] for r in hpoa_rows if r[2] == "NOT" and r[10] == "P")
    found = rows(store, "excluded-phenotypes", subject=disease)
    assert term in {r["phenotype"] for r in found}
    case = rows(store, "case-report")[0]["patient"]
    excluded = rows(store, "excluded-phenotypes", subject=str(case))
    assert excluded and all(r["document"] for r in excluded)
    observed = {r["item"] for r in rows(store, "case-report", case=str(case)) if r["status"] == "observed"}
    only_excluded = {r["phenotype"] for r in excluded} - observed
    assert only_excluded
    case_iri = q.node_iri(q.ParamType.IRI, str(case))
    for term in only_excluded:  # a finding only ever excluded has no direct (positive) triple
        hp = q.node_iri(q.ParamType.HPO, str(term))
        assert not store.ask(f"ASK {{ <{case_iri}> <https://w3id.org/biolink/vocab/has_phenotype> <{hp}> }}")


def test_cross_references_with_justification(store):
    found = rows(store, "cross-references", disease="OMIM:178550")
    link = [r for r in found if r["relation"] == "skos:exactMatch" and r["target"] == "ORPHA:99931"]
    assert link and link[0]["justification"] and link[0]["document"]
    assert ("rdfs:label", "Pulmonary hemosiderosis") in {(r["relation"], r["target"]) for r in found}


def test_treatments_with_doses(store):
    found = rows(store, "treatments", disease="OMIM:178550")
    pulse = [r for r in found if r["treatment"] == "CHEBI:6888" and r["regimen"] == "pulse"]
    assert pulse and (pulse[0]["amount"], pulse[0]["unit"], pulse[0]["per"], pulse[0]["route"]) == \
        (1000.0, "mg", "day", "intravenous")
    assert {r["treatment"] for r in found if r["relation"] == "rdkgv:received"} >= {"CHEBI:6888", "CHEBI:2948"}
    assert len({r["treatment"] for r in found if r["relation"] == "biolink:applied_to_treat"}) >= 5


def test_references_printed_in_the_gard_page(store):
    found = rows(store, "references", disease="ORPHA:99931")
    identifiers = {i for r in found if r["kind"] == "reference" and r["identifiers"]
                   for i in str(r["identifiers"]).split("|")}
    assert {"PMCID:PMC4545926", "PMCID:PMC3852822", "PMID:26692115", "OMIM:178550"} <= identifiers
    assert {"ORPHA:99931"} <= {r["reference"] for r in found if r["kind"] == "publication"}


def test_provenance_of_a_statement_read_from_a_document(store, seeds):
    found = rows(store, "provenance", subject="ORPHA:99931", object="HP:0002105")
    from_text = [r for r in found if r["document"] is not None]
    assert from_text and any(r["source"] == "infores:hpo-annotations" for r in found)
    for r in from_text:
        assert r["sha256"] and r["span_start"] is not None and r["span_end"] > r["span_start"]
        source = seeds / str(r["document_source"]).rsplit("/", 1)[-1]
        if source.is_file():  # the span points into the document's text
            text = source.read_text(encoding="utf-8")
            assert " ".join(text[r["span_start"]:r["span_end"]].split()) == r["supporting_text"]


def test_what_the_case_report_says(store):
    found = rows(store, "case-report")
    sections = defaultdict(list)
    for r in found:
        sections[r["section"]].append(r)
    assert ("sex", "PATO:0000384") in {(r["status"], r["item"]) for r in sections["patient"]}
    assert ("suspected", "ORPHA:99931") in {(r["status"], r["item"]) for r in sections["diagnosis"]}
    assert sum(r["status"] == "excluded" for r in sections["diagnosis"]) >= 3
    assert {"observed", "excluded"} == {r["status"] for r in sections["finding"]}
    assert len(sections["measurement"]) >= 10
    assert all(r["status"] in ("low", "high", "abnormal") for r in sections["measurement"])
    assert len([r for r in sections["treatment"] if r["value"] is not None]) >= 5


def test_statistics_match_the_build_summary(store, full_build):
    found = rows(store, "statistics")
    declared = {(r["kind"], r["iri"], r["measure"]): r["count"] for r in found}
    assert declared["dataset", "rdkg:dataset", "triples"] == full_build.counts.triples
    for written in full_build.files:
        name = written.path.name.split(".")[0]
        if name != "dataset":
            assert declared["graph", f"rdkg:graph/{name}", "triples"] == written.triples


def test_statistics_counted_in_the_data_equal_the_description(store):
    found = rows(store, "statistics-live")
    assert len(found) > 40
    assert [r for r in found if r["count"] != r["declared"]] == []


def test_search_finds_the_disease_by_name(store):
    assert {"OMIM:178550", "ORPHA:99931"} <= {r["node"] for r in rows(store, "search", text="hemosiderosis")}


@pytest.mark.parametrize("name", sorted(QUERIES))
def test_every_example_answers_on_the_full_build(store, name):
    assert rows(store, name, **QUERIES[name].example_arguments), f"{name}: its example finds nothing"


def test_kg_query_command_on_the_full_build(full_build):
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(["query", "differential", "--param", "terms=HP:0002105,HP:0001891,HP:0002113",
                     "--param", "limit=3", "--build", str(full_build.out)])
    assert code == 0, err.getvalue()
    lines = out.getvalue().splitlines()
    assert re.match(r"OMIM:178550 Pulmonary hemosiderosis +3 ", lines[2])
    assert len(lines) == 5  # header, rule, three rows
