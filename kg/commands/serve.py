"""``kg serve``: serve the build read-only over SPARQL (Oxigraph server) with a browser query page."""

from __future__ import annotations

import argparse
from pathlib import Path

from kg import paths


def register(subparsers: argparse._SubParsersAction) -> None:
    from kg.serve import DEFAULT_HOST, DEFAULT_PORT

    p = subparsers.add_parser(
        "serve", help="serve the build read-only over SPARQL with a browser query page (Oxigraph server)",
        description="Load the build into an Oxigraph store beside it (once per build, with `oxigraph load`) "
                    "and serve it read-only with `oxigraph serve-read-only`: a query page at the printed "
                    "URL and the SPARQL 1.1 Protocol at URL/query. Queries see every graph of the build as "
                    "their default graph. Binds to 127.0.0.1 unless --host says otherwise; Ctrl-C stops it.")
    p.add_argument("--build", type=Path, default=paths.DEFAULT_BUILD, metavar="DIR",
                   help=f"build output to serve (default: {paths.DEFAULT_BUILD})")
    p.add_argument("--host", default=DEFAULT_HOST,
                   help=f"address to listen on (default: {DEFAULT_HOST}; 0.0.0.0 exposes it to the network)")
    p.add_argument("--port", type=int, default=DEFAULT_PORT, help=f"port (default: {DEFAULT_PORT})")
    p.add_argument("--store", type=Path, default=None, metavar="DIR",
                   help="where the server's store lives (default: DIR/oxigraph-serve inside the build)")
    p.add_argument("--reload", action="store_true", help="load the store again even if it is up to date")
    p.add_argument("--timeout", type=float, default=None, metavar="SECONDS",
                   help="give up on a query after this long (default: no limit)")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from kg.serve import serve

    def say(line: str) -> None:
        print(f"kg serve: {line}", flush=True)

    return serve(args.build, host=args.host, port=args.port, store_dir=args.store, reload=args.reload,
                 timeout=args.timeout, say=say)
