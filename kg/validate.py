"""SHACL validation of a build against ``ontologies/shapes.ttl``, with readable violations.

Why two engines. pySHACL is the reference: on a small graph (the tests' sample builds, a
hand-broken graph) it runs every constraint of the shapes file, SHACL Core and SPARQL-based
alike (``engine="pyshacl"``). On the full default build (3.6 million triples) it does not
scale: rdflib would hold every triple (GBs), and pySHACL evaluates each SPARQL-based constraint
once per focus node (270,000 associations x a dozen constraints; benchmarks/validate_full.py
measures ~6x slower than the split engine on a 40-disease sample, about an hour extrapolated).
So ``engine="split"`` (the default) streams the graph instead of holding it in rdflib:

* the graph is loaded once into an in-memory pyoxigraph store;
* the SHACL Core part (the shapes file without its ``sh:sparql`` constraints -- written to be
  node-local, see the header of shapes.ttl) runs in pySHACL on chunks of subjects grouped by
  disease (an association goes with its ``rdf:subject``), in ``jobs`` worker processes;
* every SPARQL-based constraint runs once, in bulk, on the store: the shape's targets become
  a sub-query and the constraint's own SELECT is evaluated for all focus nodes at once (the
  same query text; ``$this`` and ``?this`` are one variable in SPARQL).

``sample=N`` restricts the check to N diseases drawn at random (plus every node that does not
belong to a disease: HPO terms, documents, the dataset description) for a quick look.
"""

from __future__ import annotations

import gzip
import multiprocessing
import os
import random
import re
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox
import rdflib
from rdflib import BNode, Literal, URIRef
from rdflib.namespace import RDF, SH

from kg import paths
from kg.curie import DEFAULT_BASE, IDENTIFIER_PREFIXES, is_curie, normalise_base, prefix_map
from kg.errors import InputError, KgError

#: Triples per pySHACL chunk in the split engine (a few seconds of pySHACL each).
CHUNK_TRIPLES = 40_000
GRAPH_SUFFIXES = (".ttl", ".nt", ".ttl.gz", ".nt.gz")
_FORMATS = {".ttl": ox.RdfFormat.TURTLE, ".nt": ox.RdfFormat.N_TRIPLES}
_RDF_SUBJECT = ox.NamedNode(str(RDF.subject))
_RDF_OBJECT = ox.NamedNode(str(RDF.object))
_XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
_XSD = "http://www.w3.org/2001/XMLSchema#"
_BARE = {_XSD + "integer": r"[+-]?\d+", _XSD + "decimal": r"[+-]?\d*\.\d+", _XSD + "boolean": r"true|false"}


@dataclass(frozen=True, slots=True, order=True)
class Violation:
    """One validation result, rendered with CURIEs."""

    focus: str
    shape: str
    message: str
    path: str = ""
    value: str = ""
    severity: str = "Violation"
    constraint: str = ""  # the unsubstituted sh:message, or the constraint component: groups results

    def __str__(self) -> str:
        where = f" {self.path}" if self.path else ""
        value = f" = {self.value}" if self.value and self.value != self.focus else ""
        return f"{self.severity}: {self.focus}{where}{value}: {self.message} [{self.shape}]"


@dataclass(frozen=True, slots=True)
class Result:
    conforms: bool
    violations: tuple[Violation, ...]
    triples: int
    engine: str
    seconds: float
    chunks: int = 1
    focus_diseases: int | None = None  # with sample=N: how many diseases were checked
    timings: dict[str, float] = field(default_factory=dict)  # seconds per step: load, core, sparql

    def by_constraint(self) -> list[tuple[str, str, int]]:
        """(shape, constraint, count), most frequent first."""
        counts = Counter((v.shape, v.constraint or v.message) for v in self.violations)
        return [(s, c, n) for (s, c), n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))]


@dataclass(frozen=True, slots=True)
class SparqlConstraint:
    shape: URIRef
    node: rdflib.term.Node  # the constraint's node in the shapes graph
    message: str
    query: str  # with PREFIX lines, target sub-query already injected
    severity: str


