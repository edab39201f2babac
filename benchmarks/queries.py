"""Latency of every canned query on the full default build: the embedded store against rdflib, one run.

    python benchmarks/queries.py [--build DIR] [--rdflib-timeout S] [--no-rdflib]

Targets (issue 8): every canned query under 1 s in the embedded store (most under 100 ms), and
``kg query NAME ...`` as a whole command under 2 s wall. The peer is rdflib, the standard
Python RDF library, holding the same build files in memory (a Dataset, one named graph per
file, default graph = union, as the embedded store has them).

Each query runs with the example parameters of its header. Embedded: the first (cold) run and
the best of three warm runs, labels included as ``kg query`` fetches them. rdflib: the files
are loaded once, then each query runs once in a forked child (sharing the loaded graph) that
is stopped after ``--rdflib-timeout`` seconds. Also printed: the time ``kg build`` spent
creating the store (from build.json), the time to open it, rdflib's load time and memory, and
the wall time of ``kg query`` commands. Timings are noisy on a shared 2-core machine.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import select
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from kg import paths
from kg import query as q
from kg.store import EmbeddedStore, RdflibStore, build_files, choose_files, files_base_iri


def ensure_build(build: Path | None) -> Path:
    if build is not None:
        if not build_files(build):
            sys.exit(f"no build output in {build}; run `kg build --out {build}` first")
        return build
    default = paths.DEFAULT_BUILD
    if build_files(default):
        return default
    out = Path(tempfile.mkdtemp(prefix="rdkg-bench-")) / "build"
    print(f"building the full default graph into {out} (minutes) ...", flush=True)
    subprocess.run([sys.executable, "-m", "kg.cli", "build", "--out", str(out)], check=True)
    return out


def embedded(build: Path) -> dict[str, tuple[float, float, int]]:
    start = time.perf_counter()
    store = EmbeddedStore.for_build(build)
    print(f"embedded store: opened in {1000 * (time.perf_counter() - start):.0f} ms", flush=True)
    results = {}
    for name, query in q.load_queries().items():
        times = []
        for _ in range(4):
            start = time.perf_counter()
            table = q.run(store, query, query.example_arguments)
            times.append(time.perf_counter() - start)
        results[name] = (times[0], min(times[1:]), len(table.rows))
    store.close()
    return results


def _run_forked(store: RdflibStore, query: q.CannedQuery, timeout: float) -> tuple[float | None, object]:
    """One rdflib query in a forked child (the loaded graph is shared copy-on-write), killed at ``timeout``."""
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: run, report, leave without cleanup
        os.close(read)
        try:
            start = time.perf_counter()
            table = q.run(store, query, query.example_arguments)
            answer = [time.perf_counter() - start, len(table.rows)]
        except Exception as exc:  # noqa: BLE001 -- report any failure and go on: the benchmark compares
            answer = [None, f"{type(exc).__name__}: {exc}"[:80]]
        os.write(write, json.dumps(answer).encode())
        os._exit(0)
    os.close(write)
    ready, _, _ = select.select([read], [], [], timeout)
    if not ready:
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
        os.close(read)
        return None, f"> {timeout:g} s"
    with os.fdopen(read, "rb") as handle:
        seconds, rows = json.loads(handle.read() or b"[null, \"no answer\"]")
    os.waitpid(pid, 0)
    return seconds, rows


def rdflib_peer(build: Path, names: list[str], timeout: float) -> dict[str, tuple[float | None, object]]:
    files = choose_files(build_files(build))
    start = time.perf_counter()
    store = RdflibStore(files, base_iri=files_base_iri(files))
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"rdflib: loaded {len(files)} files in {time.perf_counter() - start:.1f} s "
          f"(this process now peaks at {rss:,.0f} MB)", flush=True)
    queries = q.load_queries()
    results = {}
    for name in names:
        results[name] = _run_forked(store, queries[name], timeout)
        seconds, rows = results[name]
        print(f"  rdflib {name}: " + (f"{seconds:.2f} s" if seconds is not None else str(rows)), flush=True)
    return results


def command_wall(build: Path) -> list[tuple[str, float]]:
    commands = [["differential", "--param", "terms=HP:0002105,HP:0001891,HP:0002113"],
                ["disease-phenotypes", "--param", "disease=OMIM:178550"],
                ["case-report"]]
    walls = []
    for args in commands:
        times = []
        for _ in range(3):
            start = time.perf_counter()
            subprocess.run(["kg", "query", *args, "--build", str(build)], check=True, capture_output=True)
            times.append(time.perf_counter() - start)
        walls.append((" ".join(args), statistics.median(times)))
    return walls


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--build", type=Path, help="a full build (default: build/, else build one)")
    parser.add_argument("--rdflib-timeout", type=float, default=120.0, help="seconds per rdflib query")
    parser.add_argument("--no-rdflib", action="store_true", help="embedded store only")
    args = parser.parse_args()
    build = ensure_build(args.build)
    summary = json.loads((build / "build.json").read_text()) if (build / "build.json").is_file() else {}
    triples = summary.get("counts", {}).get("triples")
    print(f"build: {build} ({triples:,} triples)" if triples else f"build: {build}")
    if "load embedded store" in summary.get("timings_s", {}):
        print(f"kg build created the embedded store in {summary['timings_s']['load embedded store']:.1f} s")
    ours = embedded(build)
    peer = {} if args.no_rdflib else rdflib_peer(build, list(ours), args.rdflib_timeout)
    print(f"\n{'query':22} {'rows':>6} {'embedded cold':>14} {'embedded warm':>14} {'rdflib':>14}  speed-up")
    for name, (cold, warm, rows) in ours.items():
        seconds, other = peer.get(name, (None, "not run"))
        theirs = f"{seconds * 1000:11.0f} ms" if seconds is not None else f"{str(other)[:14]:>14}"
        ratio = f"{seconds / warm:8.0f}x" if seconds else ""
        print(f"{name:22} {rows:6} {cold * 1000:11.1f} ms {warm * 1000:11.1f} ms {theirs}  {ratio}")
    warm = [w for _, w, _ in ours.values()]
    print(f"\nembedded: {sum(w < 1 for w in warm)}/{len(warm)} queries under 1 s, "
          f"{sum(w < 0.1 for w in warm)}/{len(warm)} under 100 ms (warm); slowest {max(warm) * 1000:.0f} ms")
    print("\n`kg query` as a whole command (median of 3, wall):")
    for command, wall in command_wall(build):
        print(f"  kg query {command}: {wall:.2f} s")


if __name__ == "__main__":
    main()
