"""Where SPARQL runs: a small ``Store`` protocol with three implementations.

* :class:`EmbeddedStore` -- a pyoxigraph (RocksDB) store kept on disk in ``<build>/store``.
  Parsing the ~2.3 million triples of a full build takes ~8 s with pyoxigraph (over a
  minute with rdflib), so it is bulk-loaded once, at the end of ``kg build`` or lazily by
  the first ``kg query``, and then opened read-only in a few milliseconds per call.
* :class:`EndpointStore` -- any SPARQL 1.1 endpoint over HTTP (the SPARQL 1.1 Protocol,
  JSON results) with requests: Oxigraph server, Virtuoso, Fuseki, GraphDB.
* :class:`RdflibStore` -- rdflib in memory; slow, but an independent SPARQL engine, so the
  tests use it to prove the canned queries are plain SPARQL 1.1, not pyoxigraph dialect.

Every implementation answers in the same plain :class:`Term` values, so callers (and the
contract tests) compare results across engines without knowing which one answered.
Each build output file goes into its own named graph (``<base>graph/<file stem>``, as
docs/model.md lists them) and queries see the union of all graphs as their default graph.
"""

from __future__ import annotations

import fcntl
import gzip
import json
import logging
import re
import shutil
import tempfile
import warnings
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, Protocol

from kg.atomic import replace_directory
from kg.curie import DEFAULT_BASE
from kg.errors import StoreError

log = logging.getLogger("kg.store")

XSD = "http://www.w3.org/2001/XMLSchema#"
XSD_STRING = XSD + "string"
RDF_LANGSTRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"

#: File name endings of RDF the build writes, and the format each is parsed as.
RDF_SUFFIXES: dict[str, str] = {".ttl": "turtle", ".nt": "ntriples", ".nq": "nquads", ".trig": "trig"}
#: The fingerprint of the build files a store was loaded from, kept inside the store directory.
MANIFEST_NAME = "kg-store.json"
STORE_DIR = "store"
#: Bump when the way files are loaded changes, so older stores are rebuilt.
STORE_LAYOUT = 1


@dataclass(frozen=True, slots=True)
class Term:
    """One RDF term of a result, engine-neutral. Literals always carry a datatype."""

    kind: str  # "iri" | "literal" | "bnode"
    value: str
    datatype: str | None = None
    language: str | None = None

    @classmethod
    def iri(cls, value: str) -> Term:
        return cls("iri", value)

    @classmethod
    def literal(cls, value: str, datatype: str | None = None, language: str | None = None) -> Term:
        if language:
            return cls("literal", value, RDF_LANGSTRING, language.lower())
        return cls("literal", value, datatype or XSD_STRING)

    @property
    def is_iri(self) -> bool:
        return self.kind == "iri"


@dataclass(frozen=True, slots=True)
class Result:
    """The answer to a SELECT: column names and rows (``None`` where a variable is unbound)."""

    columns: tuple[str, ...]
    rows: tuple[tuple[Term | None, ...], ...]


class Store(Protocol):
    """What ``kg query`` needs from a triple store: SELECT and ASK in plain SPARQL 1.1."""

    #: Human-readable description of where queries run (for messages and benchmarks).
    description: str

    def select(self, query: str) -> Result:
        """Run a SELECT query; raise :class:`StoreError` when the store refuses it."""
        ...

    def ask(self, query: str) -> bool:
        """Run an ASK query."""
        ...

    def close(self) -> None:
        ...


# --------------------------------------------------------------------------- build files

def rdf_format(path: Path) -> str | None:
    """``turtle`` / ``ntriples`` / ... for an RDF file name (``.gz`` allowed), else None."""
    name = path.name.removesuffix(".gz")
    return RDF_SUFFIXES.get(Path(name).suffix)


def graph_iri(path: Path, base_iri: str = DEFAULT_BASE) -> str:
    """The named graph a build file goes into: ``hpoa.ttl.gz`` -> ``<base>graph/hpoa``."""
    return f"{base_iri}graph/{_graph_name(Path(path))}"


