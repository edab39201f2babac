"""``kg annotate``: HPO terms in free text, with offsets, negation and whose finding it is."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from dataclasses import asdict
from enum import Enum
from pathlib import Path
from typing import TextIO

from kg.errors import InputError
from kg.recognize import Mention, Recognizer


class OutputFormat(str, Enum):
    TABLE = "table"
    TSV = "tsv"
    JSON = "json"


COLUMNS = ("start", "end", "hpo_id", "label", "text", "negated", "context", "sentence")


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser(
        "annotate", help="find HPO phenotype terms in a text (offsets, negation, context)",
        description="Recognise HPO terms in FILE (or standard input with '-'): one row per mention with "
                    "its character offsets into the text, the matched text, whether the text says it is "
                    "absent (negated) and whose finding it is (patient, family, differential).")
    p.add_argument("file", metavar="FILE|-", help="UTF-8 text file, or - for standard input")
    p.add_argument("--format", choices=[f.value for f in OutputFormat], default=OutputFormat.TABLE.value,
                   help="table (default, for reading), tsv (with a header row) or json")
    p.add_argument("--nested", action="store_true",
                   help="also report terms named inside a longer mention that are its ancestors "
                        "('hearing loss' in 'sensorineural hearing loss')")
    p.add_argument("--hpo", type=Path, metavar="OBO", help="hp.obo to build the recogniser from "
                   "(default: the vendored release)")
    p.set_defaults(func=run)


def read_text(name: str) -> str:
    if name == "-":
        return sys.stdin.read()
    path = Path(name)
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InputError("file not found", path=name) from None
    except IsADirectoryError:
        raise InputError("is a directory, not a text file", path=name) from None
    except UnicodeDecodeError as exc:
        raise InputError(f"not UTF-8 text ({exc.reason} at byte {exc.start})", path=name) from None


def run(args: argparse.Namespace) -> int:
    text = read_text(args.file)
    recognizer = Recognizer.load(args.hpo)
    mentions = recognizer.annotate(text, nested=args.nested)
    write(mentions, OutputFormat(args.format), sys.stdout)
    return 0


def _row(m: Mention) -> dict[str, object]:
    row = asdict(m)
    row["context"] = m.context.value
    return {k: row[k] for k in COLUMNS}


def _one_line(value: object) -> str:
    return " ".join(str(value).split())


def write(mentions: Sequence[Mention], fmt: OutputFormat, out: TextIO) -> None:
    """Mentions as a readable table, TSV (header + one row each) or a JSON list."""
    if fmt is OutputFormat.JSON:
        json.dump([_row(m) for m in mentions], out, ensure_ascii=False, indent=1)
        out.write("\n")
        return
    if fmt is OutputFormat.TSV:
        out.write("\t".join(COLUMNS) + "\n")
        out.writelines("\t".join(_one_line(v).replace("\t", " ") for v in _row(m).values()) + "\n" for m in mentions)
        return
    columns = COLUMNS[:-1]  # the table leaves out the sentence, which rarely fits a terminal
    rows = [[_one_line(v) for k, v in _row(m).items() if k in columns] for m in mentions]
    widths = [max([len(c)] + [len(r[i]) for r in rows]) for i, c in enumerate(columns)]
    out.write("  ".join(c.ljust(w) for c, w in zip(columns, widths)).rstrip() + "\n")
    out.writelines("  ".join(v.ljust(w) for v, w in zip(r, widths)).rstrip() + "\n" for r in rows)
    out.write(f"{len(mentions)} mention(s)\n")
