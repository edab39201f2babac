"""``kg build``: build the knowledge graph from the vendored (or fetched) inputs."""

from __future__ import annotations

import argparse
import signal
import sys
import time
from pathlib import Path

from kg import paths
from kg.build import BuildOptions, build, find_inputs
from kg.curie import DEFAULT_BASE
from kg.errors import InputError
from kg.export import Format
from kg.report import Report


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser(
        "build", help="build the graph files (HPO, HPO annotations, documents)",
        description="Build the rare-disease knowledge graph into DIR: hpo, hpoa (and documents, similarity) "
                    "graph files, dataset.ttl (VoID/DCAT/PROV description) and build.json (and with --store the "
                    "embedded store for 'kg query'). Files are replaced atomically; the same inputs give identical bytes.")
    p.add_argument("--out", type=Path, default=paths.DEFAULT_BUILD, metavar="DIR",
                   help=f"output directory (default: {paths.DEFAULT_BUILD})")
    p.add_argument("--format", dest="formats", action="append", choices=[f.value for f in Format],
                   help="graph file format; repeat for several (default: turtle)")
    p.add_argument("--compress", action="store_true", help="gzip the graph files (.ttl.gz / .nt.gz)")
    p.add_argument("--base-iri", default=DEFAULT_BASE, metavar="IRI",
                   help=f"base for IRIs the project mints (default: {DEFAULT_BASE})")
    p.add_argument("--inputs", type=Path, metavar="DIR",
                   help="build from hp.obo and phenotype.hpoa in DIR (as written by 'kg fetch') "
                        "instead of the vendored release")
    p.add_argument("--documents", type=Path, action="append", default=[], metavar="DIR",
                   help="also read the documents (.txt/.html: GARD pages, Q&A pages, case reports) and extracted "
                        "records (.json, from 'kg extract') in DIR; repeatable")
    p.add_argument("--no-default-documents", action="store_true",
                   help=f"leave out the committed document records in {paths.DOCUMENT_RECORDS}")
    p.add_argument("--similar-top", type=int, default=0, metavar="K",
                   help="add each disease's K most similar diseases (BMA-Resnik) as association nodes "
                        "in similarity.ttl (default: 0, none)")
    p.add_argument("--store", action=argparse.BooleanOptionalAction, default=False,
                   help="also load the embedded query store into DIR/store now; by default the first "
                        "'kg query' makes it once (about a minute for the full graph) and keeps it")
    p.set_defaults(func=run)


def _sigterm(signum, frame):
    raise KeyboardInterrupt


def run(args: argparse.Namespace) -> int:
    if args.similar_top < 0:
        raise InputError(f"--similar-top must be 0 or more, not {args.similar_top}")
    signal.signal(signal.SIGTERM, _sigterm)
    hp_obo, hpoa = (find_inputs(args.inputs) if args.inputs else (paths.HP_OBO, paths.HPOA))
    options = BuildOptions(out=args.out, formats=tuple(Format(f) for f in (args.formats or ["turtle"])),
                           compress=args.compress, base_iri=args.base_iri, hp_obo=hp_obo, hpoa=hpoa,
                           documents=tuple(args.documents), default_documents=not args.no_default_documents,
                           similar_top=args.similar_top, store=args.store)
    report = Report()
    start = time.perf_counter()
    print(f"kg build: building into {options.out}/", file=sys.stderr)
    result = build(options, report=report)
    print_summary(result, report, time.perf_counter() - start)
    return 0


def print_summary(result, report: Report, seconds: float) -> None:
    rows = [("diseases", result.diseases), ("annotation rows read", result.annotations),
            ("negated (NOT) associations", result.negated), ("inheritance links", result.inheritance),
            ("documents", result.documents),
            ("triples", result.counts.triples)]
    print(f"\nBuilt {result.out}/ in {seconds:.1f} s", file=sys.stderr)
    width = max(len(r[0]) for r in rows)
    for label, value in rows:
        print(f"  {label:<{width}}  {value:>10,}", file=sys.stderr)
    print("  files:", file=sys.stderr)
    for f in result.files:
        print(f"    {f.path.name:<24} {f.triples:>10,} triples  {f.bytes / 1e6:8.1f} MB", file=sys.stderr)
    if report.counts:
        print("  skipped / changed:", file=sys.stderr)
        for severity, category, n in report.summary_rows():
            print(f"    {severity:<8} {category:<28} {n:>8,}", file=sys.stderr)
        for problem in report.problems[:10]:
            print(f"      e.g. {problem}", file=sys.stderr)
