"""SHACL validation of the full default build: time, memory, violations -- and pySHACL alone for comparison.

Stream, not sample: every subject of the full build is checked. pySHACL alone cannot hold it:
rdflib needs several GB for 3.6 million triples and pySHACL evaluates each SPARQL-based
constraint once per focus node (270,000 associations x a dozen constraints). So the run

1. loads the build into an in-memory pyoxigraph store,
2. runs the SHACL Core part of ontologies/shapes.ttl with pySHACL on chunks of ~40,000 triples
   (a disease with all its statements stays in one chunk) in ``--jobs`` worker processes,
3. runs every SPARQL-based constraint once, in bulk, on the store;

and, as the peer in the same run, validates a random sample of ``--peer-diseases`` diseases (with
the HPO, documents and dataset description) with pySHACL alone and with the split engine, checks
that both find the same results, and extrapolates pySHACL-alone's time to the full build.

    python benchmarks/validate_full.py                 # builds the default graph into a temp dir first
    python benchmarks/validate_full.py --build build   # or validates an existing build

Timings on the shared 2-core machine are noisy (other engineers run things at the same time);
CPU seconds are printed beside wall time for that reason.
"""

from __future__ import annotations

import argparse
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from kg.validate import Shapes, _base_of, format_result, load_store, sample_store, validate_store


def cpu() -> float:
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def peak_mb() -> tuple[float, float]:
    return (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
            resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--build", type=Path, help="existing build directory (default: build the default graph now)")
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--peer-diseases", type=int, default=40, help="diseases in the pySHACL-alone comparison")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--limit", type=int, default=3)
    args = ap.parse_args()

    tmp = None
    build = args.build
    if build is None:
        tmp = tempfile.TemporaryDirectory(prefix="rdkg-validate-bench-")
        build = Path(tmp.name) / "build"
        start = time.perf_counter()
        subprocess.run([sys.executable, "-m", "kg.cli", "build", "--out", str(build), "--no-store"], check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        print(f"kg build (default inputs, no store): {time.perf_counter() - start:.0f} s wall")
    shapes = Shapes.load(base_iri=_base_of(build))
    print(f"shapes: {len(shapes.graph)} triples, {len(shapes.sparql)} SPARQL-based constraints")

    wall, c0 = time.perf_counter(), cpu()
    store, files = load_store(build)
    load_s = time.perf_counter() - wall
    print(f"load {len(files)} files, {len(store):,} triples into pyoxigraph: {load_s:.1f} s")

    # -- the peer: pySHACL alone on a sample, against the split engine on the same sample ----------------
    part = sample_store(store, args.peer_diseases, seed=args.seed)
    t = time.perf_counter()
    split_part = validate_store(part, shapes=shapes, engine="split")
    split_s = time.perf_counter() - t
    t = time.perf_counter()
    alone = validate_store(part, shapes=shapes, engine="pyshacl")
    alone_s = time.perf_counter() - t
    same = {(v.focus, v.shape, v.constraint) for v in alone.violations} == {
        (v.focus, v.shape, v.constraint) for v in split_part.violations}
    share = len(part) / len(store)
    print(f"\npeer, sample of {args.peer_diseases} diseases + HPO/documents/dataset ({len(part):,} triples, "
          f"{share:.1%} of the build):")
    print(f"  pySHACL alone  {alone_s:8.1f} s  {len(alone.violations)} violations")
    print(f"  split engine   {split_s:8.1f} s  {len(split_part.violations)} violations   same results: {same}")
    print(f"  pySHACL alone on the full build, extrapolated linearly: ~{alone_s / share / 60:.0f} min "
          f"(and rdflib holding all {len(store):,} triples)")

    # -- the full build, streamed ---------------------------------------------------------------------------
    t, c1 = time.perf_counter(), cpu()
    result = validate_store(store, shapes=shapes, engine="split", jobs=args.jobs,
                            progress=lambda text: print(f"  {text}", file=sys.stderr) if "chunk" not in text
                            or text.split()[1].split("/")[0].endswith("0") else None)
    full_s = time.perf_counter() - t
    own, children = peak_mb()
    print(f"\nfull build, split engine, {args.jobs} job(s): {result.chunks} chunks")
    print(f"  group {result.timings.get('group', 0):.1f} s, SHACL Core (pySHACL) {result.timings.get('core', 0):.1f} s, "
          f"SPARQL constraints (pyoxigraph) {result.timings.get('sparql', 0):.1f} s")
    print(f"  total {load_s + full_s:.0f} s wall (load included), {cpu() - c0:.0f} CPU s "
          f"(validation alone {cpu() - c1:.0f} CPU s)")
    print(f"  peak RSS: main process {own:,.0f} MB, largest worker {children:,.0f} MB")
    print()
    for line in format_result(result, limit=args.limit):
        print(line)
    if tmp is not None:
        tmp.cleanup()
    return 0 if result.conforms else 1


if __name__ == "__main__":
    sys.exit(main())
