"""Pushing a build into a running triple store over the SPARQL 1.1 Graph Store HTTP Protocol.

Why this shape:

* Every SPARQL 1.1 store speaks the Graph Store Protocol (Oxigraph ``/store``, Virtuoso
  ``/sparql-graph-crud-auth``, Fuseki ``/<ds>/data``, GraphDB ``/repositories/<id>/rdf-graphs/service``),
  so one client covers them all; native bulk loaders are faster and are documented in the README.
* A full build is millions of triples; no store accepts that as one request body (Virtuoso
  parses a body in memory, proxies cap sizes). Each file is parsed as a stream with pyoxigraph
  and re-sent as N-Triples in chunks of at most ``chunk_bytes`` (the parse also validates the
  file before a byte reaches the store). A 413 halves the chunk size and re-sends.
* Blank nodes are scoped to one request body, so every triple that mentions a blank node
  travels in one final request per file: splitting them would silently break their identity.
* Transient failures (connection errors, 408/429/502/503/504, a Virtuoso deadlock) are retried
  with exponential backoff; authentication and size refusals stop with one clear message.
* Each file goes into its own named graph (``<base>graph/<file stem>``, docs/model.md) unless
  ``graph`` says otherwise, and afterwards each graph's triple count is asked back over SPARQL
  and compared with the distinct triples sent.
"""

from __future__ import annotations

import array
import gzip
import html
import logging
import re
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from dataclasses import replace as replace_fields
from itertools import islice
from pathlib import Path
from queue import Empty, Full, Queue
from typing import IO, Any

from kg.errors import InputError, StoreError
from kg.store import build_base_iri, build_files, graph_iri, rdf_format

log = logging.getLogger("kg.load")

#: Default ceiling of one request body (N-Triples bytes); every store tested takes this.
DEFAULT_CHUNK_BYTES = 4 << 20
#: Below this a 413 is not worth halving for: the store's limit is unusable.
MIN_CHUNK_BYTES = 32 << 10
#: HTTP statuses worth retrying: the same request can succeed a moment later.
TRANSIENT_STATUSES = frozenset({408, 425, 429, 502, 503, 504})
#: Marker for "the store's default graph" in place of a graph IRI.
DEFAULT_GRAPH = None
NTRIPLES = "application/n-triples"


@dataclass(frozen=True, slots=True)
class Target:
    """One RDF file and the graph it goes into (``None``: the store's default graph)."""

    path: Path
    graph: str | None


@dataclass(frozen=True, slots=True)
class GraphLoad:
    """What happened to one graph: triples sent, and the store's count before and after."""

    graph: str | None
    files: tuple[str, ...]
    triples_sent: int
    requests: int
    bytes_sent: int
    seconds: float
    before: int | None
    after: int | None
    #: Distinct triples among those sent, when it had to be counted (the input repeats triples).
    distinct: int | None = None

    @property
    def verified(self) -> bool:
        """The store holds exactly what was sent (empty or replaced graph), or a consistent superset."""
        return self.after is not None and consistent(self.before or 0, self.after,
                                                     self.triples_sent if self.distinct is None else self.distinct)


def consistent(before: int, after: int, sent: int) -> bool:
    """Can a graph of ``before`` triples hold ``after`` once ``sent`` distinct triples were added?"""
    if before == 0:
        return after == sent
    return max(before, sent) <= after <= before + sent


@dataclass(frozen=True, slots=True)
class LoadReport:
    endpoint: str
    query_endpoint: str | None
    graphs: tuple[GraphLoad, ...]
    seconds: float

    @property
    def triples_sent(self) -> int:
        return sum(g.triples_sent for g in self.graphs)

    @property
    def requests(self) -> int:
        return sum(g.requests for g in self.graphs)


# --------------------------------------------------------------------------- planning

