"""Minting of the project's own IRIs: deterministic, stable across rebuilds, never random.

An IRI is ``<base><kind>/<source>/<16 hex>`` where the hex is the sha256 of the
statement's key in its source (an HPOA row's columns, a document span...). The same input
gives the same IRI on every machine; different statements give different IRIs (64 bits:
a collision among millions of statements has probability ~1e-7, and the build checks).
"""

from __future__ import annotations

import hashlib
import re

from kg.curie import DEFAULT_BASE, normalise_base

_SEGMENT = re.compile(r"[a-z][a-z0-9\-]*\Z")


def digest(key: str, length: int = 16) -> str:
    return hashlib.sha256(key.encode("utf-8")).hexdigest()[:length]


def mint(kind: str, source: str, key: str, *, base_iri: str = DEFAULT_BASE) -> str:
    """IRI for statement ``key`` of ``source``, e.g. ``mint('association', 'hpoa', row_key)``."""
    if not _SEGMENT.match(kind) or not _SEGMENT.match(source):
        raise ValueError(f"kind and source must be lower-case path segments: {kind!r}, {source!r}")
    return f"{normalise_base(base_iri)}{kind}/{source}/{digest(key)}"


def graph_iri(name: str, *, base_iri: str = DEFAULT_BASE) -> str:
    """Named graph of one output file (hpo, hpoa, documents, similarity, dataset)."""
    if not _SEGMENT.match(name):
        raise ValueError(f"graph name must be a lower-case path segment: {name!r}")
    return f"{normalise_base(base_iri)}graph/{name}"
