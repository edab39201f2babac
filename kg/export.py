"""Writing triples: sorted, subject-grouped Turtle or N-Triples, optionally gzipped, atomically.

Triples arrive as N-Triples term strings from the mappings. They are grouped by subject,
subjects and each subject's (predicate, object) pairs sorted, so the same input gives the
same bytes. Turtle is written directly from that grouping with the one prefix map
(``kg.curie.prefix_map``) -- a generic serialiser would re-parse millions of terms.
Files are written to a temporary name in the target directory and renamed into place only
when complete, so a crash or Ctrl-C never leaves a half-written file under the real name.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import os
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from enum import Enum
from pathlib import Path
from typing import IO

from kg.curie import DEFAULT_BASE, prefix_map
from kg.rdf.terms import Triple

_RDF_TYPE = "<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>"
_PN_LOCAL = re.compile(r"[A-Za-z0-9_](?:[A-Za-z0-9_\-.]*[A-Za-z0-9_\-])?\Z")
_XSD = "http://www.w3.org/2001/XMLSchema#"


class Format(str, Enum):
    TURTLE = "turtle"
    NTRIPLES = "ntriples"

    @property
    def suffix(self) -> str:
        return ".ttl" if self is Format.TURTLE else ".nt"


@dataclass(frozen=True, slots=True)
class WrittenFile:
    path: Path
    triples: int
    subjects: int
    sha256: str
    bytes: int


def group(triples: Iterable[Triple]) -> list[tuple[str, list[tuple[str, str]]]]:
    """Subjects in sorted order, each with its sorted, de-duplicated (predicate, object) pairs."""
    by_subject: dict[str, list[tuple[str, str]]] = {}
    for s, p, o in triples:
        pairs = by_subject.get(s)
        if pairs is None:
            by_subject[s] = [(p, o)]
        else:
            pairs.append((p, o))
    out = []
    for subject in sorted(by_subject):
        pairs = by_subject[subject]
        if len(pairs) > 1:
            pairs.sort()
            pairs = [pair for i, pair in enumerate(pairs) if i == 0 or pair != pairs[i - 1]]
        out.append((subject, pairs))
    return out


class _Compactor:
    """Turns ``<iri>`` into ``prefix:local`` when a declared prefix covers it and the local is safe."""

    def __init__(self, prefixes: dict[str, str]) -> None:
        self.by_namespace = {ns: prefix for prefix, ns in prefixes.items()}
        self.cache: dict[str, str] = {}

    def term(self, term: str) -> str:
        hit = self.cache.get(term)
        if hit is not None:
            return hit
        out = term
        if term.startswith("<"):
            out = self._iri(term)
        elif term.endswith(">") and '"^^<' in term:
            value, datatype = term.rsplit("^^", 1)
            out = value + "^^" + self._iri(datatype)
        if len(self.cache) < 2_000_000:
            self.cache[term] = out
        return out

    def _iri(self, term: str) -> str:
        iri = term[1:-1]
        for sep in ("_", "/", "#", ":"):
            cut = iri.rfind(sep) + 1
            if cut:
                prefix = self.by_namespace.get(iri[:cut])
                if prefix is not None and _PN_LOCAL.match(iri[cut:]):
                    return f"{prefix}:{iri[cut:]}"
        return term


def write_turtle(grouped: list[tuple[str, list[tuple[str, str]]]], handle: IO[str], prefixes: dict[str, str]) -> int:
    compact = _Compactor(prefixes).term
    for prefix, namespace in prefixes.items():
        handle.write(f"@prefix {prefix}: <{namespace}> .\n")
    count = 0
    buffer: list[str] = []
    for subject, pairs in grouped:
        buffer.append("\n" + compact(subject))
        last = len(pairs) - 1
        for i, (p, o) in enumerate(pairs):
            pred = "a" if p == _RDF_TYPE else compact(p)
            buffer.append(f"{' ' if i == 0 else '    '}{pred} {compact(o)}{' .' if i == last else ' ;'}\n")
        count += len(pairs)
        if len(buffer) > 50_000:
            handle.write("".join(buffer))
            buffer.clear()
    handle.write("".join(buffer))
    return count


def write_ntriples(grouped: list[tuple[str, list[tuple[str, str]]]], handle: IO[str]) -> int:
    count = 0
    buffer: list[str] = []
    for subject, pairs in grouped:
        buffer.extend(f"{subject} {p} {o} .\n" for p, o in pairs)
        count += len(pairs)
        if len(buffer) > 100_000:
            handle.write("".join(buffer))
            buffer.clear()
    handle.write("".join(buffer))
    return count


class _HashingWriter(io.RawIOBase):
    """Byte sink that hashes and counts what passes through to the real file."""

    def __init__(self, raw: IO[bytes]) -> None:
        self.raw, self.digest, self.size = raw, hashlib.sha256(), 0

    def writable(self) -> bool:
        return True

    def write(self, data) -> int:  # type: ignore[override]
        self.digest.update(data)
        self.size += len(data)
        self.raw.write(data)
        return len(data)


def atomic_path(path: Path) -> Path:
    return path.with_name(f".{path.name}.tmp-{os.getpid()}")


def write_graph(triples: Iterable[Triple] | list[tuple[str, list[tuple[str, str]]]], directory: Path, name: str,
                *, fmt: Format = Format.TURTLE, compress: bool = False, base_iri: str = DEFAULT_BASE,
                grouped: bool = False) -> WrittenFile:
    """Write one graph file ``<directory>/<name>.ttl|.nt[.gz]`` atomically; returns what was written."""
    groups = triples if grouped else group(triples)  # type: ignore[arg-type]
    path = Path(directory) / (name + fmt.suffix + (".gz" if compress else ""))
    tmp = atomic_path(path)
    try:
        with open(tmp, "wb") as raw:
            sink = _HashingWriter(raw)
            binary: IO[bytes] = gzip.GzipFile(filename="", mode="wb", fileobj=sink, mtime=0,  # type: ignore[assignment]
                                              compresslevel=6) if compress else sink  # type: ignore[assignment]
            text = io.TextIOWrapper(io.BufferedWriter(binary, 1 << 20) if not compress else binary,  # type: ignore[arg-type]
                                    encoding="utf-8", newline="\n", write_through=False)
            if fmt is Format.TURTLE:
                count = write_turtle(groups, text, prefix_map(base_iri))  # type: ignore[arg-type]
            else:
                count = write_ntriples(groups, text)  # type: ignore[arg-type]
            text.flush()
            text.detach()
            if compress:
                binary.close()
            raw.flush()
            os.fsync(raw.fileno())
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return WrittenFile(path, count, len(groups), sink.digest.hexdigest(), sink.size)


def iter_ntriples(grouped: list[tuple[str, list[tuple[str, str]]]]) -> Iterator[str]:
    for subject, pairs in grouped:
        for p, o in pairs:
            yield f"{subject} {p} {o} .\n"
