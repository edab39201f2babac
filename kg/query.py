"""Canned SPARQL queries: read their headers, bind parameters safely, run them, label the answer.

Each ``queries/<name>.rq`` is valid SPARQL as it stands (it runs its own example) and starts
with a comment header the tool reads::

    #+ title: Phenotypes of a disease
    #+ description: One paragraph; continuation lines are indented
    #+   like this one.
    #+ param: disease | disease | required | OMIM:178550 | the disease to describe
    #+ param: limit | limit | 100 | 100 | at most this many rows
    #+ column: phenotype | iri | the HPO term

A parameter is ``name | type | default | example | description``; its default is a value,
``required``, or ``none`` (left unbound: ``UNDEF``). Types: ``disease``, ``hpo``, ``curie``,
``iri``, ``string``, ``boolean``, ``integer`` (a ``+`` suffix takes a comma-separated list),
and ``limit`` (the query's final ``LIMIT``). Every other parameter appears in the query text
as ``VALUES ?name { ... }`` holding its example (once, or once per UNION branch that needs it);
binding replaces the inside of each such block with SPARQL terms built from validated values (IRIs from :mod:`kg.curie`, escaped
literals), never by pasting user text into the query. Columns are ``name | type |
description`` with type ``iri``, ``literal``, ``number``, ``boolean`` or ``list`` (a
``GROUP_CONCAT`` with separator ``|``, sorted by the tool because engines order it differently).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path

from kg import paths
from kg.curie import DEFAULT_BASE, IDENTIFIER_PREFIXES, Curie, compress, converter
from kg.errors import CurieError, KgError, QueryError
from kg.store import XSD, Result, Store, Term

#: Disease identifier prefixes a ``disease`` parameter accepts.
DISEASE_PREFIXES = ("OMIM", "ORPHA", "DECIPHER", "GARD", "MONDO")
#: Separator of ``list`` columns (cannot occur inside an IRI).
LIST_SEPARATOR = "|"

_IRI = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*:[^\s<>\"{}|\\^`\x00-\x20]+\Z")
_NAME = re.compile(r"[a-z][a-z0-9_]*\Z")
_HEADER = re.compile(r"#\+ ?(?P<key>[a-z]+):\s?(?P<value>.*)\Z")
_CONTINUATION = re.compile(r"#\+\s{2,}(?P<value>\S.*)\Z")


class ParamType(str, Enum):
    DISEASE = "disease"
    HPO = "hpo"
    CURIE = "curie"
    IRI = "iri"
    STRING = "string"
    BOOLEAN = "boolean"
    INTEGER = "integer"
    LIMIT = "limit"

    @property
    def is_node(self) -> bool:
        """Values of this type name a node that should exist in the graph."""
        return self in (ParamType.DISEASE, ParamType.HPO, ParamType.CURIE, ParamType.IRI)


class ColumnType(str, Enum):
    IRI = "iri"
    LITERAL = "literal"
    NUMBER = "number"
    BOOLEAN = "boolean"
    LIST = "list"


@dataclass(frozen=True, slots=True)
class Parameter:
    name: str
    type: ParamType
    multiple: bool
    required: bool
    default: str | None  # raw text; None when required or unbound by default
    example: str
    description: str


@dataclass(frozen=True, slots=True)
class Column:
    name: str
    type: ColumnType
    description: str


@dataclass(frozen=True, slots=True)
class CannedQuery:
    """One ``queries/*.rq`` file: its header and its SPARQL text."""

    name: str
    path: Path
    title: str
    description: str
    parameters: tuple[Parameter, ...]
    columns: tuple[Column, ...]
    text: str

    def parameter(self, name: str) -> Parameter:
        for param in self.parameters:
            if param.name == name:
                return param
        known = ", ".join(p.name for p in self.parameters) or "none"
        raise QueryError(f"query {self.name!r} has no parameter {name!r} (parameters: {known})")

    @property
    def ordered(self) -> bool:
        """True when the query sorts its rows itself (an ORDER BY outside comments)."""
        body = "\n".join(line.split("#", 1)[0] if not line.lstrip().startswith("#") else ""
                         for line in self.text.splitlines())
        return re.search(r"\bORDER\s+BY\b", body, re.IGNORECASE) is not None

    @property
    def example_arguments(self) -> dict[str, str]:
        return {p.name: p.example for p in self.parameters}


# --------------------------------------------------------------------------- header parsing

def _fail(path: Path, line: int, message: str) -> QueryError:
    return QueryError(f"{path}:{line}: {message}")


def _parse_param(path: Path, lineno: int, value: str) -> Parameter:
    fields = [f.strip() for f in value.split("|", 4)]
    if len(fields) != 5:
        raise _fail(path, lineno, "param needs 'name | type | default | example | description'")
    name, type_text, default, example, description = fields
    if not _NAME.match(name):
        raise _fail(path, lineno, f"bad parameter name {name!r}")
    multiple = type_text.endswith("+")
    try:
        ptype = ParamType(type_text.rstrip("+"))
    except ValueError:
        raise _fail(path, lineno, f"unknown parameter type {type_text!r}") from None
    if multiple and ptype in (ParamType.LIMIT, ParamType.BOOLEAN):
        raise _fail(path, lineno, f"a {ptype.value} parameter takes one value")
    required = default == "required"
    unbound = default == "none"
    if ptype is ParamType.LIMIT and (required or unbound):
        raise _fail(path, lineno, "a limit parameter needs a default number")
    param = Parameter(name, ptype, multiple, required, None if required or unbound else default,
                      example, description)
    try:  # defaults and examples must themselves be valid values
        for text in (param.default, example):
            if text is not None:
                render_values(param, text)
    except QueryError as exc:
        raise _fail(path, lineno, str(exc)) from None
    return param


def parse_query(path: Path, text: str | None = None) -> CannedQuery:
    """Read one canned query file; a malformed header is a :class:`QueryError` naming the line."""
    path = Path(path)
    if text is None:
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise QueryError(f"{path}: cannot read query: {exc}") from exc
    fields: dict[str, str] = {}
    params: list[Parameter] = []
    columns: list[Column] = []
    last_key = ""
    for lineno, line in enumerate(text.splitlines(), 1):
        if not line.startswith("#+"):
            break
        cont = _CONTINUATION.match(line)
        if cont and last_key in ("title", "description"):
            fields[last_key] += " " + cont.group("value").strip()
            continue
        match = _HEADER.match(line)
        if not match:
            raise _fail(path, lineno, f"malformed header line {line!r}")
        key, value = match.group("key"), match.group("value").strip()
        last_key = key
        if key in ("title", "description"):
            if key in fields:
                raise _fail(path, lineno, f"second {key}")
            fields[key] = value
        elif key == "param":
            params.append(_parse_param(path, lineno, value))
        elif key == "column":
            parts = [f.strip() for f in value.split("|", 2)]
            if len(parts) != 3 or not _NAME.match(parts[0]):
                raise _fail(path, lineno, "column needs 'name | type | description'")
            try:
                columns.append(Column(parts[0], ColumnType(parts[1]), parts[2]))
            except ValueError:
                raise _fail(path, lineno, f"unknown column type {parts[1]!r}") from None
        else:
            raise _fail(path, lineno, f"unknown header key {key!r}")
    for key in ("title", "description"):
        if not fields.get(key):
            raise QueryError(f"{path}: header has no {key}")
    if not columns:
        raise QueryError(f"{path}: header lists no columns")
    names = [p.name for p in params]
    if len(set(names)) != len(names):
        raise QueryError(f"{path}: a parameter is declared twice")
    query = CannedQuery(path.stem, path, fields["title"], fields["description"], tuple(params),
                        tuple(columns), text)
    for param in params:  # the query must hold a slot for each parameter
        _slots(query, param)
    return query


def load_queries(directory: Path | None = None) -> dict[str, CannedQuery]:
    """All canned queries of a folder (default: the project's ``queries/``), by name."""
    directory = Path(directory) if directory is not None else paths.QUERIES
    if not directory.is_dir():
        raise QueryError(f"{directory}: no queries folder")
    return {p.stem: parse_query(p) for p in sorted(directory.glob("*.rq"))}


def get_query(name: str, directory: Path | None = None) -> CannedQuery:
    queries = load_queries(directory)
    if name not in queries:
        raise QueryError(f"unknown query {name!r} (known: {', '.join(queries)}; see `kg query list`)")
    return queries[name]


# --------------------------------------------------------------------------- binding

def _slots(query: CannedQuery, param: Parameter) -> list[re.Match[str]]:
    """Where a parameter's value goes: each ``VALUES ?name { ... }`` block, or the final LIMIT.

    A parameter may have several VALUES blocks (e.g. one inside each UNION branch, so that each
    branch is self-contained under SPARQL's bottom-up evaluation); all get the same terms.
    """
    if param.type is ParamType.LIMIT:
        matches = list(re.finditer(r"\bLIMIT\s+(\d+)\s*\Z", query.text.rstrip(), re.IGNORECASE))
        if len(matches) != 1:
            raise QueryError(f"{query.path}: parameter {param.name!r} needs a final 'LIMIT n' in the query")
        return matches
    matches = list(re.finditer(r"\bVALUES\s+\?" + re.escape(param.name) + r"\s*\{[^{}]*\}", query.text))
    if not matches:
        raise QueryError(f"{query.path}: parameter {param.name!r} has no 'VALUES ?{param.name} {{ ... }}' "
                         "in the query")
    return matches


def _string_literal(text: str) -> str:
    if len(text) > 500:
        raise QueryError("text parameter longer than 500 characters")
    if re.search(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]", text):
        raise QueryError("text parameter contains control characters")
    escaped = (text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
               .replace("\r", "\\r").replace("\t", "\\t"))
    return f'"{escaped}"'


def _valid_iri(text: str) -> bool:
    """RFC 3987 syntax, as the embedded store checks it (``%`` escapes, ports, brackets...)."""
    import pyoxigraph as ox

    try:
        ox.NamedNode(text)
    except ValueError:
        return False
    return True


def node_iri(ptype: ParamType, text: str, base_iri: str = DEFAULT_BASE) -> str:
    """The IRI a node parameter value names, validated for its type."""
    text = text.strip()
    if ptype is ParamType.IRI:
        if text.startswith("<") and text.endswith(">"):
            text = text[1:-1]
        prefix = text.split(":", 1)[0]
        if prefix in IDENTIFIER_PREFIXES or prefix.upper() in IDENTIFIER_PREFIXES or prefix in ("ORPHANET", "PMC"):
            return Curie.parse(text).iri
        if ":" in text and not text.split(":", 1)[1].startswith("//"):
            try:  # a CURIE under another declared prefix, e.g. rdkg:case/...
                expanded = converter(base_iri).expand(text)
            except ValueError:  # curies' own errors (e.g. no delimiter) derive from ValueError
                expanded = None
            if expanded:
                text = expanded
        if not _IRI.match(text) or not _valid_iri(text):
            raise QueryError(f"not an absolute IRI or CURIE: {text!r}")
        return text
    curie = Curie.parse(text)
    if ptype is ParamType.HPO and curie.prefix != "HP":
        raise QueryError(f"{text!r} is not an HPO term (HP:nnnnnnn)")
    if ptype is ParamType.DISEASE and curie.prefix not in DISEASE_PREFIXES:
        raise QueryError(f"{text!r} is not a disease identifier ({', '.join(DISEASE_PREFIXES)})")
    return curie.iri


def render_values(param: Parameter, text: str, base_iri: str = DEFAULT_BASE) -> list[str]:
    """The SPARQL terms for a parameter's raw value (validated), one per list item."""
    items = [t.strip() for t in text.split(",")] if param.multiple else [text.strip()]
    items = [t for t in items if t]
    if not items:
        raise QueryError(f"parameter {param.name!r} is empty")
    terms = []
    for item in items:
        try:
            if param.type.is_node:
                terms.append(f"<{node_iri(param.type, item, base_iri)}>")
            elif param.type is ParamType.BOOLEAN:
                lowered = item.lower()
                if lowered not in ("true", "false", "yes", "no", "1", "0"):
                    raise QueryError(f"expected true or false, got {item!r}")
                terms.append("true" if lowered in ("true", "yes", "1") else "false")
            elif param.type in (ParamType.INTEGER, ParamType.LIMIT):
                if not re.fullmatch(r"\d{1,9}", item) or (param.type is ParamType.LIMIT and int(item) < 1):
                    raise QueryError(f"expected a positive whole number, got {item!r}")
                terms.append(str(int(item)))
            else:
                terms.append(_string_literal(item))
        except CurieError as exc:
            raise QueryError(f"parameter {param.name!r}: {exc}") from None
        except QueryError as exc:
            if str(exc).startswith("parameter "):
                raise
            raise QueryError(f"parameter {param.name!r}: {exc}") from None
    return terms


def resolve_arguments(query: CannedQuery, arguments: Mapping[str, str]) -> dict[str, str | None]:
    """Each parameter's raw value: given, else default; a missing required one is an error."""
    for name in arguments:
        query.parameter(name)
    values: dict[str, str | None] = {}
    missing = []
    for param in query.parameters:
        if param.name in arguments:
            values[param.name] = arguments[param.name]
        elif param.required:
            missing.append(param)
        else:
            values[param.name] = param.default
    if missing:
        hints = " ".join(f"--param {p.name}={p.example}" for p in missing)
        raise QueryError(f"query {query.name!r} needs {', '.join(p.name for p in missing)} (e.g. {hints})")
    return values


def bind(query: CannedQuery, arguments: Mapping[str, str], base_iri: str = DEFAULT_BASE) -> str:
    """The SPARQL text with every parameter bound to validated terms (or ``UNDEF``)."""
    values = resolve_arguments(query, arguments)
    edits: list[tuple[int, int, str]] = []
    text = query.text.rstrip() + "\n"
    for param in query.parameters:
        raw = values[param.name]
        if param.type is ParamType.LIMIT:
            assert raw is not None
            match = _slots(query, param)[0]
            edits.append((match.start(1), match.end(1), render_values(param, raw, base_iri)[0]))
            continue
        terms = ["UNDEF"] if raw is None else render_values(param, raw, base_iri)
        for match in _slots(query, param):
            edits.append((match.start(), match.end(), f"VALUES ?{param.name} {{ {' '.join(terms)} }}"))
    for start, end, replacement in sorted(edits, reverse=True):
        text = text[:start] + replacement + text[end:]
    return text


# --------------------------------------------------------------------------- running

@dataclass(frozen=True, slots=True)
class Table:
    """A query's answer: rows of terms (list columns normalised) and labels of the IRIs in it."""

    query: CannedQuery
    columns: tuple[str, ...]
    rows: tuple[tuple[Term | None, ...], ...]
    labels: Mapping[str, str] = field(default_factory=dict)

    def list_items(self, index: int, term: Term | None) -> list[str]:
        if term is None or self.column_type(index) is not ColumnType.LIST:
            return []
        return [t for t in term.value.split(LIST_SEPARATOR) if t]

    def shown_items(self, index: int, term: Term | None, *, curies: bool = True,
                    base_iri: str = DEFAULT_BASE) -> list[tuple[str, str]]:
        """A list cell's items as (shown text, raw value) pairs, sorted by what is shown."""
        pairs = [((compress(x, base_iri) or x) if curies and "://" in x else x, x)
                 for x in self.list_items(index, term)]
        return sorted(pairs)

    def column_type(self, index: int) -> ColumnType:
        name = self.columns[index]
        for column in self.query.columns:
            if column.name == name:
                return column.type
        return ColumnType.LITERAL


def _normalise_lists(query: CannedQuery, result: Result) -> tuple[tuple[Term | None, ...], ...]:
    list_columns = {c.name for c in query.columns if c.type is ColumnType.LIST}
    if not list_columns:
        return result.rows
    indexes = [i for i, c in enumerate(result.columns) if c in list_columns]
    rows = []
    for row in result.rows:
        cells = list(row)
        for i in indexes:
            term = cells[i]
            if term is not None:
                items = sorted({t.strip() for t in term.value.split(LIST_SEPARATOR) if t.strip()})
                cells[i] = Term.literal(LIST_SEPARATOR.join(items)) if items else None
        rows.append(tuple(cells))
    return tuple(rows)


def _row_key(row: tuple[Term | None, ...]) -> tuple[tuple[int, object], ...]:
    key: list[tuple[int, object]] = []
    for term in row:
        value = plain(term, curies=False)
        if value is None:
            key.append((0, ""))
        elif isinstance(value, (int, float)):
            key.append((1, float(value)))
        else:
            key.append((2, str(value)))
    return tuple(key)


def check_nodes(store: Store, query: CannedQuery, arguments: Mapping[str, str],
                base_iri: str = DEFAULT_BASE) -> None:
    """Refuse identifiers the graph does not know, naming obsolete terms' replacements."""
    values = resolve_arguments(query, arguments)
    for param in query.parameters:
        raw = values[param.name]
        if raw is None or not param.type.is_node or param.name not in arguments:
            continue
        for item, term in zip([t.strip() for t in raw.split(",") if t.strip()] if param.multiple else [raw],
                              render_values(param, raw, base_iri)):
            if not store.ask(f"ASK {{ {{ {term} ?p ?o }} UNION {{ ?s ?p {term} }} }}"):
                hint = ""
                answer = store.select(
                    "SELECT ?current WHERE { ?current "
                    "<http://www.geneontology.org/formats/oboInOwl#hasAlternativeId> "
                    f"{_string_literal(item.strip())} }} LIMIT 1")
                if answer.rows and answer.rows[0][0] is not None:
                    current = answer.rows[0][0].value
                    hint = f"; it is an alternative ID of {compress(current, base_iri) or current}"
                raise QueryError(f"unknown identifier {item.strip()} (parameter {param.name}): "
                                 f"not in the graph{hint}")
            replaced = store.select(
                f"SELECT ?by WHERE {{ {term} <http://www.w3.org/2002/07/owl#deprecated> ?d . "
                f"FILTER(STR(?d) = \"true\") OPTIONAL {{ {term} <http://purl.obolibrary.org/obo/IAO_0100001> ?by }} }}")
            if replaced.rows:
                by = replaced.rows[0][0]
                instead = f", replaced by {compress(by.value, base_iri) or by.value}" if by else ""
                raise QueryError(f"{item.strip()} (parameter {param.name}) is obsolete{instead}")


#: Predicates that name a node, best first: a document has a title rather than a label.
LABEL_PREDICATES = ("http://www.w3.org/2000/01/rdf-schema#label", "http://purl.org/dc/terms/title")


def fetch_labels(store: Store, iris: Sequence[str], chunk: int = 1000) -> dict[str, str]:
    """A name for each IRI that has one: its ``rdfs:label``, else its ``dcterms:title`` (smallest first).

    One query per predicate, each with the predicate as a constant: a variable predicate makes
    Oxigraph scan every triple instead of looking the subjects up.
    """
    names: dict[str, str] = {}
    missing = sorted({iri for iri in iris if _IRI.match(iri)})
    for predicate in LABEL_PREDICATES:
        found: dict[str, str] = {}
        for start in range(0, len(missing), chunk):
            values = " ".join(f"<{iri}>" for iri in missing[start:start + chunk])
            result = store.select(f"SELECT ?iri ?label WHERE {{ VALUES ?iri {{ {values} }} ?iri <{predicate}> ?label }}")
            for iri, name in result.rows:
                if iri is not None and name is not None and (iri.value not in found or name.value < found[iri.value]):
                    found[iri.value] = name.value
        names.update(found)
        missing = [iri for iri in missing if iri not in found]
        if not missing:
            break
    return names


def run(store: Store, query: CannedQuery, arguments: Mapping[str, str] | None = None, *,
        base_iri: str = DEFAULT_BASE, check: bool = True, labels: bool = True) -> Table:
    """Bind, check identifiers, run one canned query and label the IRIs of its answer."""
    arguments = dict(arguments or {})
    text = bind(query, arguments, base_iri)
    if check:
        check_nodes(store, query, arguments, base_iri)
    try:
        result = store.select(text)
    except KgError as exc:
        raise QueryError(f"query {query.name!r} failed on {store.description}: {exc}") from exc
    expected = tuple(c.name for c in query.columns)
    if result.columns != expected:
        raise QueryError(f"{query.path}: the query returns columns {', '.join(result.columns)} but the "
                         f"header lists {', '.join(expected)}")
    rows = _normalise_lists(query, result)
    if not query.ordered:  # engines return such rows in any order: make the answer deterministic
        rows = tuple(sorted(rows, key=_row_key))
    table = Table(query, result.columns, rows)
    if labels:
        iris = [t.value for row in rows for t in row if t is not None and t.is_iri]
        iris += [item for row in rows for i, t in enumerate(row) for item in table.list_items(i, t)
                 if _IRI.match(item) and "://" in item]
        table = Table(query, result.columns, rows, fetch_labels(store, iris))
    return table


# --------------------------------------------------------------------------- plain values

_INTEGER_TYPES = {XSD + t for t in ("integer", "int", "long", "short", "byte", "nonNegativeInteger",
                                    "positiveInteger", "unsignedInt", "unsignedLong")}
_FLOAT_TYPES = {XSD + t for t in ("decimal", "double", "float")}


def plain(term: Term | None, *, curies: bool = True, base_iri: str = DEFAULT_BASE) -> object:
    """A Python value for a term: CURIE (or IRI) text, int, float (6 significant digits), bool, str."""
    if term is None:
        return None
    if term.is_iri:
        return (compress(term.value, base_iri) or term.value) if curies else term.value
    if term.kind == "literal":
        if term.datatype in _INTEGER_TYPES:
            try:
                return int(term.value)
            except ValueError:
                return term.value
        if term.datatype in _FLOAT_TYPES:
            try:
                return float(f"{float(term.value):.6g}")
            except ValueError:
                return term.value
        if term.datatype == XSD + "boolean":
            return term.value.strip() in ("true", "1")
    return term.value


def plain_rows(table: Table, *, curies: bool = True, base_iri: str = DEFAULT_BASE) -> list[tuple[object, ...]]:
    """Rows as plain Python values; list items compressed to CURIEs too (what tests compare)."""
    rows = []
    for row in table.rows:
        cells: list[object] = []
        for i, term in enumerate(row):
            if table.column_type(i) is ColumnType.LIST and term is not None:
                shown = [text for text, _ in table.shown_items(i, term, curies=curies, base_iri=base_iri)]
                cells.append(LIST_SEPARATOR.join(shown))
            else:
                cells.append(plain(term, curies=curies, base_iri=base_iri))
        rows.append(tuple(cells))
    return rows
