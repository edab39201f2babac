"""``kg query``: list the canned SPARQL queries, or run one on a build or a SPARQL endpoint.

``kg query list`` shows each query with its title; ``kg query NAME --param k=v ...`` binds
the parameters (validated, see :mod:`kg.query`), runs the query on the embedded store of a
build (``--build DIR``, default where ``kg build`` writes) or on any SPARQL 1.1 endpoint
(``--endpoint URL``), and prints the rows as a table, CSV, TSV or JSON with the label of
every IRI beside it. ``--show`` prints the bound SPARQL instead of running it, so a user
can paste it into any SPARQL client.
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
import time
from pathlib import Path
from typing import TextIO

from kg import paths
from kg.curie import DEFAULT_BASE
from kg.errors import QueryError

FORMATS = ("table", "csv", "tsv", "json")
#: Widest cell of the table format; longer text is cut (the other formats keep everything).
TABLE_CELL = 100


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser(
        "query", help="run a canned SPARQL query (kg query list shows them)",
        description="Run one of the canned SPARQL queries of queries/ on the graph built in DIR (an "
                    "embedded store, created once per build) or on a SPARQL 1.1 endpoint. "
                    "'kg query list' lists them; 'kg query NAME --show' prints a query's parameters "
                    "and its SPARQL.",
        epilog="example: kg query differential --param terms=HP:0002105,HP:0001891,HP:0002113")
    p.add_argument("name", metavar="NAME", help="query name, or 'list'")
    p.add_argument("-p", "--param", action="append", default=[], metavar="K=V",
                   help="parameter value (repeat for each; a list parameter takes V1,V2,...)")
    p.add_argument("--format", choices=FORMATS, default="table", help="output format (default: table)")
    where = p.add_mutually_exclusive_group()
    where.add_argument("--build", type=Path, default=None, metavar="DIR",
                       help=f"query the graph built in DIR (default: {paths.DEFAULT_BUILD})")
    where.add_argument("--endpoint", metavar="URL", help="query a SPARQL 1.1 endpoint instead (its query URL)")
    p.add_argument("--timeout", type=float, default=120.0, metavar="S",
                   help="seconds to wait for an endpoint (default: 120)")
    p.add_argument("--iris", action="store_true", help="print full IRIs instead of CURIEs")
    p.add_argument("--no-labels", action="store_true", help="do not look up labels of the IRIs")
    p.add_argument("--show", action="store_true", help="print the query's description and bound SPARQL; do not run it")
    p.set_defaults(func=run)


def parse_params(items: list[str]) -> dict[str, str]:
    """``["k=v", "terms=HP:1", "terms=HP:2"]`` -> ``{"k": "v", "terms": "HP:1,HP:2"}``."""
    values: dict[str, str] = {}
    for item in items:
        if "=" not in item:
            raise QueryError(f"--param needs NAME=VALUE, got {item!r}")
        key, value = item.split("=", 1)
        key = key.strip()
        values[key] = f"{values[key]},{value}" if key in values else value
    return values


def run(args: argparse.Namespace) -> int:
    from kg import query as q

    if args.name == "list":
        return _list(q.load_queries(), args.format, sys.stdout)
    canned = q.get_query(args.name)
    arguments = parse_params(args.param)
    if args.show:
        _show(canned, arguments, sys.stdout)
        return 0
    from kg.store import build_base_iri, open_store

    build_dir = args.build if args.build is not None else paths.DEFAULT_BUILD
    base = DEFAULT_BASE if args.endpoint else build_base_iri(build_dir)
    q.bind(canned, arguments, base)  # refuse bad parameters before opening anything
    start = time.perf_counter()
    store = open_store(build_dir=None if args.endpoint else build_dir, endpoint=args.endpoint,
                       timeout=args.timeout)
    try:
        table = q.run(store, canned, arguments, base_iri=base, labels=not args.no_labels)
    finally:
        store.close()
    seconds = time.perf_counter() - start
    write(table, args.format, sys.stdout, curies=not args.iris, base_iri=base)
    print(f"{len(table.rows)} row{'s' if len(table.rows) != 1 else ''} in {seconds:.2f} s "
          f"({store.description})", file=sys.stderr)
    return 0


def _list(queries: dict, fmt: str, out: TextIO) -> int:
    if fmt == "json":
        json.dump([{"name": c.name, "title": c.title, "description": c.description,
                    "parameters": [{"name": p.name, "type": p.type.value + ("+" if p.multiple else ""),
                                    "required": p.required, "default": p.default, "example": p.example,
                                    "description": p.description} for p in c.parameters],
                    "columns": [c2.name for c2 in c.columns]} for c in queries.values()], out, indent=1)
        out.write("\n")
        return 0
    width = max((len(n) for n in queries), default=4)
    for name, canned in queries.items():
        needs = " ".join(f"{p.name}={p.example}" for p in canned.parameters if p.required)
        out.write(f"{name:<{width}}  {canned.title}" + (f"  [{needs}]" if needs else "") + "\n")
    return 0


def _show(canned, arguments: dict[str, str], out: TextIO) -> None:
    from kg import query as q

    out.write(f"{canned.name}: {canned.title}\n\n{canned.description}\n\nparameters:\n")
    for p in canned.parameters:
        default = "required" if p.required else ("(unbound)" if p.default is None else p.default)
        kind = p.type.value + ("+" if p.multiple else "")
        out.write(f"  {p.name} ({kind}, default {default}, e.g. {p.example}): {p.description}\n")
    if not canned.parameters:
        out.write("  (none)\n")
    out.write("columns:\n")
    out.writelines(f"  {c.name} ({c.type.value}): {c.description}\n" for c in canned.columns)
    try:
        text = q.bind(canned, arguments)
        note = "SPARQL with the parameters bound"
    except QueryError as exc:
        text, note = canned.text, f"SPARQL as stored (bind: {exc})"
    out.write(f"\n# {note}:\n{text}")


# --------------------------------------------------------------------------- output

def _cells(table, *, curies: bool, base_iri: str) -> tuple[list[str], list[list[object]]]:
    """Column names (each IRI column followed by ``<name>_label``) and plain row values."""
    from kg import query as q

    labelled = [t in (q.ColumnType.IRI, q.ColumnType.LIST) for t in map(table.column_type, range(len(table.columns)))]
    names: list[str] = []
    for name, has_label in zip(table.columns, labelled):
        names.append(name)
        if has_label:
            names.append(f"{name}_label")
    rows = []
    for row, plain in zip(table.rows, q.plain_rows(table, curies=curies, base_iri=base_iri)):
        cells: list[object] = []
        for i, (term, value) in enumerate(zip(row, plain)):
            cells.append(value)
            if labelled[i]:
                if table.column_type(i) is q.ColumnType.LIST:
                    found = [table.labels.get(raw, "")
                             for _, raw in table.shown_items(i, term, curies=curies, base_iri=base_iri)]
                    cells.append(q.LIST_SEPARATOR.join(found) if any(found) else None)
                else:
                    cells.append(table.labels.get(term.value) if term is not None and term.is_iri else None)
        rows.append(cells)
    return names, rows


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return f"{value:.6g}"
    return str(value)


def write(table, fmt: str, out: TextIO, *, curies: bool = True, base_iri: str = DEFAULT_BASE) -> None:
    """Print a :class:`kg.query.Table` as table, csv, tsv or json."""
    names, rows = _cells(table, curies=curies, base_iri=base_iri)
    if fmt == "json":
        json.dump({"query": table.query.name, "columns": names,
                   "rows": [dict(zip(names, row)) for row in rows]}, out, indent=1, ensure_ascii=False)
        out.write("\n")
    elif fmt in ("csv", "tsv"):
        if fmt == "csv":
            writer = csv.writer(out, lineterminator="\n")
            writer.writerow(names)
            writer.writerows([[_text(v) for v in row] for row in rows])
        else:
            out.write("\t".join(names) + "\n")
            out.writelines("\t".join(" ".join(_text(v).split()) for v in row) + "\n" for row in rows)
    else:
        _table(table, out, curies=curies, base_iri=base_iri)


def _table(table, out: TextIO, *, curies: bool, base_iri: str) -> None:
    """Aligned columns, label beside each IRI; columns empty in every row are left out."""
    from kg import query as q

    grid: list[list[str]] = []
    for row, plain in zip(table.rows, q.plain_rows(table, curies=curies, base_iri=base_iri)):
        cells = []
        for i, (term, value) in enumerate(zip(row, plain)):
            if table.column_type(i) is q.ColumnType.LIST and term is not None:
                parts = []
                for shown, raw in table.shown_items(i, term, curies=curies, base_iri=base_iri):
                    label = table.labels.get(raw)
                    parts.append(f"{shown} {label}" if label else shown)
                text = "; ".join(parts)
            else:
                text = _text(value)
                if term is not None and term.is_iri and table.labels.get(term.value):
                    text = f"{text} {table.labels[term.value]}"
            text = " ".join(text.split())
            cells.append(text if len(text) <= TABLE_CELL else text[:TABLE_CELL - 1] + "…")
        grid.append(cells)
    keep = [i for i in range(len(table.columns)) if any(row[i] for row in grid)]
    if not grid:
        out.write("(no rows)\n")
        return
    widths = [max(len(table.columns[i]), *(len(row[i]) for row in grid)) for i in keep]
    out.write("  ".join(table.columns[i].ljust(w) for i, w in zip(keep, widths)).rstrip() + "\n")
    out.write("  ".join("-" * w for w in widths) + "\n")
    for row in grid:
        out.write("  ".join(row[i].ljust(w) for i, w in zip(keep, widths)).rstrip() + "\n")
    empty = [table.columns[i] for i in range(len(table.columns)) if i not in keep]
    if empty:
        out.write(f"(empty in every row: {', '.join(empty)})\n")