def _build_json(build_dir: Path) -> dict[str, Any]:
    path = build_dir / "build.json"
    if not path.is_file():
        return {}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise StoreError(f"{path}: unreadable build summary: {exc}") from exc
    return data if isinstance(data, dict) else {}


def _graph_name(path: Path) -> str:
    name = path.name.removesuffix(".gz")
    return Path(name).stem


_URI_SPACE = re.compile(rb'void:uriSpace>?\s+"([^"\\]+)"|<http://rdfs\.org/ns/void#uriSpace>\s+"([^"\\]+)"')


def files_base_iri(files: Sequence[Path]) -> str:
    """The instance base IRI a build used, read from its dataset description (``void:uriSpace``).

    build.json records it too, but the build writes build.json after it has created the
    store, so the files themselves are the source that exists when the store is made.
    """
    for path in files:
        if _graph_name(Path(path)) == "dataset":
            with _open_binary(Path(path)) as handle:
                match = _URI_SPACE.search(handle.read(4_000_000))
            if match:
                return (match.group(1) or match.group(2)).decode("utf-8")
    return DEFAULT_BASE


def build_base_iri(build_dir: Path) -> str:
    """The instance base IRI of a build: build.json's, else the dataset description's, else default."""
    value = _build_json(Path(build_dir)).get("base_iri")
    if isinstance(value, str) and value:
        return value
    return files_base_iri(build_files(Path(build_dir)))


def build_files(build_dir: Path) -> list[Path]:
    """The RDF files a build wrote: those build.json lists, else every RDF file in the folder."""
    build_dir = Path(build_dir)
    listed = _build_json(build_dir).get("files")
    names: list[str] = []
    if isinstance(listed, list):
        for item in listed:
            if isinstance(item, str):
                names.append(item)
            elif isinstance(item, dict):
                for key in ("name", "path", "file"):
                    if isinstance(item.get(key), str):
                        names.append(item[key])
                        break
    files = [build_dir / Path(n).name for n in names if rdf_format(Path(n))]
    files = [f for f in files if f.is_file()]
    if not files and build_dir.is_dir():
        files = [p for p in build_dir.iterdir() if p.is_file() and rdf_format(p)]
    return sorted(files)


def choose_files(files: Sequence[Path]) -> list[Path]:
    """One file per graph when a build wrote several formats: N-Triples (fastest to parse), uncompressed first."""
    rank = {"ntriples": 0, "nquads": 1, "turtle": 2, "trig": 3}
    best: dict[str, Path] = {}
    for path in (Path(f) for f in files):
        key = _graph_name(path)
        current = best.get(key)
        score = (rank.get(rdf_format(path) or "", 9), path.name.endswith(".gz"))
        if current is None or score < (rank.get(rdf_format(current) or "", 9), current.name.endswith(".gz")):
            best[key] = path
    return [best[k] for k in sorted(best)]


def fingerprint(build_dir: Path, files: Sequence[Path]) -> dict[str, Any]:
    """What identifies the inputs of a store cheaply: names, sizes, mtimes of its files.

    Files are taken relative to ``build_dir`` when they lie in it, so a build folder that
    is moved or renamed as a whole (as ``kg build`` does with its staging folder) keeps
    its store.
    """
    entries = []
    for path in sorted(Path(f) for f in files):
        stat = path.stat()
        try:
            name = str(path.relative_to(build_dir))
        except ValueError:
            name = str(path)
        entries.append({"name": name, "size": stat.st_size, "mtime_ns": stat.st_mtime_ns})
    return {"layout": STORE_LAYOUT, "files": entries}


def store_path(build_dir: Path) -> Path:
    return Path(build_dir) / STORE_DIR