def plan(sources: Sequence[Path], *, graph: str | None = "", base_iri: str | None = None) -> list[Target]:
    """Which file goes into which graph.

    ``sources`` are build directories and/or RDF files. ``graph`` = ``""`` (the default):
    one named graph per file as docs/model.md lists them; an IRI: every file into that graph;
    ``None``: the store's default graph.
    """
    targets: list[Target] = []
    for source in sources:
        source = Path(source)
        if source.is_dir():
            files = one_file_per_graph(build_files(source))
            if not files:
                raise InputError("no RDF build output here (run `kg build` first)", path=str(source))
            base = base_iri or build_base_iri(source)
        elif source.is_file():
            if rdf_format(source) is None:
                raise InputError("not an RDF file this loader knows (.ttl, .nt, .nq, .trig, optionally .gz)",
                                 path=str(source))
            files = [source]
            base = base_iri or build_base_iri(source.parent)
        else:
            raise InputError("no such file or directory", path=str(source))
        for path in files:
            if rdf_format(path) in ("nquads", "trig"):
                raise InputError("quad formats carry their own graphs; load them with the store's own loader",
                                 path=str(path))
            targets.append(Target(path, graph_iri(path, base) if graph == "" else graph))
    return targets


#: When a build holds one graph in several formats, the one to read: N-Triples parses fastest.
FORMAT_PREFERENCE = (".nt", ".nt.gz", ".ttl", ".ttl.gz")


def one_file_per_graph(files: Sequence[Path]) -> list[Path]:
    """``hpo.ttl`` and ``hpo.nt.gz`` (``kg build --format turtle --format ntriples``) hold one graph: keep one."""
    def rank(path: Path) -> int:
        suffix = "".join(path.suffixes[-2:]) if path.name.endswith(".gz") else path.suffix
        return FORMAT_PREFERENCE.index(suffix) if suffix in FORMAT_PREFERENCE else len(FORMAT_PREFERENCE)

    chosen: dict[str, Path] = {}
    for path in files:
        stem = path.name.split(".", 1)[0]
        if stem not in chosen or rank(path) < rank(chosen[stem]):
            chosen[stem] = path
    keep = set(chosen.values())
    return [p for p in files if p in keep]


# --------------------------------------------------------------------------- chunking

@dataclass(frozen=True, slots=True)
class Chunk:
    """A request body: ``triples`` N-Triples lines; ``blank_nodes`` if they must travel together."""

    body: bytes
    triples: int
    blank_nodes: bool = False


class ChunkLimit:
    """The current ceiling of a request body; lowered for the rest of a load after a 413."""

    __slots__ = ("bytes",)

    def __init__(self, size: int = DEFAULT_CHUNK_BYTES) -> None:
        if size < 1024:
            raise InputError(f"chunk size must be at least 1 KiB, not {size} bytes")
        self.bytes = size


#: An N-Triples line whose subject or object is a blank node (a literal never ends in ``_:x .``).
_BLANK_LINE = re.compile(rb"\A_:|[ \t]_:[^\s\"<>]+[ \t]*\.[ \t]*\r?\n?\Z")


def _open(path: Path) -> IO[bytes]:
    return gzip.open(path, "rb") if path.name.endswith(".gz") else open(path, "rb")  # type: ignore[return-value]


def split_lines(body: bytes, limit: int) -> Iterator[Chunk]:
    """``body`` (N-Triples) as chunks of at most ``limit`` bytes, cut between lines."""
    if len(body) <= limit or body.count(b"\n") <= 1:
        yield Chunk(body, body.count(b"\n"))
        return
    lines = body.splitlines(keepends=True)
    half = len(lines) // 2
    yield from split_lines(b"".join(lines[:half]), limit)
    yield from split_lines(b"".join(lines[half:]), limit)


