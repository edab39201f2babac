"""``kg validate [PATH]``: check a build (or one graph file) against the SHACL shapes."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from kg import paths


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser(
        "validate", help="check a build against the SHACL shapes (ontologies/shapes.ttl) with pySHACL",
        description="Validate the graph files of a build directory (or one .ttl/.nt[.gz] file) against the "
                    "SHACL shapes and print each failing constraint with its count and first examples. "
                    "Exit status: 0 conforms, 1 violations found, 2 unusable input.")
    p.add_argument("path", nargs="?", type=Path, default=None,
                   help=f"build directory or graph file (default: {paths.DEFAULT_BUILD})")
    p.add_argument("--shapes", type=Path, default=None, metavar="FILE",
                   help=f"SHACL shapes (default: {paths.SHAPES})")
    p.add_argument("--engine", choices=("auto", "pyshacl", "split"), default="auto",
                   help="pyshacl: every constraint in pySHACL, for small graphs; split: SHACL Core in pySHACL "
                        "chunk by chunk, SPARQL-based constraints in bulk on pyoxigraph (default: auto)")
    p.add_argument("--sample", type=int, default=None, metavar="N",
                   help="check only N diseases drawn at random (plus HPO, documents, dataset)")
    p.add_argument("--seed", type=int, default=0, help="random seed of --sample (default: 0)")
    p.add_argument("--jobs", type=int, default=1, metavar="N", help="pySHACL worker processes (default: 1)")
    p.add_argument("--base-iri", default=None, metavar="IRI",
                   help="base IRI the build was made with (default: from build.json, else https://w3id.org/rdkg/)")
    p.add_argument("--limit", type=int, default=5, metavar="N", help="examples shown per failing constraint")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from kg.errors import InputError
    from kg.progress import enabled
    from kg.validate import Shapes, _base_of, format_result, validate

    if args.sample is not None and args.sample < 1:
        raise InputError(f"--sample must be 1 or more, got {args.sample}")
    if args.jobs < 1:
        raise InputError(f"--jobs must be 1 or more, got {args.jobs}")
    path = args.path or paths.DEFAULT_BUILD
    base = args.base_iri or _base_of(Path(path))
    shapes = Shapes.load(args.shapes, base_iri=base)
    show = enabled()
    result = validate(path, shapes=shapes, engine=args.engine, sample=args.sample, seed=args.seed, jobs=args.jobs,
                      base_iri=base, progress=(lambda text: print(f"  {text}", file=sys.stderr)) if show else None)
    for line in format_result(result, limit=args.limit):
        print(line)
    return 0 if result.conforms else 1
