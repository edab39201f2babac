"""kg.query and ``kg query``: query headers, safe parameter binding, identifier checks, output formats."""

from __future__ import annotations

import contextlib
import csv
import io
import json
import re
from pathlib import Path

import pyoxigraph as ox
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kg import query as q
from kg.cli import main
from kg.errors import QueryError
from kg.store import EmbeddedStore, Term
from tests.test_queries_small import small_build

QUERIES = q.load_queries()

HEADER = """#+ title: A test query
#+ description: Finds things; a description may go on
#+   over several lines.
#+ param: disease | disease | required | OMIM:178550 | the disease
#+ param: terms | hpo+ | none | HP:0002105,HP:0001891 | some terms
#+ param: flag | boolean | false | true | a switch
#+ param: text | string | none | hello | words
#+ param: limit | limit | 10 | 5 | at most
#+ column: thing | iri | a thing
#+ column: things | list | some things
"""
BODY = """SELECT ?thing ?things WHERE {
  VALUES ?disease { <https://omim.org/entry/178550> }
  VALUES ?terms { <http://purl.obolibrary.org/obo/HP_0002105> <http://purl.obolibrary.org/obo/HP_0001891> }
  VALUES ?flag { true }
  VALUES ?text { "hello" }
  BIND(?disease AS ?thing)
  BIND("" AS ?things)
}
LIMIT 5
"""


def write(tmp_path: Path, text: str, name: str = "test-query") -> Path:
    path = tmp_path / f"{name}.rq"
    path.write_text(text, encoding="utf-8")
    return path


# ----------------------------------------------------------------------------- the project's queries

@pytest.mark.parametrize("name", sorted(QUERIES))
def test_project_query_header_is_complete(name):
    query = QUERIES[name]
    assert query.title and len(query.description) > 80, "a title and a one-paragraph description"
    assert query.columns
    for param in query.parameters:
        assert param.example and param.description
    # the file runs its own example as it stands: binding the examples changes nothing
    assert q.bind(query, query.example_arguments) == query.text.rstrip() + "\n"


@pytest.mark.parametrize("name", sorted(QUERIES))
def test_project_query_is_valid_sparql_with_the_header_columns(name):
    query = QUERIES[name]
    solutions = ox.Store().query(q.bind(query, query.example_arguments))
    assert [v.value for v in solutions.variables] == [c.name for c in query.columns]


def test_queries_are_listed_by_name():
    assert {"disease-phenotypes", "phenotype-diseases", "similar-diseases", "differential", "inheritance",
            "inheritance-modes", "inheritance-diseases", "cross-references", "treatments", "provenance",
            "references", "excluded-phenotypes", "case-report", "statistics",
            "search"} <= set(QUERIES)
    with pytest.raises(QueryError, match="unknown query 'nope'.*kg query list"):
        q.get_query("nope")


# ----------------------------------------------------------------------------- header parsing

def test_header_is_read(tmp_path):
    query = q.parse_query(write(tmp_path, HEADER + BODY))
    assert query.name == "test-query" and query.title == "A test query"
    assert query.description == "Finds things; a description may go on over several lines."
    disease, terms, flag, text, limit = query.parameters
    assert (disease.type, disease.required, disease.default) == (q.ParamType.DISEASE, True, None)
    assert (terms.type, terms.multiple, terms.required, terms.default) == (q.ParamType.HPO, True, False, None)
    assert (flag.default, text.default, limit.default) == ("false", None, "10")
    assert [(c.name, c.type) for c in query.columns] == [("thing", q.ColumnType.IRI), ("things", q.ColumnType.LIST)]


@pytest.mark.parametrize(("change", "message"), [
    (lambda t: t.replace("#+ title: A test query\n", ""), "header has no title"),
    (lambda t: t.replace("#+ title:", "#+ tittle:"), r":1: unknown header key 'tittle'"),
    (lambda t: t.replace("| disease | required", "| illness | required"), r":4: unknown parameter type 'illness'"),
    (lambda t: t.replace("| OMIM:178550 | the disease", "| HP:0002105 | the disease"), r":4: .*not a disease"),
    (lambda t: t.replace("| hpo+ | none | HP:0002105,HP:0001891", "| hpo+ | none | HP:12"), r":5: .*malformed HP"),
    (lambda t: t.replace("#+ param: flag | boolean | false | true | a switch", "#+ param: flag | boolean | false"),
     r":6: param needs"),
    (lambda t: t.replace("| limit | 10 |", "| limit | required |"), r":8: a limit parameter needs a default"),
    (lambda t: t.replace("#+ column: thing | iri | a thing\n", "#+ column: thing | node | a thing\n"),
     r":9: unknown column type 'node'"),
    (lambda t: t.replace("#+ column: thing | iri | a thing\n#+ column: things | list | some things\n", ""),
     "lists no columns"),
    (lambda t: t.replace("  VALUES ?flag { true }\n", ""), r"parameter 'flag' has no 'VALUES \?flag"),
    (lambda t: t.replace("LIMIT 5\n", ""), "parameter 'limit' needs a final 'LIMIT n'"),
    (lambda t: t.replace("#+ param: text", "#+ param: flag"), "declared twice"),
    (lambda t: "#+ garbage\n" + t, r":1: malformed header line"),
])
def test_header_errors_name_the_file_and_line(tmp_path, change, message):
    path = write(tmp_path, change(HEADER + BODY))
    with pytest.raises(QueryError, match=message) as info:
        q.parse_query(path)
    assert str(path) in str(info.value)