def chunks(path: Path, limit: ChunkLimit | None = None) -> Iterator[Chunk]:
    """Stream ``path`` (Turtle or N-Triples, gzip allowed) as N-Triples chunks of about ``limit`` bytes.

    pyoxigraph parses and re-serialises in native code (``islice`` feeds ``serialize``), so a
    4-million-triple file costs seconds, not a Python loop per triple. Chunks are sized by triple
    count, re-estimated from the previous chunk's bytes; one that comes out too large is cut in
    halves. Lines that mention a blank node are held back and sent last, all in one chunk.
    """
    import pyoxigraph as ox

    fmt = {"turtle": ox.RdfFormat.TURTLE, "ntriples": ox.RdfFormat.N_TRIPLES}.get(rdf_format(path) or "")
    if fmt is None:
        raise InputError("not a Turtle or N-Triples file", path=str(path))
    limit = limit or ChunkLimit()
    per_chunk = 2_000
    held: list[bytes] = []
    try:
        with _open(path) as handle:
            quads = ox.parse(input=handle, format=fmt)
            while True:
                body = ox.serialize(islice(quads, per_chunk), format=ox.RdfFormat.N_TRIPLES) or b""
                if not body:
                    break
                size = len(body)
                if b"_:" in body:
                    lines = body.splitlines(keepends=True)
                    blank = [line for line in lines if _BLANK_LINE.search(line)]
                    if blank:
                        held.extend(blank)
                        body = b"".join(line for line in lines if not _BLANK_LINE.search(line))
                if body:
                    yield from split_lines(body, limit.bytes)
                per_chunk = max(1, int(per_chunk * limit.bytes * 0.9 / size))
    except SyntaxError as exc:
        raise InputError(f"not valid RDF: {exc}", path=str(path)) from exc
    except (OSError, EOFError) as exc:
        raise InputError(f"cannot read: {exc}", path=str(path)) from exc
    if held:
        yield Chunk(b"".join(held), len(held), True)


def prefetch(items: Iterator[Chunk], depth: int = 2) -> Iterator[Chunk]:
    """Produce the next chunks in a thread while the current one is on the wire.

    Parsing is client CPU and storing is server CPU: overlapping them nearly halves a load.
    An error in the producer is raised here, in the consumer, at the point it happened.
    """
    done = object()
    queue: Queue[Any] = Queue(maxsize=depth)
    stop = threading.Event()

    def produce() -> None:
        try:
            for item in items:
                while not stop.is_set():
                    try:
                        queue.put(item, timeout=0.2)
                        break
                    except Full:
                        continue
                if stop.is_set():
                    return
            queue.put(done)
        except BaseException as exc:  # noqa: BLE001 -- handed to the consumer, which raises it
            queue.put(exc)

    worker = threading.Thread(target=produce, name="kg-load-parse", daemon=True)
    worker.start()
    try:
        while True:
            item = queue.get()
            if item is done:
                return
            if isinstance(item, BaseException):
                raise item
            yield item
    finally:
        stop.set()
        while worker.is_alive():
            try:
                queue.get_nowait()
            except Empty:
                worker.join(0.05)


def distinct_triples(paths: Iterable[Path]) -> int:
    """Distinct triples in ``paths`` together (a second pass, only to explain a count mismatch)."""
    import numpy as np

    hashes: array.array[int] = array.array("q")
    for path in paths:
        for chunk in chunks(path):
            hashes.extend(hash(line.rstrip()) for line in chunk.body.splitlines())
    return int(np.unique(np.frombuffer(hashes, dtype=np.int64)).size) if len(hashes) else 0


# --------------------------------------------------------------------------- HTTP

def query_endpoint_for(gsp_url: str) -> str | None:
    """The SPARQL query endpoint beside a Graph Store endpoint of the stores we know."""
    url = gsp_url.split("?", 1)[0].rstrip("/")
    rules = (
        (r"(.*)/store\Z", r"\1/query"),  # Oxigraph
        (r"(.*)/sparql-graph-crud(?:-auth)?\Z", r"\1/sparql"),  # Virtuoso
        (r"(.*/repositories/[^/]+)/rdf-graphs/service\Z", r"\1"),  # GraphDB / RDF4J
        (r"(.*)/data\Z", r"\1/sparql"),  # Fuseki
    )
    for pattern, replacement in rules:
        if re.match(pattern, url):
            return re.sub(pattern, replacement, url)
    return None


