"""kg fetch against REAL local HTTP servers: success, 304s, and every fault leaves old files intact.

Two servers: pytest-httpserver (werkzeug) for well-formed HTTP (200, 304, 404, 500, 503), and
a raw socket server in a thread for what a well-behaved framework cannot send: connection
resets, stalls, bodies shorter or longer than their Content-Length. After every failure the
whole inputs directory (files, manifest, no leftover temporary files) is byte-identical.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import os
import signal
import socket
import struct
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from werkzeug import Request, Response

from kg import manifest
from kg.cli import main
from kg.errors import DownloadError, InputError
from kg.fetch import SOURCES, Policy, fetch

FAST = Policy(timeout=2.0, retries=2, backoff=0.0)

OBO_TEMPLATE = """format-version: 1.2
data-version: hp/releases/{version}
ontology: hp

[Term]
id: HP:0000001
name: All

[Term]
id: HP:0000118
name: Phenotypic abnormality
is_a: HP:0000001 ! All

[Term]
id: HP:0000005
name: Mode of inheritance
is_a: HP:0000001 ! All

[Term]
id: HP:0000006
name: Autosomal dominant inheritance
is_a: HP:0000005 ! Mode of inheritance

[Term]
id: HP:0001250
name: Seizure
alt_id: HP:0001251
is_a: HP:0000118 ! Phenotypic abnormality

[Term]
id: HP:0001252
name: Hypotonia
is_a: HP:0000118 ! Phenotypic abnormality

[Term]
id: HP:0040279
name: Frequency
is_a: HP:0000001 ! All