@dataclass
class Shapes:
    """A parsed shapes file: all of it (for pySHACL), its Core part and its SPARQL constraints."""

    graph: rdflib.Graph
    core: rdflib.Graph
    sparql: list[SparqlConstraint] = field(default_factory=list)
    base_iri: str = DEFAULT_BASE

    @classmethod
    def load(cls, path: Path | str | None = None, *, base_iri: str = DEFAULT_BASE) -> Shapes:
        path = Path(path or paths.SHAPES)
        try:
            text = path.read_text(encoding="utf-8")
        except OSError as exc:
            raise InputError(f"cannot read shapes: {exc.strerror or exc}", path=str(path)) from None
        base = normalise_base(base_iri)
        if base != DEFAULT_BASE:  # instance IRIs in sh:pattern; the vocabulary (rdkg/vocab/) stays as it is
            escaped = re.escape(DEFAULT_BASE).replace("\\", "\\\\")
            text = re.sub(re.escape(escaped) + r"(?!vocab/)", lambda m: re.escape(base).replace("\\", "\\\\"),
                          text)
        graph = rdflib.Graph()
        try:
            graph.parse(data=text, format="turtle")
        except Exception as exc:  # noqa: BLE001 -- rdflib raises several parser error types
            raise InputError(f"shapes are not valid Turtle: {exc}", path=str(path)) from None
        core = rdflib.Graph()
        for triple in graph:
            if triple[1] != SH.sparql:
                core.add(triple)
        return cls(graph, core, _sparql_constraints(graph), base)


# -- rendering -----------------------------------------------------------------------------------

class _Namer:
    """Compact, readable names for IRIs and literals, from the one prefix map."""

    def __init__(self, base_iri: str, shapes: rdflib.Graph | None = None) -> None:
        pm = dict(prefix_map(base_iri))
        pm["rdkgs"] = "https://w3id.org/rdkg/shapes#"
        self.prefixes = sorted(pm.items(), key=lambda kv: -len(kv[1]))
        self.shapes = shapes

    def iri(self, value: str) -> str:
        """``HP:0002105`` for a well-formed identifier, ``rdkg:association/...`` for minted IRIs, else ``<iri>``."""
        for prefix, ns in self.prefixes:
            if value.startswith(ns) and len(value) > len(ns):
                local = value[len(ns):]
                if prefix in IDENTIFIER_PREFIXES and not is_curie(f"{prefix}:{local}", prefix):
                    continue  # "OMIM:12" would read as a valid identifier
                if re.fullmatch(r"[A-Za-z0-9_.\-/]+", local):
                    return f"{prefix}:{local}"
        return f"<{value}>"

    def term(self, term: object) -> str:
        if term is None:
            return ""
        if isinstance(term, (URIRef, ox.NamedNode)):
            return self.iri(str(term) if isinstance(term, URIRef) else term.value)
        if isinstance(term, Literal):
            return self.literal(str(term), str(term.datatype) if term.datatype else None, term.language)
        if isinstance(term, ox.Literal):
            return self.literal(term.value, term.datatype.value, term.language)
        if isinstance(term, BNode) and self.shapes is not None:
            return self.path(term)
        return "[]"

    def literal(self, value: str, datatype: str | None, language: str | None) -> str:
        shown = value if len(value) <= 80 else value[:77] + "..."
        text = '"' + shown.replace('"', '\\"') + '"'
        if language:
            return f"{text}@{language}"
        if datatype in _BARE and re.fullmatch(_BARE[datatype], value):
            return value  # as Turtle writes them: 99, 1.5, true
        if datatype and datatype not in (_XSD_STRING, "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"):
            return f"{text}^^{self.iri(datatype)}"
        return text

    def path(self, node: rdflib.term.Node) -> str:
        """A SHACL property path as text: ``a|b`` for alternatives, ``a/b`` for sequences."""
        g = self.shapes
        if isinstance(node, URIRef) or g is None:
            return self.term(node)
        alternatives = g.value(node, SH.alternativePath)
        if alternatives is not None:
            return "|".join(self.path(p) for p in g.items(alternatives))
        for key, mark in ((SH.zeroOrMorePath, "*"), (SH.oneOrMorePath, "+"), (SH.zeroOrOnePath, "?")):
            inner = g.value(node, key)
            if inner is not None:
                return self.path(inner) + mark
        inverse = g.value(node, SH.inversePath)
        if inverse is not None:
            return "^" + self.path(inverse)
        items = list(g.items(node))
        return "/".join(self.path(p) for p in items) if items else "[]"

    def shape(self, node: rdflib.term.Node) -> str:
        """A property shape is named by the node shape that owns it."""
        g = self.shapes
        if isinstance(node, BNode) and g is not None:
            owner = g.value(predicate=SH.property, object=node)
            if owner is not None:
                return self.shape(owner)
        return self.term(node) if not isinstance(node, BNode) else "[]"