def _detail(response: Any) -> str:
    """The useful part of an error body (Virtuoso wraps its message in HTML <xmp>)."""
    text = response.text or ""
    found = re.search(r"<xmp>(.*?)</xmp>", text, re.DOTALL) or re.search(r"<body>(.*?)</body>", text, re.DOTALL)
    if found:
        text = re.sub(r"<[^>]+>", " ", found.group(1))
    return " ".join(html.unescape(text).split())[:400]


class _TooLarge(Exception):
    pass


class GraphStoreClient:
    """A Graph Store Protocol endpoint and its SPARQL query endpoint, with retries and auth.

    Credentials are offered the way the server asks: a 401 naming ``Digest`` (Virtuoso)
    switches to digest authentication, any other 401 to basic; a 401 with credentials already
    sent is a refusal, reported as such.
    """

    def __init__(self, url: str, *, query_url: str | None = None, user: str | None = None,
                 password: str | None = None, timeout: float = 300.0, retries: int = 4,
                 backoff: float = 0.5) -> None:
        if not re.match(r"https?://[^\s]+\Z", url):
            raise StoreError(f"not an http(s) Graph Store endpoint URL: {url!r}")
        import requests

        self._requests = requests
        self.url = url
        self.query_url = query_url
        self.user, self.password = user, password
        self.timeout, self.retries, self.backoff = timeout, retries, backoff
        self.session = requests.Session()
        self.session.headers["User-Agent"] = "rdkg (kg load)"
        self._auth_settled = False
        #: Extra query parameters of a POST: Oxigraph's ``no_transaction`` (its bulk loader).
        self.post_params: dict[str, str] = {}

    # -- plumbing
    def _params(self, graph: str | None) -> dict[str, str]:
        return {"default": ""} if graph is None else {"graph": graph}

    def _authenticate(self, response: Any, url: str) -> None:
        from requests.auth import HTTPBasicAuth, HTTPDigestAuth

        if self.user is None:
            raise StoreError(f"{url}: the store requires authentication (HTTP 401); pass --user and --password")
        if self._auth_settled or self.session.auth is not None:
            raise StoreError(f"{url}: the store refused the credentials of user {self.user!r} (HTTP 401)")
        scheme = response.headers.get("WWW-Authenticate", "")
        digest = scheme.lower().startswith("digest")
        self.session.auth = (HTTPDigestAuth if digest else HTTPBasicAuth)(self.user, self.password or "")

    def request(self, method: str, url: str, **kwargs: Any) -> Any:
        """Send one request, retrying transient failures and answering one auth challenge."""
        requests = self._requests
        attempt = 0
        while True:
            try:
                response = self.session.request(method, url, timeout=self.timeout, **kwargs)
            except (requests.ConnectionError, requests.Timeout) as exc:
                if attempt >= self.retries:
                    raise StoreError(f"{url}: cannot reach the store after {attempt + 1} attempts: {exc}") from exc
                delay = self.backoff * 2 ** attempt
                log.warning("%s %s failed (%s); retrying in %.1f s", method, url, exc.__class__.__name__, delay)
            else:
                status = response.status_code
                if status == 401:
                    self._authenticate(response, url)
                    self._auth_settled = True
                    continue
                if status not in TRANSIENT_STATUSES and not (status == 500 and self._deadlock(response)):
                    return response
                if attempt >= self.retries:
                    return response
                retry_after = response.headers.get("Retry-After", "")
                delay = float(retry_after) if retry_after.isdigit() else self.backoff * 2 ** attempt
                log.warning("%s %s: HTTP %d; retrying in %.1f s", method, url, status, delay)
            time.sleep(delay)
            attempt += 1

    @staticmethod
    def _deadlock(response: Any) -> bool:
        return bool(re.search(r"deadlock|40001|SR172", response.text or "", re.IGNORECASE))

    def _fail(self, response: Any, what: str) -> StoreError:
        status = response.status_code
        if status == 403:
            return StoreError(f"{self.url}: {what} forbidden (HTTP 403): the account may not write here: "
                              f"{_detail(response)}")
        if status == 404:
            return StoreError(f"{self.url}: {what}: HTTP 404 -- is this the store's Graph Store endpoint? "
                              f"{_detail(response)}")
        if status == 413:
            return StoreError(f"{self.url}: {what}: the store refuses the request size (HTTP 413)")
        return StoreError(f"{self.url}: {what}: HTTP {status} {response.reason}: {_detail(response)}")

    # -- Graph Store Protocol
    def settle_auth(self, graph: str | None) -> None:
        """One cheap request first, so an auth challenge is not answered by re-sending megabytes."""
        response = self.request("HEAD", self.url, params=self._params(graph))
        self._auth_settled = True
        if response.status_code == 403:
            raise self._fail(response, "access")
        if response.headers.get("Server", "").lower().startswith("oxigraph"):
            # One transaction per request makes Oxigraph's on-disk store crawl (minutes for a full
            # build); its bulk loader is per request too, and the count check still verifies.
            self.post_params = {"no_transaction": ""}

    def delete(self, graph: str | None) -> None:
        response = self.request("DELETE", self.url, params=self._params(graph))
        if response.status_code not in (200, 202, 204, 404):
            raise self._fail(response, f"deleting graph {graph or '(default)'}")

    def post(self, graph: str | None, body: bytes) -> None:
        """POST one N-Triples body; raises :class:`_TooLarge` on 413 so the caller can split it."""
        response = self.request("POST", self.url, params={**self._params(graph), **self.post_params}, data=body,
                                headers={"Content-Type": NTRIPLES + "; charset=utf-8"})
        if response.status_code == 413:
            raise _TooLarge()
        if response.status_code not in (200, 201, 204):
            raise self._fail(response, f"adding {len(body):,} bytes to graph {graph or '(default)'}")

    # -- SPARQL
    def count(self, graph: str | None) -> int:
        """Triples in ``graph`` (``None``: the default graph as the store defines it)."""
        if self.query_url is None:
            raise StoreError("no SPARQL query endpoint to verify with")
        pattern = "?s ?p ?o" if graph is None else f"GRAPH <{graph}> {{ ?s ?p ?o }}"
        query = f"SELECT (COUNT(*) AS ?n) WHERE {{ {pattern} }}"
        response = self.request("POST", self.query_url, data={"query": query},
                                headers={"Accept": "application/sparql-results+json"})
        if response.status_code != 200:
            raise StoreError(f"{self.query_url}: counting triples: HTTP {response.status_code}: {_detail(response)}")
        try:
            bindings = response.json()["results"]["bindings"]
            return int(bindings[0]["n"]["value"]) if bindings else 0
        except (ValueError, KeyError, IndexError, TypeError) as exc:
            raise StoreError(f"{self.query_url}: unexpected answer to a COUNT query") from exc

    def close(self) -> None:
        self.session.close()