def is_fresh(build_dir: Path, files: Sequence[Path] | None = None) -> bool:
    """True when ``<build>/store`` exists and was loaded from exactly the build's current files."""
    build_dir = Path(build_dir)
    manifest = store_path(build_dir) / MANIFEST_NAME
    if not manifest.is_file():
        return False
    files = build_files(build_dir) if files is None else files
    if not files:
        return False
    try:
        recorded = json.loads(manifest.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return bool(recorded == fingerprint(build_dir, choose_files(files)))


@contextmanager
def _lock(build_dir: Path) -> Iterator[None]:
    """Serialise store creation between processes (two ``kg query`` started at once)."""
    with open(build_dir / ".store.lock", "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _open_binary(path: Path) -> IO[bytes]:
    if path.name.endswith(".gz"):
        return gzip.open(path, "rb")  # type: ignore[return-value]  # a GzipFile reads bytes
    return open(path, "rb")


def create_embedded_store(build_dir: Path, files: list[Path]) -> Path:
    """Bulk-load ``files`` into ``<build_dir>/store`` (one named graph per file) and return its path.

    The store is built in a temporary folder beside the target and renamed into place only
    when complete, so a reader never opens a half-loaded store and an interrupted load
    leaves the previous store (or none). A fingerprint of the files is kept in the store
    so ``kg query`` can tell a stale store from a current one without reading the files.
    """
    import pyoxigraph as ox

    build_dir = Path(build_dir)
    files = choose_files(files)
    if not files:
        raise StoreError(f"{build_dir}: no RDF files to load into the embedded store")
    for path in files:
        if rdf_format(path) is None:
            raise StoreError(f"{path}: not an RDF file the store can load (.ttl, .nt, .nq, .trig, optionally .gz)")
        if not path.is_file():
            raise StoreError(f"{path}: file not found")
    base = files_base_iri(files)
    formats = {"turtle": ox.RdfFormat.TURTLE, "ntriples": ox.RdfFormat.N_TRIPLES,
               "nquads": ox.RdfFormat.N_QUADS, "trig": ox.RdfFormat.TRIG}
    target = store_path(build_dir)
    build_dir.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=".store-", dir=build_dir))
    try:
        store = ox.Store(str(tmp))
        for path in files:
            fmt = rdf_format(path)
            assert fmt is not None
            graph = None if fmt in ("nquads", "trig") else ox.NamedNode(graph_iri(path, base))
            with _open_binary(path) as handle:
                try:
                    store.bulk_load(input=handle, format=formats[fmt], to_graph=graph)
                except SyntaxError as exc:
                    raise StoreError(f"{path}: cannot be loaded: {exc}") from exc
        store.flush()
        store.optimize()
        del store
        (tmp / MANIFEST_NAME).write_text(json.dumps(fingerprint(build_dir, files), indent=1), encoding="utf-8")
        replace_directory(tmp, target)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return target


def ensure_embedded_store(build_dir: Path) -> Path:
    """The build's store, (re)created first if it is missing or older than the build's files."""
    build_dir = Path(build_dir)
    files = build_files(build_dir)
    if not files:
        raise StoreError(f"{build_dir}: no build output here (run `kg build` first, or pass --build DIR)")
    if is_fresh(build_dir, files):
        return store_path(build_dir)
    with _lock(build_dir):
        files = build_files(build_dir)
        if not is_fresh(build_dir, files):
            log.warning("loading %d build files into the embedded store %s (once per build)",
                        len(files), store_path(build_dir))
            create_embedded_store(build_dir, files)
    return store_path(build_dir)


# --------------------------------------------------------------------------- implementations

