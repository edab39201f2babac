"""Load time and per-query latency: embedded store vs Oxigraph server vs Virtuoso, on the full build.

    python benchmarks/stores.py [--build DIR] [--repeat 3] [--gsp] [--skip-virtuoso]

One run, same machine, same build, same queries:

* load: the embedded pyoxigraph store (``kg.store``, bulk_load), the Oxigraph server's store
  (``oxigraph load`` as ``kg serve`` does it), Virtuoso's bulk loader (``ld_dir`` +
  ``rdf_loader_run``, the README recipe); with ``--gsp`` also ``kg load`` over the Graph Store
  Protocol into both servers (slower: every triple crosses HTTP).
* queries: every canned query with its documented example, run ``--repeat`` times after one
  warm-up on each store; the median is reported, and the answers are compared across stores
  (order-insensitive, literals by value) so a fast wrong answer cannot pass.

Targets (issue 5): full build into either server in under 30 s; every canned query under 1 s.
The machine is shared (2 cores, other jobs running): the load average is printed beside the
figures, and timings are as measured.
"""

from __future__ import annotations

import argparse
import math
import os
import resource
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from kg import paths
from kg import query as q
from kg.serve import prepare_store
from kg.store import (
    EmbeddedStore,
    EndpointStore,
    Term,
    build_base_iri,
    build_files,
    create_embedded_store,
    graph_iri,
)
from tests import servers

LOAD_TARGET = 30.0
QUERY_TARGET = 1.0


def load_average() -> str:
    return " ".join(f"{x:.1f}" for x in os.getloadavg())


def cpu_seconds(pid: int | None = None) -> float:
    """CPU time used so far: this process and its finished children, or the process ``pid`` (a server)."""
    if pid is not None:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def timed(label: str, fn, server_pid: int | None = None):
    """Wall time, and CPU time (ours + children's, or the server's) -- CPU is what contention does not inflate."""
    start, cpu = time.perf_counter(), cpu_seconds(server_pid)
    value = fn()
    seconds, used = time.perf_counter() - start, cpu_seconds(server_pid) - cpu
    print(f"  {label:<46} {seconds:7.1f} s wall {used:7.1f} s CPU   (load average {load_average()})", flush=True)
    return seconds, value


def _plain(term: Term | None) -> object:
    if term is None:
        return None
    if term.kind == "literal" and term.datatype and term.datatype.startswith("http://www.w3.org/2001/XMLSchema#"):
        kind = term.datatype.rsplit("#", 1)[1]
        if kind in ("integer", "decimal", "double", "float", "long", "int", "nonNegativeInteger"):
            value = float(term.value)
            return float(f"{value:.6g}") if math.isfinite(value) else term.value  # Virtuoso prints 6 digits
        if kind == "boolean":
            return term.value in ("true", "1")
    if term.kind == "literal" and q.LIST_SEPARATOR in term.value:
        return q.LIST_SEPARATOR.join(sorted(term.value.split(q.LIST_SEPARATOR)))
    return term.value


def answer_key(result) -> list[str]:
    return sorted(repr(tuple(_plain(t) for t in row)) for row in result.rows)