# -- loading data ----------------------------------------------------------------------------------

def graph_files(path: Path | str) -> list[Path]:
    """The graph files of a build directory (not its store/), or the one file given."""
    path = Path(path)
    if path.is_file():
        return [path]
    if not path.is_dir():
        raise InputError("no such build directory or graph file", path=str(path))
    files = sorted(p for p in path.iterdir() if p.is_file() and p.name.endswith(GRAPH_SUFFIXES))
    if not files:
        raise InputError(f"no graph files ({', '.join(GRAPH_SUFFIXES)}) in directory", path=str(path))
    return files


def load_store(path: Path | str) -> tuple[ox.Store, list[Path]]:
    """All graph files into one in-memory store (default graph); a syntax error names file and line."""
    files = graph_files(path)
    store = ox.Store()
    for file in files:
        name = file.name.removesuffix(".gz")
        fmt = _FORMATS.get(Path(name).suffix)
        if fmt is None:
            raise InputError("unknown graph file format (expected .ttl or .nt, optionally .gz)", path=str(file))
        try:
            if file.name.endswith(".gz"):
                with gzip.open(file, "rb") as handle:
                    store.bulk_load(handle, format=fmt, to_graph=ox.DefaultGraph())
            else:
                store.bulk_load(path=str(file), format=fmt, to_graph=ox.DefaultGraph())
        except SyntaxError as exc:
            raise InputError(f"not valid RDF: {exc.msg if hasattr(exc, 'msg') else exc}", path=str(file),
                             line=getattr(exc, "lineno", None)) from None
        except (OSError, EOFError, ValueError) as exc:
            raise InputError(f"cannot read graph file: {exc}", path=str(file)) from None
    return store, files


def to_rdflib(term: object) -> rdflib.term.Node:
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    if isinstance(term, ox.Literal):
        if term.language:
            return Literal(term.value, lang=term.language)
        datatype = term.datatype.value
        return Literal(term.value) if datatype == _XSD_STRING else Literal(term.value, datatype=URIRef(datatype))
    raise InputError(f"unsupported RDF term in data: {term!r}")


class _PreparingGraph(rdflib.Graph):
    """An rdflib graph that prepares each distinct SPARQL text once (rdflib's public ``prepareQuery``).

    pySHACL sends a SPARQL constraint's text once per focus node, with ``$this`` as a binding;
    rdflib would parse the same text again every time (~0.1 s each), which made the reference
    engine take minutes on a graph of a thousand triples. Same queries, same results.
    """

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._prepared: dict[str, object] = {}

    def query(self, query_object, *args, **kwargs):  # type: ignore[override]
        if isinstance(query_object, str):
            from rdflib.plugins.sparql import prepareQuery

            prepared = self._prepared.get(query_object)
            if prepared is None:
                prepared = self._prepared[query_object] = prepareQuery(query_object)
            query_object = prepared
        return super().query(query_object, *args, **kwargs)


