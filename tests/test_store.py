"""kg.store: one contract every store implementation meets, and the on-disk embedded store's life cycle.

The contract runs on the embedded pyoxigraph store, on rdflib, and on a real Oxigraph server
reached over HTTP (the remote endpoint client); error handling of the client is checked
against a real local HTTP server that answers badly (pytest-httpserver).
"""

from __future__ import annotations

import gzip
import json
import os
import shutil
import time
from pathlib import Path

import pytest
import requests

from kg import store as kstore
from kg.errors import StoreError
from kg.store import (
    EmbeddedStore,
    EndpointStore,
    RdflibStore,
    Term,
    create_embedded_store,
    ensure_embedded_store,
    graph_iri,
    is_fresh,
    store_path,
)
from tests.servers import OXIGRAPH, start_oxigraph

XSD = "http://www.w3.org/2001/XMLSchema#"
A_TTL = """@prefix ex: <https://w3id.org/rdkg/test/> .
ex:a ex:name "alpha" ; ex:count 3 ; ex:label "Husten"@de ; ex:link ex:b .
"""
B_TTL = """@prefix ex: <https://w3id.org/rdkg/test/> .
ex:b ex:name "beta" ; ex:flag true .
"""
EX = "https://w3id.org/rdkg/test/"


def make_build(directory: Path, files: dict[str, str] | None = None) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    for name, text in (files or {"a.ttl": A_TTL, "b.ttl": B_TTL}).items():
        (directory / name).write_text(text, encoding="utf-8")
    return directory


@pytest.fixture(scope="module")
def build(tmp_path_factory) -> Path:
    directory = make_build(tmp_path_factory.mktemp("store") / "build")
    create_embedded_store(directory, sorted(directory.glob("*.ttl")))
    return directory


@pytest.fixture(scope="module")
def oxigraph_endpoint(build, tmp_path_factory):
    if OXIGRAPH is None:
        pytest.skip("the Oxigraph server CLI `oxigraph` is not installed (pip install oxigraph==0.5.13)")
    server = start_oxigraph(tmp_path_factory.mktemp("oxigraph-server"))
    try:
        for path in sorted(build.glob("*.ttl")):
            response = requests.post(server.gsp_url, params={"graph": graph_iri(path)}, data=path.read_bytes(),
                                     headers={"Content-Type": "text/turtle"}, timeout=30)
            assert response.status_code in (200, 201, 204), response.text
        yield server.sparql_url
    finally:
        server.stop()


@pytest.fixture(params=["embedded", "rdflib", pytest.param("endpoint", marks=pytest.mark.server)])
def any_store(request, build):
    if request.param == "embedded":
        store = EmbeddedStore.for_build(build)
    elif request.param == "rdflib":
        store = RdflibStore.for_build(build)
    else:
        store = EndpointStore(request.getfixturevalue("oxigraph_endpoint"), timeout=30)
    yield store
    store.close()


# ----------------------------------------------------------------------------- the contract

def test_select_gives_engine_neutral_terms(any_store):
    result = any_store.select(f"""SELECT ?s ?name ?count ?label ?missing WHERE {{
        ?s <{EX}name> ?name . OPTIONAL {{ ?s <{EX}count> ?count }} OPTIONAL {{ ?s <{EX}label> ?label }}
        OPTIONAL {{ ?s <{EX}nothing> ?missing }} }} ORDER BY ?name""")
    assert result.columns == ("s", "name", "count", "label", "missing")
    assert result.rows == (
        (Term.iri(EX + "a"), Term.literal("alpha"), Term.literal("3", XSD + "integer"),
         Term.literal("Husten", language="de"), None),
        (Term.iri(EX + "b"), Term.literal("beta"), None, None, None),
    )
    assert result.rows[0][1].datatype == XSD + "string"


def test_ask(any_store):
    assert any_store.ask(f"ASK {{ <{EX}b> <{EX}flag> true }}") is True
    assert any_store.ask(f"ASK {{ <{EX}b> <{EX}flag> false }}") is False


