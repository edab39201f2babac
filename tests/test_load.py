"""kg.load: chunking (property-based), endpoint rules, and loads into real Oxigraph and Virtuoso servers.

Faults a real store rarely shows on demand (a 503 under load, a proxy's 413 size limit) come
from a small reverse proxy (pytest-httpserver) in front of the real Oxigraph server: the data
still lands in a real store, and the count check still reads it back.
"""

from __future__ import annotations

import gzip
import itertools
from pathlib import Path

import pyoxigraph as ox
import pytest
import requests
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from werkzeug import Request, Response

from kg.errors import InputError, StoreError
from kg.load import ChunkLimit, GraphStoreClient, chunks, consistent, load, plan, query_endpoint_for
from kg.store import build_files
from tests.conftest import build_test_graph
from tests.servers import Server, free_port

_bases = itertools.count()


def fresh_base() -> str:
    """A base IRI no other test uses, so tests sharing a session server do not see each other."""
    return f"https://w3id.org/rdkg/test-load/{next(_bases)}/"


@pytest.fixture(scope="module")
def small_build(tmp_path_factory) -> Path:
    return build_test_graph(tmp_path_factory.mktemp("load") / "build")


def triple_counts(build_dir: Path) -> dict[str, int]:
    import json

    return {f["name"]: f["triples"] for f in json.loads((build_dir / "build.json").read_text())["files"]}


def drop(server: Server, report) -> None:
    for g in report.graphs:
        server.drop_graph(g.graph)


# --------------------------------------------------------------------------- no server needed

@pytest.mark.parametrize(("gsp", "sparql"), [
    ("http://localhost:7878/store", "http://localhost:7878/query"),
    ("http://h:8890/sparql-graph-crud-auth", "http://h:8890/sparql"),
    ("http://h:8890/sparql-graph-crud", "http://h:8890/sparql"),
    ("http://h:3030/rdkg/data", "http://h:3030/rdkg/sparql"),
    ("http://h:7200/repositories/rdkg/rdf-graphs/service", "http://h:7200/repositories/rdkg"),
    ("http://h/unknown/endpoint", None),
])
def test_query_endpoint_beside_each_known_graph_store(gsp, sparql):
    assert query_endpoint_for(gsp) == sparql


def test_plan_puts_each_file_in_its_named_graph(small_build):
    targets = plan([small_build])
    assert {t.path.name: t.graph for t in targets} == {
        name: f"https://w3id.org/rdkg/graph/{name.split('.')[0]}" for name in triple_counts(small_build)}
    assert {t.graph for t in plan([small_build], graph="urn:x:all")} == {"urn:x:all"}
    assert {t.graph for t in plan([small_build], graph=None)} == {None}
    assert [t.graph for t in plan([small_build / "hpo.ttl"], base_iri="https://w3id.org/other/")] == [
        "https://w3id.org/other/graph/hpo"]


def test_a_graph_written_in_two_formats_is_loaded_once(tmp_path):
    for name in ("hpo.ttl", "hpo.nt.gz", "hpoa.ttl.gz", "dataset.ttl"):
        (tmp_path / name).write_bytes(b"")
    assert sorted(t.path.name for t in plan([tmp_path])) == ["dataset.ttl", "hpo.nt.gz", "hpoa.ttl.gz"]


def test_plan_refuses_what_it_cannot_load(tmp_path):
    with pytest.raises(InputError, match="no such file"):
        plan([tmp_path / "missing"])
    with pytest.raises(InputError, match="no RDF build output"):
        plan([tmp_path])
    (tmp_path / "notes.txt").write_text("hello")
    with pytest.raises(InputError, match="not an RDF file"):
        plan([tmp_path / "notes.txt"])


def test_consistency_rule():
    assert consistent(0, 10, 10) and not consistent(0, 9, 10)
    assert consistent(5, 12, 10) and consistent(5, 15, 10) and not consistent(5, 16, 10)
    assert not consistent(20, 19, 10)


