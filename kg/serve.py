"""Serving a build read-only over the SPARQL protocol with the Oxigraph server.

Why the Oxigraph CLI (PyPI ``oxigraph``) and not a hand-written HTTP server: it is a complete
SPARQL 1.1 Protocol implementation with content negotiation, timeouts and a browser query
page (YASGUI at ``/``), from the same engine as the embedded store, so answers match.

Two steps, both the CLI's own: ``oxigraph load`` puts each build file into its named graph
(``<base>graph/<file stem>``, as docs/model.md and kg.store do) in a store directory beside
the build, and ``oxigraph serve-read-only --union-default-graph`` serves it, so queries
without ``GRAPH`` see the whole build, as ``kg query`` does. The store is loaded once per
build: a fingerprint of the build files is kept in it and compared on the next start, and it
is loaded under a temporary name and renamed into place, so an interrupted load never
leaves a half-loaded store behind.

The server binds to 127.0.0.1 unless told otherwise, and Ctrl-C (or SIGTERM) stops it
cleanly: the child gets SIGINT, then SIGTERM, then SIGKILL if it lingers, and dies with us
if we are killed outright (PR_SET_PDEATHSIG).
"""

from __future__ import annotations

import ctypes
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from kg.atomic import replace_directory
from kg.errors import InputError, StoreError
from kg.load import one_file_per_graph
from kg.store import build_base_iri, build_files, fingerprint, graph_iri, rdf_format

#: Store directory inside the build directory, and the fingerprint file inside it.
SERVE_STORE = "oxigraph-serve"
STAMP = "kg-serve.json"
DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 7878
INSTALL_HINT = "install the Oxigraph server CLI: python -m pip install oxigraph==0.5.13"


def oxigraph_binary() -> str:
    """The ``oxigraph`` CLI: the one installed beside this Python first, else on PATH."""
    found = shutil.which("oxigraph", path=os.path.dirname(sys.executable)) or shutil.which("oxigraph")
    if found is None:
        raise StoreError(f"the `oxigraph` command is not installed; {INSTALL_HINT}")
    return found


def _die_with_parent() -> None:  # pragma: no cover -- runs in the child between fork and exec
    """Child set-up: die with us (PR_SET_PDEATHSIG), and honour SIGINT even if our shell ignored it."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    try:
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGKILL)
    except OSError:
        pass


# --------------------------------------------------------------------------- the store

@dataclass(frozen=True, slots=True)
class PreparedStore:
    path: Path
    files: tuple[Path, ...]
    loaded: bool  # False when an up-to-date store was reused
    seconds: float


def _stamp(build_dir: Path, files: list[Path]) -> dict:
    return {"oxigraph-serve": 1, **fingerprint(build_dir, files)}


def prepare_store(build_dir: Path, *, store_dir: Path | None = None, reload: bool = False,
                  on_file: Callable[[Path], None] | None = None) -> PreparedStore:
    """Load the build's files into an Oxigraph store directory with ``oxigraph load`` (once per build)."""
    start = time.perf_counter()
    build_dir = Path(build_dir)
    if not build_dir.is_dir():
        raise InputError("no such build directory (run `kg build` first, or pass --build DIR)", path=str(build_dir))
    files = one_file_per_graph(build_files(build_dir))
    if not files:
        raise InputError("no RDF build output here (run `kg build` first, or pass --build DIR)", path=str(build_dir))
    target = Path(store_dir) if store_dir is not None else build_dir / SERVE_STORE
    stamp = _stamp(build_dir, files)
    stamp_file = target / STAMP
    if not reload and stamp_file.is_file():
        try:
            if json.loads(stamp_file.read_text(encoding="utf-8")) == stamp:
                return PreparedStore(target, tuple(files), False, time.perf_counter() - start)
        except (OSError, ValueError):
            pass
    binary = oxigraph_binary()
    base = build_base_iri(build_dir)
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.parent / f".{target.name}.tmp-{os.getpid()}"
    shutil.rmtree(tmp, ignore_errors=True)
    try:
        for path in files:
            if on_file is not None:
                on_file(path)
            argv = [binary, "load", "--location", str(tmp), "--file", str(path)]
            if rdf_format(path) not in ("nquads", "trig"):
                argv += ["--graph", graph_iri(path, base)]
            done = subprocess.run(argv, capture_output=True, text=True, stdin=subprocess.DEVNULL,
                                  preexec_fn=_die_with_parent, check=False)
            if done.returncode != 0:
                detail = " ".join((done.stderr or done.stdout).split())[-600:]
                raise StoreError(f"{path}: `oxigraph load` failed (exit {done.returncode}): {detail}")
        (tmp / STAMP).write_text(json.dumps(stamp, indent=1), encoding="utf-8")
        replace_directory(tmp, target)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return PreparedStore(target, tuple(files), True, time.perf_counter() - start)


