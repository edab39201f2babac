"""Real triple-store servers for the tests: Oxigraph server (PyPI) and Virtuoso (Debian).

Each server runs as a child process bound to 127.0.0.1 on a free port, with its data in a
private temporary directory, and is stopped when the session ends -- whether tests passed,
failed or were interrupted (pytest finaliser, plus the kernel killing the child if the test
process itself dies: PR_SET_PDEATHSIG). A missing binary skips the tests that need it with
the reason; a binary that is present but will not start is a failure, not a skip.

Virtuoso gets its own ini file (the Debian one serves /var/lib and port 1111 to everyone):
both ports on 127.0.0.1, a writable data directory, ``DirsAllowed`` covering a load folder
for ``ld_dir``, and ``ResultSetMaxRows`` raised so no answer is silently truncated.
The fixtures are session-scoped because Virtuoso takes seconds to create a database.
"""

from __future__ import annotations

import ctypes
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import requests
import requests.auth

OXIGRAPH = shutil.which("oxigraph", path=os.path.dirname(sys.executable)) or shutil.which("oxigraph")
VIRTUOSO = shutil.which("virtuoso-t")
ISQL = shutil.which("isql-vt") or shutil.which("isql-v")
HOST = "127.0.0.1"
DBA = ("dba", "dba")  # Virtuoso's default account of a freshly created database

VIRTUOSO_INI = """\
; private Virtuoso instance for the rdkg tests and benchmarks (written by tests/servers.py)
[Database]
DatabaseFile       = {dir}/virtuoso.db
ErrorLogFile       = {dir}/virtuoso.log
LockFile           = {dir}/virtuoso.lck
TransactionFile    = {dir}/virtuoso.trx
xa_persistent_file = {dir}/virtuoso.pxa
ErrorLogLevel      = 7
FileExtend         = 200
Striping           = 0
TempStorage        = TempDatabase

[TempDatabase]
DatabaseFile    = {dir}/virtuoso-temp.db
TransactionFile = {dir}/virtuoso-temp.trx
Striping        = 0

[Parameters]
ServerPort          = {host}:{sql_port}
DisableUnixSocket   = 1
CheckpointInterval  = 0
CaseMode            = 2
DirsAllowed         = ., {dir}
NumberOfBuffers     = {buffers}
MaxDirtyBuffers     = {dirty}
ThreadsPerQuery     = 2
MaxQueryMem         = 1G

[HTTPServer]
ServerPort           = {host}:{http_port}
ServerRoot           = {dir}
MaxClientConnections = 8
ServerThreads        = 8
EnabledGzipContent   = 0

[SPARQL]
ResultSetMaxRows           = 10000000
MaxQueryExecutionTime      = 300
MaxQueryCostEstimationTime = 300
"""


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


def _die_with_parent() -> None:  # pragma: no cover -- runs in the child between fork and exec
    """Ask Linux to SIGKILL the server if the test process dies without cleaning up."""
    try:
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except OSError:
        pass


@dataclass
class Server:
    """A running server: its URLs, credentials, process and private directory."""

    name: str
    base_url: str
    gsp_url: str
    sparql_url: str
    process: subprocess.Popen
    workdir: Path
    log_path: Path
    user: str | None = None
    password: str | None = None
    sql_port: int | None = None
    _stopped: bool = field(default=False, repr=False)

    def log_tail(self, lines: int = 30) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return "(no log)"

    def stop(self, grace: float = 10.0) -> None:
        """SIGTERM, then SIGKILL after ``grace`` seconds; idempotent."""
        if self._stopped:
            return
        self._stopped = True
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(grace)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(10)

    def drop_graph(self, graph: str) -> None:
        """Remove a named graph over the Graph Store Protocol (absent is fine)."""
        auth = requests.auth.HTTPDigestAuth(self.user, self.password or "") if self.user else None
        response = requests.delete(self.gsp_url, params={"graph": graph}, auth=auth, timeout=60)
        if response.status_code not in (200, 204, 404):
            raise RuntimeError(f"{self.name}: dropping {graph}: HTTP {response.status_code} {response.text[:200]}")

    # -- Virtuoso only
    def isql(self, sql: str, timeout: float = 300.0) -> str:
        """Run SQL through isql-vt; raise with the output if Virtuoso reports an error."""
        if self.sql_port is None or ISQL is None:
            raise RuntimeError("isql is only for Virtuoso servers")
        done = subprocess.run([ISQL, f"{HOST}:{self.sql_port}", self.user or "dba", self.password or "dba",
                               "VERBOSE=OFF", "BANNER=OFF", f"exec={sql}"],
                              capture_output=True, text=True, timeout=timeout, stdin=subprocess.DEVNULL, check=False)
        out = done.stdout + done.stderr
        if done.returncode != 0 or "*** Error" in out:
            raise RuntimeError(f"isql failed ({done.returncode}) on {sql!r}:\n{out}")
        return out

    def bulk_load(self, files: Sequence[Path], graphs: Sequence[str]) -> None:
        """The README recipe: ld_dir per file into its graph, rdf_loader_run, checkpoint; check errors."""
        load_dir = self.workdir / "load"
        load_dir.mkdir(exist_ok=True)
        statements = ["DELETE FROM DB.DBA.load_list;"]
        for path, graph in zip(files, graphs):
            target = load_dir / path.name
            shutil.copyfile(path, target)
            statements.append(f"ld_dir('{load_dir}', '{path.name}', '{graph}');")
        statements += ["rdf_loader_run();", "checkpoint;"]
        self.isql(" ".join(statements))
        failed = self.isql("SELECT COUNT(*) FROM DB.DBA.load_list WHERE ll_error IS NOT NULL;").split()
        if failed != ["0"]:
            detail = self.isql("SELECT ll_file, ll_error FROM DB.DBA.load_list WHERE ll_error IS NOT NULL;")
            raise RuntimeError(f"Virtuoso bulk load reported errors:\n{detail}")