def test_a_parameter_may_fill_several_values_blocks(tmp_path):
    text = HEADER + BODY.replace("  BIND(?disease AS ?thing)",
                                 "  { VALUES ?disease { <https://omim.org/entry/178550> } }\n  BIND(?disease AS ?thing)")
    query = q.parse_query(write(tmp_path, text))
    bound = q.bind(query, {"disease": "ORPHA:99931"})
    assert bound.count("VALUES ?disease { <http://www.orpha.net/ORDO/Orphanet_99931> }") == 2
    assert "omim.org" not in bound


# ----------------------------------------------------------------------------- binding

@pytest.fixture
def test_query(tmp_path):
    return q.parse_query(write(tmp_path, HEADER + BODY))


def test_binding_puts_validated_terms_into_the_values_blocks(test_query):
    text = q.bind(test_query, {"disease": "orphanet:99931", "terms": "HP:0000006, HP:0000007", "flag": "yes",
                               "limit": "7"})
    assert "VALUES ?disease { <http://www.orpha.net/ORDO/Orphanet_99931> }" in text
    assert ("VALUES ?terms { <http://purl.obolibrary.org/obo/HP_0000006> "
            "<http://purl.obolibrary.org/obo/HP_0000007> }") in text
    assert "VALUES ?flag { true }" in text
    assert "VALUES ?text { UNDEF }" in text  # optional, left unbound
    assert text.rstrip().endswith("LIMIT 7")


def test_defaults_apply_and_required_parameters_are_asked_for(test_query):
    text = q.bind(test_query, {"disease": "OMIM:178550"})
    assert "VALUES ?flag { false }" in text and "VALUES ?terms { UNDEF }" in text
    assert text.rstrip().endswith("LIMIT 10")
    with pytest.raises(QueryError, match=r"needs disease \(e\.g\. --param disease=OMIM:178550\)"):
        q.bind(test_query, {})
    with pytest.raises(QueryError, match="has no parameter 'colour'.*disease, terms, flag, text, limit"):
        q.bind(test_query, {"disease": "OMIM:178550", "colour": "red"})


@pytest.mark.parametrize(("name", "value", "message"), [
    ("disease", "HP:0002105", "not a disease identifier"),
    ("disease", "OMIM:12", "malformed OMIM"),
    ("disease", "178550", "not a CURIE"),
    ("disease", "FOO:1", "unknown prefix"),
    ("terms", "HP:0002105,OMIM:178550", "not an HPO term"),
    ("terms", ",", "is empty"),
    ("flag", "maybe", "expected true or false"),
    ("limit", "0", "positive whole number"),
    ("limit", "5; DROP ALL", "positive whole number"),
    ("text", "a\x00b", "control characters"),
])
def test_bad_values_are_refused(test_query, name, value, message):
    arguments = {"disease": "OMIM:178550", name: value}
    with pytest.raises(QueryError, match=f"parameter '{name}'.*{message}"):
        q.bind(test_query, arguments)


@pytest.mark.parametrize(("text", "iri"), [
    ("OMIM:178550", "https://omim.org/entry/178550"),
    ("rdkg:case/c97831195bd0be20", "https://w3id.org/rdkg/case/c97831195bd0be20"),
    ("https://w3id.org/rdkg/case/c97831195bd0be20", "https://w3id.org/rdkg/case/c97831195bd0be20"),
    ("<http://www.orpha.net/ORDO/Orphanet_99931>", "http://www.orpha.net/ORDO/Orphanet_99931"),
    ("urn:isbn:9780123456786", "urn:isbn:9780123456786"),
])
def test_iri_parameters_take_curies_and_iris(text, iri):
    assert q.node_iri(q.ParamType.IRI, text) == iri


@pytest.mark.parametrize("text", ["http://a b", "<x>", "not an iri", "http://x/{y}", "http://x/>"])
def test_iri_parameters_refuse_non_iris(text):
    with pytest.raises(QueryError):
        q.node_iri(q.ParamType.IRI, text)