class EmbeddedStore:
    """The on-disk pyoxigraph store of a build, opened read-only (many readers at once are fine)."""

    def __init__(self, path: Path) -> None:
        import pyoxigraph as ox

        self._ox = ox
        self.path = Path(path)
        self.description = f"embedded store {self.path}"
        try:
            self._store = ox.Store.read_only(str(self.path))
        except OSError as exc:
            raise StoreError(f"{self.path}: cannot open the embedded store: {exc}") from exc

    @classmethod
    def for_build(cls, build_dir: Path) -> EmbeddedStore:
        return cls(ensure_embedded_store(Path(build_dir)))

    def _query(self, query: str) -> Any:
        try:
            return self._store.query(query, use_default_graph_as_union=True)
        except SyntaxError as exc:
            raise StoreError(f"the query is not valid SPARQL: {exc}") from exc
        except OSError as exc:
            raise StoreError(f"{self.path}: query failed: {exc}") from exc

    def _term(self, node: Any) -> Term | None:
        ox = self._ox
        if node is None:
            return None
        if isinstance(node, ox.NamedNode):
            return Term.iri(node.value)
        if isinstance(node, ox.Literal):
            return Term.literal(node.value, node.datatype.value, node.language)
        if isinstance(node, ox.BlankNode):
            return Term("bnode", node.value)
        raise StoreError(f"unsupported term in a result: {node!r}")

    def select(self, query: str) -> Result:
        solutions = self._query(query)
        if not isinstance(solutions, self._ox.QuerySolutions):
            raise StoreError("expected a SELECT query")
        columns = tuple(v.value for v in solutions.variables)
        rows = tuple(tuple(self._term(sol[i]) for i in range(len(columns))) for sol in solutions)
        return Result(columns, rows)

    def ask(self, query: str) -> bool:
        answer = self._query(query)
        if not isinstance(answer, self._ox.QueryBoolean):
            raise StoreError("expected an ASK query")
        return bool(answer)

    def close(self) -> None:
        self._store = None  # type: ignore[assignment]  # the RocksDB handle closes with its last reference


class EndpointStore:
    """A remote SPARQL 1.1 endpoint (query URL), asked by URL-encoded POST for JSON results.

    Public endpoints need no credentials; ``auth`` is there for private ones. The default
    graph is whatever the server makes it: load the build so that the default graph is the
    union of its graphs (Oxigraph ``--union-default-graph``; Virtuoso does so by default).
    """

    def __init__(self, url: str, *, timeout: float = 120.0, auth: tuple[str, str] | None = None) -> None:
        if not re.match(r"https?://[^\s]+\Z", url):
            raise StoreError(f"not an http(s) endpoint URL: {url!r}")
        import requests

        self.url = url
        self.timeout = timeout
        self.description = f"SPARQL endpoint {url}"
        self._requests = requests
        self._session = requests.Session()
        self._session.auth = auth
        self._session.headers["User-Agent"] = "rdkg (kg query)"

    def _post(self, query: str, accept: str) -> Any:
        requests = self._requests
        try:
            response = self._session.post(self.url, data={"query": query}, timeout=self.timeout,
                                          headers={"Accept": accept})
        except requests.Timeout as exc:
            raise StoreError(f"{self.url}: no answer within {self.timeout:g} s") from exc
        except requests.RequestException as exc:
            raise StoreError(f"{self.url}: cannot reach the endpoint: {exc}") from exc
        if response.status_code != 200:
            detail = " ".join(response.text.split())[:300]
            raise StoreError(f"{self.url}: HTTP {response.status_code} {response.reason}: {detail}")
        try:
            return response.json()
        except ValueError as exc:
            kind = response.headers.get("Content-Type", "?")
            raise StoreError(f"{self.url}: the answer is not SPARQL JSON results (Content-Type {kind})") from exc

    @staticmethod
    def _term(binding: dict[str, Any] | None) -> Term | None:
        if binding is None:
            return None
        kind = binding.get("type")
        value = binding.get("value")
        if not isinstance(value, str):
            raise StoreError(f"malformed binding in SPARQL JSON results: {binding!r}")
        if kind == "uri":
            return Term.iri(value)
        if kind in ("literal", "typed-literal"):  # "typed-literal": Virtuoso's SPARQL 1.0 form
            return Term.literal(value, binding.get("datatype"), binding.get("xml:lang"))
        if kind == "bnode":
            return Term("bnode", value)
        raise StoreError(f"unknown term type {kind!r} in SPARQL JSON results")

    def select(self, query: str) -> Result:
        data = self._post(query, "application/sparql-results+json")
        try:
            columns = tuple(data["head"]["vars"])
            bindings = data["results"]["bindings"]
        except (KeyError, TypeError) as exc:
            raise StoreError(f"{self.url}: the answer has no SELECT results") from exc
        rows = tuple(tuple(self._term(b.get(c)) for c in columns) for b in bindings)
        return Result(columns, rows)

    def ask(self, query: str) -> bool:
        data = self._post(query, "application/sparql-results+json")
        if not isinstance(data, dict) or not isinstance(data.get("boolean"), bool):
            raise StoreError(f"{self.url}: the answer has no ASK result")
        return bool(data["boolean"])

    def close(self) -> None:
        self._session.close()


