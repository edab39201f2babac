"""``kg load --endpoint URL``: push the build into a running triple store (SPARQL 1.1 Graph Store Protocol)."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from kg import paths


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser(
        "load", help="load the build into a running SPARQL 1.1 store over the Graph Store Protocol",
        description="Send the build's RDF files to a running triple store over the SPARQL 1.1 Graph Store "
                    "HTTP Protocol, in chunks the store accepts, one named graph per file "
                    "(<base>graph/hpo, .../hpoa, ...), then read each graph's triple count back over SPARQL "
                    "and compare. Graph Store endpoints: Oxigraph http://HOST:7878/store, Virtuoso "
                    "http://HOST:8890/sparql-graph-crud-auth (--user dba), Fuseki http://HOST:3030/DS/data, "
                    "GraphDB http://HOST:7200/repositories/ID/rdf-graphs/service. For very large loads the "
                    "stores' own bulk loaders are faster: see the README.")
    p.add_argument("sources", nargs="*", type=Path, metavar="PATH",
                   help="build directories or RDF files (.ttl/.nt, optionally .gz) to load "
                        f"(default: the build directory, {paths.DEFAULT_BUILD})")
    p.add_argument("--endpoint", required=True, metavar="URL", help="the store's Graph Store Protocol URL")
    p.add_argument("--sparql", metavar="URL", default=None,
                   help="the store's SPARQL query URL for the count check (default: derived from --endpoint "
                        "for Oxigraph, Virtuoso, Fuseki and GraphDB)")
    where = p.add_mutually_exclusive_group()
    where.add_argument("--graph", metavar="IRI", default="",
                       help="load every file into this one named graph (default: one graph per file)")
    where.add_argument("--default-graph", action="store_true",
                       help="load into the store's default graph (for stores without named graphs)")
    p.add_argument("--replace", action="store_true", help="empty each target graph first")
    p.add_argument("--user", default=os.environ.get("KG_STORE_USER"), help="account (default: $KG_STORE_USER)")
    p.add_argument("--password", default=None,
                   help="password (default: $KG_STORE_PASSWORD; prefer the variable to keep it out of "
                        "the shell history)")
    p.add_argument("--chunk-size", type=float, default=4.0, metavar="MB",
                   help="largest request body in MiB (default: 4; halved automatically on HTTP 413)")
    p.add_argument("--timeout", type=float, default=300.0, metavar="SECONDS",
                   help="per request (default: 300)")
    p.add_argument("--retries", type=int, default=4, metavar="N",
                   help="extra attempts after a connection error or HTTP 408/429/502/503/504 (default: 4)")
    p.add_argument("--no-verify", dest="verify", action="store_false",
                   help="do not read the triple counts back")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from kg.errors import InputError
    from kg.load import load

    if args.chunk_size <= 0:
        raise InputError("--chunk-size must be positive")
    if args.graph and not args.graph.split(":", 1)[0].isalpha():
        raise InputError(f"--graph must be an absolute IRI, not {args.graph!r}")
    password = args.password if args.password is not None else os.environ.get("KG_STORE_PASSWORD")
    sources = args.sources or [paths.DEFAULT_BUILD]

    def progress(name: str, sent: int) -> None:
        if sys.stderr.isatty():
            print(f"\r  {name}: {sent:,} triples sent", end="", file=sys.stderr, flush=True)

    report = load(sources, args.endpoint, graph=None if args.default_graph else args.graph,
                  replace=args.replace, user=args.user, password=password, query_endpoint=args.sparql,
                  verify=args.verify, chunk_bytes=int(args.chunk_size * (1 << 20)), timeout=args.timeout,
                  retries=args.retries, on_progress=progress)
    if sys.stderr.isatty():
        print(file=sys.stderr)
    for g in report.graphs:
        check = ""
        if g.after is not None:
            check = f"; the store holds {g.after:,} (verified)"
        dup = f" ({g.distinct:,} distinct)" if g.distinct is not None and g.distinct != g.triples_sent else ""
        print(f"{g.graph or '(default graph)'}: {g.triples_sent:,} triples{dup} sent from {', '.join(g.files)} "
              f"in {g.requests} requests, {g.seconds:.1f} s{check}")
    print(f"loaded {report.triples_sent:,} triples into {len(report.graphs)} graphs of {report.endpoint} "
          f"in {report.seconds:.1f} s")
    return 0