def test_the_default_graph_is_the_union_of_one_named_graph_per_file(any_store):
    both = any_store.select(f"SELECT ?n WHERE {{ <{EX}a> <{EX}link> ?b . ?b <{EX}name> ?n }}")
    assert both.rows == ((Term.literal("beta"),),)  # a join across the two files
    graphs = any_store.select("SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } } ORDER BY ?g")
    assert [row[0].value for row in graphs.rows] == ["https://w3id.org/rdkg/graph/a", "https://w3id.org/rdkg/graph/b"]


def test_bad_sparql_is_a_store_error(any_store):
    with pytest.raises(StoreError):
        any_store.select("SELECT ?x WHERE { ?x ")


# ----------------------------------------------------------------------------- the embedded store on disk

def test_created_once_atomically_with_a_fingerprint(build):
    path = store_path(build)
    assert path.is_dir() and (path / kstore.MANIFEST_NAME).is_file()
    manifest = json.loads((path / kstore.MANIFEST_NAME).read_text())
    assert [f["name"] for f in manifest["files"]] == ["a.ttl", "b.ttl"]
    assert is_fresh(build)
    assert not [p for p in build.iterdir() if p.name.startswith(".store-")]  # no temporary folder left


def test_reused_while_fresh_and_rebuilt_when_a_file_changes(tmp_path):
    build = make_build(tmp_path / "build")
    assert not is_fresh(build)
    path = ensure_embedded_store(build)  # made lazily, as `kg query` does
    made = (path / kstore.MANIFEST_NAME).stat().st_mtime_ns
    assert ensure_embedded_store(build) == path
    assert (path / kstore.MANIFEST_NAME).stat().st_mtime_ns == made  # reused, not reloaded
    (build / "b.ttl").write_text(B_TTL.replace('"beta"', '"gamma"'), encoding="utf-8")
    os.utime(build / "b.ttl", ns=(time.time_ns(), time.time_ns() + 10**9))
    assert not is_fresh(build)
    store = EmbeddedStore.for_build(build)
    names = {row[0].value for row in store.select(f"SELECT ?n WHERE {{ ?s <{EX}name> ?n }}").rows}
    assert names == {"alpha", "gamma"}
    assert is_fresh(build)


def test_two_readers_at_once(build):
    first, second = EmbeddedStore.for_build(build), EmbeddedStore.for_build(build)
    query = f"ASK {{ <{EX}a> <{EX}name> \"alpha\" }}"
    assert first.ask(query) and second.ask(query)


def test_a_moved_build_keeps_its_store(build, tmp_path):
    moved = tmp_path / "moved"
    shutil.copytree(build, moved, copy_function=shutil.copy2)
    assert is_fresh(moved)


def test_the_build_json_file_list_is_used(tmp_path):
    build = make_build(tmp_path / "build", {"a.ttl": A_TTL, "b.ttl": B_TTL, "stray.ttl": B_TTL})
    (build / "build.json").write_text(json.dumps({"files": [{"name": "a.ttl"}, {"name": "b.ttl"}]}))
    assert [p.name for p in kstore.build_files(build)] == ["a.ttl", "b.ttl"]


def test_one_format_per_graph_and_gzip(tmp_path):
    build = make_build(tmp_path / "build", {"a.ttl": A_TTL})
    (build / "a.nt").write_text(f'<{EX}a> <{EX}name> "alpha" .\n', encoding="utf-8")
    with gzip.open(build / "b.ttl.gz", "wt", encoding="utf-8") as handle:
        handle.write(B_TTL)
    assert [p.name for p in kstore.choose_files(kstore.build_files(build))] == ["a.nt", "b.ttl.gz"]
    store = EmbeddedStore.for_build(build)
    assert store.ask(f"ASK {{ GRAPH <https://w3id.org/rdkg/graph/b> {{ <{EX}b> <{EX}flag> true }} }}")
    assert not store.ask(f"ASK {{ <{EX}a> <{EX}count> 3 }}")  # a.nt was loaded, not a.ttl


