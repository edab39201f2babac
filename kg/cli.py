"""The ``kg`` command: one entry point whose subcommands each call one library function.

Each subcommand lives in ``kg/commands/<name>.py`` with ``register(subparsers)``; the
``COMMANDS`` table below is the explicit registry (a test checks every module is listed).
Errors of the project's own types print one clear line and exit non-zero; no tracebacks.
"""

from __future__ import annotations

import argparse
import importlib
import logging
import sys
from collections.abc import Sequence

from kg import __version__
from kg.errors import KgError

#: Subcommand modules under kg.commands, in the order ``kg --help`` lists them.
COMMANDS: tuple[str, ...] = (
    "annotate",
    "build",
    "extract",
    "fetch",
    "load",
    "query",
    "serve",
    "similar",
    "validate",
)


def parser(only: str | None = None) -> argparse.ArgumentParser:
    """The argument parser; ``only`` registers just that subcommand (its imports alone are paid)."""
    top = argparse.ArgumentParser(
        prog="kg",
        description="Rare-disease knowledge graph: build it from the HPO, its annotations and "
                    "rare-disease documents; query, load, serve and compare phenotypes.")
    top.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    top.add_argument("-v", "--verbose", action="store_true", help="log progress details")
    sub = top.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True
    for name in COMMANDS:
        if only is None or name == only:
            importlib.import_module(f"kg.commands.{name}").register(sub)
    return top


def main(argv: Sequence[str] | None = None) -> int:
    """Run ``kg ARGV``; Ctrl-C at any point (even while the subcommand's modules import) exits 130
    with one line, never a traceback."""
    try:
        return _main(argv)
    except KeyboardInterrupt:
        words = sys.argv[1:] if argv is None else list(argv)
        command = next((w for w in words if not w.startswith("-")), None)
        print(f"kg {command}: interrupted" if command in COMMANDS else "kg: interrupted", file=sys.stderr)
        return 130


def _main(argv: Sequence[str] | None) -> int:
    words = list(sys.argv[1:] if argv is None else argv)
    first = next((w for w in words if not w.startswith("-")), None)
    args = parser(first if first in COMMANDS else None).parse_args(words)
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING,
                        format="%(levelname)s %(name)s: %(message)s")
    try:
        result = args.func(args)
    except KgError as exc:
        print(f"kg {args.command}: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(f"kg {args.command}: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0
    return int(result or 0)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
