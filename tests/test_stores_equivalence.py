"""Every canned query gives the same rows on the embedded store, Oxigraph server and Virtuoso.

A real ``kg build`` of the test inputs (the hp.obo slice, the 32-row HPOA and the committed
document records) is loaded into each server the way the README says: Oxigraph with
``kg load`` over the Graph Store Protocol, Virtuoso with its bulk loader (``ld_dir`` +
``rdf_loader_run`` through ``isql-vt``). Each query then runs through ``kg query --endpoint``
(the CLI entry point, in process, JSON output with full IRIs) with its documented example
and with parameter values drawn from the graph itself (every disease, phenotype, mode of
inheritance, statement), and its rows are compared with the embedded store's: as multisets
(order-insensitive), with literals by value (numbers to 6 significant digits: Virtuoso
prints an aggregated double such as MAX(?quotient) with 6).
"""

from __future__ import annotations

import contextlib
import io
import json
import math
from pathlib import Path

import pytest

from kg import query as q
from kg.cli import main
from kg.curie import compress
from kg.store import EmbeddedStore, build_base_iri, build_files, graph_iri
from tests.conftest import build_test_graph
from tests.servers import Server

pytestmark = pytest.mark.server

QUERIES = q.load_queries()
BIOLINK = "https://w3id.org/biolink/vocab/"
RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
#: Values drawn from the graph per parameter type (a handful each keeps the test fast).
PER_TYPE = 6


@pytest.fixture(scope="module")
def test_build(tmp_path_factory) -> Path:
    return build_test_graph(tmp_path_factory.mktemp("equivalence") / "build", store=True)


def _column(store: EmbeddedStore, query: str) -> list[str]:
    return [row[0].value for row in store.select(query).rows if row[0] is not None]