# --------------------------------------------------------------------------- the server

def bind_address(host: str, port: int) -> str:
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


def public_url(host: str, port: int) -> str:
    """The URL to open: the bound host, or 127.0.0.1 when bound to every interface."""
    shown = {"0.0.0.0": "127.0.0.1", "::": "::1", "": "127.0.0.1"}.get(host, host)
    return f"http://{bind_address(shown, port)}/"


def check_port(host: str, port: int) -> None:
    """Fail early, with the reason, when the address cannot be bound (busy, not local, bad port)."""
    if not 0 < port < 65536:
        raise InputError(f"--port must be between 1 and 65535, not {port}")
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError as exc:
            raise StoreError(f"cannot listen on {bind_address(host, port)}: {exc.strerror or exc} "
                             "(pick another --port or --host)") from exc


def _wait_listening(process: subprocess.Popen, host: str, port: int, timeout: float = 60.0) -> None:
    connect_host = {"0.0.0.0": "127.0.0.1", "::": "::1", "": "127.0.0.1"}.get(host, host)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise StoreError(f"the Oxigraph server exited with status {process.returncode} before listening")
        try:
            with socket.create_connection((connect_host, port), timeout=1):
                return
        except OSError:
            time.sleep(0.1)
    raise StoreError(f"the Oxigraph server did not listen on {bind_address(host, port)} within {timeout:g} s")


def stop(process: subprocess.Popen, grace: float = 5.0) -> int:
    """SIGINT, then SIGTERM, then SIGKILL: give the server each chance to close its store."""
    for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGKILL):
        if process.poll() is not None:
            break
        try:
            process.send_signal(sig)
            process.wait(grace if sig != signal.SIGKILL else None)
        except subprocess.TimeoutExpired:
            continue
    return process.returncode


def _sigterm(signum, frame):
    raise KeyboardInterrupt


def serve(build_dir: Path, *, host: str = DEFAULT_HOST, port: int = DEFAULT_PORT, store_dir: Path | None = None,
          reload: bool = False, timeout: float | None = None, say: Callable[[str], None] = print) -> int:
    """Prepare the store, run ``oxigraph serve-read-only`` until Ctrl-C / SIGTERM, stop it; returns 0."""
    check_port(host, port)
    prepared = prepare_store(build_dir, store_dir=store_dir, reload=reload,
                             on_file=lambda p: say(f"loading {p.name} into the server's store (once per build)"))
    if prepared.loaded:
        say(f"loaded {len(prepared.files)} files into {prepared.path} in {prepared.seconds:.1f} s")
    check_port(host, port)
    argv = [oxigraph_binary(), "serve-read-only", "--location", str(prepared.path),
            "--bind", bind_address(host, port), "--union-default-graph"]
    if timeout:
        argv += ["--timeout-s", str(int(timeout))]
    previous = signal.signal(signal.SIGTERM, _sigterm)
    process = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                               preexec_fn=_die_with_parent)  # noqa: PLW1509 -- kg serve runs no threads
    try:
        _wait_listening(process, host, port)
        url = public_url(host, port)
        if host not in ("127.0.0.1", "::1", "localhost"):
            say(f"warning: listening on {host}, reachable from other machines")
        say(f"serving {', '.join(p.name for p in prepared.files)} read-only at {url} "
            f"(SPARQL endpoint {url}query); press Ctrl-C to stop")
        code = process.wait()
        raise StoreError(f"the Oxigraph server stopped unexpectedly (exit {code})")
    except KeyboardInterrupt:
        stop(process)
        say("stopped")
        return 0
    finally:
        if process.poll() is None:
            stop(process)
        signal.signal(signal.SIGTERM, previous)