def rdflib_graph(store: ox.Store, subjects: Iterable[object] | None = None) -> rdflib.Graph:
    graph = _PreparingGraph()
    add = graph.add
    if subjects is None:
        quads: Iterable = store.quads_for_pattern(None, None, None, None)
        for q in quads:
            add((to_rdflib(q.subject), to_rdflib(q.predicate), to_rdflib(q.object)))
        return graph
    for s in subjects:
        for q in store.quads_for_pattern(s, None, None, None):
            add((to_rdflib(q.subject), to_rdflib(q.predicate), to_rdflib(q.object)))
    return graph


# -- validating ------------------------------------------------------------------------------------

def validate(path: Path | str | None = None, *, shapes: Shapes | None = None, engine: str = "auto",
             sample: int | None = None, seed: int = 0, jobs: int = 1, base_iri: str | None = None,
             progress: Callable[[str], None] | None = None) -> Result:
    """Validate a build directory or graph file (default: the default build) against the shapes."""
    start = time.perf_counter()
    path = Path(path or paths.DEFAULT_BUILD)
    base = base_iri or _base_of(path)
    shapes = shapes or Shapes.load(base_iri=base)
    store, _ = load_store(path)
    loaded = time.perf_counter() - start
    result = validate_store(store, shapes=shapes, engine=engine, sample=sample, seed=seed, jobs=jobs,
                            progress=progress, started=start)
    result.timings["load"] = round(loaded, 2)
    return result


def validate_graph(graph: rdflib.Graph, *, shapes: Shapes | None = None, engine: str = "pyshacl") -> Result:
    """Validate an rdflib graph (small: tests, hand-made examples)."""
    start = time.perf_counter()
    shapes = shapes or Shapes.load()
    store = ox.Store()
    store.bulk_load(graph.serialize(format="nt", encoding="utf-8"), format=ox.RdfFormat.N_TRIPLES,
                    to_graph=ox.DefaultGraph())
    return validate_store(store, shapes=shapes, engine=engine, started=start)


def validate_store(store: ox.Store, *, shapes: Shapes, engine: str = "auto", sample: int | None = None,
                   seed: int = 0, jobs: int = 1, progress: Callable[[str], None] | None = None,
                   started: float | None = None) -> Result:
    started = started if started is not None else time.perf_counter()
    say = progress or (lambda text: None)
    triples = len(store)
    if engine not in ("auto", "pyshacl", "split"):
        raise InputError(f"unknown engine {engine!r}: choose auto, pyshacl or split")
    if engine == "auto":
        engine = "split"
    if engine == "pyshacl" and sample is not None:
        raise InputError("--sample needs the split engine")
    namer = _Namer(shapes.base_iri, shapes.graph)
    if engine == "pyshacl":
        step = time.perf_counter()
        violations = _pyshacl(rdflib_graph(store), shapes.graph, namer)
        return _result(violations, triples, engine, started, timings={"pyshacl": round(time.perf_counter() - step, 2)})
    step = time.perf_counter()
    groups = _subject_groups(store)
    focus_diseases = None
    if sample is not None:
        diseases = sorted((k for k in groups if k is not None), key=str)
        picked = set(random.Random(seed).sample(diseases, min(sample, len(diseases))))
        groups = {k: v for k, v in groups.items() if k is None or k in picked}
        focus_diseases = len(picked)
    chunks = list(_chunks(store, groups))
    say(f"{triples:,} triples; SHACL Core part in {len(chunks)} chunks, {jobs} job(s)")
    timings = {"group": round(time.perf_counter() - step, 2)}
    step = time.perf_counter()
    violations = list(_core_in_chunks(store, chunks, shapes, namer, jobs, say))
    timings["core"] = round(time.perf_counter() - step, 2)
    say("SPARQL-based constraints in bulk")
    step = time.perf_counter()
    allowed = None if sample is None else {s for subjects in groups.values() for s in subjects}
    violations.extend(_sparql_bulk(store, shapes, namer, allowed))
    timings["sparql"] = round(time.perf_counter() - step, 2)
    return _result(violations, triples, engine, started, chunks=len(chunks), focus_diseases=focus_diseases,
                   timings=timings)