@pytest.fixture(scope="module")
def argument_sets(test_build) -> dict[str, list[dict[str, str]]]:
    """For each query: its example arguments, then arguments drawn from the test graph."""
    store = EmbeddedStore.for_build(test_build)
    try:
        diseases = _column(store, f"SELECT DISTINCT ?d WHERE {{ ?d a <{BIOLINK}Disease> }} ORDER BY ?d")
        phenotypes = _column(store, f"SELECT DISTINCT ?p WHERE {{ ?a <{RDF}predicate> <{BIOLINK}has_phenotype> ; "
                                    f"<{RDF}object> ?p }} ORDER BY ?p")
        modes = _column(store, f"SELECT DISTINCT ?m WHERE {{ ?d <{BIOLINK}has_mode_of_inheritance> ?m }} ORDER BY ?m")
        statements = _column(store, f"SELECT ?a WHERE {{ ?a <{RDF}subject> ?s }} ORDER BY ?a")
        instances = _column(store, "SELECT (MIN(STR(?s)) AS ?first) WHERE { ?s a ?type FILTER(isIRI(?s)) } "
                                   "GROUP BY ?type ORDER BY ?first")
        labels = _column(store, f"SELECT ?l WHERE {{ ?d a <{BIOLINK}Disease> ; "
                                "<http://www.w3.org/2000/01/rdf-schema#label> ?l } ORDER BY ?l")
    finally:
        store.close()
    assert diseases and phenotypes and modes and statements, "the test build lacks the nodes the queries need"

    def spread(values: list[str]) -> list[str]:
        step = max(1, len(values) // PER_TYPE)
        return values[::step][:PER_TYPE]

    curie = {v: compress(v) or v for v in diseases + phenotypes + modes}
    identified = [d for d in diseases if curie[d].split(":", 1)[0] in q.DISEASE_PREFIXES]
    pools = {
        q.ParamType.DISEASE: [curie[d] for d in spread(identified)],
        q.ParamType.HPO: [curie[p] for p in spread(phenotypes)] + [curie[m] for m in modes[:2]],
        q.ParamType.IRI: sorted(set(spread(statements)[:2] + spread(instances))),
        q.ParamType.CURIE: [curie[d] for d in spread(identified)[:3]],
        q.ParamType.STRING: sorted({w.lower() for label in labels for w in label.split() if len(w) > 5})[:3],
        q.ParamType.BOOLEAN: ["true", "false"],
        q.ParamType.INTEGER: ["1", "3"],
    }
    sets: dict[str, list[dict[str, str]]] = {}
    for name, canned in QUERIES.items():
        found = [dict(canned.example_arguments)]
        defaults = {p.name: p.example for p in canned.parameters if p.required}
        if defaults not in found:
            found.append(defaults)
        for param in canned.parameters:
            if param.type is q.ParamType.LIMIT:
                continue
            for value in pools.get(param.type, []):
                if param.multiple and param.type is q.ParamType.HPO:
                    value = ",".join(pools[q.ParamType.HPO][:3])
                arguments = {**defaults, param.name: value}
                if arguments not in found:
                    found.append(arguments)
        sets[name] = found
    return sets


def _load_servers(test_build: Path, oxigraph: Server, virtuoso: Server) -> None:
    files = build_files(test_build)
    base = build_base_iri(test_build)
    run_cli(["load", str(test_build), "--endpoint", oxigraph.gsp_url, "--replace"])
    virtuoso.bulk_load(files, [graph_iri(f, base) for f in files])


@pytest.fixture(scope="module")
def stores(test_build, oxigraph_server, virtuoso_server) -> dict[str, list[str]]:
    """``kg query`` arguments that select each store, the build loaded into both servers."""
    _load_servers(test_build, oxigraph_server, virtuoso_server)
    yield {"embedded": ["--build", str(test_build)],
           "oxigraph": ["--endpoint", oxigraph_server.sparql_url],
           "virtuoso": ["--endpoint", virtuoso_server.sparql_url]}
    for path in build_files(test_build):  # leave the session servers as they were
        graph = graph_iri(path, build_base_iri(test_build))
        oxigraph_server.drop_graph(graph)
        virtuoso_server.drop_graph(graph)


def run_cli(argv: list[str], *, check: bool = True) -> tuple[int, str, str]:
    """``kg ARGV`` in process: (exit code, stdout, stderr); with ``check`` a non-zero exit fails the test."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(argv)
    if check:
        assert code == 0, f"kg {' '.join(argv)} exited {code}: {err.getvalue().strip()}"
    return code, out.getvalue(), err.getvalue()


def _value(value: object) -> object:
    """Literals by value: numbers as floats to 6 significant digits (Virtuoso prints aggregated doubles so)."""
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, (int, float)):
        return float(f"{float(value):.6g}") if math.isfinite(value) else str(value)
    return value


def answer(name: str, arguments: dict[str, str], where: list[str]) -> list[str] | str:
    """The rows of ``kg query NAME`` as a sorted list of canonical JSON rows, or its error line."""
    argv = ["query", name, "--format", "json", "--iris", *where]
    for key, value in arguments.items():
        argv += ["--param", f"{key}={value}"]
    code, out, err = run_cli(argv, check=False)
    if code != 0:
        return err.strip()
    rows = json.loads(out)["rows"]
    return sorted(json.dumps({k: _value(v) for k, v in row.items()}, sort_keys=True) for row in rows)


_EMBEDDED: dict[str, list[list[str] | str]] = {}

#: Canned queries Virtuoso 7.2 answers wrongly or refuses, with the reason: none left. (Earlier
#: versions hit Virtuoso SP031, an aggregate alias inside an ORDER BY expression, and SQ156 or wrong
#: rows from a boolean VALUES constant in FILTER(?flag || ...); the queries were made portable.)
VIRTUOSO_KNOWN: dict[str, str] = {}


def _cases() -> list:
    cases = []
    for name in sorted(QUERIES):
        for store in ("oxigraph", "virtuoso"):
            marks = []
            if store == "virtuoso" and name in VIRTUOSO_KNOWN:
                marks = [pytest.mark.xfail(reason=VIRTUOSO_KNOWN[name], raises=AssertionError, strict=False)]
            cases.append(pytest.param(name, store, marks=marks, id=f"{name}-{store}"))
    return cases


@pytest.mark.parametrize(("name", "store"), _cases())
def test_every_canned_query_gives_the_same_rows(name, store, stores, argument_sets):
    """Same rows (or the same refusal, e.g. an example identifier absent from the test graph)."""
    if name not in _EMBEDDED:
        _EMBEDDED[name] = [answer(name, arguments, stores["embedded"]) for arguments in argument_sets[name]]
    expected_all = _EMBEDDED[name]
    assert any(isinstance(e, list) and e for e in expected_all), \
        f"{name}: no argument set gave any row on the test build, so nothing would be compared"
    for arguments, expected in zip(argument_sets[name], expected_all):
        got = answer(name, arguments, stores[store])
        if isinstance(expected, str):
            assert got == expected, f"{name} {arguments}: embedded refused ({expected}); {store} answered {got!r:.300}"
            continue
        assert isinstance(got, list), f"{name} {arguments} failed on {store}: {got}"
        missing = [r for r in expected if r not in got][:3]
        extra = [r for r in got if r not in expected][:3]
        assert got == expected, (f"{name} {arguments} on {store}: {len(got)} rows, embedded {len(expected)};\n"
                                 f"missing {missing}\nextra {extra}")


def test_the_servers_hold_exactly_the_build(stores, oxigraph_server, virtuoso_server, test_build):
    """Per-graph triple counts equal build.json's in both servers (so the bulk loader lost nothing)."""
    from kg.load import GraphStoreClient

    summary = json.loads((test_build / "build.json").read_text())
    declared = {Path(f["name"]).name: f["triples"] for f in summary["files"]}
    for server in (oxigraph_server, virtuoso_server):
        client = GraphStoreClient(server.gsp_url, query_url=server.sparql_url)
        try:
            for path in build_files(test_build):
                assert client.count(graph_iri(path, build_base_iri(test_build))) == declared[path.name], server.name
        finally:
            client.close()