# --------------------------------------------------------------------------- loading

def _send(client: GraphStoreClient, graph: str | None, chunk: Chunk, limit: ChunkLimit) -> tuple[int, int]:
    """Send a chunk, halving it (and the running size limit) on 413. Returns (requests, bytes)."""
    try:
        client.post(graph, chunk.body)
        return 1, len(chunk.body)
    except _TooLarge:
        if chunk.blank_nodes:
            raise StoreError(f"{client.url}: the store refuses a {len(chunk.body):,}-byte request (HTTP 413), and "
                             f"these {chunk.triples:,} triples share blank nodes so cannot be split; "
                             "raise the store's request size limit") from None
        if len(chunk.body) <= MIN_CHUNK_BYTES or chunk.triples <= 1:
            raise StoreError(f"{client.url}: the store refuses even {len(chunk.body):,}-byte requests (HTTP 413); "
                             "raise its request size limit") from None
        limit.bytes = max(MIN_CHUNK_BYTES, min(limit.bytes, len(chunk.body) // 2))
        log.warning("HTTP 413 for %d bytes: sending halves (chunk limit now %d bytes)", len(chunk.body), limit.bytes)
        made = sent = 0
        for part in split_lines(chunk.body, len(chunk.body) - 1):
            r, b = _send(client, graph, part, limit)
            made, sent = made + r, sent + b
        return made, sent


def load(sources: Sequence[Path], endpoint: str, *, graph: str | None = "", replace: bool = False,
         user: str | None = None, password: str | None = None, query_endpoint: str | None = None,
         verify: bool = True, chunk_bytes: int = DEFAULT_CHUNK_BYTES, base_iri: str | None = None,
         timeout: float = 300.0, retries: int = 4, backoff: float = 0.5,
         on_progress: Callable[[str, int], None] | None = None) -> LoadReport:
    """Load build output into the store behind ``endpoint`` (a Graph Store Protocol URL).

    ``graph``: ``""`` one named graph per file (docs/model.md), an IRI for all files, or
    ``None`` for the default graph. ``replace`` empties each target graph first. With
    ``verify`` the count of each graph is read back over SPARQL (``query_endpoint``, or the
    one beside ``endpoint`` for Oxigraph, Virtuoso, Fuseki, GraphDB) and a mismatch is an error.
    """
    start = time.perf_counter()
    targets = plan(sources, graph=graph, base_iri=base_iri)
    query_url = query_endpoint or query_endpoint_for(endpoint)
    if verify and query_url is None:
        raise StoreError(f"cannot tell the SPARQL query endpoint beside {endpoint}; pass it (--sparql URL) "
                         "or skip verification (--no-verify)")
    client = GraphStoreClient(endpoint, query_url=query_url, user=user, password=password,
                              timeout=timeout, retries=retries, backoff=backoff)
    by_graph: dict[str | None, list[Path]] = {}
    for target in targets:
        by_graph.setdefault(target.graph, []).append(target.path)
    results: list[GraphLoad] = []
    limit = ChunkLimit(chunk_bytes)
    try:
        client.settle_auth(next(iter(by_graph)))
        for target_graph, paths in by_graph.items():
            results.append(_load_graph(client, target_graph, paths, replace=replace, verify=verify,
                                       limit=limit, on_progress=on_progress))
    finally:
        client.close()
    return LoadReport(endpoint, query_url if verify else None, tuple(results), time.perf_counter() - start)


def _load_graph(client: GraphStoreClient, graph: str | None, paths: list[Path], *, replace: bool,
                verify: bool, limit: ChunkLimit, on_progress: Callable[[str, int], None] | None) -> GraphLoad:
    t0 = time.perf_counter()
    if replace:
        client.delete(graph)
    before = client.count(graph) if verify else None
    sent = requests_made = bytes_sent = 0
    for path in paths:
        log.info("loading %s into %s", path, graph or "the default graph")
        for chunk in prefetch(chunks(path, limit)):
            r, b = _send(client, graph, chunk, limit)
            requests_made, bytes_sent, sent = requests_made + r, bytes_sent + b, sent + chunk.triples
            if on_progress is not None:
                on_progress(path.name, sent)
    after = client.count(graph) if verify else None
    result = GraphLoad(graph, tuple(p.name for p in paths), sent, requests_made, bytes_sent,
                       time.perf_counter() - t0, before, after)
    if verify and not result.verified:
        # The input may repeat triples (a store keeps one of each): count the distinct ones.
        result = replace_fields(result, distinct=distinct_triples(paths))
    if verify and not result.verified:
        where = graph or "the default graph"
        unique = result.distinct if result.distinct is not None else sent
        if not before:
            raise StoreError(f"{client.url}: sent {unique:,} distinct triples to {where} but the store holds "
                             f"{after:,} there")
        raise StoreError(f"{client.url}: {where} held {before:,} triples, {unique:,} distinct were sent, and "
                         f"it now holds {after:,}: inconsistent (use --replace to start from an empty graph)")
    return result