_iri = st.from_regex(r"https://w3id\.org/t/[a-z]{1,3}", fullmatch=True).map(ox.NamedNode)
_bnode = st.sampled_from(["b1", "b2", "b3"]).map(ox.BlankNode)
_literal = st.one_of(
    st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=40).map(ox.Literal),
    st.integers().map(lambda i: ox.Literal(str(i), datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#integer"))),
    st.text("abc _:.", max_size=10).map(lambda t: ox.Literal(t, language="en")),
)
_triples = st.lists(st.builds(ox.Triple, st.one_of(_iri, _bnode), _iri, st.one_of(_iri, _bnode, _literal)),
                    max_size=120)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(triples=_triples, limit=st.integers(1024, 4096), fmt=st.sampled_from(["nt", "ttl", "nt.gz"]))
def test_chunks_carry_every_triple_once_within_the_limit_and_blank_nodes_together(tmp_path, triples, limit, fmt):
    rdf_format = ox.RdfFormat.N_TRIPLES if fmt.startswith("nt") else ox.RdfFormat.TURTLE
    data = ox.serialize(triples, format=rdf_format) or b""
    path = tmp_path / f"g.{fmt}"
    path.write_bytes(gzip.compress(data) if fmt.endswith(".gz") else data)
    out = list(chunks(path, ChunkLimit(limit)))
    received = [t for c in out for t in ox.parse(c.body, format=ox.RdfFormat.N_TRIPLES)]
    assert sum(c.triples for c in out) == len(received)
    key = sorted(map(str, ox.parse(data, format=rdf_format)))
    assert sorted(map(str, received)) == key  # labels kept, so blank nodes compare as written
    for chunk in out:
        assert len(chunk.body) <= limit or chunk.triples == 1 or chunk.blank_nodes
    blank = [c for c in out if c.blank_nodes]
    assert len(blank) <= 1 and (not blank or blank[0] is out[-1])
    has_blank = [t for t in received if isinstance(t.subject, ox.BlankNode) or isinstance(t.object, ox.BlankNode)]
    assert len(has_blank) == (blank[0].triples if blank else 0)


def test_a_syntax_error_names_the_file(tmp_path):
    path = tmp_path / "broken.ttl"
    path.write_text("<https://w3id.org/t/a> <https://w3id.org/t/b> <https://w3id.org/t/c> .\n<oops> .\n")
    with pytest.raises(InputError, match="broken.ttl.*not valid RDF"):
        list(chunks(path))


def test_unreachable_store_is_a_clear_error_after_retries(small_build):
    url = f"http://127.0.0.1:{free_port()}/store"
    with pytest.raises(StoreError, match=r"cannot reach the store after 2 attempts"):
        load([small_build], url, retries=1, timeout=5)


def test_unknown_query_endpoint_needs_sparql_or_no_verify(small_build):
    with pytest.raises(StoreError, match="--sparql"):
        load([small_build], "http://127.0.0.1:9/custom/gsp")


# --------------------------------------------------------------------------- Oxigraph server


@pytest.mark.server
def test_load_into_oxigraph_named_graphs_and_verify(small_build, oxigraph_server):
    base = fresh_base()
    report = load([small_build], oxigraph_server.gsp_url, base_iri=base)
    try:
        counts = triple_counts(small_build)
        assert {g.graph: g.after for g in report.graphs} == {
            f"{base}graph/{name.split('.')[0]}": n for name, n in counts.items()}
        assert report.triples_sent == sum(counts.values())
        assert all(g.verified and g.before == 0 for g in report.graphs)
        # Loading again without --replace adds nothing new: consistent, still verified.
        again = load([small_build], oxigraph_server.gsp_url, base_iri=base)
        assert all(g.before == g.after for g in again.graphs)
        # --replace empties first.
        replaced = load([small_build], oxigraph_server.gsp_url, base_iri=base, replace=True)
        assert all(g.before == 0 and g.verified for g in replaced.graphs)
    finally:
        drop(oxigraph_server, report)


@pytest.mark.server
def test_one_graph_for_everything_counts_distinct_triples(small_build, oxigraph_server):
    graph = fresh_base() + "all"
    files = build_files(small_build)
    report = load(files + [files[0]], oxigraph_server.gsp_url, graph=graph)  # one file twice: duplicates
    try:
        [g] = report.graphs
        assert g.triples_sent == sum(triple_counts(small_build).values()) + triple_counts(small_build)[files[0].name]
        assert g.distinct is not None and g.after == g.distinct < g.triples_sent and g.verified
    finally:
        drop(oxigraph_server, report)


@pytest.mark.server
def test_ntriples_gzip_build_loads_the_same(tmp_path, oxigraph_server):
    from kg.export import Format

    out = build_test_graph(tmp_path / "build", formats=(Format.NTRIPLES,), compress=True, default_documents=False)
    assert {p.name for p in build_files(out)} == {"hpo.nt.gz", "hpoa.nt.gz", "dataset.nt.gz"}
    base = fresh_base()
    report = load([out], oxigraph_server.gsp_url, base_iri=base, chunk_bytes=8 << 10)
    try:
        assert {g.graph.rsplit("/", 1)[1]: g.after for g in report.graphs} == {
            name.split(".")[0]: n for name, n in triple_counts(out).items()}
        assert report.requests > len(report.graphs)  # 8 KiB chunks: several requests per file
    finally:
        drop(oxigraph_server, report)


@pytest.mark.server
def test_default_graph_load(small_build, oxigraph_server):
    path = small_build / "hpo.ttl"
    report = load([path], oxigraph_server.gsp_url, graph=None, replace=True)
    try:
        [g] = report.graphs
        assert g.graph is None and g.after == triple_counts(small_build)["hpo.ttl"] and g.verified
    finally:
        requests.delete(oxigraph_server.gsp_url, params={"default": ""}, timeout=30)


@pytest.mark.server
def test_cli_reports_sent_and_verified(small_build, oxigraph_server, capsys):
    from kg.cli import main

    graph = fresh_base() + "cli"
    try:
        assert main(["load", str(small_build), "--endpoint", oxigraph_server.gsp_url, "--graph", graph]) == 0
        out = capsys.readouterr().out
        total = sum(triple_counts(small_build).values())
        assert f"{graph}: {total:,} triples sent from " in out and "(verified)" in out
        assert f"loaded {total:,} triples into 1 graphs of {oxigraph_server.gsp_url}" in out
        # An error is one line on stderr and exit status 2.
        assert main(["load", str(small_build / "nope.ttl"), "--endpoint", oxigraph_server.gsp_url]) == 2
        err = capsys.readouterr().err.strip().splitlines()
        assert len(err) == 1 and err[0].startswith("kg load: error:") and "nope.ttl" in err[0]
    finally:
        oxigraph_server.drop_graph(graph)


@pytest.fixture()
def faulty_proxy(httpserver, oxigraph_server):
    """A reverse proxy to the real Oxigraph that fails on command: 503s, a body size limit, a 401."""
    state = {"fail_next": 0, "max_body": None, "require_auth": False, "posts": 0, "seen_sizes": []}

    def handler(request: Request) -> Response:
        if state["require_auth"] and not request.headers.get("Authorization"):
            return Response("", 401, {"WWW-Authenticate": 'Basic realm="store"'})
        if request.method == "POST" and request.path == "/store":
            state["posts"] += 1
            state["seen_sizes"].append(len(request.get_data()))
            if state["fail_next"]:
                state["fail_next"] -= 1
                return Response("busy", 503)
            if state["max_body"] is not None and len(request.get_data()) > state["max_body"]:
                return Response("too large", 413)
        upstream = requests.request(request.method, oxigraph_server.base_url + request.path,
                                    params=request.args, data=request.get_data(),
                                    headers={k: v for k, v in request.headers.items()
                                             if k.lower() in ("content-type", "accept")}, timeout=60)
        return Response(upstream.content, upstream.status_code,
                        {k: v for k, v in upstream.headers.items() if k.lower() in ("content-type", "server")})

    for path in ("/store", "/query"):
        httpserver.expect_request(path).respond_with_handler(handler)
    state["gsp"] = httpserver.url_for("/store")
    return state


@pytest.mark.server
def test_transient_503_is_retried(small_build, faulty_proxy, oxigraph_server):
    faulty_proxy["fail_next"] = 2
    report = load([small_build / "hpoa.ttl"], faulty_proxy["gsp"], graph=fresh_base() + "retry", retries=3)
    try:
        [g] = report.graphs
        assert g.verified and g.after == triple_counts(small_build)["hpoa.ttl"]
        assert faulty_proxy["posts"] == g.requests + 2
    finally:
        drop(oxigraph_server, report)


@pytest.mark.server
def test_transient_errors_beyond_the_retries_stop_with_the_status(small_build, faulty_proxy):
    faulty_proxy["fail_next"] = 10
    with pytest.raises(StoreError, match="HTTP 503"):
        load([small_build / "hpoa.ttl"], faulty_proxy["gsp"], graph=fresh_base() + "x", retries=1)


@pytest.mark.server
def test_413_halves_the_chunks_until_the_store_takes_them(small_build, faulty_proxy, oxigraph_server):
    faulty_proxy["max_body"] = 40_000
    report = load([small_build / "documents.ttl"], faulty_proxy["gsp"], graph=fresh_base() + "small-bodies",
                  chunk_bytes=256 << 10)
    try:
        [g] = report.graphs
        assert g.verified and g.after == triple_counts(small_build)["documents.ttl"]
        accepted = [s for s in faulty_proxy["seen_sizes"] if s <= 40_000]
        assert max(faulty_proxy["seen_sizes"]) > 40_000 and len(accepted) == g.requests
    finally:
        drop(oxigraph_server, report)


@pytest.mark.server
def test_413_below_the_smallest_chunk_is_a_clear_error(small_build, faulty_proxy):
    faulty_proxy["max_body"] = 100
    with pytest.raises(StoreError, match="refuses even .*HTTP 413.*request size limit"):
        load([small_build / "hpo.ttl"], faulty_proxy["gsp"], graph=fresh_base() + "tiny")


@pytest.mark.server
def test_basic_auth_challenge_without_credentials(small_build, faulty_proxy):
    faulty_proxy["require_auth"] = True
    with pytest.raises(StoreError, match="requires authentication.*--user"):
        load([small_build / "hpo.ttl"], faulty_proxy["gsp"])


# --------------------------------------------------------------------------- Virtuoso

@pytest.mark.server
def test_load_into_virtuoso_with_digest_auth(small_build, virtuoso_server):
    base = fresh_base()
    report = load([small_build], virtuoso_server.gsp_url, user="dba", password="dba", base_iri=base, replace=True)
    try:
        counts = triple_counts(small_build)
        assert {g.graph: g.after for g in report.graphs} == {
            f"{base}graph/{name.split('.')[0]}": n for name, n in counts.items()}
        assert all(g.verified for g in report.graphs)
    finally:
        drop(virtuoso_server, report)


@pytest.mark.server
def test_virtuoso_refusals_are_clear(small_build, virtuoso_server):
    with pytest.raises(StoreError, match="requires authentication"):
        load([small_build / "hpo.ttl"], virtuoso_server.gsp_url, base_iri=fresh_base())
    with pytest.raises(StoreError, match="refused the credentials of user 'dba'"):
        load([small_build / "hpo.ttl"], virtuoso_server.gsp_url, user="dba", password="wrong", base_iri=fresh_base())
    client = GraphStoreClient(virtuoso_server.gsp_url, user="dba", password="dba")
    try:
        client.settle_auth("urn:x:bad")
        with pytest.raises(StoreError, match=r"HTTP 500"):  # Virtuoso's own message, unwrapped from its HTML
            client.post("urn:x:bad", b"this is not RDF .\n")
    finally:
        client.close()