def _wait_ready(server: Server, probe: str, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise RuntimeError(f"{server.name} exited with {server.process.returncode}:\n{server.log_tail()}")
        try:
            if requests.get(probe, timeout=2).status_code == 200:
                return
        except requests.RequestException:
            pass
        time.sleep(0.2)
    server.stop()
    raise RuntimeError(f"{server.name} did not answer within {timeout:g} s:\n{server.log_tail()}")


def _spawn(argv: list[str], log_path: Path, cwd: Path) -> subprocess.Popen:
    with open(log_path, "wb") as log:  # the child keeps its own copy of the descriptor
        return subprocess.Popen(argv, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                cwd=cwd, preexec_fn=_die_with_parent)  # noqa: PLW1509 -- main thread


def start_oxigraph(workdir: Path, *, location: Path | None = None, read_only: bool = False,
                   port: int | None = None) -> Server:
    """``oxigraph serve`` (in memory unless ``location``), default graph = union of named graphs."""
    if OXIGRAPH is None:
        raise FileNotFoundError("oxigraph")
    workdir.mkdir(parents=True, exist_ok=True)
    port = port or free_port()
    argv = [OXIGRAPH, "serve-read-only" if read_only else "serve", "--bind", f"{HOST}:{port}",
            "--union-default-graph"]
    if location is not None:
        argv += ["--location", str(location)]
    log_path = workdir / "oxigraph.log"
    base = f"http://{HOST}:{port}"
    server = Server("oxigraph", base, f"{base}/store", f"{base}/query", _spawn(argv, log_path, workdir),
                    workdir, log_path)
    _wait_ready(server, f"{base}/query?query=ASK%7B%7D", 30)
    return server


def start_virtuoso(workdir: Path, *, buffers: int = 100_000) -> Server:
    """A private Virtuoso with its own ini and database in ``workdir`` (created on first start)."""
    if VIRTUOSO is None or ISQL is None:
        raise FileNotFoundError("virtuoso-t" if VIRTUOSO is None else "isql-vt")
    workdir.mkdir(parents=True, exist_ok=True)
    sql_port, http_port = free_port(), free_port()
    ini = workdir / "virtuoso.ini"
    ini.write_text(VIRTUOSO_INI.format(dir=workdir, host=HOST, sql_port=sql_port, http_port=http_port,
                                       buffers=buffers, dirty=buffers * 3 // 4), encoding="utf-8")
    base = f"http://{HOST}:{http_port}"
    server = Server("virtuoso", base, f"{base}/sparql-graph-crud-auth", f"{base}/sparql",
                    _spawn([VIRTUOSO, "+configfile", str(ini), "+foreground"], workdir / "stdout.log", workdir),
                    workdir, workdir / "virtuoso.log", user=DBA[0], password=DBA[1], sql_port=sql_port)
    _wait_ready(server, f"{base}/sparql?query=ASK%7B%7D", 120)
    return server


def _session_server(kind: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    binary = {"oxigraph": OXIGRAPH, "virtuoso": VIRTUOSO and ISQL}[kind]
    if not binary:
        what = ("the Oxigraph server CLI `oxigraph` (pip install oxigraph==0.5.13)" if kind == "oxigraph" else
                "Virtuoso `virtuoso-t` / `isql-vt` (apt-get install virtuoso-opensource)")
        pytest.skip(f"{what} is not installed; .ci/run installs it")
    workdir = tmp_path_factory.mktemp(kind)
    server = start_oxigraph(workdir) if kind == "oxigraph" else start_virtuoso(workdir)
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def oxigraph_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """One in-memory Oxigraph server for the whole session (tests use their own graph IRIs)."""
    yield from _session_server("oxigraph", tmp_path_factory)


@pytest.fixture(scope="session")
def virtuoso_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """One private Virtuoso for the whole session (tests use their own graph IRIs)."""
    yield from _session_server("virtuoso", tmp_path_factory)


def scratch_dir(prefix: str) -> Path:
    """A temporary directory for scripts outside pytest (the benchmark)."""
    return Path(tempfile.mkdtemp(prefix=prefix))