STRING_QUERY = """#+ title: echo
#+ description: Returns the text it is given, to check that any text is bound as data.
#+ param: text | string | required | x | the text
#+ column: text | literal | the text back
SELECT ?text WHERE { VALUES ?text { "x" } }
"""
IRI_QUERY = """#+ title: echo
#+ description: Returns the node it is given, to check that no text can change the query.
#+ param: node | iri | required | OMIM:178550 | the node
#+ column: node | iri | the node back
SELECT ?node WHERE { VALUES ?node { <https://omim.org/entry/178550> } }
"""


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=60))
def test_any_text_is_bound_as_a_literal_and_comes_back_unchanged(tmp_path_factory, text):
    query = q.parse_query(Path("echo.rq"), STRING_QUERY)
    try:
        bound = q.bind(query, {"text": text})
    except QueryError:
        assert not text.strip() or re.search(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]", text)
        return
    solutions = list(ox.Store().query(bound))
    assert [s["text"].value for s in solutions] == [text.strip()]


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.text(max_size=60), st.from_regex(r"[a-zA-Z]{1,8}:[^\s]{0,30}", fullmatch=True)))
def test_no_text_can_escape_an_iri_parameter(text):
    query = q.parse_query(Path("echo.rq"), IRI_QUERY)
    try:
        bound = q.bind(query, {"node": text})
    except QueryError:
        return
    solutions = list(ox.Store().query(bound))  # still valid SPARQL, still one VALUES row
    assert len(solutions) == 1 and isinstance(solutions[0]["node"], ox.NamedNode)
    assert bound.count("VALUES") == 1 and bound.count("SELECT") == 1


# ----------------------------------------------------------------------------- running on a store

@pytest.fixture(scope="module")
def build(tmp_path_factory):
    return small_build(tmp_path_factory.mktemp("query") / "build")


@pytest.fixture(scope="module")
def store(build):
    store = EmbeddedStore.for_build(build)
    yield store
    store.close()


@pytest.mark.parametrize(("arguments", "message"), [
    ({"disease": "OMIM:999999"}, r"unknown identifier OMIM:999999 \(parameter disease\): not in the graph$"),
    ({"disease": "DECIPHER:1"}, "unknown identifier DECIPHER:1"),
])
def test_unknown_identifiers_are_refused(store, arguments, message):
    with pytest.raises(QueryError, match=message):
        q.run(store, QUERIES["disease-phenotypes"], arguments)


def test_alternative_and_obsolete_ids_name_the_current_term(store):
    with pytest.raises(QueryError, match="HP:0001926.*alternative ID of HP:0001903"):
        q.run(store, QUERIES["phenotype-diseases"], {"phenotype": "HP:0001926"})
    with pytest.raises(QueryError, match=r"HP:0005952 \(parameter phenotype\) is obsolete, replaced by HP:0002795"):
        q.run(store, QUERIES["phenotype-diseases"], {"phenotype": "HP:0005952"})


def test_labels_are_looked_up_for_iris_and_list_items(store):
    table = q.run(store, QUERIES["differential"], {"terms": "HP:0002105,HP:0002113"})
    assert table.labels["https://omim.org/entry/178550"] == "Pulmonary hemosiderosis"
    assert table.labels["http://purl.obolibrary.org/obo/HP_0002113"] == "Pulmonary infiltrates"  # a list item
    assert not q.run(store, QUERIES["differential"], {"terms": "HP:0002105"}, labels=False).labels


def test_rows_of_a_query_without_order_by_are_sorted(store):
    assert not QUERIES["inheritance-diseases"].ordered and QUERIES["differential"].ordered
    rows = q.plain_rows(q.run(store, QUERIES["inheritance-diseases"], {"mode": "HP:0000005"}), curies=False)
    assert rows == sorted(rows)


def test_a_query_whose_columns_differ_from_its_header_is_an_error(tmp_path, store):
    query = q.parse_query(write(tmp_path, STRING_QUERY.replace("#+ column: text", "#+ column: words")))
    with pytest.raises(QueryError, match="returns columns text but the header lists words"):
        q.run(store, query, {"text": "a"})


@pytest.mark.parametrize(("term", "value"), [
    (Term.iri("http://purl.obolibrary.org/obo/HP_0002105"), "HP:0002105"),
    (Term.iri("http://example.invalid/x"), "http://example.invalid/x"),
    (Term.literal("3", "http://www.w3.org/2001/XMLSchema#integer"), 3),
    (Term.literal("0.333333333", "http://www.w3.org/2001/XMLSchema#double"), 0.333333),
    (Term.literal("2.50", "http://www.w3.org/2001/XMLSchema#decimal"), 2.5),
    (Term.literal("true", "http://www.w3.org/2001/XMLSchema#boolean"), True),
    (Term.literal("2025-01-20", "http://www.w3.org/2001/XMLSchema#date"), "2025-01-20"),
    (Term.literal("Husten", language="DE"), "Husten"),
    (None, None),
])
def test_plain_values(term, value):
    assert q.plain(term) == value


