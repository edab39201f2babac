"""``kg fetch [hpo|hpoa|all] [--release VERSION] [--to DIR]``: download new HPO releases safely."""

from __future__ import annotations

import argparse
import os
import signal
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from kg import paths
from kg.errors import InputError


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser(
        "fetch", help="download a new HPO / HPO annotation release (checked, atomic, recorded)",
        description="Download hp.obo and/or phenotype.hpoa from the HPO project, check that they are "
                    "complete and parse, then replace the previous files and update the data manifest "
                    "in one step. A failed download leaves the previous files and manifest untouched; "
                    "an unchanged file (ETag / Last-Modified) is not downloaded again.")
    p.add_argument("which", nargs="?", default="all", choices=("hpo", "hpoa", "all"),
                   help="what to fetch (default: all)")
    p.add_argument("--release", metavar="VERSION",
                   help="a release date such as 2025-01-16 (default: the latest release)")
    p.add_argument("--to", metavar="DIR", type=Path, default=None,
                   help=f"inputs directory to update, laid out like the repository: DIR/ontologies/hp.obo.gz, "
                        f"DIR/data/hpo/phenotype.hpoa.gz, DIR/data/manifest.json (default: {paths.HOME}); "
                        f"build from it with 'kg build --inputs DIR'")
    p.add_argument("--mirror", metavar="URL", default=os.environ.get("KG_FETCH_MIRROR") or None,
                   help="download from a mirror instead: URL/FILE, or URL/VERSION/FILE with --release "
                        "(default: $KG_FETCH_MIRROR, else the official HPO URLs)")
    p.add_argument("--timeout", type=float, default=30.0, metavar="SECONDS",
                   help="connect and read timeout per request (default: 30)")
    p.add_argument("--retries", type=int, default=3, metavar="N",
                   help="extra attempts after a connection error or HTTP 5xx, with exponential backoff "
                        "(default: 3)")
    p.add_argument("--backoff", type=float, default=1.0, metavar="SECONDS",
                   help="wait before the first retry, doubled for each further one (default: 1)")
    p.add_argument("--force", action="store_true",
                   help="download even when the recorded ETag / Last-Modified say it is unchanged")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from kg.fetch import Policy, fetch, format_outcomes

    if args.to is not None and args.to.exists() and not args.to.is_dir():
        raise InputError("--to must be a directory", path=str(args.to))
    policy = Policy(timeout=args.timeout, retries=args.retries, backoff=args.backoff)
    with _sigterm_as_interrupt():
        outcomes = fetch(args.which, to=args.to, release=args.release, mirror=args.mirror, policy=policy,
                         force=args.force)
    for line in format_outcomes(outcomes):
        print(line)
    return 0


@contextmanager
def _sigterm_as_interrupt() -> Iterator[None]:
    """SIGTERM unwinds like Ctrl-C, so temporary downloads are removed and nothing is half-installed."""
    def handler(signum, frame):
        raise KeyboardInterrupt

    try:
        previous = signal.signal(signal.SIGTERM, handler)
    except ValueError:  # not the main thread (e.g. called from a test harness)
        yield
        return
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)