[Term]
id: HP:0040283
name: Occasional
is_a: HP:0040279 ! Frequency
"""

HPOA_HEADER = ("database_id\tdisease_name\tqualifier\thpo_id\treference\tevidence\tonset\tfrequency\tsex\t"
               "modifier\taspect\tbiocuration\n")
HPOA_ROWS = (
    "OMIM:100001\tMade-up syndrome one\t\tHP:0001250\tPMID:1\tPCS\t\t1/2\t\t\tP\tHPO:tester[2025-01-01]\n"
    "OMIM:100001\tMade-up syndrome one\tNOT\tHP:0001252\tOMIM:100001\tIEA\t\t\t\t\tP\tHPO:tester[2025-01-01]\n"
    "OMIM:100001\tMade-up syndrome one\t\tHP:0000006\tOMIM:100001\tIEA\t\t\t\t\tI\tHPO:tester[2025-01-01]\n"
    "ORPHA:2001\tMade-up disease two\t\tHP:0001252\tORPHA:2001\tTAS\t\tHP:0040283\t\t\tP\tORPHA:orphadata[2025-01-01]\n"
)


def obo(version: str = "2025-03-03") -> bytes:
    return OBO_TEMPLATE.format(version=version).encode()


def hpoa(version: str = "2025-03-03", rows: str = HPOA_ROWS) -> bytes:
    return f"#description: test annotations\n#version: {version}\n".encode() + HPOA_HEADER.encode() + rows.encode()


def snapshot(root: Path) -> dict[str, bytes]:
    """Every file under root (hidden ones too) with its bytes."""
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


@pytest.fixture(autouse=True)
def _private_cache(tmp_path_factory, monkeypatch):
    monkeypatch.setenv("KG_CACHE_DIR", str(tmp_path_factory.mktemp("cache")))
    monkeypatch.setenv("KG_PROGRESS", "0")


@pytest.fixture
def served(httpserver):
    """A mirror serving release 2025-03-03 of both files, with ETag and Last-Modified."""
    def serve(path: str, body: bytes, etag: str, modified: str = "Mon, 03 Mar 2025 10:00:00 GMT") -> None:
        def handler(request: Request) -> Response:
            if request.headers.get("If-None-Match") == etag or request.headers.get("If-Modified-Since") == modified:
                return Response(status=304, headers={"ETag": etag, "Last-Modified": modified})
            return Response(body, status=200, headers={"ETag": etag, "Last-Modified": modified},
                            content_type="application/octet-stream")
        httpserver.expect_request(path).respond_with_handler(handler)

    serve("/hp.obo", obo(), '"obo-1"')
    serve("/phenotype.hpoa", hpoa(), '"hpoa-1"')
    return httpserver


@pytest.fixture
def installed(tmp_path, served):
    """An inputs directory already holding a good fetched release (the 'previous files')."""
    root = tmp_path / "inputs"
    fetch("all", to=root, mirror=served.url_for("/"), policy=FAST)
    served.clear_log()
    return root


# -- success paths ---------------------------------------------------------------------------------

def test_fetch_all_installs_gzipped_files_and_records_them(tmp_path, served):
    root = tmp_path / "inputs"
    before = manifest.today()
    outcomes = fetch("all", to=root, mirror=served.url_for("/"), policy=FAST)
    assert [(o.name, o.status, o.version) for o in outcomes] == [("hpo", "new", "2025-03-03"),
                                                                 ("hpoa", "new", "2025-03-03")]
    assert gzip.decompress((root / manifest.HP_OBO).read_bytes()) == obo()
    assert gzip.decompress((root / manifest.HPOA).read_bytes()) == hpoa()
    man = manifest.load(root, required=True)
    entry = man.get(manifest.HP_OBO)
    assert entry.url == served.url_for("/hp.obo")
    assert entry.etag == '"obo-1"' and entry.last_modified == "Mon, 03 Mar 2025 10:00:00 GMT"
    assert entry.content_sha256 == hashlib.sha256(obo()).hexdigest()
    assert entry.sha256 == hashlib.sha256((root / manifest.HP_OBO).read_bytes()).hexdigest()
    assert "HPO licence" in entry.licence and entry.retrieved in {before, manifest.today()}  # across midnight
    assert man.get(manifest.HPOA).version == "2025-03-03"
    assert manifest.verify(man, root) == []
    assert sorted(snapshot(root)) == sorted([manifest.HP_OBO, manifest.HPOA, manifest.MANIFEST])


def test_stored_files_are_deterministic(tmp_path, served):
    fetch("all", to=tmp_path / "a", mirror=served.url_for("/"), policy=FAST)
    fetch("all", to=tmp_path / "b", mirror=served.url_for("/"), policy=FAST)
    assert snapshot(tmp_path / "a") == snapshot(tmp_path / "b")


def test_unchanged_file_is_not_downloaded_again_304(installed, served):
    before = snapshot(installed)
    outcomes = fetch("all", to=installed, mirror=served.url_for("/"), policy=FAST)
    assert [(o.status, o.reason) for o in outcomes] == [("unchanged", "HTTP 304"), ("unchanged", "HTTP 304")]
    requests_seen = [request for request, _ in served.log]
    assert [r.headers.get("If-None-Match") for r in requests_seen] == ['"obo-1"', '"hpoa-1"']
    assert all(r.headers.get("If-Modified-Since") == "Mon, 03 Mar 2025 10:00:00 GMT" for r in requests_seen)
    assert [response.status_code for _, response in served.log] == [304, 304]
    assert snapshot(installed) == before


def test_last_modified_alone_gives_304(tmp_path, httpserver):
    modified = "Tue, 04 Mar 2025 08:00:00 GMT"

    def handler(request: Request) -> Response:
        if request.headers.get("If-Modified-Since") == modified:
            return Response(status=304)
        return Response(obo(), headers={"Last-Modified": modified})
    httpserver.expect_request("/hp.obo").respond_with_handler(handler)
    root = tmp_path / "inputs"
    fetch("hpo", to=root, mirror=httpserver.url_for("/"), policy=FAST)
    before = snapshot(root)
    [outcome] = fetch("hpo", to=root, mirror=httpserver.url_for("/"), policy=FAST)
    assert (outcome.status, outcome.reason) == ("unchanged", "HTTP 304")
    assert snapshot(root) == before


def test_same_content_without_validators_rewrites_nothing(tmp_path, httpserver):
    httpserver.expect_request("/hp.obo").respond_with_data(obo())
    root = tmp_path / "inputs"
    fetch("hpo", to=root, mirror=httpserver.url_for("/"), policy=FAST)
    before = snapshot(root)
    [outcome] = fetch("hpo", to=root, mirror=httpserver.url_for("/"), policy=FAST)
    assert (outcome.status, outcome.reason) == ("unchanged", "same content")
    assert "If-None-Match" not in httpserver.log[-1][0].headers
    assert snapshot(root) == before


def test_force_downloads_despite_validators(installed, served):
    outcomes = fetch("hpo", to=installed, mirror=served.url_for("/"), policy=FAST, force=True)
    assert outcomes[0].reason == "same content"
    assert "If-None-Match" not in served.log[-1][0].headers


def test_new_release_replaces_file_and_manifest(installed, httpserver):
    httpserver.clear_all_handlers()
    httpserver.expect_request("/hp.obo").respond_with_data(obo("2025-04-04"), headers={"ETag": '"obo-2"'})
    [outcome] = fetch("hpo", to=installed, mirror=httpserver.url_for("/"), policy=FAST)
    assert (outcome.status, outcome.version) == ("updated", "2025-04-04")
    assert gzip.decompress((installed / manifest.HP_OBO).read_bytes()) == obo("2025-04-04")
    man = manifest.load(installed)
    assert man.get(manifest.HP_OBO).etag == '"obo-2"'
    assert man.get(manifest.HPOA).version == "2025-03-03"  # the other entry is kept as it was
    assert manifest.verify(man, installed) == []


def test_release_urls_and_mirror_layout():
    assert SOURCES["hpo"].url("2025-01-16") == "http://purl.obolibrary.org/obo/hp/releases/2025-01-16/hp.obo"
    assert SOURCES["hpoa"].url("2025-01-16") == ("https://github.com/obophenotype/human-phenotype-ontology/"
                                                 "releases/download/v2025-01-16/phenotype.hpoa")
    assert SOURCES["hpo"].url() == "http://purl.obolibrary.org/obo/hp.obo"
    assert SOURCES["hpoa"].url("2025-01-16", "http://m/x/") == "http://m/x/2025-01-16/phenotype.hpoa"


def test_release_is_fetched_from_its_path_and_checked(tmp_path, httpserver):
    httpserver.expect_request("/2025-03-03/hp.obo").respond_with_data(obo("2025-03-03"))
    [outcome] = fetch("hpo", to=tmp_path, release="2025-03-03", mirror=httpserver.url_for("/"), policy=FAST)
    assert outcome.version == "2025-03-03"


def test_retry_after_503_then_success(tmp_path, httpserver):
    waits: list[float] = []
    httpserver.expect_ordered_request("/hp.obo").respond_with_data("busy", status=503, headers={"Retry-After": "7"})
    httpserver.expect_ordered_request("/hp.obo").respond_with_data("oops", status=502)
    httpserver.expect_ordered_request("/hp.obo").respond_with_data(obo())
    [outcome] = fetch("hpo", to=tmp_path, mirror=httpserver.url_for("/"),
                      policy=Policy(timeout=2, retries=3, backoff=0.5), sleep=waits.append)
    assert outcome.status == "new" and outcome.attempts == 3
    assert waits == [7.0, 1.0]  # Retry-After honoured, then exponential backoff 0.5 * 2


# -- failures with well-formed HTTP ------------------------------------------------------------------

def _fails(root: Path, mirror: str, message: str, which: str = "hpo", policy: Policy = FAST, **kw) -> DownloadError:
    before = snapshot(root)
    with pytest.raises(DownloadError) as info:
        fetch(which, to=root, mirror=mirror, policy=policy, **kw)
    assert message in str(info.value), str(info.value)
    assert snapshot(root) == before, "previous files or manifest changed after a failed fetch"
    return info.value


def test_500_every_time_keeps_previous_files(installed, httpserver):
    httpserver.clear_all_handlers()
    httpserver.expect_request("/hp.obo").respond_with_data("broken", status=500)
    error = _fails(installed, httpserver.url_for("/"), "HTTP 500 INTERNAL SERVER ERROR (after 3 attempts)")
    assert f"kept the previous {installed / manifest.HP_OBO}" in str(error)
    assert len(httpserver.log) == 3


def test_404_fails_at_once(installed, httpserver):
    httpserver.clear_all_handlers()
    httpserver.expect_request("/hp.obo").respond_with_data("no such release", status=404)
    error = _fails(installed, httpserver.url_for("/"), "HTTP 404 NOT FOUND")
    assert str(error).startswith(f"cannot download hp.obo from {httpserver.url_for('/hp.obo')}")
    assert len(httpserver.log) == 1


def test_404_with_nothing_before_says_nothing_written(tmp_path, httpserver):
    httpserver.expect_request("/hp.obo").respond_with_data("no such release", status=404)
    error = _fails(tmp_path, httpserver.url_for("/"), "HTTP 404")
    assert f"nothing written to {tmp_path / manifest.HP_OBO}" in str(error)


def test_html_error_page_with_200_is_refused(installed, httpserver):
    httpserver.clear_all_handlers()
    httpserver.expect_request("/hp.obo").respond_with_data("<html><body>Maintenance</body></html>\n",
                                                           content_type="text/html")
    _fails(installed, httpserver.url_for("/"), "is unusable: line 1: not an OBO file")


def test_truncated_gzip_is_refused(installed, httpserver):
    httpserver.clear_all_handlers()
    packed = gzip.compress(obo("2025-04-04") * 20)
    httpserver.expect_request("/hp.obo").respond_with_data(packed[: len(packed) // 2])
    _fails(installed, httpserver.url_for("/"), "is unusable: truncated or corrupt gzip")


def test_wrong_release_is_refused(installed, httpserver):
    httpserver.clear_all_handlers()
    httpserver.expect_request("/2025-04-04/hp.obo").respond_with_data(obo("2025-03-03"))
    _fails(installed, httpserver.url_for("/"), "states release 2025-03-03, not the requested 2025-04-04",
           release="2025-04-04")


def test_annotations_with_wrong_header_are_refused(installed, httpserver):
    httpserver.clear_all_handlers()
    httpserver.expect_request("/phenotype.hpoa").respond_with_data(
        hpoa("2025-04-04").replace(b"database_id\t", b"DatabaseID\t"))
    _fails(installed, httpserver.url_for("/"), "is unusable: line 3: wrong column header", which="hpoa")


def test_annotations_mostly_broken_are_refused(installed, httpserver):
    httpserver.clear_all_handlers()
    broken = HPOA_ROWS.replace("HP:0001252", "HP:12")
    httpserver.expect_request("/phenotype.hpoa").respond_with_data(hpoa("2025-04-04", broken))
    _fails(installed, httpserver.url_for("/"), "2 of 4 rows unusable, more than 1%", which="hpoa")


def test_annotations_checked_against_the_new_ontology(tmp_path, httpserver):
    """A new hp.obo without HP:0001252 makes the annotations that use it unusable -> both refused."""
    httpserver.expect_request("/hp.obo").respond_with_data(
        obo().replace(b"id: HP:0001252\nname: Hypotonia\n", b"id: HP:0009999\nname: Something else\n"))
    httpserver.expect_request("/phenotype.hpoa").respond_with_data(hpoa())
    error = _fails(tmp_path, httpserver.url_for("/"), "rows unusable", which="all")
    assert "hpo_id HP:0001252 is unknown in HPO 2025-03-03" in str(error)


def test_all_or_nothing_when_the_second_file_fails(installed, httpserver):
    httpserver.clear_all_handlers()
    httpserver.expect_request("/hp.obo").respond_with_data(obo("2025-04-04"))  # good and new
    httpserver.expect_request("/phenotype.hpoa").respond_with_data("nope", status=500)
    _fails(installed, httpserver.url_for("/"), "phenotype.hpoa", which="all")
    assert gzip.decompress((installed / manifest.HP_OBO).read_bytes()) == obo("2025-03-03")


def test_corrupt_manifest_stops_before_any_request(installed, httpserver):
    (installed / manifest.MANIFEST).write_text("{not json")
    before = snapshot(installed)
    with pytest.raises(InputError, match="data manifest is not valid JSON"):
        fetch("all", to=installed, mirror=httpserver.url_for("/"), policy=FAST)
    assert len(httpserver.log) == 0 and snapshot(installed) == before


@pytest.mark.parametrize("kwargs, message", [
    ({"release": "2025/01/16"}, "release must be a date like 2025-01-16"),
    ({"mirror": "ftp://x"}, r"mirror must be an http\(s\) URL"),
    ({"which": "mondo"}, "unknown input 'mondo'"),
])
def test_bad_arguments(tmp_path, kwargs, message):
    with pytest.raises(InputError, match=message):
        fetch(to=tmp_path, policy=FAST, **{"mirror": "http://127.0.0.1:9/", **kwargs})


@pytest.mark.parametrize("kwargs, message", [
    ({"timeout": 0}, "timeout must be positive"), ({"retries": -1}, "retries must be 0 or more"),
    ({"backoff": -1}, "backoff must be 0 or more")])
def test_bad_policy(kwargs, message):
    with pytest.raises(InputError, match=message):
        Policy(**kwargs)


# -- failures only a raw socket server can produce ----------------------------------------------------

class RawServer:
    """Accepts connections on 127.0.0.1 and answers each with ``behave(conn, request_bytes)``."""

    def __init__(self, behave: Callable[[socket.socket, bytes, RawServer], None]) -> None:
        self.behave = behave
        self.stop = threading.Event()
        self.requests: list[bytes] = []
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.sock.settimeout(0.1)
        self.url = f"http://127.0.0.1:{self.sock.getsockname()[1]}/"
        self.thread = threading.Thread(target=self._loop, daemon=True)
        self.thread.start()

    def _loop(self) -> None:
        while not self.stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except TimeoutError:
                continue
            with conn:
                conn.settimeout(5)
                data = b""
                while b"\r\n\r\n" not in data:
                    part = conn.recv(4096)
                    if not part:
                        break
                    data += part
                self.requests.append(data)
                try:
                    self.behave(conn, data, self)
                except OSError:
                    pass

    def close(self) -> None:
        self.stop.set()
        self.thread.join(5)
        self.sock.close()


@pytest.fixture
def raw_server():
    servers: list[RawServer] = []

    def start(behave):
        server = RawServer(behave)
        servers.append(server)
        return server
    yield start
    for server in servers:
        server.close()


def _head(length: int | None, extra: str = "") -> bytes:
    cl = f"Content-Length: {length}\r\n" if length is not None else ""
    return f"HTTP/1.1 200 OK\r\n{cl}Content-Type: text/plain\r\n{extra}Connection: close\r\n\r\n".encode()


def _reset(conn: socket.socket) -> None:
    conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))


def test_connection_reset_before_response(installed, raw_server):
    server = raw_server(lambda conn, req, srv: _reset(conn))
    _fails(installed, server.url, "(after 3 attempts)")
    assert len(server.requests) == 3


def test_connection_reset_mid_body(installed, raw_server):
    body = obo("2025-04-04")

    def behave(conn, req, srv):
        conn.sendall(_head(len(body)) + body[:300])
        time.sleep(0.05)
        _reset(conn)
    server = raw_server(behave)
    error = _fails(installed, server.url, "(after 3 attempts)")
    assert "connection" in str(error)


def test_stall_before_headers_times_out(installed, raw_server):
    server = raw_server(lambda conn, req, srv: srv.stop.wait(3))
    _fails(installed, server.url, "read timed out", policy=Policy(timeout=0.3, retries=1, backoff=0))


def test_stall_mid_body_times_out(installed, raw_server):
    body = obo("2025-04-04")

    def behave(conn, req, srv):
        conn.sendall(_head(len(body)) + body[:200])
        srv.stop.wait(3)
    server = raw_server(behave)
    _fails(installed, server.url, "read timed out", policy=Policy(timeout=0.3, retries=1, backoff=0))


def test_body_shorter_than_content_length(installed, raw_server):
    body = obo("2025-04-04")
    server = raw_server(lambda conn, req, srv: conn.sendall(_head(len(body) + 500) + body))
    error = _fails(installed, server.url, "truncated")
    assert "(after 3 attempts)" in str(error)


def test_body_longer_than_content_length(installed, raw_server):
    """The server under-declares: the client stops at Content-Length, mid-line -> refused as truncated."""
    body = obo("2025-04-04")
    cut = body.index(b"name: Seizure") + 4
    server = raw_server(lambda conn, req, srv: conn.sendall(_head(cut) + body))
    _fails(installed, server.url, "truncated body: ")


def test_body_without_length_cut_by_close(installed, raw_server):
    body = hpoa("2025-04-04")
    server = raw_server(lambda conn, req, srv: conn.sendall(_head(None) + body[: len(body) - 20]))
    _fails(installed, server.url, "not ending in a newline", which="hpoa")


def test_connection_refused(installed):
    sock = socket.create_server(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()
    _fails(installed, f"http://127.0.0.1:{port}/", "connection refused (after 3 attempts)")


# -- the command line -----------------------------------------------------------------------------------

def test_cli_success_and_304(tmp_path, served, capsys):
    root = tmp_path / "inputs"
    args = ["fetch", "all", "--to", str(root), "--mirror", served.url_for("/"), "--retries", "0"]
    assert main(args) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith("hpo: new ontologies/hp.obo.gz release 2025-03-03 sha256 ")
    assert out[1].startswith("hpoa: new data/hpo/phenotype.hpoa.gz release 2025-03-03 ")
    assert main(args) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith("hpo: unchanged (HTTP 304) ontologies/hp.obo.gz release 2025-03-03")


def test_cli_failure_is_one_line_and_exit_2(installed, httpserver, capsys):
    httpserver.clear_all_handlers()
    httpserver.expect_request("/hp.obo").respond_with_data("x", status=500)
    before = snapshot(installed)
    code = main(["fetch", "hpo", "--to", str(installed), "--mirror", httpserver.url_for("/"),
                 "--retries", "1", "--backoff", "0"])
    err = capsys.readouterr().err
    assert code == 2
    assert err.count("\n") == 1 and err.startswith("kg fetch: error: cannot download hp.obo from ")
    assert "HTTP 500" in err and "Traceback" not in err
    assert snapshot(installed) == before


@pytest.mark.parametrize("argv, message", [
    (["fetch", "mondo"], "invalid choice: 'mondo'"),
    (["fetch", "--retries", "many"], "invalid int value: 'many'"),
    (["fetch", "--release", "latest"], "release must be a date like 2025-01-16"),
])
def test_cli_bad_arguments(tmp_path, argv, message, capsys):
    try:
        code = main(argv + ["--to", str(tmp_path), "--mirror", "http://127.0.0.1:9/"])
    except SystemExit as exit_:
        code = exit_.code
    assert code == 2
    assert message in capsys.readouterr().err


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM])
def test_cli_interrupted_mid_download_keeps_previous_files(installed, raw_server, sig):
    """A real ``kg fetch`` process killed while the body streams: exit 130, nothing changed, no temp files."""
    body = obo("2025-04-04")
    started = threading.Event()

    def behave(conn, req, srv):  # half the body, then nothing: the download cannot finish by itself
        conn.sendall(_head(len(body)) + body[: len(body) // 2])
        started.set()
        srv.stop.wait(10)
    server = raw_server(behave)
    before = snapshot(installed)
    env = {**os.environ, "KG_PROGRESS": "0"}
    proc = subprocess.Popen([sys.executable, "-m", "kg.cli", "fetch", "hpo", "--to", str(installed),
                             "--mirror", server.url, "--timeout", "20"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
    assert started.wait(30), "kg fetch never connected"
    deadline = time.monotonic() + 20
    while not any(p.name.endswith(".part") for p in (installed / "ontologies").iterdir()):
        assert time.monotonic() < deadline, "no temporary download file appeared"
        time.sleep(0.05)
    time.sleep(0.1)  # now inside iter_content, waiting for the rest of the body
    proc.send_signal(sig)
    _, err = proc.communicate(timeout=30)
    assert proc.returncode == 130, err
    assert b"kg fetch: interrupted" in err
    assert snapshot(installed) == before


def test_manifest_json_is_what_the_build_reads(installed):
    data = json.loads((installed / manifest.MANIFEST).read_text())
    assert sorted(data["files"]) == [manifest.HPOA, manifest.HP_OBO]
    [obo_entry, hpoa_entry] = manifest.input_versions(installed)
    assert (obo_entry.version, hpoa_entry.version) == ("2025-03-03", "2025-03-03")


def test_build_from_fetched_inputs_records_their_release(installed, tmp_path):
    """``kg build --inputs DIR`` reads what ``kg fetch --to DIR`` wrote; dataset.ttl states the fetched release."""
    out = tmp_path / "out"
    code = main(["build", "--inputs", str(installed), "--out", str(out), "--no-default-documents", "--no-store"])
    assert code == 0
    dataset = (out / "dataset.ttl").read_text()
    assert '"2025-03-03"' in dataset
    assert hashlib.sha256((installed / manifest.HPOA).read_bytes()).hexdigest() in dataset
    hpoa_ttl = (out / "hpoa.ttl").read_text()
    assert "OMIM:100001 a biolink:Disease" in hpoa_ttl and "ORPHA:2001 a biolink:Disease" in hpoa_ttl