# ----------------------------------------------------------------------------- the command

def kg(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(["query", *argv])
    return code, out.getvalue(), err.getvalue()


def test_list_shows_every_query_with_its_title():
    code, out, _ = kg("list")
    assert code == 0
    lines = out.splitlines()
    assert len(lines) == len(QUERIES)
    assert any(line.startswith("differential ") and "Differential diagnosis" in line
               and "terms=HP:0002105,HP:0001891,HP:0002113" in line for line in lines)
    code, out, _ = kg("list", "--format", "json")
    assert {item["name"] for item in json.loads(out)} == set(QUERIES)


def test_show_prints_the_bound_sparql_without_a_store():
    code, out, _ = kg("similar-diseases", "--show", "--param", "disease=ORPHA:99931", "--build", "/nonexistent")
    assert code == 0
    assert "descendants (boolean, default false" in out
    assert "VALUES ?disease { <http://www.orpha.net/ORDO/Orphanet_99931> }" in out


def test_table_output_has_labels_beside_iris(build):
    code, out, err = kg("differential", "--param", "terms=HP:0002105,HP:0001891,HP:0002113", "--build", str(build))
    assert code == 0
    header, _rule, first, second, _third = out.splitlines()
    assert header.split() == ["disease", "matched", "matched_terms", "disease_terms"]
    assert first.startswith("OMIM:178550 Pulmonary hemosiderosis") and " 3 " in first
    assert "HP:0002105 Hemoptysis" in first
    assert second.startswith("ORPHA:99931 Idiopathic pulmonary hemosiderosis")
    assert "3 rows in" in err and "embedded store" in err


def test_table_output_leaves_out_empty_columns(build):
    code, out, _ = kg("inheritance", "-p", "disease=OMIM:999001", "--build", str(build))
    assert code == 0 and "(empty in every row: document, supporting_text)" in out


def test_csv_tsv_and_json_carry_labels_in_their_own_columns(build):
    arguments = ["disease-phenotypes", "--param", "disease=OMIM:999001", "--build", str(build)]
    code, out, _ = kg(*arguments, "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(out)))
    assert code == 0 and len(rows) == 3
    assert rows[0]["phenotype"] == "HP:0002105" and rows[0]["phenotype_label"] == "Hemoptysis"
    assert rows[0]["publications"] == "PMID:11111111" and rows[2]["negated"] == "true"
    code, out, _ = kg(*arguments, "--format", "tsv")
    assert out.splitlines()[0].split("\t")[:3] == ["phenotype", "phenotype_label", "negated"]
    code, out, _ = kg(*arguments, "--format", "json", "--iris")
    data = json.loads(out)
    assert data["query"] == "disease-phenotypes"
    first = data["rows"][0]
    assert first["phenotype"] == "http://purl.obolibrary.org/obo/HP_0002105"
    assert first["quotient"] == 0.75 and first["negated"] is False and first["onset_label"] == "Congenital onset"
    assert first["publications"] == "http://www.ncbi.nlm.nih.gov/pubmed/11111111"


def test_list_parameters_may_be_repeated(build):
    code, out, _ = kg("differential", "-p", "terms=HP:0002105", "-p", "terms=HP:0002113", "--format", "json",
                      "--build", str(build))
    assert code == 0 and json.loads(out)["rows"][0]["matched"] == 2


@pytest.mark.parametrize(("argv", "message"), [
    (["nope"], "unknown query 'nope'"),
    (["differential"], "needs terms"),
    (["differential", "--param", "terms"], "--param needs NAME=VALUE"),
    (["differential", "--param", "terms=HP:12"], "malformed HP identifier: HP:12"),
    (["disease-phenotypes", "--param", "disease=OMIM:999999"], "unknown identifier OMIM:999999"),
    (["disease-phenotypes", "--param", "disease=OMIM:178550", "--param", "colour=red"], "no parameter 'colour'"),
])
def test_errors_are_one_line_and_exit_non_zero(build, argv, message):
    code, out, err = kg(*argv, "--build", str(build))
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and err.startswith("kg query: error: ") and message in err
    assert "Traceback" not in err


def test_a_missing_build_is_a_clear_error(tmp_path):
    code, _, err = kg("inheritance-modes", "--build", str(tmp_path / "nothing"))
    assert code == 2 and "no build output here (run `kg build` first" in err


def test_an_unreachable_endpoint_is_a_clear_error():
    code, _, err = kg("inheritance-modes", "--endpoint", "http://127.0.0.1:9/sparql", "--timeout", "5")
    assert code == 2 and "cannot reach the endpoint" in err and err.count("\n") == 1