def sample_store(store: ox.Store, diseases: int, *, seed: int = 0) -> ox.Store:
    """A new store with ``diseases`` diseases drawn at random and everything that belongs to them,
    plus every node that belongs to no disease (HPO terms, documents, dataset description)."""
    groups = _subject_groups(store)
    keys = sorted((k for k in groups if k is not None), key=str)
    picked = random.Random(seed).sample(keys, min(diseases, len(keys))) + [None]
    out = ox.Store()
    out.extend(q for key in picked for s in groups.get(key, ()) for q in store.quads_for_pattern(s, None, None, None))
    return out


def _result(violations: list[Violation], triples: int, engine: str, started: float, **extra) -> Result:
    unique = tuple(sorted(set(violations)))
    return Result(conforms=not any(v.severity == "Violation" for v in unique), violations=unique, triples=triples,
                  engine=engine, seconds=round(time.perf_counter() - started, 2), **extra)


def _base_of(path: Path) -> str:
    """The base IRI a build was made with (build.json), else the default."""
    summary = path / "build.json" if path.is_dir() else path.parent / "build.json"
    try:
        import json

        return normalise_base(json.loads(summary.read_text(encoding="utf-8")).get("base_iri") or DEFAULT_BASE)
    except (OSError, ValueError, AttributeError, KgError):
        return DEFAULT_BASE


# -- pySHACL ----------------------------------------------------------------------------------------

def _pyshacl(data: rdflib.Graph, shapes_graph: rdflib.Graph, namer: _Namer) -> list[Violation]:
    import pyshacl

    try:
        _, report, _ = pyshacl.validate(data, shacl_graph=shapes_graph, advanced=True, inference="none",
                                        inplace=True, allow_warnings=False)
    except Exception as exc:  # noqa: BLE001 -- pySHACL reports broken shapes with its own exception types
        raise KgError(f"pySHACL failed: {exc}") from None
    return list(_read_report(report, shapes_graph, namer))


def _read_report(report: rdflib.Graph, shapes_graph: rdflib.Graph, namer: _Namer) -> Iterator[Violation]:
    for result in report.subjects(RDF.type, SH.ValidationResult):
        get = report.value
        source = get(result, SH.sourceShape)
        constraint_node = get(result, SH.sourceConstraint)
        template = shapes_graph.value(constraint_node, SH.message) if constraint_node is not None else None
        if template is None and source is not None:
            template = shapes_graph.value(source, SH.message)
        component = get(result, SH.sourceConstraintComponent)
        message = get(result, SH.resultMessage)
        severity = get(result, SH.resultSeverity)
        path = get(result, SH.resultPath)
        yield Violation(
            focus=namer.term(get(result, SH.focusNode)),
            shape=namer.shape(source) if source is not None else "",
            message=str(message) if message is not None else str(template or component),
            path=_path_text(path, report, namer) if path is not None else "",
            value=namer.term(get(result, SH.value)) if get(result, SH.value) is not None else "",
            severity=str(severity).rsplit("#", 1)[-1] if severity is not None else "Violation",
            constraint=str(template) if template is not None else namer.iri(str(component)))


def _path_text(path: rdflib.term.Node, report: rdflib.Graph, namer: _Namer) -> str:
    if isinstance(path, URIRef):
        return namer.term(path)
    alternatives = report.value(path, SH.alternativePath)
    if alternatives is not None:
        return "|".join(namer.term(p) for p in report.items(alternatives))
    return namer.term(path)


# -- split engine: Core part in chunks ---------------------------------------------------------------

def _subject_groups(store: ox.Store) -> dict[object, list[object]]:
    """Subjects by disease: a disease, and each association whose rdf:subject -- or else rdf:object
    (a treatment applied to a disease) -- is that disease. Everything else is in group None."""
    diseases = {r["s"] for r in store.query(
        "SELECT DISTINCT ?s WHERE { ?s a <https://w3id.org/biolink/vocab/Disease> }")}
    anchor: dict[object, object] = {}
    for q in store.quads_for_pattern(None, _RDF_OBJECT, None, None):
        if q.object in diseases:
            anchor[q.subject] = q.object
    for q in store.quads_for_pattern(None, _RDF_SUBJECT, None, None):
        if q.object in diseases:
            anchor[q.subject] = q.object
    groups: dict[object, list[object]] = defaultdict(list)
    for row in store.query("SELECT DISTINCT ?s WHERE { ?s ?p ?o }"):
        s = row["s"]
        target = anchor.get(s, s)
        groups[target if target in diseases else None].append(s)
    return dict(groups)