@contextmanager
def _quiet_rdflib() -> Iterator[None]:
    """rdflib 7's own SPARQL evaluator calls its deprecated ``Dataset.default_context`` / ``contexts``."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=r"Dataset\.\w+ is deprecated", category=DeprecationWarning)
        yield


class RdflibStore:
    """rdflib in memory, one named graph per file, default graph = union (used by the tests)."""

    def __init__(self, files: Sequence[Path], *, base_iri: str = DEFAULT_BASE) -> None:
        from rdflib import Dataset, URIRef

        self.dataset = Dataset(default_union=True)
        self.description = "rdflib in memory"
        names = {"turtle": "turtle", "ntriples": "nt", "nquads": "nquads", "trig": "trig"}
        for path in files:
            path = Path(path)
            fmt = rdf_format(path)
            if fmt is None:
                raise StoreError(f"{path}: not an RDF file")
            with _open_binary(path) as handle:
                if fmt in ("nquads", "trig"):
                    self.dataset.parse(handle, format=names[fmt])
                else:
                    self.dataset.graph(URIRef(graph_iri(path, base_iri))).parse(handle, format=names[fmt])

    @classmethod
    def for_build(cls, build_dir: Path) -> RdflibStore:
        files = choose_files(build_files(Path(build_dir)))
        return cls(files, base_iri=files_base_iri(files))

    @staticmethod
    def _term(node: Any) -> Term | None:
        from rdflib import BNode, Literal, URIRef

        if node is None:
            return None
        if isinstance(node, URIRef):
            return Term.iri(str(node))
        if isinstance(node, Literal):
            return Term.literal(str(node), str(node.datatype) if node.datatype else None, node.language)
        if isinstance(node, BNode):
            return Term("bnode", str(node))
        raise StoreError(f"unsupported term in a result: {node!r}")

    def _query(self, query: str) -> Any:
        try:
            return self.dataset.query(query)
        except Exception as exc:  # rdflib raises pyparsing / its own errors: report them as ours
            raise StoreError(f"rdflib could not run the query: {exc}") from exc

    def select(self, query: str) -> Result:
        with _quiet_rdflib():
            result = self._query(query)
            if result.type != "SELECT":
                raise StoreError("expected a SELECT query")
            columns = tuple(str(v) for v in result.vars)
            try:
                rows = tuple(tuple(self._term(row[i]) for i in range(len(columns))) for row in result)
            except StoreError:
                raise
            except Exception as exc:  # evaluation is lazy: errors surface while iterating
                raise StoreError(f"rdflib could not run the query: {exc}") from exc
        return Result(columns, rows)

    def ask(self, query: str) -> bool:
        with _quiet_rdflib():
            result = self._query(query)
            if result.type != "ASK":
                raise StoreError("expected an ASK query")
            return bool(result.askAnswer)

    def close(self) -> None:
        self.dataset = None  # type: ignore[assignment]


def open_store(*, build_dir: Path | None = None, endpoint: str | None = None,
               timeout: float = 120.0, auth: tuple[str, str] | None = None) -> Store:
    """The store ``kg query`` runs on: a remote endpoint if given, else the build's embedded store."""
    if endpoint:
        return EndpointStore(endpoint, timeout=timeout, auth=auth)
    if build_dir is None:
        raise StoreError("no build directory or endpoint given")
    return EmbeddedStore.for_build(build_dir)