def run_queries(stores: dict, repeat: int) -> list[tuple[str, dict[str, float | str], str]]:
    base = "https://w3id.org/rdkg/"
    rows = []
    for name, canned in sorted(q.load_queries().items()):
        text = q.bind(canned, canned.example_arguments, base)
        timings: dict[str, float | str] = {}
        answers = {}
        for store_name, store in stores.items():
            try:
                result = store.select(text)  # warm-up (and the answer to compare)
                answers[store_name] = answer_key(result)
                runs = []
                for _ in range(repeat):
                    start = time.perf_counter()
                    store.select(text)
                    runs.append(time.perf_counter() - start)
                timings[store_name] = statistics.median(runs)
            except Exception as exc:  # noqa: BLE001 -- report any store failure, keep benchmarking the rest
                timings[store_name] = f"error: {str(exc)[:60]}"
        reference = answers.get("embedded")
        differ = [n for n in stores if n != "embedded" and answers.get(n) != reference]
        rows.append((name, timings, "yes" if not differ and reference is not None else "NO: " + ", ".join(differ)))
    return rows


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--build", type=Path, default=paths.DEFAULT_BUILD, help="full build to load (default: build)")
    parser.add_argument("--repeat", type=int, default=3, help="timed runs per query and store (default: 3)")
    parser.add_argument("--gsp", action="store_true", help="also time kg load over the Graph Store Protocol")
    parser.add_argument("--skip-virtuoso", action="store_true")
    args = parser.parse_args()

    build_dir = args.build
    if not build_files(build_dir):
        print(f"no build in {build_dir}: running kg build first", flush=True)
        subprocess.run([sys.executable, "-m", "kg.cli", "build", "--out", str(build_dir), "--no-store"], check=True)
    files = build_files(build_dir)
    base = build_base_iri(build_dir)
    size = sum(f.stat().st_size for f in files) / 1e6
    print(f"build {build_dir}: {', '.join(f.name for f in files)} ({size:.0f} MB); {os.cpu_count()} CPUs; "
          f"load average {load_average()}")
    work = servers.scratch_dir("kg-bench-stores-")
    started: list[servers.Server] = []
    loads: dict[str, float] = {}
    try:
        print("\nload (full build):")
        loads["embedded store (pyoxigraph bulk_load)"], _ = timed(
            "embedded store (pyoxigraph bulk_load)", lambda: create_embedded_store(build_dir, files))
        loads["Oxigraph server (oxigraph load CLI)"], prepared = timed(
            "Oxigraph server (oxigraph load CLI)", lambda: prepare_store(build_dir, store_dir=work / "oxigraph"))
        oxigraph = servers.start_oxigraph(work / "oxigraph-run", location=prepared.path, read_only=True)
        started.append(oxigraph)
        stores: dict = {"embedded": EmbeddedStore.for_build(build_dir), "oxigraph": EndpointStore(oxigraph.sparql_url)}
        if not args.skip_virtuoso:
            if servers.VIRTUOSO is None:
                print("  Virtuoso: not installed (apt-get install virtuoso-opensource); skipped")
            else:
                virtuoso = servers.start_virtuoso(work / "virtuoso", buffers=340_000)
                started.append(virtuoso)
                loads["Virtuoso (ld_dir + rdf_loader_run)"], _ = timed(
                    "Virtuoso (ld_dir + rdf_loader_run)",
                    lambda: virtuoso.bulk_load(files, [graph_iri(f, base) for f in files]),
                    server_pid=virtuoso.process.pid)
                stores["virtuoso"] = EndpointStore(virtuoso.sparql_url)
        if args.gsp:
            from kg.load import load

            gsp_oxigraph = servers.start_oxigraph(work / "gsp-oxigraph", location=work / "gsp-oxigraph" / "store")
            started.append(gsp_oxigraph)
            loads["Oxigraph server (kg load, GSP)"], _ = timed(
                "Oxigraph server (kg load, Graph Store Protocol)", lambda: load([build_dir], gsp_oxigraph.gsp_url))
            if "virtuoso" in stores:
                loads["Virtuoso (kg load, GSP)"], _ = timed(
                    "Virtuoso (kg load, Graph Store Protocol)",
                    lambda: load([build_dir], virtuoso.gsp_url, user="dba", password="dba",
                                 graph=base + "graph/gsp-copy"))
                virtuoso.drop_graph(base + "graph/gsp-copy")

        print(f"\nqueries (median of {args.repeat} after a warm-up; seconds; example arguments):")
        names = list(stores)
        print(f"  {'query':<22}" + "".join(f"{n:>12}" for n in names) + "   same answers as embedded")
        slow = []
        rows = run_queries(stores, args.repeat)
        for name, timings, same in rows:
            cells = []
            for n in names:
                value = timings.get(n)
                if isinstance(value, float):
                    cells.append(f"{value:12.3f}")
                    if value >= QUERY_TARGET:
                        slow.append(f"{name} on {n} ({value:.2f} s)")
                else:
                    cells.append(f"{'ERROR':>12}")
                    slow.append(f"{name} on {n}: {value}")
            print(f"  {name:<22}" + "".join(cells) + f"   {same}")
        print("\ntargets:")
        for label, seconds in loads.items():
            verdict = "met" if seconds < LOAD_TARGET else "MISSED"
            print(f"  load under {LOAD_TARGET:.0f} s, {label}: {seconds:.1f} s -> {verdict}")
        print(f"  every query under {QUERY_TARGET:.0f} s: " + ("met" if not slow else "MISSED: " + "; ".join(slow)))
        different = [f"{name} ({same})" for name, _, same in rows if same != "yes"]
        print("  same answers on every store: " + ("yes" if not different else "NO: " + ", ".join(different)))
        print(f"  (shared machine, load average now {load_average()})")
        for store in stores.values():
            store.close()
    finally:
        for server in started:
            server.stop()
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