def _chunks(store: ox.Store, groups: dict[object, list[object]]) -> Iterator[list[object]]:
    """Lists of subjects of about CHUNK_TRIPLES triples; a disease's subjects stay together."""
    chunk: list[object] = []
    size = 0
    keys = sorted((k for k in groups if k is not None), key=str) + ([None] if None in groups else [])
    for key in keys:
        subjects = sorted(groups[key], key=str)
        if key is None:  # HPO terms, documents, dataset: any split will do
            for s in subjects:
                chunk.append(s)
                size += 12
                if size >= CHUNK_TRIPLES:
                    yield chunk
                    chunk, size = [], 0
            continue
        chunk.extend(subjects)
        size += 13 * len(subjects)
        if size >= CHUNK_TRIPLES:
            yield chunk
            chunk, size = [], 0
    if chunk:
        yield chunk


_WORKER: dict = {}


def _core_chunk(index: int) -> list[Violation]:
    store, chunks, core, namer = _WORKER["args"]
    return _pyshacl(rdflib_graph(store, chunks[index]), core, namer)


def _core_in_chunks(store: ox.Store, chunks: list[list[object]], shapes: Shapes, namer: _Namer, jobs: int,
                    say: Callable[[str], None]) -> Iterator[Violation]:
    _WORKER["args"] = (store, chunks, shapes.core, _Namer(shapes.base_iri, shapes.graph))
    try:
        if jobs <= 1 or len(chunks) <= 1:
            for i in range(len(chunks)):
                yield from _core_chunk(i)
                say(f"chunk {i + 1}/{len(chunks)}")
            return
        context = multiprocessing.get_context("fork")  # workers share the loaded store copy-on-write
        with context.Pool(jobs) as pool:
            for i, found in enumerate(pool.imap_unordered(_core_chunk, range(len(chunks)))):
                yield from found
                say(f"chunk {i + 1}/{len(chunks)}")
    finally:
        _WORKER.clear()


# -- split engine: SPARQL-based constraints in bulk ---------------------------------------------------

def _sparql_constraints(graph: rdflib.Graph) -> list[SparqlConstraint]:
    out = []
    for shape, node in sorted(graph.subject_objects(SH.sparql), key=lambda so: (str(so[0]), str(so[1]))):
        if graph.value(predicate=SH.property, object=shape) is not None:
            raise InputError(f"sh:sparql on a property shape is not supported: {shape}")
        select = graph.value(node, SH.select)
        if select is None:
            raise InputError(f"SPARQL constraint of {shape} has no sh:select")
        prefixes = _prefix_lines(graph, node)
        target = _target_query(graph, shape)
        body = _inject(str(select), target)
        severity = graph.value(shape, SH.severity)
        out.append(SparqlConstraint(shape, node, str(graph.value(node, SH.message) or ""), prefixes + body,
                                    str(severity).rsplit("#", 1)[-1] if severity is not None else "Violation"))
    return out


def _prefix_lines(graph: rdflib.Graph, node: rdflib.term.Node) -> str:
    lines = []
    for holder in graph.objects(node, SH.prefixes):
        for decl in graph.objects(holder, SH.declare):
            lines.append(f"PREFIX {graph.value(decl, SH.prefix)}: <{graph.value(decl, SH.namespace)}>")
    return "\n".join(sorted(set(lines))) + "\n"


