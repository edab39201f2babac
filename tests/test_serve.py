"""kg serve: a real ``oxigraph serve-read-only`` over a build, started and stopped as a user would."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

from kg.errors import InputError, StoreError
from kg.serve import SERVE_STORE, STAMP, bind_address, check_port, prepare_store, public_url
from tests.conftest import build_test_graph
from tests.servers import OXIGRAPH, free_port

needs_oxigraph = pytest.mark.skipif(OXIGRAPH is None, reason="the Oxigraph server CLI `oxigraph` is not installed "
                                                             "(pip install oxigraph==0.5.13)")


@pytest.fixture(scope="module")
def served_build(tmp_path_factory) -> Path:
    return build_test_graph(tmp_path_factory.mktemp("serve") / "build", default_documents=False)


def start(build_dir: Path, port: int, *extra: str) -> tuple[subprocess.Popen, list[str]]:
    """``kg serve`` as a child process; returns it once it printed its URL (and the lines so far)."""
    process = subprocess.Popen([sys.executable, "-m", "kg.cli", "serve", "--build", str(build_dir),
                                "--port", str(port), *extra],
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                               env={**os.environ, "PYTHONUNBUFFERED": "1"})
    lines: list[str] = []
    deadline = time.monotonic() + 60
    assert process.stdout is not None
    while time.monotonic() < deadline:
        line = process.stdout.readline()
        if not line:
            break
        lines.append(line.rstrip("\n"))
        if "press Ctrl-C to stop" in line:
            return process, lines
    process.kill()
    pytest.fail("kg serve did not start:\n" + "\n".join(lines))


def listening(port: int) -> bool:
    with socket.socket() as sock:
        return sock.connect_ex(("127.0.0.1", port)) == 0


def count(url: str, pattern: str = "?s ?p ?o") -> int:
    response = requests.post(url + "query", data={"query": f"SELECT (COUNT(*) AS ?n) WHERE {{ {pattern} }}"},
                             headers={"Accept": "application/sparql-results+json"}, timeout=30)
    response.raise_for_status()
    return int(response.json()["results"]["bindings"][0]["n"]["value"])


@needs_oxigraph
@pytest.mark.server
def test_serve_answers_sparql_read_only_and_stops_on_ctrl_c(served_build):
    import json

    port = free_port()
    process, lines = start(served_build, port)
    url = f"http://127.0.0.1:{port}/"
    try:
        assert any(line.startswith("kg serve: loading hpo.ttl") for line in lines)
        assert lines[-1].startswith("kg serve: serving ") and f"at {url} " in lines[-1]
        page = requests.get(url, timeout=10)
        assert page.status_code == 200 and "<html" in page.text.lower()  # the browser query page
        declared = {f["name"]: f["triples"] for f in json.loads((served_build / "build.json").read_text())["files"]}
        for name, triples in declared.items():
            graph = f"https://w3id.org/rdkg/graph/{name.split('.')[0]}"
            assert count(url, f"GRAPH <{graph}> {{ ?s ?p ?o }}") == triples
        assert count(url, "?s a <https://w3id.org/biolink/vocab/Disease>") > 0  # default graph = union
        refused = requests.post(url + "update", data={"update": "INSERT DATA { <urn:a> <urn:b> <urn:c> }"},
                                timeout=10)
        assert refused.status_code >= 400  # read-only
    finally:
        process.send_signal(signal.SIGINT)
        out, _ = process.communicate(timeout=30)
    assert process.returncode == 0 and out.strip().endswith("kg serve: stopped")
    assert not listening(port)

    # Second start: the store is reused, not loaded again; SIGTERM stops it as cleanly.
    process, lines = start(served_build, port)
    try:
        assert not any("loading" in line for line in lines)
        assert count(url) > 0
    finally:
        process.terminate()
        out, _ = process.communicate(timeout=30)
    assert process.returncode == 0 and "stopped" in out and not listening(port)


@needs_oxigraph
def test_store_is_reloaded_when_the_build_changes(served_build, tmp_path):
    copy = tmp_path / "build"
    shutil.copytree(served_build, copy, ignore=shutil.ignore_patterns(SERVE_STORE))
    first = prepare_store(copy)
    assert first.loaded and (first.path / STAMP).is_file()
    assert not prepare_store(copy).loaded
    with open(copy / "dataset.ttl", "a", encoding="utf-8") as handle:
        handle.write("\n<https://w3id.org/rdkg/extra> <http://www.w3.org/2000/01/rdf-schema#label> \"x\" .\n")
    assert prepare_store(copy).loaded
    assert prepare_store(copy, reload=True).loaded
    assert not any(p.name.startswith(f".{SERVE_STORE}") for p in copy.iterdir())  # no temporary left behind


@needs_oxigraph
def test_a_file_oxigraph_cannot_load_is_named_and_leaves_no_store(tmp_path):
    (tmp_path / "build.json").write_text('{"files": [{"name": "hpo.ttl"}]}')
    (tmp_path / "hpo.ttl").write_text("<https://w3id.org/t/a> <https://w3id.org/t/b> .\n")
    with pytest.raises(StoreError, match=r"hpo.ttl: `oxigraph load` failed"):
        prepare_store(tmp_path)
    assert not (tmp_path / SERVE_STORE).exists()


def test_serve_without_a_build_is_one_line(tmp_path, capsys):
    from kg.cli import main

    assert main(["serve", "--build", str(tmp_path / "none"), "--port", str(free_port())]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "no such build directory" in err[0]
    with pytest.raises(InputError, match="no RDF build output"):
        prepare_store(tmp_path)


def test_busy_port_is_refused_before_loading(served_build, capsys):
    from kg.cli import main

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        port = sock.getsockname()[1]
        assert main(["serve", "--build", str(served_build), "--port", str(port)]) == 2
    err = capsys.readouterr().err
    assert f"cannot listen on 127.0.0.1:{port}" in err and "--port" in err
    with pytest.raises(InputError, match="between 1 and 65535"):
        check_port("127.0.0.1", 70000)


def test_addresses_and_urls():
    assert bind_address("127.0.0.1", 7878) == "127.0.0.1:7878"
    assert bind_address("::1", 7878) == "[::1]:7878"
    assert public_url("0.0.0.0", 80) == "http://127.0.0.1:80/"
    assert public_url("::1", 7878) == "http://[::1]:7878/"