def test_graphs_are_named_under_the_builds_base_iri(tmp_path):
    dataset = ('@prefix void: <http://rdfs.org/ns/void#> .\n'
               '<https://w3id.org/other-kg/dataset> void:uriSpace "https://w3id.org/other-kg/" .\n')
    build = make_build(tmp_path / "build", {"a.ttl": A_TTL, "dataset.ttl": dataset})
    store = EmbeddedStore.for_build(build)
    graphs = store.select("SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } } ORDER BY ?g")
    assert [row[0].value for row in graphs.rows] == ["https://w3id.org/other-kg/graph/a",
                                                     "https://w3id.org/other-kg/graph/dataset"]
    assert kstore.build_base_iri(build) == "https://w3id.org/other-kg/"


def test_a_broken_file_keeps_the_previous_store(tmp_path):
    build = make_build(tmp_path / "build")
    path = ensure_embedded_store(build)
    (build / "b.ttl").write_text("<broken", encoding="utf-8")
    with pytest.raises(StoreError, match=r"b\.ttl: cannot be loaded"):
        create_embedded_store(build, sorted(build.glob("*.ttl")))
    assert EmbeddedStore(path).ask(f"ASK {{ <{EX}b> <{EX}name> \"beta\" }}")
    assert not [p for p in build.iterdir() if p.name.startswith(".store-")]


@pytest.mark.parametrize(("files", "message"), [
    ([], "no RDF files"),
    (["notes.txt"], "not an RDF file"),
    (["missing.ttl"], "file not found"),
])
def test_refused_inputs(tmp_path, files, message):
    (tmp_path / "notes.txt").write_text("hello")
    with pytest.raises(StoreError, match=message):
        create_embedded_store(tmp_path, [tmp_path / f for f in files])


def test_no_build_output_is_a_clear_error(tmp_path):
    with pytest.raises(StoreError, match="no build output here"):
        ensure_embedded_store(tmp_path)


# ----------------------------------------------------------------------------- the endpoint client's errors

def test_endpoint_http_error_names_the_status(httpserver):
    httpserver.expect_request("/sparql", method="POST").respond_with_data("Parse error: line 1", status=400)
    with pytest.raises(StoreError, match=r"HTTP 400 .*Parse error: line 1"):
        EndpointStore(httpserver.url_for("/sparql")).select("SELECT * WHERE { ?s ?p ?o }")


def test_endpoint_non_json_answer(httpserver):
    httpserver.expect_request("/sparql").respond_with_data("<html>login</html>", content_type="text/html")
    with pytest.raises(StoreError, match=r"not SPARQL JSON results \(Content-Type text/html"):
        EndpointStore(httpserver.url_for("/sparql")).select("SELECT * WHERE { ?s ?p ?o }")


def test_endpoint_virtuoso_typed_literals_are_read(httpserver):
    body = {"head": {"vars": ["n", "x"]}, "results": {"bindings": [
        {"n": {"type": "typed-literal", "datatype": XSD + "integer", "value": "7"},
         "x": {"type": "literal", "xml:lang": "en", "value": "cough"}}]}}
    httpserver.expect_request("/sparql").respond_with_json(body)
    result = EndpointStore(httpserver.url_for("/sparql")).select("SELECT ?n ?x WHERE {}")
    assert result.rows == ((Term.literal("7", XSD + "integer"), Term.literal("cough", language="en")),)


def test_endpoint_sends_the_query_as_a_form_post(httpserver):
    httpserver.expect_request("/sparql", method="POST", data="query=ASK+%7B%7D",
                              headers={"Accept": "application/sparql-results+json"}).respond_with_json(
        {"head": {}, "boolean": True})
    assert EndpointStore(httpserver.url_for("/sparql")).ask("ASK {}") is True


def test_endpoint_timeout(httpserver):
    def slow(request):
        time.sleep(2)
        from werkzeug import Response
        return Response("{}", content_type="application/json")
    httpserver.expect_request("/sparql").respond_with_handler(slow)
    with pytest.raises(StoreError, match="no answer within 0.5 s"):
        EndpointStore(httpserver.url_for("/sparql"), timeout=0.5).select("SELECT * WHERE { ?s ?p ?o }")


def test_endpoint_url_must_be_http():
    with pytest.raises(StoreError, match="not an http"):
        EndpointStore("ftp://example.invalid/sparql")