def _target_query(graph: rdflib.Graph, shape: rdflib.term.Node) -> str:
    parts = []
    for cls in graph.objects(shape, SH.targetClass):
        parts.append(f"{{ ?this <{RDF.type}>/<http://www.w3.org/2000/01/rdf-schema#subClassOf>* <{cls}> }}")
    for node in graph.objects(shape, SH.targetNode):
        parts.append(f"{{ VALUES ?this {{ <{node}> }} }}")
    for p in graph.objects(shape, SH.targetSubjectsOf):
        parts.append(f"{{ ?this <{p}> ?rdkgTargetO }}")
    for p in graph.objects(shape, SH.targetObjectsOf):
        parts.append(f"{{ ?rdkgTargetS <{p}> ?this }}")
    for target in graph.objects(shape, SH.target):
        select = graph.value(target, SH.select)
        if select is None:
            raise InputError(f"unsupported target of {shape}: only SPARQL targets with sh:select")
        parts.append("{ " + _strip_prefixes(str(select)) + " }")
    if not parts:
        raise InputError(f"shape {shape} has SPARQL constraints but no targets")
    return "{ SELECT DISTINCT ?this WHERE { " + " UNION ".join(parts) + " } }"


def _strip_prefixes(select: str) -> str:
    return re.sub(r"(?im)^\s*PREFIX\s+\S*:\s*<[^>]*>\s*", "", select).strip()


def _inject(select: str, target: str) -> str:
    """Put the target sub-query first in the outermost group of the constraint's WHERE clause."""
    match = re.search(r"\bWHERE\s*\{", select, flags=re.IGNORECASE) or re.search(r"\{", select)
    if match is None:
        raise InputError(f"cannot read SPARQL constraint: {select[:80]!r}")
    return select[:match.end()] + " " + target + " " + select[match.end():]


def _sparql_bulk(store: ox.Store, shapes: Shapes, namer: _Namer, allowed: set | None) -> Iterator[Violation]:
    for c in shapes.sparql:
        try:
            rows = store.query(c.query)
        except (SyntaxError, OSError, ValueError) as exc:
            raise KgError(f"SPARQL constraint of {namer.term(c.shape)} failed: {exc}") from None
        variables = [v.value for v in rows.variables]
        for row in rows:
            focus = row["this"]
            if allowed is not None and focus not in allowed:
                continue
            bindings = {v: row[v] for v in variables}
            message = _fill(c.message, bindings, namer)
            yield Violation(focus=namer.term(focus), shape=namer.term(c.shape), message=message,
                            path=namer.term(bindings.get("path")) if bindings.get("path") is not None else "",
                            value=namer.term(bindings.get("value")) if bindings.get("value") is not None else "",
                            severity=c.severity, constraint=c.message)


def _fill(template: str, bindings: dict, namer: _Namer) -> str:
    """``{?var}`` / ``{$var}`` in an sh:message replaced by the solution's values, as CURIEs."""
    return re.sub(r"\{[?$](\w+)\}", lambda m: namer.term(bindings.get(m.group(1))), template)


# -- output ---------------------------------------------------------------------------------------------

def format_result(result: Result, *, limit: int = 5) -> list[str]:
    """Readable lines: a summary, then each failing constraint with its count and first examples."""
    lines = []
    verdict = "conforms" if result.conforms else f"does not conform: {len(result.violations)} violation(s)"
    sampled = f", {result.focus_diseases} diseases sampled" if result.focus_diseases is not None else ""
    lines.append(f"{result.triples:,} triples checked ({result.engine} engine, {result.chunks} chunk(s){sampled}) "
                 f"in {result.seconds:.1f} s: {verdict}")
    by_key: dict[tuple[str, str], list[Violation]] = defaultdict(list)
    for v in result.violations:
        by_key[(v.shape, v.constraint or v.message)].append(v)
    for shape, constraint, n in result.by_constraint():
        lines.append(f"{n:>7}  {shape}: {constraint}")
        for v in by_key[(shape, constraint)][:limit]:
            lines.append(f"         {v}")
        if n > limit:
            lines.append(f"         ... and {n - limit} more")
    return lines


def cpu_jobs() -> int:
    return max(1, min(2, os.cpu_count() or 1))
